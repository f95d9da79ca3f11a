/**
 * Award integrity (#15 items 1 and 3), judged from what users see: the panel drawn at random and recorded in the event
 * log (outside the nomination's province, matching its commodity), the same on replay and under any spelling of the
 * IKM's name; a conflict of interest declared through the API, which draws a replacement and takes the declarer's
 * access away; a coordinator's reassignment with its reason; and four eyes on stars above the recommendation: the same
 * coordinator refused, a second one approving through the CLI, a refusal and a lapse told by mail. Every refusal with
 * its status and message, and no history event and no row behind it.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinator, scoresFor, testConfig } from '../../bench/drivers';
import { retryOnTaskFailure } from '../../common/update-retry';
import { drawPanel, eligibleAssessors } from '../../domain/panel';
import type { Actor, CycleConfig } from '../../domain/types';
import { mailFor, type ReceivedMail } from '../../embedded/mailbox';
import { submitScoresUpdate, verifyFieldUpdate } from '../../workflows/messages';
import { call, nominationPath, startApi, userWithToken, type ApiUnderTest } from '../support/api';
import { cliRunner, type Ovop } from '../support/cli';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { acceptedUpdates } from '../support/history-wait';
import { panelProbeBundle, panelsOnReplay } from '../support/panel-replay';
import { toAssessment as driveToAssessment } from '../support/to-assessment';

let h: Harness;
let api: ApiUnderTest;
let ovop: Ovop;
/** Anyaman from Garut (32): andi, rina, made and yohanes may assess it; budi is of Jawa Barat, siti not of anyaman. */
const config = testConfig('uji-integritas', {
  mutate: (c) => {
    c.assessment.assessorsPerNomination = 2;
    c.award!.secondApproval = { within: '1h' };
  },
});
/** The same cycle with a second approval that lapses in seconds. */
const lapsing = testConfig('uji-empat-mata-lewat', {
  mutate: (c) => {
    c.assessment.assessorsPerNomination = 2;
    c.award!.secondApproval = { within: '4s' };
  },
});
const tokens: Record<string, string> = {};
const SECOND = { id: 'koordinator-dua', name: 'Koordinator Kedua', email: 'koordinator.dua@ikma.example' };

beforeAll(async () => {
  h = await startHarness('integrity');
  api = await startApi(h);
  ovop = cliRunner(h.taskQueue, api);
  for (const a of config.assessment.assessors)
    tokens[a.id] = await userWithToken(h, {
      id: a.id,
      name: a.name,
      email: a.email,
      role: 'assessor',
      region: a.province,
    });
  tokens[SECOND.id] = await userWithToken(h, { ...SECOND, role: 'coordinator', region: '00' });
  tokens.coordinator = api.tokens.coordinator;
  tokens.garut = api.tokens.garut;
  tokens.auditor = api.tokens.auditor;
});
afterAll(async () => {
  await api?.stop();
  await h?.stop();
});

const send = <T>(call: () => Promise<T>) => retryOnTaskFailure(call);
const row = (workflowId: string) =>
  h.db.selectFrom('nominations').selectAll().where('workflow_id', '=', workflowId).executeTakeFirstOrThrow();
const events = (workflowId: string) =>
  h.db
    .selectFrom('nomination_events')
    .select(['seq', 'type', 'actor_role', 'actor_id', 'payload'])
    .where('workflow_id', '=', workflowId)
    .orderBy('seq')
    .execute();
const stageIs = (workflowId: string, stage: string) =>
  waitFor(async () => (await row(workflowId).catch(() => null))?.stage === stage, {
    what: `${workflowId} in ${stage}`,
    timeoutMs: 60_000,
  });
