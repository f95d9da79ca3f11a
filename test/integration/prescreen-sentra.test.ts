/**
 * The provincial pre-screen, the sentra and the product samples (issue 17) against the real stack: what the dinas
 * offices receive by mail, the rows in PostgreSQL, the deadlines' reminders and escalations, and every refusal with
 * its message and the proof that it left nothing behind (no history event, no workflow, no row).
 */
import { WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCycleActivities } from '../../activities/cycle.activity';
import type { Actor, CycleConfig, NominationInput } from '../../domain/types';
import { cycleWorkflowId, nominationWorkflowId } from '../../workflows/ids';
import {
  attendSocializationUpdate,
  nominateUpdate,
  nominationStateQuery,
  prescreenUpdate,
  recordSamplesUpdate,
  submitDocumentUpdate,
  type NominationView,
} from '../../workflows/messages';
import {
  coordinator,
  dinasOf,
  nominationInput,
  provinsiOf,
  settled,
  sha256,
  testConfig,
  startNominationDirectly,
  workflowInput,
} from '../../bench/drivers';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { mailFor, type ReceivedMail } from '../../embedded/mailbox';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('prescreen-sentra');
});
afterAll(async () => {
  await h?.stop();
});

const COORDINATOR_MAIL = 'ditjen-ikma@ovop.kemenperin.example';
const DINAS_GARUT = 'disperin.32.05@daerah.example';
const PROVINSI_JABAR = 'disperin.32@daerah.example';
const today = () => new Date().toISOString().slice(0, 10);

async function startNomination(config: CycleConfig, n: NominationInput) {
  return startNominationDirectly(h, h.taskQueue, workflowInput(config, n));
}

const stageOf = (handle: WorkflowHandle, stage: string, timeoutMs = 30_000): Promise<NominationView> =>
  waitFor(
    async () => {
      const s = await handle.query(nominationStateQuery);
      return s.stage === stage && s;
    },
    { what: `stage ${stage}`, timeoutMs },
  );

const mailUntil = (workflowId: string, test: (m: ReceivedMail[]) => boolean, what: string) =>
  waitFor(
    async () => {
      const m = await mailFor(h.mailDir, workflowId);
      return test(m) && m;
    },
    { what, timeoutMs: 30_000 },
  );
const ofTemplate = (mail: ReceivedMail[], template: string) => mail.filter((m) => m.template === template);

const row = (workflowId: string, stage: string) =>
  waitFor(
    async () => {
      const r = await h.db
        .selectFrom('nominations')
        .selectAll()
        .where('workflow_id', '=', workflowId)
        .executeTakeFirst();
      return r?.stage === stage && r;
    },
    { what: `projection ${stage}`, timeoutMs: 15_000 },
  );

const eventTypes = async (workflowId: string) =>
  (
    await h.db
      .selectFrom('nomination_events')
      .select('type')
      .where('workflow_id', '=', workflowId)
      .orderBy('seq')
      .execute()
  ).map((e) => e.type);

