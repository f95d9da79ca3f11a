/**
 * The happy path of each endpoint over real HTTP, each user acting with their own token: a coordinator opens a cycle,
 * Garut's dinas nominates and carries its nomination through attendance and documents, a revision round, the
 * assessors assigned score it, the coordinator determines its stars; another nomination is withdrawn; deadlines are
 * moved for one nomination and for the cycle; the cycle is finalized. Each answer is the Update's result, and each
 * read is judged against the PostgreSQL rows behind it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoresFor, sha256, testConfig } from '../../bench/drivers';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { createApiToken } from '../../db/credentials';
import { upsertUser } from '../../db/users';
import { call, nominationPath, startApi, type ApiUnderTest, type TestUser } from '../support/api';

let h: Harness;
let api: ApiUnderTest;
const config = testConfig('uji-api-actions', {
  mutate: (c) => {
    c.intakeWindow = '10m';
    c.assessment.assessorsPerNomination = 2;
  },
});
const as = (user: TestUser) => ({ token: api.tokens[user] });

beforeAll(async () => {
  h = await startHarness('api-actions');
  api = await startApi(h);
});
afterAll(async () => {
  await api?.stop();
  await h?.stop();
});

const row = (workflowId: string) =>
  h.db.selectFrom('nominations').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
const stageIs = (workflowId: string, stage: string) =>
  waitFor(async () => (await row(workflowId))?.stage === stage, { what: `${workflowId} in ${stage}` });

describe('the API from cycle to stars', () => {
  let nominationId: string;

  it('opens a cycle (coordinator) and reads it back', async () => {
    const { regencies: _r, provinces: _p, ...body } = config;
    const opened = await call(api, 'POST', '/api/cycles', { ...as('coordinator'), body: { config: body } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    expect(opened.body).toMatchObject({ cycleId: config.id, workflowId: `ovop/${config.id}/cycle` });
    const again = await call(api, 'POST', '/api/cycles', { ...as('coordinator'), body: { config: body } });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({
      code: 'refused',
      message: `cycle ${config.id} already runs (workflow ovop/${config.id}/cycle)`,
    });
    const broken = await call(api, 'POST', '/api/cycles', {
      ...as('coordinator'),
      body: { config: { ...body, intakeWindow: 'soon' } },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.message).toMatch(/intakeWindow/);
    await waitFor(async () => (await call(api, 'GET', `/api/cycles/${config.id}`, as('auditor'))).status === 200);
    const status = await call(api, 'GET', `/api/cycles/${config.id}`, as('auditor'));
    expect(status.body).toMatchObject({ cycleId: config.id, name: config.name, finalizedAt: null });
  });

  it('nominates (dinas, own kabupaten/kota) and lists it', async () => {
    const body = {
      regencyCode: '32.05',
      ikmName: 'Kerajinan Anyaman Garut',
      sentraName: 'Sentra Anyaman Garut',
      commodity: 'anyaman',
      product: 'Tas anyaman pandan',
      sentraSize: 14,
    };
    const made = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, { ...as('garut'), body });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.created).toBe(true);
    nominationId = made.body.workflowId;
    await stageIs(nominationId, 'AWAITING_SOCIALIZATION');
    const listed = await call(
      api,
      'GET',
      `/api/nominations?cycle=${config.id}&stage=AWAITING_SOCIALIZATION`,
      as('garut'),
    );
    expect(listed.body.nominations).toEqual([
      expect.objectContaining({
        workflowId: nominationId,
        ikmName: body.ikmName,
        regencyName: 'Kab. Garut',
        stage: 'AWAITING_SOCIALIZATION',
      }),
    ]);
    const event = await h.db
      .selectFrom('nomination_events')
      .select(['actor_id', 'actor_role'])
      .where('workflow_id', '=', nominationId)
      .orderBy('seq')
      .executeTakeFirstOrThrow();
    expect(event).toEqual({ actor_id: 'disperin-32.05', actor_role: 'dinas_kabkota' });
  });

  it('attends, submits documents, goes through a revision round and is approved', async () => {
    const attended = await call(api, 'POST', nominationPath(nominationId, '/attendance'), {
      ...as('garut'),
      body: { sessionId: 'sesi-1-yogyakarta' },
    });
    expect(attended.status, JSON.stringify(attended.body)).toBe(200);
    expect(attended.body.attendedSession).toBe('sesi-1-yogyakarta');
    await stageIs(nominationId, 'AWAITING_DOCUMENTS');
    const submit = (round: string) =>
      call(api, 'POST', nominationPath(nominationId, '/documents'), {
        ...as('garut'),
        body: { kind: 'legality', fileName: `nib-${round}.pdf`, checksum: sha256(round), sizeBytes: 2048 },
      });
    const first = await submit('r0');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ stage: 'UNDER_REVIEW', documents: [{ kind: 'legality', round: 0 }] });
    const changes = await call(api, 'POST', nominationPath(nominationId, '/review'), {
      ...as('coordinator'),
      body: { decision: 'request_changes', reason: 'NIB tidak terbaca' },
    });
    expect(changes.status).toBe(200);
    await stageIs(nominationId, 'REVISION_REQUESTED');
    const second = await submit('r1');
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    await stageIs(nominationId, 'UNDER_REVIEW');
    const documents = await call(api, 'GET', nominationPath(nominationId), as('garut'));
    expect(documents.body.documents).toEqual([
      expect.objectContaining({ kind: 'legality', round: 0, fileName: 'nib-r0.pdf', checksum: sha256('r0') }),
      expect.objectContaining({ kind: 'legality', round: 1, fileName: 'nib-r1.pdf', checksum: sha256('r1') }),
    ]);
    const approved = await call(api, 'POST', nominationPath(nominationId, '/review'), {
      ...as('coordinator'),
      body: { decision: 'approve' },
    });
    expect(approved.status).toBe(200);
    expect(approved.body.reviewNotes).toContain('approve');
    await stageIs(nominationId, 'IN_ASSESSMENT');
  });

  it('moves a deadline of the nomination (coordinator)', async () => {
    const until = new Date(Date.now() + 3 * 3_600_000).toISOString().replace('Z', '+00:00');
    const moved = await call(api, 'POST', nominationPath(nominationId, '/deadline-extension'), {
      ...as('coordinator'),
      body: { stage: 'assessment', until },
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(new Date(moved.body.deadline.at).getTime()).toBe(new Date(until).getTime());
    await waitFor(async () => (await row(nominationId))?.deadline_at?.getTime() === new Date(until).getTime());
  });

  it('is scored by its assessors and its stars are determined', async () => {
    const detail = await call(api, 'GET', nominationPath(nominationId), as('coordinator'));
    const assigned: string[] = detail.body.assessors.map((a: { id: string }) => a.id);
    expect(assigned).toHaveLength(2);
    for (const id of assigned) {
      // The panel is drawn from the cycle's whole pool: each assessor signs in as the user of its profile.
      const profile = config.assessment.assessors.find((a) => a.id === id)!;
      await upsertUser(h.db, {
        id,
        name: profile.name,
        email: profile.email,
        role: 'assessor',
        region: profile.province,
      });
      const { token } = await createApiToken(h.db, id, { name: 'test', ttlDays: 1 });
      // A 1 everywhere stays below the field-verification threshold.
      const scored = await call(api, 'POST', nominationPath(nominationId, '/scores'), {
        token,
        body: { scores: scoresFor(config, 1) },
      });
      expect(scored.status, JSON.stringify(scored.body)).toBe(200);
    }
    await stageIs(nominationId, 'STAR_RECOMMENDED');
    const sheets = await h.db
      .selectFrom('assessments')
      .select('assessor_id')
      .where('workflow_id', '=', nominationId)
      .execute();
    expect(sheets.map((s) => s.assessor_id).sort()).toEqual([...assigned].sort());
    const full = await call(api, 'GET', nominationPath(nominationId), as('coordinator'));
    expect(full.body.assessors).toEqual(assigned.map((id) => ({ id, scored: true })));
    expect(full.body.assessments).toHaveLength(2);

    const recommended = (await row(nominationId))!.recommended_stars;
    const determined = await call(api, 'POST', nominationPath(nominationId, '/determination'), {
      ...as('coordinator'),
      body: {},
    });
    expect(determined.status, JSON.stringify(determined.body)).toBe(200);
    expect(determined.body.stars).toBe(recommended);
    await waitFor(async () => ['DETERMINED', 'NOT_CLASSIFIED'].includes((await row(nominationId))!.stage));
    const trail = await call(api, 'GET', nominationPath(nominationId, '/events'), as('auditor'));
    const types: string[] = trail.body.events.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('nomination.identified');
    expect(types.length).toBeGreaterThan(10);
    expect(trail.body.events.map((e: { seq: number }) => e.seq)).toEqual(
      [...trail.body.events.map((e: { seq: number }) => e.seq)].sort((a: number, b: number) => a - b),
    );
  });

  it('withdraws another nomination (its dinas)', async () => {
    const made = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
      ...as('coordinator'),
      body: {
        regencyCode: '32.06',
        ikmName: 'Bordir Tasik',
        sentraName: 'Sentra Bordir',
        commodity: 'kain_tenun',
        product: 'Bordir',
        sentraSize: 8,
      },
    });
    expect(made.status).toBe(201);
    await stageIs(made.body.workflowId, 'AWAITING_SOCIALIZATION');
    const withdrawn = await call(api, 'POST', nominationPath(made.body.workflowId, '/withdrawal'), {
      ...as('tasikmalaya'),
      body: { reason: 'IKM tidak siap' },
    });
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    await stageIs(made.body.workflowId, 'WITHDRAWN');
  });

  it('moves a deadline for the whole cycle and finalizes it (coordinator)', async () => {
    const until = new Date(Date.now() + 5 * 3_600_000).toISOString().replace('Z', '+00:00');
    const extended = await call(api, 'POST', `/api/cycles/${config.id}/deadline-extension`, {
      ...as('coordinator'),
      body: { stage: 'attendance', until },
    });
    expect(extended.status, JSON.stringify(extended.body)).toBe(200);
    expect(extended.body.deadlineOverrides).toHaveProperty('attendance');
    const finalized = await call(api, 'POST', `/api/cycles/${config.id}/finalization`, {
      ...as('coordinator'),
      body: {},
    });
    expect(finalized.status, JSON.stringify(finalized.body)).toBe(200);
    expect(finalized.body.finalizeRequested).toBe(true);
    await waitFor(
      async () =>
        (await h.db.selectFrom('cycles').select('finalized_at').where('id', '=', config.id).executeTakeFirst())
          ?.finalized_at,
      { what: 'the cycle finalized', timeoutMs: 90_000 },
    );
  });
});