async function mailUntil(workflowId: string, template: string, count = 1): Promise<ReceivedMail[]> {
  return waitFor(
    async () => {
      const mail = (await mailFor(h.mailDir, workflowId)).filter((m) => m.template === template);
      return mail.length >= count && mail;
    },
    { what: `${count} ${template} mail(s) of ${workflowId}`, timeoutMs: 30_000 },
  );
}
const assessorActor = (id: string): Actor => ({
  role: 'assessor',
  id,
  region: config.assessment.assessors.find((a) => a.id === id)!.province,
});
/** The panel as the event log has it now: the latest event that named one. */
async function panelOf(workflowId: string): Promise<string[]> {
  const named = (await events(workflowId)).filter((e) =>
    Array.isArray((e.payload as { assessors?: unknown }).assessors),
  );
  return (named.at(-1)!.payload as { assessors: string[] }).assessors;
}

/** Started directly on `cfg` (anyaman of Garut), attended, documents in and approved: IN_ASSESSMENT. */
const toAssessment = (cfg: CycleConfig, ikmName: string) =>
  driveToAssessment(h, cfg, { regencyCode: '32.05', ikmName, commodity: 'anyaman' });

/** Every assessor of the panel scores `value`; with the field verification when the score calls for one. */
async function toRecommendation(cfg: CycleConfig, ikmName: string, value: number, fieldPassed = true) {
  const n = await toAssessment(cfg, ikmName);
  for (const id of await panelOf(n.workflowId))
    await send(() =>
      n.handle.executeUpdate(submitScoresUpdate, {
        args: [{ actor: assessorActor(id), scores: scoresFor(cfg, value) }],
      }),
    );
  await waitFor(async () => ['FIELD_VERIFICATION', 'STAR_RECOMMENDED'].includes((await row(n.workflowId)).stage), {
    what: 'the end of the assessment',
    timeoutMs: 60_000,
  });
  if ((await row(n.workflowId)).stage === 'FIELD_VERIFICATION')
    await send(() =>
      n.handle.executeUpdate(verifyFieldUpdate, { args: [{ actor: coordinator, passed: fieldPassed }] }),
    );
  await stageIs(n.workflowId, 'STAR_RECOMMENDED');
  return n;
}

describe('an assignment nobody can steer', () => {
  it('draws each panel at random, records the draw, keeps out the own province; five spellings of one name do not steer it and a replay under any of them draws the same', async () => {
    const spellings = [
      'Anyaman Pandan Sukamaju',
      'Anyaman Pandan Suka Maju',
      'Anyaman Pandan Sukamadju',
      'Anjaman Pandan Sukamaju',
      'Anyaman Pandan Sukamaju Garut',
    ];
    const started = await Promise.all(spellings.map((name) => toAssessment(config, name)));
    const eligible = eligibleAssessors(config.assessment.assessors, '32', 'anyaman').map((a) => a.id);
    expect(eligible.sort()).toEqual(['penilai-andi', 'penilai-made', 'penilai-rina', 'penilai-yohanes']);

    const drawn = new Map<string, string[]>();
    for (const { workflowId } of started) {
      const entered = (await events(workflowId))
        .map((e) => e.payload as { to?: string; assessors?: string[]; draw?: unknown })
        .find((p) => p.to === 'IN_ASSESSMENT')!;
      expect(entered.draw, workflowId).toEqual({ method: 'random', eligible: 4, excluded: [] });
      expect(entered.assessors).toHaveLength(2);
      for (const id of entered.assessors!) expect(eligible, `${workflowId} drew ${id}`).toContain(id);
      drawn.set(workflowId, entered.assessors!);
      // Each drawn assessor was told, and nobody else.
      const assigned = await mailUntil(workflowId, 'assessment_assigned', 2);
      expect(assigned.flatMap((m) => m.to).sort()).toEqual(
        entered.assessors!.map((id) => config.assessment.assessors.find((a) => a.id === id)!.email).sort(),
      );
    }
    // The hash the panel used to be ranked by gives these spellings different panels: the name steered it.
    const hashed = new Set(
      started.map(({ workflowId }) =>
        drawPanel({
          pool: config.assessment.assessors,
          province: '32',
          commodity: 'anyaman',
          size: 2,
          seed: workflowId,
        })
          .sort()
          .join(),
      ),
    );
    expect(hashed.size).toBeGreaterThan(1);

    // Each history replayed under its own workflow id and under every other spelling's draws the panel it recorded.
    const bundle = await panelProbeBundle();
    for (const { handle, workflowId } of started) {
      const history = await handle.fetchHistory();
      for (const underId of started.map((s) => s.workflowId))
        expect(await panelsOnReplay(bundle, history, underId), `${workflowId} replayed as ${underId}`).toEqual([
          drawn.get(workflowId),
        ]);
    }
  });
});