/** The update is refused with `message`, and the workflow's history holds not one event more. */
async function expectRefused<Arg>(
  handle: WorkflowHandle,
  update: UpdateDefinition<unknown, [Arg]>,
  arg: Arg,
  message: string,
): Promise<void> {
  const before = await settled(handle);
  const error = await handle.executeUpdate(update, { args: [arg] }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a refusal: ${message}`).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((error as WorkflowUpdateFailedError).cause?.message).toBe(message);
  expect((await handle.fetchHistory()).events?.length).toBe(before);
}

const doc = (actor: Actor, kind: string, round = 0) => ({
  actor,
  kind,
  fileName: `${kind}-r${round}.pdf`,
  checksum: sha256(`${kind}${round}`),
  sizeBytes: 2048,
});

/** A fresh Garut nomination whose proposal is complete (socialization attended, legality and sentra decree submitted). */
async function proposed(config: CycleConfig, ikmName: string) {
  const started = await startNomination(config, nominationInput(config, { regencyCode: '32.05', ikmName }));
  const dinas = dinasOf('32.05');
  await stageOf(started.handle, 'AWAITING_SOCIALIZATION');
  await started.handle.executeUpdate(attendSocializationUpdate, {
    args: [{ actor: dinas, sessionId: 'sesi-1-yogyakarta' }],
  });
  await stageOf(started.handle, 'AWAITING_DOCUMENTS');
  await started.handle.executeUpdate(submitDocumentUpdate, { args: [doc(dinas, 'legality')] });
  await started.handle.executeUpdate(submitDocumentUpdate, { args: [doc(dinas, 'sentra_decree')] });
  await stageOf(started.handle, 'PROVINCIAL_PRESCREEN');
  return started;
}

describe('the provincial pre-screen', () => {
  it('passes: the dinas provinsi is asked, refusals leave nothing, the pass mails the dinas kab/kota, samples follow', async () => {
    const config = testConfig(`pra-lolos-${Date.now()}`, { optionalSteps: true });
    const { handle, workflowId } = await proposed(config, 'Tenun Lolos Pra-seleksi');
    const provinsi = provinsiOf('32');

    const asked = await mailUntil(workflowId, (m) => ofTemplate(m, 'prescreen_requested').length === 1, 'the ask');
    expect(ofTemplate(asked, 'prescreen_requested')[0]).toMatchObject({
      to: [PROVINSI_JABAR],
      subject: '[OVOP] Pra-seleksi provinsi diperlukan: Tenun Lolos Pra-seleksi',
    });

    // Who may not pre-screen, and what is not a pre-screen.
    await expectRefused(
      handle,
      prescreenUpdate,
      { actor: dinasOf('32.05'), decision: 'pass' },
      "role dinas_kabkota may not do this; it is the dinas provinsi's pre-screen (province 32)",
    );
    await expectRefused(
      handle,
      prescreenUpdate,
      { actor: coordinator, decision: 'pass' },
      "role coordinator may not do this; it is the dinas provinsi's pre-screen (province 32)",
    );
    await expectRefused(
      handle,
      prescreenUpdate,
      { actor: provinsiOf('13'), decision: 'pass' },
      'dinas provinsi 13 may not pre-screen a proposal of province 32; only its own dinas provinsi may',
    );
    await expectRefused(
      handle,
      prescreenUpdate,
      { actor: provinsi, decision: 'reject' },
      'a reason is required to reject a proposal',
    );
    await expectRefused(
      handle,
      prescreenUpdate,
      { actor: provinsi, decision: 'return', reason: 'kurang lengkap' },
      'a return must list the missing documents, from: legality, sentra_decree',
    );
    await expectRefused(
      handle,
      prescreenUpdate,
      { actor: provinsi, decision: 'return', reason: 'kurang', missing: ['halal'] },
      '"halal" is not a document this nomination submits; missing documents are from: legality, sentra_decree',
    );
    await expectRefused(
      handle,
      prescreenUpdate,
      { actor: provinsi, decision: 'pass', missing: ['legality'] },
      'only a return lists what is missing, not a pass',
    );
    await expectRefused(
      handle,
      recordSamplesUpdate,
      { actor: coordinator, receivedOn: today(), condition: 'good', receivedBy: 'TU Ditjen IKMA' },
      `nomination ${workflowId} is PROVINCIAL_PRESCREEN; this action needs AWAITING_SAMPLES`,
    );

    const passed = await handle.executeUpdate(prescreenUpdate, { args: [{ actor: provinsi, decision: 'pass' }] });
    expect(passed.prescreenNotes).toEqual(['pass']);
    await stageOf(handle, 'AWAITING_SAMPLES');
    // A second identical pass is refused: the stage has moved on.
    await expectRefused(
      handle,
      prescreenUpdate,
      { actor: provinsi, decision: 'pass' },
      `nomination ${workflowId} is AWAITING_SAMPLES; this action needs PROVINCIAL_PRESCREEN`,
    );

    const mail = await mailUntil(
      workflowId,
      (m) => ofTemplate(m, 'prescreen_passed').length === 1 && ofTemplate(m, 'samples_requested').length === 1,
      'the pass and the samples mails',
    );
    expect(ofTemplate(mail, 'prescreen_passed')[0]).toMatchObject({
      to: [DINAS_GARUT],
      cc: [PROVINSI_JABAR],
      subject: '[OVOP] Lolos pra-seleksi provinsi: Tenun Lolos Pra-seleksi',
    });
    expect(ofTemplate(mail, 'samples_requested')[0].to).toEqual([DINAS_GARUT]);
    expect(await row(workflowId, 'AWAITING_SAMPLES')).toMatchObject({ prescreen: 'pass', sentra_units: 12 });

    // The samples: a careful receipt, once.
    const tomorrowPlus = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    await expectRefused(
      handle,
      recordSamplesUpdate,
      { actor: coordinator, receivedOn: tomorrowPlus, condition: 'good', receivedBy: 'TU' },
      `receivedOn ${tomorrowPlus} is in the future; record samples once they have arrived`,
    );
    await expectRefused(
      handle,
      recordSamplesUpdate,
      { actor: coordinator, receivedOn: '2027-02-30', condition: 'good', receivedBy: 'TU' },
      'receivedOn "2027-02-30" is not a real date',
    );
    await expectRefused(
      handle,
      recordSamplesUpdate,
      { actor: coordinator, receivedOn: today(), condition: 'damaged', receivedBy: 'TU' },
      'notes are required when the samples are damaged',
    );
    await expectRefused(
      handle,
      recordSamplesUpdate,
      { actor: dinasOf('32.05'), receivedOn: today(), condition: 'good', receivedBy: 'TU' },
      'role dinas_kabkota may not do this; only a coordinator may',
    );
    const received = await handle.executeUpdate(recordSamplesUpdate, {
      args: [
        {
          actor: coordinator,
          receivedOn: today(),
          condition: 'damaged',
          receivedBy: 'Bagian TU Ditjen IKMA',
          notes: 'Satu kain sobek di tepi',
        },
      ],
    });
    expect(received.samples).toEqual({
      receivedOn: today(),
      condition: 'damaged',
      receivedBy: 'Bagian TU Ditjen IKMA',
      notes: 'Satu kain sobek di tepi',
    });
    await stageOf(handle, 'UNDER_REVIEW');
    const sample = await h.db
      .selectFrom('product_samples')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .executeTakeFirstOrThrow();
    expect(sample).toMatchObject({
      condition: 'damaged',
      received_by: 'Bagian TU Ditjen IKMA',
      notes: 'Satu kain sobek di tepi',
      recorded_by: `coordinator:${coordinator.id}`,
    });
    expect(sample.received_on.toISOString().slice(0, 10)).toBe(today());
    await row(workflowId, 'UNDER_REVIEW');
    expect(await eventTypes(workflowId)).toEqual(expect.arrayContaining(['prescreen.pass', 'samples.received']));
    await handle.terminate('test done');
  });

  it('returns for completion with what is missing, screens the completion again, and rejects', async () => {
    const config = testConfig(`pra-kembali-${Date.now()}`, {
      optionalSteps: true,
      mutate: (c) => (c.prescreen = { enabled: true, maxReturns: 1 }),
    });
    const { handle, workflowId } = await proposed(config, 'Tenun Dikembalikan');
    const provinsi = provinsiOf('32');
    const dinas = dinasOf('32.05');

    const returned = await handle.executeUpdate(prescreenUpdate, {
      args: [
        {
          actor: provinsi,
          decision: 'return',
          reason: 'SK sentra belum ditandatangani bupati',
          missing: ['sentra_decree'],
        },
      ],
    });
    expect(returned.prescreenNotes).toEqual(['return (sentra_decree): SK sentra belum ditandatangani bupati']);
    const back = await stageOf(handle, 'PRESCREEN_RETURNED');
    expect(back.missingDocuments).toEqual(['sentra_decree']);
    expect(back.deadline?.stage).toBe('prescreenCompletion');
    const mail = await mailUntil(workflowId, (m) => ofTemplate(m, 'prescreen_returned').length === 1, 'the return');
    const returnMail = ofTemplate(mail, 'prescreen_returned')[0];
    expect(returnMail).toMatchObject({
      to: [DINAS_GARUT],
      cc: [PROVINSI_JABAR],
      subject: '[OVOP] Usulan dikembalikan untuk dilengkapi: Tenun Dikembalikan',
    });
    expect(returnMail.text).toContain(
      'Yang perlu dilengkapi: SK bupati/walikota tentang penetapan sentra IKM (sentra_decree)',
    );
    expect(returnMail.text).toContain('Catatan: SK sentra belum ditandatangani bupati');
    expect(await row(workflowId, 'PRESCREEN_RETURNED')).toMatchObject({ prescreen: 'return' });

    await expectRefused(
      handle,
      submitDocumentUpdate,
      doc(dinas, 'legality', 1),
      'the dinas provinsi asked to complete sentra_decree, not legality',
    );
    await handle.executeUpdate(submitDocumentUpdate, { args: [doc(dinas, 'sentra_decree', 1)] });
    const again = await stageOf(handle, 'PROVINCIAL_PRESCREEN');
    expect(again.revisionRound).toBe(1);
    const docs = await h.db
      .selectFrom('documents')
      .select(['kind', 'round'])
      .where('workflow_id', '=', workflowId)
      .orderBy('round')
      .orderBy('kind')
      .execute();
    expect(docs).toEqual([
      { kind: 'legality', round: 0 },
      { kind: 'sentra_decree', round: 0 },
      { kind: 'sentra_decree', round: 1 },
    ]);
    // The dinas provinsi is asked again for the completed round.
    await mailUntil(workflowId, (m) => ofTemplate(m, 'prescreen_requested').length === 2, 'the second ask');

    await expectRefused(
      handle,
      prescreenUpdate,
      { actor: provinsi, decision: 'return', reason: 'masih kurang', missing: ['legality'] },
      'the proposal was already returned 1 time(s), the most this cycle allows (prescreen.maxReturns 1); pass or reject it',
    );
    await handle.executeUpdate(prescreenUpdate, {
      args: [{ actor: provinsi, decision: 'reject', reason: 'Sentra hanya beranggotakan 3 unit aktif' }],
    });
    expect(await handle.result()).toEqual({ stage: 'PRESCREEN_REJECTED', stars: null, score: null });
    const end = await mailUntil(workflowId, (m) => ofTemplate(m, 'prescreen_rejected').length === 1, 'the reject');
    const rejectMail = ofTemplate(end, 'prescreen_rejected')[0];
    expect(rejectMail).toMatchObject({
      to: [DINAS_GARUT],
      cc: [PROVINSI_JABAR],
      subject: '[OVOP] Tidak lolos pra-seleksi provinsi: Tenun Dikembalikan',
    });
    expect(rejectMail.text).toContain('Alasan: Sentra hanya beranggotakan 3 unit aktif');
    expect(await row(workflowId, 'PRESCREEN_REJECTED')).toMatchObject({ prescreen: 'reject', deadline_at: null });
    expect(await eventTypes(workflowId)).toEqual(
      expect.arrayContaining(['prescreen.return', 'prescreen.returned', 'prescreen.reject', 'prescreen.rejected']),
    );
  });

  it('reminds the dinas provinsi, then escalates a missed pre-screen to the coordinators and holds it', async () => {
    const config = testConfig(`pra-tenggat-${Date.now()}`, {
      optionalSteps: true,
      deadlines: { prescreen: { within: '8s', remindBefore: ['4s'], onMissed: 'hold' } },
    });
    const { handle, workflowId } = await proposed(config, 'Tenun Terlambat Diperiksa');
    const mail = await mailUntil(
      workflowId,
      (m) => ofTemplate(m, 'on_hold').length === 1,
      'the reminder, escalation and hold',
    );
    const reminder = ofTemplate(mail, 'reminder');
    expect(reminder.map((m) => m.to)).toEqual([[PROVINSI_JABAR]]);
    expect(reminder[0].text).toContain('Tahap: Pra-seleksi dinas provinsi');
    const escalation = ofTemplate(mail, 'escalation');
    expect(escalation).toHaveLength(1);
    expect(escalation[0]).toMatchObject({ to: [COORDINATOR_MAIL], cc: [PROVINSI_JABAR] });
    expect(escalation[0].text).toContain('Dinas provinsi belum menyelesaikan pra-seleksi');
    expect(ofTemplate(mail, 'on_hold')[0].to).toEqual([COORDINATOR_MAIL]);
    const s = await handle.query(nominationStateQuery);
    expect(s.hold?.stage).toBe('prescreen');
    const escalated = await h.db
      .selectFrom('nomination_events')
      .select('payload')
      .where('workflow_id', '=', workflowId)
      .where('type', '=', 'escalation.sent')
      .executeTakeFirstOrThrow();
    expect(escalated.payload).toMatchObject({ deadlineStage: 'prescreen', to: COORDINATOR_MAIL, policy: 'hold' });
    await handle.terminate('test done');
  });
});

describe('product samples', () => {
  it('remind the dinas before their deadline; a missed one escalates and disqualifies', async () => {
    const config = testConfig(`sampel-${Date.now()}`, {
      optionalSteps: true,
      deadlines: { samples: { within: '8s', remindBefore: ['4s'], onMissed: 'disqualify' } },
    });
    const { handle, workflowId } = await proposed(config, 'Tenun Sampel Terlambat');
    await handle.executeUpdate(prescreenUpdate, { args: [{ actor: provinsiOf('32'), decision: 'pass' }] });
    const entered = await stageOf(handle, 'AWAITING_SAMPLES');
    expect(entered.deadline?.stage).toBe('samples');
    expect(await handle.result()).toEqual({ stage: 'DISQUALIFIED', stars: null, score: null });
    const mail = await mailUntil(workflowId, (m) => ofTemplate(m, 'disqualified').length === 1, 'the end');
    const reminder = ofTemplate(mail, 'reminder');
    expect(reminder.map((m) => m.to)).toEqual([[DINAS_GARUT]]);
    expect(reminder[0].text).toContain('Mohon segera mengirim sampel produk ke Ditjen IKMA');
    // The reminder went out 4 s before the deadline the stage showed when it was entered.
    const deadline = Date.parse(entered.deadline!.at);
    const reminded = await h.db
      .selectFrom('nomination_events')
      .select(['occurred_at', 'payload'])
      .where('workflow_id', '=', workflowId)
      .where('type', '=', 'reminder.sent')
      .execute();
    expect(reminded).toHaveLength(1);
    expect(reminded[0].payload).toMatchObject({ deadlineStage: 'samples', offsetMs: 4000 });
    expect(reminded[0].occurred_at.getTime()).toBeGreaterThanOrEqual(deadline - 4000);
    expect(reminded[0].occurred_at.getTime()).toBeLessThan(deadline);
    expect(ofTemplate(mail, 'escalation')[0]).toMatchObject({ to: [PROVINSI_JABAR], cc: [COORDINATOR_MAIL] });
    expect(await row(workflowId, 'DISQUALIFIED')).toBeTruthy();
    expect(
      await h.db.selectFrom('product_samples').where('workflow_id', '=', workflowId).selectAll().execute(),
    ).toEqual([]);
  });
});

describe('the sentra', () => {
  async function openCycle(config: CycleConfig) {
    return h.client.workflow.start('awardCycle', {
      workflowId: cycleWorkflowId(config.id),
      taskQueue: h.taskQueue,
      args: [{ config, reconcileEvery: '1s' }],
    });
  }
  const notStarted = async (workflowId: string) => {
    const described = await h.client.workflow
      .getHandle(workflowId)
      .describe()
      .then(
        () => 'exists',
        (e: unknown) => (e instanceof WorkflowNotFoundError ? 'not found' : e),
      );
    expect(described).toBe('not found');
    const rows = await h.db.selectFrom('nominations').selectAll().where('workflow_id', '=', workflowId).execute();
    expect(rows).toEqual([]);
  };
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (e: unknown) => (e instanceof WorkflowUpdateFailedError ? e.cause?.message : e),
    );

  it('is nominated once per cycle: a second lead firm for it is refused, in the same run and after it', async () => {
    const config = testConfig(`sentra-${Date.now()}`, { optionalSteps: true, mutate: (c) => (c.intakeWindow = '5m') });
    const cycle = await openCycle(config);
    const first = nominationInput(config, {
      regencyCode: '13.04',
      ikmName: 'Tenun Antik Hj. Fatimah',
      sentraName: 'Sentra Tenun Pandai Sikek',
      nominatedBy: dinasOf('13.04'),
    });
    const accepted = await cycle.executeUpdate(nominateUpdate, { args: [first] });
    expect(accepted.created).toBe(true);

    // The same sentra, written otherwise, under another lead firm: refused by the cycle's validator.
    const second = { ...first, ikmName: 'Tenun Songket Pusako', sentraName: 'sentra tenun  PANDAI-SIKEK' };
    const secondId = nominationWorkflowId(config.id, '13.04', second.ikmName);
    const before = await settled(cycle);
    expect(await refusal(cycle.executeUpdate(nominateUpdate, { args: [second] }))).toBe(
      `sentra "sentra tenun  PANDAI-SIKEK" of 13.04 has a nomination in this cycle already (${accepted.workflowId}); a sentra is proposed once per cycle, with its lead firm as the nominee`,
    );
    expect((await cycle.fetchHistory()).events?.length).toBe(before);
    await notStarted(secondId);

    // A sentra claimed in an earlier run of the cycle (the claim is in PostgreSQL, the run's memory is gone).
    const earlierHolder = nominationWorkflowId(config.id, '13.04', 'Songket Silungkang Lama');
    await h.db
      .insertInto('sentra_claims')
      .values({
        cycle_id: config.id,
        regency_code: '13.04',
        sentra_key: 'sentra-songket-halaban',
        sentra_name: 'Sentra Songket Halaban',
        workflow_id: earlierHolder,
        claimed_at: new Date(),
      })
      .execute();
    const third = { ...first, ikmName: 'Songket Halaban Baru', sentraName: 'Sentra Songket Halaban' };
    const thirdId = nominationWorkflowId(config.id, '13.04', third.ikmName);
    expect(await refusal(cycle.executeUpdate(nominateUpdate, { args: [third] }))).toBe(
      `sentra "Sentra Songket Halaban" of 13.04 has a nomination in this cycle already (${earlierHolder}); a sentra is proposed once per cycle, with its lead firm as the nominee`,
    );
    await notStarted(thirdId);
    const claims = await h.db
      .selectFrom('sentra_claims')
      .select(['sentra_key', 'workflow_id'])
      .where('cycle_id', '=', config.id)
      .orderBy('sentra_key')
      .execute();
    expect(claims).toEqual([
      { sentra_key: 'sentra-songket-halaban', workflow_id: earlierHolder },
      { sentra_key: 'sentra-tenun-pandai-sikek', workflow_id: accepted.workflowId },
    ]);

    // The start activity itself, as a retry or a racing run would call it: the claim turns it away before any start.
    const acts = createCycleActivities(h.db, h.client);
    const { regencies, provinces, ...rules } = config;
    const again = await acts.startNomination({
      nomination: { ...second, cycleId: config.id },
      rules,
      regencyName: regencies['13.04'],
      provinceName: provinces['13'],
    });
    expect(again).toEqual({ workflowId: secondId, created: false, sentraTakenBy: accepted.workflowId });
    await notStarted(secondId);
    await cycle.terminate('test done');
    await h.client.workflow.getHandle(accepted.workflowId).terminate('test done');
  });

  it('below the cycle minimum of units is refused, and nothing starts', async () => {
    const config = testConfig(`sentra-kecil-${Date.now()}`, {
      optionalSteps: true,
      mutate: (c) => {
        c.intakeWindow = '5m';
        c.sentra = { minUnits: 8, decreeDocument: 'sentra_decree' };
      },
    });
    const cycle = await openCycle(config);
    const small = nominationInput(config, {
      regencyCode: '32.05',
      ikmName: 'Anyaman Kecil',
      sentraName: 'Sentra Anyaman Tujuh',
      sentraSize: 7,
    });
    const before = await settled(cycle);
    expect(await refusal(cycle.executeUpdate(nominateUpdate, { args: [small] }))).toBe(
      'a sentra must count at least 8 businesses making the same product; sentra "Sentra Anyaman Tujuh" counts 7',
    );
    expect((await cycle.fetchHistory()).events?.length).toBe(before);
    await notStarted(nominationWorkflowId(config.id, '32.05', 'Anyaman Kecil'));
    expect(await h.db.selectFrom('sentra_claims').selectAll().where('cycle_id', '=', config.id).execute()).toEqual([]);
    // At the minimum it is accepted.
    const enough = await cycle.executeUpdate(nominateUpdate, { args: [{ ...small, sentraSize: 8 }] });
    expect(enough.created).toBe(true);
    await cycle.terminate('test done');
    await h.client.workflow.getHandle(enough.workflowId).terminate('test done');
  });
});
