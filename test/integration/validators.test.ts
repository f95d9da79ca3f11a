/**
 * Every actor action is an Update with a validator: a refused action tells the actor why and leaves no event in the
 * workflow history (nor a row in Postgres).
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, CycleConfig, NominationInput } from '../../domain/types';
import { cycleWorkflowId, nominationWorkflowId } from '../../workflows/ids';
import {
  attendSocializationUpdate,
  cycleStateQuery,
  extendDeadlineUpdate,
  nominateUpdate,
  nominationStateQuery,
  reviewDocumentsUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
  withdrawUpdate,
  type NominationView,
} from '../../workflows/messages';
import {
  coordinator,
  dinasOf,
  nominationInput,
  scoresFor,
  settled,
  sha256,
  testConfig,
  startNominationDirectly,
  workflowInput,
} from '../../bench/drivers';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { mailFor } from '../../embedded/mailbox';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('validators');
});
afterAll(async () => {
  await h?.stop();
});

/** Sends an update that must be refused with `message`, and proves the refusal left the history untouched. */
async function expectRefused<Arg>(
  handle: WorkflowHandle,
  update: UpdateDefinition<unknown, [Arg]>,
  arg: Arg,
  message: string | RegExp,
): Promise<void> {
  const before = await settled(handle);
  const error = await handle.executeUpdate(update, { args: [arg] }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected the update to be refused with ${String(message)}`).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  if (typeof message === 'string') expect(cause?.message).toContain(message);
  else expect(cause?.message).toMatch(message);
  expect((await handle.fetchHistory()).events?.length).toBe(before);
}

async function startNomination(config: CycleConfig, n: NominationInput) {
  return startNominationDirectly(h, h.taskQueue, workflowInput(config, n));
}

async function stageOf(handle: WorkflowHandle, stage: string): Promise<NominationView> {
  return waitFor(
    async () => {
      const s = await handle.query(nominationStateQuery);
      return s.stage === stage && s;
    },
    { what: `stage ${stage}` },
  );
}

const legality = (actor: Actor, round = 'nib') => ({
  actor,
  kind: 'legality',
  fileName: `${round}.pdf`,
  checksum: sha256(round),
  sizeBytes: 1200,
});

describe('validators of the nomination workflow', () => {
  it('refuses actions of the wrong stage, session, role or region during AWAITING_SOCIALIZATION without touching the history', async () => {
    const config = testConfig('uji-validator-sosialisasi');
    const { handle, workflowId } = await startNomination(
      config,
      nominationInput(config, { regencyCode: '32.05', ikmName: 'Tenun Garut Sejahtera' }),
    );
    await stageOf(handle, 'AWAITING_SOCIALIZATION');
    // The query shows the stage before its event row is written; wait until no activity is in flight.
    await settled(handle);
    const eventsBefore = await h.db
      .selectFrom('nomination_events')
      .select('seq')
      .where('workflow_id', '=', workflowId)
      .execute();

    await expectRefused(
      handle,
      submitScoresUpdate,
      { actor: { role: 'assessor', id: 'penilai-siti', region: '34' }, scores: scoresFor(config, 3) },
      'is AWAITING_SOCIALIZATION; this action needs IN_ASSESSMENT',
    );
    await expectRefused(
      handle,
      attendSocializationUpdate,
      { actor: dinasOf('32.05'), sessionId: 'sesi-9-jayapura' },
      'unknown socialization session "sesi-9-jayapura"',
    );
    await expectRefused(
      handle,
      attendSocializationUpdate,
      { actor: { role: 'assessor', id: 'penilai-siti', region: '34' }, sessionId: 'sesi-1-yogyakarta' },
      "role assessor may not do this; it is the dinas kabupaten/kota's action",
    );
    await expectRefused(
      handle,
      attendSocializationUpdate,
      { actor: dinasOf('34.71'), sessionId: 'sesi-1-yogyakarta' },
      'dinas 34.71 is in another province; this nomination belongs to 32.05',
    );
    await expectRefused(
      handle,
      attendSocializationUpdate,
      { actor: dinasOf('32.04'), sessionId: 'sesi-1-yogyakarta' },
      'dinas 32.04 may not act for 32.05; only its own dinas kabupaten/kota may',
    );
    await expectRefused(
      handle,
      withdrawUpdate,
      { actor: dinasOf('32.05'), reason: '  ' },
      'a reason is required to withdraw',
    );
    await expectRefused(
      handle,
      extendDeadlineUpdate,
      { actor: coordinator, stage: 'attendance', until: new Date(Date.now() - 60_000).toISOString() },
      'the new deadline must be in the future',
    );

    // Nothing of it reached Postgres either, and the nomination still waits for its dinas.
    const eventsAfter = await h.db
      .selectFrom('nomination_events')
      .select('seq')
      .where('workflow_id', '=', workflowId)
      .execute();
    expect(eventsAfter.length).toBe(eventsBefore.length);
    const state = await handle.query(nominationStateQuery);
    expect(state).toMatchObject({ stage: 'AWAITING_SOCIALIZATION', attendedSession: null });
    expect(state.history.map((e) => e.type)).not.toContain('socialization.attended');
  });

  it('refuses unknown, unrequired, badly summed and duplicate documents during AWAITING_DOCUMENTS', async () => {
    const config = testConfig('uji-validator-dokumen');
    const food = await startNomination(
      config,
      nominationInput(config, {
        regencyCode: '32.05',
        ikmName: 'Dodol Garut Ibu Iis',
        commodity: 'makanan_minuman',
        product: 'Dodol',
      }),
    );
    const cloth = await startNomination(
      config,
      nominationInput(config, { regencyCode: '32.05', ikmName: 'Tenun Sarung Garut' }),
    );
    const dinas = dinasOf('32.05');
    for (const { handle } of [food, cloth]) {
      await stageOf(handle, 'AWAITING_SOCIALIZATION');
      await handle.executeUpdate(attendSocializationUpdate, {
        args: [{ actor: dinas, sessionId: 'sesi-1-yogyakarta' }],
      });
      await stageOf(handle, 'AWAITING_DOCUMENTS');
    }

    await expectRefused(
      food.handle,
      submitDocumentUpdate,
      { actor: dinas, kind: 'ktp', fileName: 'ktp.pdf', checksum: sha256('ktp'), sizeBytes: 10 },
      'unknown document kind "ktp"',
    );
    await expectRefused(
      cloth.handle,
      submitDocumentUpdate,
      { actor: dinas, kind: 'halal', fileName: 'halal.pdf', checksum: sha256('halal'), sizeBytes: 10 },
      'document kind halal is not required for commodity kain_tenun',
    );
    await expectRefused(
      food.handle,
      submitDocumentUpdate,
      { ...legality(dinas), checksum: 'abc123' },
      "checksum must be the file's SHA-256 in lower-case hex (64 characters)",
    );
    await expectRefused(
      food.handle,
      submitDocumentUpdate,
      { ...legality(dinas), checksum: sha256('nib').toUpperCase() },
      "checksum must be the file's SHA-256",
    );

    await food.handle.executeUpdate(submitDocumentUpdate, { args: [legality(dinas)] });
    await expectRefused(
      food.handle,
      submitDocumentUpdate,
      legality(dinas, 'nib-lagi'),
      'document legality was already submitted in round 0',
    );

    const docs = await h.db
      .selectFrom('documents')
      .selectAll()
      .where('workflow_id', 'in', [food.workflowId, cloth.workflowId])
      .execute();
    expect(docs).toMatchObject([{ workflow_id: food.workflowId, kind: 'legality', checksum: sha256('nib'), round: 0 }]);
    expect((await food.handle.query(nominationStateQuery)).stage).toBe('AWAITING_DOCUMENTS');
  });

  it('refuses a review by anyone but a coordinator, and a request for changes without a reason, during UNDER_REVIEW', async () => {
    const config = testConfig('uji-validator-review');
    const { handle } = await startNomination(
      config,
      nominationInput(config, { regencyCode: '32.05', ikmName: 'Tenun Review Garut' }),
    );
    const dinas = dinasOf('32.05');
    await stageOf(handle, 'AWAITING_SOCIALIZATION');
    await handle.executeUpdate(attendSocializationUpdate, { args: [{ actor: dinas, sessionId: 'sesi-1-yogyakarta' }] });
    await stageOf(handle, 'AWAITING_DOCUMENTS');
    await handle.executeUpdate(submitDocumentUpdate, { args: [legality(dinas)] });
    await stageOf(handle, 'UNDER_REVIEW');

    await expectRefused(
      handle,
      reviewDocumentsUpdate,
      { actor: dinas, decision: 'approve' },
      'role dinas_kabkota may not do this; only a coordinator may',
    );
    await expectRefused(
      handle,
      reviewDocumentsUpdate,
      { actor: { role: 'dinas_provinsi', id: 'disperin-32', region: '32' }, decision: 'approve' },
      'role dinas_provinsi may not do this; only a coordinator may',
    );
    await expectRefused(
      handle,
      reviewDocumentsUpdate,
      { actor: coordinator, decision: 'request_changes' },
      'a reason is required to request changes',
    );
    await expectRefused(
      handle,
      reviewDocumentsUpdate,
      { actor: coordinator, decision: 'reject', reason: '' },
      'a reason is required to reject',
    );
    expect((await handle.query(nominationStateQuery)).reviewNotes).toEqual([]);
  });

  it('refuses conflicted, unassigned, out-of-range, incomplete and repeated score sheets during IN_ASSESSMENT', async () => {
    const config = testConfig('uji-validator-skor', {
      mutate: (c) =>
        c.assessment.assessors.push({
          id: 'penilai-dewi',
          name: 'Dewi Lestari',
          email: 'penilai.dewi@ovop.kemenperin.example',
          province: '32',
        }),
    });
    const { handle, workflowId } = await startNomination(
      config,
      nominationInput(config, { regencyCode: '32.05', ikmName: 'Tenun Skor Garut' }),
    );
    const dinas = dinasOf('32.05');
    await stageOf(handle, 'AWAITING_SOCIALIZATION');
    await handle.executeUpdate(attendSocializationUpdate, { args: [{ actor: dinas, sessionId: 'sesi-1-yogyakarta' }] });
    await stageOf(handle, 'AWAITING_DOCUMENTS');
    await handle.executeUpdate(submitDocumentUpdate, { args: [legality(dinas)] });
    await stageOf(handle, 'UNDER_REVIEW');
    await handle.executeUpdate(reviewDocumentsUpdate, { args: [{ actor: coordinator, decision: 'approve' }] });
    const state = await stageOf(handle, 'IN_ASSESSMENT');
    expect(state.assessors).toHaveLength(2);
    expect(state.assessors).not.toContain('penilai-dewi');
    const actorOf = (id: string): Actor => ({
      role: 'assessor',
      id,
      region: config.assessment.assessors.find((a) => a.id === id)!.province,
    });
    const [first] = state.assessors;
    const unassigned = ['penilai-siti', 'penilai-andi', 'penilai-rina'].find((id) => !state.assessors.includes(id))!;

    await expectRefused(
      handle,
      submitScoresUpdate,
      { actor: actorOf('penilai-dewi'), scores: scoresFor(config, 3) },
      "conflict of interest: assessor penilai-dewi is from province 32, the nomination's own",
    );
    // Claiming another region does not hide the home province the cycle knows.
    await expectRefused(
      handle,
      submitScoresUpdate,
      { actor: { role: 'assessor', id: 'penilai-dewi', region: '73' }, scores: scoresFor(config, 3) },
      'conflict of interest',
    );
    await expectRefused(
      handle,
      submitScoresUpdate,
      { actor: actorOf(unassigned), scores: scoresFor(config, 3) },
      `assessor ${unassigned} is not assigned to this nomination`,
    );
    await expectRefused(
      handle,
      submitScoresUpdate,
      { actor: coordinator, scores: scoresFor(config, 3) },
      'role coordinator may not score; only an assessor may',
    );
    await expectRefused(
      handle,
      submitScoresUpdate,
      { actor: actorOf(first), scores: scoresFor(config, (id) => (id === 'B2' ? 4 : 3)) },
      'invalid scores: score for B2 must be an integer between 1 and 3, got 4',
    );
    const missing = scoresFor(config, 3);
    delete missing.C3;
    await expectRefused(
      handle,
      submitScoresUpdate,
      { actor: actorOf(first), scores: missing },
      'invalid scores: criterion C3 is missing',
    );

    await handle.executeUpdate(submitScoresUpdate, { args: [{ actor: actorOf(first), scores: scoresFor(config, 3) }] });
    await expectRefused(
      handle,
      submitScoresUpdate,
      { actor: actorOf(first), scores: scoresFor(config, 3) },
      `assessor ${first} has already submitted scores`,
    );

    const rows = await h.db
      .selectFrom('assessments')
      .select(['assessor_id', 'total'])
      .where('workflow_id', '=', workflowId)
      .execute();
    expect(rows).toEqual([{ assessor_id: first, total: 100 }]);
    expect(await handle.query(nominationStateQuery)).toMatchObject({ stage: 'IN_ASSESSMENT', scoredBy: [first] });
  });
});

describe("validators of the award cycle's nominate update", () => {
  it('refuses unknown regions, regions without a session, foreign dinas, small sentra and a repeated IKM; an accepted one starts its nomination workflow', async () => {
    const config = testConfig('uji-validator-siklus', {
      mutate: (c) => {
        c.intakeWindow = '10m';
        for (const s of c.sessions) s.provinces = s.provinces.filter((p) => p !== '52');
      },
    });
    const cycleId = cycleWorkflowId(config.id);
    const cycle = await h.client.workflow.start('awardCycle', {
      workflowId: cycleId,
      taskQueue: h.taskQueue,
      args: [{ config }],
    });
    await waitFor(async () => (await mailFor(h.mailDir, cycleId)).some((m) => m.template === 'cycle_opened'), {
      what: 'cycle_opened mail',
      timeoutMs: 15_000,
    });
    const ikm = (over: Partial<NominationInput> & { regencyCode: string; ikmName: string }) =>
      nominationInput(config, over);

    await expectRefused(
      cycle,
      nominateUpdate,
      ikm({ regencyCode: '99.99', ikmName: 'Tenun Entah' }),
      'unknown regency code "99.99"',
    );
    await expectRefused(
      cycle,
      nominateUpdate,
      ikm({ regencyCode: '52.01', ikmName: 'Tenun Sasak Lombok' }),
      'province 52 (',
    );
    await expectRefused(
      cycle,
      nominateUpdate,
      ikm({ regencyCode: '52.01', ikmName: 'Tenun Sasak Lombok' }),
      'has no socialization session in cycle uji-validator-siklus',
    );
    await expectRefused(
      cycle,
      nominateUpdate,
      ikm({ regencyCode: '32.05', ikmName: 'Tenun Titipan', nominatedBy: dinasOf('32.04') }),
      'dinas 32.04 may only nominate IKM of its own kabupaten/kota, not 32.05',
    );
    await expectRefused(
      cycle,
      nominateUpdate,
      ikm({ regencyCode: '32.05', ikmName: 'Tenun Kecil', sentraSize: 3 }),
      'a sentra must count at least 5 businesses making the same product',
    );

    const accepted = await cycle.executeUpdate(nominateUpdate, {
      args: [ikm({ regencyCode: '32.05', ikmName: 'Tenun Ikat Sukaregang' })],
    });
    const expectedId = nominationWorkflowId(config.id, '32.05', 'Tenun Ikat Sukaregang');
    expect(accepted).toEqual({ workflowId: expectedId, created: true });
    const started = await h.client.workflow.getHandle(expectedId).describe();
    expect(started.type).toBe('nomination');
    expect(started.status.name).toBe('RUNNING');
    await waitFor(
      async () =>
        (await h.client.workflow.getHandle(expectedId).query(nominationStateQuery)).stage === 'AWAITING_SOCIALIZATION',
    );

    await expectRefused(
      cycle,
      nominateUpdate,
      ikm({ regencyCode: '32.05', ikmName: 'Tenun Ikat Sukaregang' }),
      'Tenun Ikat Sukaregang of 32.05 is already nominated in cycle uji-validator-siklus',
    );
    // The same IKM under another spelling of its name has the same business id.
    await expectRefused(
      cycle,
      nominateUpdate,
      ikm({ regencyCode: '32.05', ikmName: 'TENUN IKAT  sukaregang' }),
      'already nominated',
    );
    expect((await cycle.query(cycleStateQuery)).nominated).toBe(1);
  });

  it('answers created:false, without a second workflow, for an IKM whose nomination already runs (as after a continue-as-new)', async () => {
    const config = testConfig('uji-validator-siklus-ulang', { mutate: (c) => (c.intakeWindow = '10m') });
    const cycleId = cycleWorkflowId(config.id);
    const cycle = await h.client.workflow.start('awardCycle', {
      workflowId: cycleId,
      taskQueue: h.taskQueue,
      args: [{ config, reconcileEvery: '1s' }],
    });
    const n = nominationInput(config, { regencyCode: '34.71', ikmName: 'Batik Kotagede' });
    const existing = await startNomination(config, n);
    const firstRunId = existing.handle.firstExecutionRunId;

    const again = await cycle.executeUpdate(nominateUpdate, { args: [n] });
    expect(again).toEqual({ workflowId: existing.workflowId, created: false });
    // Counted once: the cycle's census finds the running nomination in the projection, and the second start added nothing.
    expect(
      (
        await waitFor(async () => {
          const v = await cycle.query(cycleStateQuery);
          return v.nominated === 1 && v;
        })
      ).nominated,
    ).toBe(1);
    const latest = await h.client.workflow.getHandle(existing.workflowId).describe();
    expect(latest.runId).toBe(firstRunId);
    expect(latest.status.name).toBe('RUNNING');
  });
});