describe('conflicts of interest and reassignment', () => {
  let workflowId: string;
  let handle: WorkflowHandle;

  it('an assigned assessor declares a conflict: a replacement is drawn and told, and the declarer loses access', async () => {
    ({ workflowId, handle } = await toAssessment(config, 'Anyaman Konflik Kepentingan'));
    const [declarer, staying] = await panelOf(workflowId);
    const outsider = ['penilai-andi', 'penilai-made', 'penilai-rina', 'penilai-yohanes'].find(
      (id) => id !== declarer && id !== staying,
    )!;
    const before = await events(workflowId);

    // Refusals first: an assessor not on the panel, one of the nomination's own province, and the dinas.
    const path = nominationPath(workflowId, '/conflict-of-interest');
    const body = { reason: 'Saya kerabat pemilik IKM ini' };
    const notAssigned = await call(api, 'POST', path, { token: tokens[outsider], body });
    expect(notAssigned.status).toBe(403);
    expect(notAssigned.body.message).toBe(`nomination ${workflowId} is not assigned to assessor ${outsider}`);
    const ownProvince = await call(api, 'POST', path, { token: tokens['penilai-budi'], body });
    expect(ownProvince.status).toBe(403);
    expect(ownProvince.body.message).toBe(`conflict of interest: nomination ${workflowId} is in your own province 32`);
    const dinas = await call(api, 'POST', path, { token: tokens.garut, body });
    expect(dinas.status).toBe(403);
    expect(dinas.body.message).toBe('role dinas_kabkota may not declare a conflict of interest; only an assessor may');
    const noReason = await call(api, 'POST', path, { token: tokens[declarer], body: {} });
    expect(noReason.status).toBe(400);
    expect(await events(workflowId)).toEqual(before);
    expect(await acceptedUpdates(h.client, handle.workflowId, 'declareConflict')).toBe(0);

    // Through the CLI, as an assessor would: `ovop panel conflict` (the API's answer is its --json).
    const declaredCli = await ovop(['--json', 'panel', 'conflict', workflowId, '--reason', body.reason], {
      token: tokens[declarer],
    });
    expect(declaredCli.code, declaredCli.stderr).toBe(0);
    const declared = { body: declaredCli.json() as Record<string, unknown> };
    const event = (await events(workflowId)).find((e) => e.type === 'assessment.conflict_declared')!;
    expect(event).toMatchObject({ actor_role: 'assessor', actor_id: declarer });
    const p = event.payload as { assessors: string[]; removed: string; replacement: string; reason: string };
    expect(p).toMatchObject({
      removed: declarer,
      reason: body.reason,
      draw: { method: 'random', excluded: [declarer] },
    });
    expect([staying, outsider, 'penilai-andi', 'penilai-made', 'penilai-rina', 'penilai-yohanes']).toContain(
      p.replacement,
    );
    expect(p.replacement).not.toBe(declarer);
    expect(p.replacement).not.toBe(staying);
    expect(p.assessors.sort()).toEqual([staying, p.replacement].sort());
    // The declarer's own answer names nobody of the panel (blind assessment).
    expect(declared.body.assessors).toBeUndefined();
    expect(JSON.stringify(declared.body)).not.toContain(staying);
    expect(JSON.stringify(declared.body)).not.toContain(p.replacement);
    const told = await waitFor(
      async () =>
        (await mailFor(h.mailDir, workflowId)).find(
          (m) =>
            m.template === 'assessment_assigned' &&
            m.to.includes(config.assessment.assessors.find((a) => a.id === p.replacement)!.email),
        ),
      { what: 'the replacement told' },
    );
    expect(told.to).toHaveLength(1);

    // The declarer can no longer read or score it: 403, no event, no score row.
    const read = await call(api, 'GET', nominationPath(workflowId), { token: tokens[declarer] });
    expect(read.status).toBe(403);
    expect(read.body.message).toBe(`nomination ${workflowId} is not assigned to assessor ${declarer}`);
    const listed = await call(api, 'GET', '/api/nominations?cycle=uji-integritas&limit=100', {
      token: tokens[declarer],
    });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(workflowId);
    const afterDeclaring = await events(workflowId);
    const scored = await call(api, 'POST', nominationPath(workflowId, '/scores'), {
      token: tokens[declarer],
      body: { scores: scoresFor(config, 3) },
    });
    expect(scored.status).toBe(403);
    expect(scored.body.message).toBe(`nomination ${workflowId} is not assigned to assessor ${declarer}`);
    expect(await events(workflowId)).toEqual(afterDeclaring);
    expect(await acceptedUpdates(h.client, handle.workflowId, 'submitScores')).toBe(0);
    expect(
      await h.db.selectFrom('assessments').select('assessor_id').where('workflow_id', '=', workflowId).execute(),
    ).toEqual([]);
    // The replacement reads it.
    expect((await call(api, 'GET', nominationPath(workflowId), { token: tokens[p.replacement] })).status).toBe(200);
  });

  it('a coordinator reassigns an assessor with a reason, recorded; nobody else may, and nothing is written then', async () => {
    const [leaving, staying] = await panelOf(workflowId);
    const path = nominationPath(workflowId, '/assessor-reassignment');
    const body = { assessorId: leaving, reason: 'Penilai sakit selama masa penilaian' };
    const before = await events(workflowId);
    for (const [token, message] of [
      [tokens[staying], 'role assessor may not reassign an assessor; only a coordinator may'],
      [tokens.garut, 'role dinas_kabkota may not reassign an assessor; only a coordinator may'],
      [tokens.auditor, 'role auditor may not reassign an assessor; only a coordinator may'],
    ]) {
      const refused = await call(api, 'POST', path, { token, body });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toBe(message);
    }
    const notOnPanel = await call(api, 'POST', path, {
      token: tokens.coordinator,
      body: { ...body, assessorId: 'penilai-budi' },
    });
    expect(notOnPanel.status).toBe(409);
    expect(notOnPanel.body.message).toBe('assessor penilai-budi is not assigned to this nomination');
    const noReason = await call(api, 'POST', path, { token: tokens.coordinator, body: { assessorId: leaving } });
    expect(noReason.status).toBe(400);
    expect(await events(workflowId)).toEqual(before);
    expect(await acceptedUpdates(h.client, handle.workflowId, 'reassignAssessor')).toBe(0);

    const movedCli = await ovop(['panel', 'reassign', workflowId, '--assessor', leaving, '--reason', body.reason], {
      token: tokens.coordinator,
    });
    expect(movedCli.code, movedCli.stderr).toBe(0);
    expect(movedCli.stdout).toContain(`Assessor ${leaving} is off the panel of Anyaman Konflik Kepentingan`);
    const event = (await events(workflowId)).find((e) => e.type === 'assessment.reassigned')!;
    expect(event).toMatchObject({ actor_role: 'coordinator', actor_id: 'koordinator-ikma' });
    const p = event.payload as { assessors: string[]; removed: string; replacement: string; reason: string };
    expect(p).toMatchObject({ removed: leaving, reason: body.reason });
    const declarer = (before.find((e) => e.type === 'assessment.conflict_declared')!.payload as { removed: string })
      .removed;
    // Three of the four eligible are now out (the declarer, the one reassigned): the fourth is the only one left.
    expect(p.replacement).not.toBe(declarer);
    expect(p.assessors.sort()).toEqual([staying, p.replacement].sort());
    const panelNow = /the panel is now (.+)\./.exec(movedCli.stdout)?.[1].split(', ');
    expect(panelNow?.sort()).toEqual(p.assessors);
    expect((await call(api, 'GET', nominationPath(workflowId), { token: tokens[leaving] })).status).toBe(403);

    // With nobody left to draw, a further reassignment is refused, and nothing is written.
    const afterMove = await events(workflowId);
    const none = await call(api, 'POST', path, { token: tokens.coordinator, body: { ...body, assessorId: staying } });
    const NOBODY =
      `no other eligible assessor (not of province 32, assessing anyaman, not excluded) can take assessor ${staying}'s ` +
      'place on this nomination';
    expect(none.status).toBe(409);
    expect(none.body.message).toBe(NOBODY);
    const noneCli = await ovop(['panel', 'reassign', workflowId, '--assessor', staying, '--reason', body.reason], {
      token: tokens.coordinator,
    });
    expect(noneCli.code).toBe(1);
    expect(noneCli.stderr).toContain(NOBODY);
    expect(await events(workflowId)).toEqual(afterMove);
    expect(await acceptedUpdates(h.client, handle.workflowId, 'reassignAssessor')).toBe(1);
  });
});

describe('four eyes on stars above the recommendation', () => {
  it("waits for a second coordinator: its requester's approval is refused, another's through the CLI determines it", async () => {
    // Full marks, but the field verification failed: the gate from Bintang 4 caps the recommendation at 3.
    const { workflowId, handle } = await toRecommendation(config, 'Anyaman Empat Mata', 3, false);
    expect(await row(workflowId)).toMatchObject({ recommended_stars: 3 });
    const asked = await call(api, 'POST', nominationPath(workflowId, '/determination'), {
      token: tokens.coordinator,
      body: { stars: 5, reason: 'Verifikasi ulang membuktikan sentra aktif' },
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    expect(asked.body).toMatchObject({
      stage: 'STAR_RECOMMENDED',
      stars: null,
      awaitingApproval: { stars: 5, requestedBy: 'coordinator:koordinator-ikma' },
    });
    const request = (await events(workflowId)).find((e) => e.type === 'stars.approval_requested')!;
    expect(request).toMatchObject({ actor_id: 'koordinator-ikma' });
    expect(request.payload).toMatchObject({
      stars: 5,
      recommendedStars: 3,
      reason: 'Verifikasi ulang membuktikan sentra aktif',
      overriddenGates: [{ fromStars: 4 }],
      within: '1h',
    });
    const [mail] = await mailUntil(workflowId, 'determination_approval_requested');
    expect(mail.to).toEqual(config.contacts.coordinators);
    expect(mail.text).toContain('Verifikasi ulang membuktikan sentra aktif');

    // The same coordinator, through the API and through the CLI: refused, nothing written.
    const before = await events(workflowId);
    const path = nominationPath(workflowId, '/determination-approval');
    const self = await call(api, 'POST', path, {
      token: tokens.coordinator,
      body: { decision: 'approve', reason: 'Setuju' },
    });
    const SELF = 'coordinator koordinator-ikma determined Bintang 5; a different coordinator must approve or refuse it';
    expect(self.status).toBe(409);
    expect(self.body.message).toBe(SELF);
    const selfCli = await ovop(['approve-determination', workflowId, '--approve', '--reason', 'Setuju'], {
      token: tokens.coordinator,
    });
    expect(selfCli.code).toBe(1);
    expect(selfCli.stderr).toContain(SELF);
    const assessor = await call(api, 'POST', path, {
      token: tokens['penilai-andi'],
      body: { decision: 'approve', reason: 'x' },
    });
    expect(assessor.status).toBe(403);
    expect(assessor.body.message).toBe('role assessor may not approve a determination; only a coordinator may');
    // Nor may the requester determine again meanwhile.
    const again = await call(api, 'POST', nominationPath(workflowId, '/determination'), {
      token: tokens[SECOND.id],
      body: {},
    });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(
      /^Bintang 5 determined by coordinator koordinator-ikma awaits a second coordinator's approval until /,
    );
    expect(await events(workflowId)).toEqual(before);
    expect(await acceptedUpdates(h.client, handle.workflowId, 'approveDetermination')).toBe(0);
    expect(await row(workflowId)).toMatchObject({ stage: 'STAR_RECOMMENDED', stars: null });

    const approved = await ovop(
      ['approve-determination', workflowId, '--approve', '--reason', 'Bukti verifikasi ulang cukup'],
      { token: tokens[SECOND.id] },
    );
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain('is determined Bintang 5, approved by a second coordinator');
    expect(await row(workflowId)).toMatchObject({ stage: 'DETERMINED', stars: 5, recommended_stars: 3 });
    const after = await events(workflowId);
    expect(after.find((e) => e.type === 'stars.approved')).toMatchObject({
      actor_role: 'coordinator',
      actor_id: SECOND.id,
      payload: {
        stars: 5,
        reason: 'Bukti verifikasi ulang cukup',
        requestedBy: 'coordinator:koordinator-ikma',
        requestReason: 'Verifikasi ulang membuktikan sentra aktif',
      },
    });
    expect(after.find((e) => e.type === 'stars.determined')).toMatchObject({ actor_id: 'koordinator-ikma' });
    await mailUntil(workflowId, 'announcement');
  });

  it('a refusal and a lapse send the nomination back to awaiting a determination, told by mail', async () => {
    const { workflowId, handle } = await toRecommendation(lapsing, 'Anyaman Empat Mata Lewat', 2);
    const recommended = (await row(workflowId)).recommended_stars!;
    const determination = nominationPath(workflowId, '/determination');
    const body = { stars: recommended + 1, reason: 'Produk unggulan daerah' };
    expect((await call(api, 'POST', determination, { token: tokens.coordinator, body })).status).toBe(200);
    const refused = await call(api, 'POST', nominationPath(workflowId, '/determination-approval'), {
      token: tokens[SECOND.id],
      body: { decision: 'refuse', reason: 'Nilai tidak mendukung' },
    });
    expect(refused.status, JSON.stringify(refused.body)).toBe(200);
    expect(refused.body).toMatchObject({ stage: 'STAR_RECOMMENDED', awaitingApproval: null });
    expect((await events(workflowId)).find((e) => e.type === 'stars.approval_refused')).toMatchObject({
      actor_id: SECOND.id,
      payload: { stars: recommended + 1, reason: 'Nilai tidak mendukung' },
    });
    const [refusal] = await mailUntil(workflowId, 'determination_approval_refused');
    expect(refusal.text).toContain('Nilai tidak mendukung');

    // Asked again, and nobody approves within the 4 s: it lapses.
    expect((await call(api, 'POST', determination, { token: tokens.coordinator, body })).status).toBe(200);
    const lapsed = await waitFor(
      async () => (await events(workflowId)).find((e) => e.type === 'stars.approval_lapsed'),
      { what: 'the lapse', timeoutMs: 60_000 },
    );
    expect(lapsed).toMatchObject({ actor_role: 'system', payload: { stars: recommended + 1, within: '4s' } });
    const [told] = await mailUntil(workflowId, 'determination_approval_lapsed');
    expect(told.to).toEqual(lapsing.contacts.coordinators);
    expect(await row(workflowId)).toMatchObject({ stage: 'STAR_RECOMMENDED', stars: null });

    // Nothing is left to approve; the recommendation is determined without a second coordinator.
    const before = await events(workflowId);
    const late = await call(api, 'POST', nominationPath(workflowId, '/determination-approval'), {
      token: tokens[SECOND.id],
      body: { decision: 'approve', reason: 'Terlambat' },
    });
    expect(late.status).toBe(409);
    expect(late.body.message).toBe(
      `nomination ${workflowId} has no determination awaiting approval (it is STAR_RECOMMENDED)`,
    );
    expect(await events(workflowId)).toEqual(before);
    expect(await acceptedUpdates(h.client, handle.workflowId, 'approveDetermination')).toBe(1);
    const determined = await call(api, 'POST', determination, { token: tokens.coordinator, body: {} });
    expect(determined.status, JSON.stringify(determined.body)).toBe(200);
    expect(determined.body).toMatchObject({ stage: 'DETERMINED', stars: recommended });
  });
});
