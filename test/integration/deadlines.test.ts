/**
 * Deadlines, reminders and escalation with compressed (seconds-scale) durations: what reaches the SMTP server, what
 * the state query shows and what the Postgres projection holds.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, CycleConfig, NominationInput, StageDeadlineConfig } from '../../domain/types';
import { cycleWorkflowId, nominationWorkflowId } from '../../workflows/ids';
import {
  attendSocializationUpdate,
  extendCycleDeadlineUpdate,
  extendDeadlineUpdate,
  nominateUpdate,
  nominationStateQuery,
  resolveHoldUpdate,
  reviewDocumentsUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
  type NominationView,
} from '../../workflows/messages';
import {
  coordinator,
  dinasOf,
  nominationInput,
  scoresFor,
  sha256,
  testConfig,
  workflowInput,
} from '../../bench/drivers';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { mailFor, type ReceivedMail } from '../../embedded/mailbox';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('deadlines');
});
afterAll(async () => {
  await h?.stop();
});

const COORDINATOR_MAIL = 'ditjen-ikma@ovop.kemenperin.example';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

async function startNomination(config: CycleConfig, n: NominationInput) {
  const workflowId = nominationWorkflowId(config.id, n.regencyCode, n.ikmName);
  const handle = await h.client.workflow.start('nomination', {
    workflowId,
    taskQueue: h.taskQueue,
    args: [workflowInput(config, n)],
  });
  return { handle, workflowId };
}

async function until(
  handle: WorkflowHandle,
  test: (s: NominationView) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<NominationView> {
  return waitFor(
    async () => {
      const s = await handle.query(nominationStateQuery);
      return test(s) && s;
    },
    { what, timeoutMs },
  );
}
const stageOf = (handle: WorkflowHandle, stage: string, timeoutMs?: number) =>
  until(handle, (s) => s.stage === stage, `stage ${stage}`, timeoutMs);

async function mailUntil(
  workflowId: string,
  test: (m: ReceivedMail[]) => boolean,
  what: string,
): Promise<ReceivedMail[]> {
  return waitFor(
    async () => {
      const m = await mailFor(h.mailDir, workflowId);
      return test(m) && m;
    },
    { what, timeoutMs: 15_000 },
  );
}
const ofTemplate = (mail: ReceivedMail[], template: string) => mail.filter((m) => m.template === template);

/**
 * The projection row, once it shows `expected` (the projection is written by an activity, so it may trail the state query
 * by a moment); after `timeoutMs`, the row as it is, for the assertion to report.
 */
async function projection(workflowId: string, expected: Record<string, unknown> = {}, timeoutMs = 5000) {
  const giveUp = Date.now() + timeoutMs;
  for (;;) {
    const row = await h.db
      .selectFrom('nominations')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .executeTakeFirst();
    const shows = (k: string, v: unknown) => {
      const actual = (row as Record<string, unknown> | undefined)?.[k];
      return (actual instanceof Date ? actual.toISOString() : actual) === v;
    };
    if ((row && Object.entries(expected).every(([k, v]) => shows(k, v))) || Date.now() > giveUp) return row;
    await new Promise((r) => setTimeout(r, 150));
  }
}

const legality = (actor: Actor) => ({
  actor,
  kind: 'legality',
  fileName: 'nib.pdf',
  checksum: sha256('nib'),
  sizeBytes: 1200,
});

/** Drives a fresh nomination of 32.05 to the given stage (the stages before it have calm deadlines). */
async function nominationAt(
  config: CycleConfig,
  ikmName: string,
  stage: 'AWAITING_SOCIALIZATION' | 'AWAITING_DOCUMENTS' | 'UNDER_REVIEW' | 'IN_ASSESSMENT',
) {
  const started = await startNomination(config, nominationInput(config, { regencyCode: '32.05', ikmName }));
  const { handle } = started;
  const dinas = dinasOf('32.05');
  await stageOf(handle, 'AWAITING_SOCIALIZATION');
  if (stage !== 'AWAITING_SOCIALIZATION') {
    await handle.executeUpdate(attendSocializationUpdate, { args: [{ actor: dinas, sessionId: 'sesi-1-yogyakarta' }] });
    await stageOf(handle, 'AWAITING_DOCUMENTS');
  }
  if (stage === 'UNDER_REVIEW' || stage === 'IN_ASSESSMENT') {
    await handle.executeUpdate(submitDocumentUpdate, { args: [legality(dinas)] });
    await stageOf(handle, 'UNDER_REVIEW');
  }
  if (stage === 'IN_ASSESSMENT') {
    await handle.executeUpdate(reviewDocumentsUpdate, { args: [{ actor: coordinator, decision: 'approve' }] });
    await stageOf(handle, 'IN_ASSESSMENT');
  }
  // The stage's timers run once its deadline shows (its entry is recorded by then).
  await until(handle, (s) => s.stage === stage && s.deadline !== null, `the ${stage} deadline`);
  return started;
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return (error as WorkflowUpdateFailedError).cause?.message ?? '';
}

const deadline = (
  within: string,
  remindBefore: string[],
  onMissed: StageDeadlineConfig['onMissed'],
  grace?: string,
): StageDeadlineConfig => ({
  within,
  remindBefore,
  onMissed,
  ...(grace ? { grace } : {}),
});

describe('deadlines, reminders and escalation', () => {
  it('reminds the dinas kabupaten/kota once per offset before the attendance deadline, then escalates to the province and disqualifies', async () => {
    const config = testConfig('uji-deadline-kehadiran', {
      deadlines: { attendance: deadline('6s', ['4s', '2s'], 'disqualify') },
    });
    const { handle, workflowId } = await nominationAt(config, 'Tenun Lupa Sosialisasi', 'AWAITING_SOCIALIZATION');
    const waiting = await handle.query(nominationStateQuery);
    expect(waiting.deadline!.stage).toBe('attendance');
    const due = Date.parse(waiting.deadline!.at);
    expect(due - Date.parse(waiting.stageEnteredAt)).toBe(6000);
    // The projection shows the same pending deadline as the workflow, from the moment the stage is entered.
    expect
      .soft((await projection(workflowId))?.deadline_at?.toISOString(), 'the projection shows the pending deadline')
      .toBe(waiting.deadline!.at);

    const final = await stageOf(handle, 'DISQUALIFIED', 20_000);
    expect(await handle.result()).toMatchObject({ stage: 'DISQUALIFIED' });
    const mail = await mailUntil(workflowId, (m) => ofTemplate(m, 'disqualified').length === 1, 'disqualified mail');

    const reminders = ofTemplate(mail, 'reminder');
    expect(reminders).toHaveLength(2);
    for (const r of reminders) {
      expect(r.to).toEqual(['disperin.32.05@daerah.example']);
      expect(r.text).toContain('menghadiri sesi sosialisasi');
    }
    expect(reminders.map((r) => r.key.split(':').at(-2)).sort()).toEqual(['2000', '4000']);
    expect(final.remindersSent).toHaveLength(2);

    // Each reminder went out at its offset before the deadline, and before it.
    const sent = await h.db
      .selectFrom('notifications')
      .select(['key', 'template', 'sent_at', 'status'])
      .where('workflow_id', '=', workflowId)
      .execute();
    for (const r of reminders) {
      const offset = Number(r.key.split(':').at(-2));
      const row = sent.find((s) => s.key === r.key)!;
      expect(row.status).toBe('sent');
      expect(row.sent_at!.getTime()).toBeGreaterThanOrEqual(due - offset);
      expect(row.sent_at!.getTime()).toBeLessThan(due);
    }
    const remindedAt = final.history
      .filter((e) => e.type === 'reminder.sent')
      .map((e) => ({ at: Date.parse(e.at), offset: e.detail!.offsetMs as number, deadline: e.detail!.deadline }));
    expect(remindedAt.map((r) => r.offset)).toEqual([4000, 2000]);
    for (const r of remindedAt) {
      expect(r.deadline).toBe(waiting.deadline!.at);
      expect(r.at).toBeGreaterThanOrEqual(due - r.offset);
      expect(r.at).toBeLessThan(due);
    }

    const [escalation] = ofTemplate(mail, 'escalation');
    expect(escalation.to).toEqual(['disperin.32@daerah.example']);
    expect(escalation.cc).toEqual([COORDINATOR_MAIL]);
    const escalated = final.history.find((e) => e.type === 'escalation.sent')!;
    expect(Date.parse(escalated.at)).toBeGreaterThanOrEqual(due);
    const [disqualified] = ofTemplate(mail, 'disqualified');
    expect(disqualified.to).toEqual(['disperin.32.05@daerah.example']);
    expect(disqualified.cc).toEqual(['disperin.32@daerah.example']);
    expect(mail.map((m) => m.template)).toEqual([
      'intake_accepted',
      'reminder',
      'reminder',
      'escalation',
      'disqualified',
    ]);

    expect(await projection(workflowId, { stage: 'DISQUALIFIED' })).toMatchObject({ stage: 'DISQUALIFIED' });
    const events = await h.db
      .selectFrom('nomination_events')
      .select(['type', 'actor_role'])
      .where('workflow_id', '=', workflowId)
      .orderBy('seq')
      .execute();
    expect(events.at(-1)).toEqual({ type: 'deadline.disqualified', actor_role: 'system' });
  });

  it('grants a grace period once on a missed documents deadline, and a document within the grace moves on to UNDER_REVIEW', async () => {
    const config = testConfig('uji-deadline-tenggang', { deadlines: { documents: deadline('3s', [], 'grace', '6s') } });
    const { handle, workflowId } = await nominationAt(config, 'Tenun Terlambat Dokumen', 'AWAITING_DOCUMENTS');
    const first = Date.parse((await handle.query(nominationStateQuery)).deadline!.at);

    const graced = await until(
      handle,
      (s) => s.deadline !== null && Date.parse(s.deadline.at) > first,
      'the grace deadline',
    );
    expect(graced.stage).toBe('AWAITING_DOCUMENTS');
    expect(Date.parse(graced.deadline!.at)).toBe(first + 6000);
    expect(graced.escalationsSent).toHaveLength(1);
    const mail = await mailUntil(workflowId, (m) => ofTemplate(m, 'grace_granted').length === 1, 'grace_granted mail');
    expect(ofTemplate(mail, 'escalation')).toMatchObject([
      { to: ['disperin.32@daerah.example'], cc: [COORDINATOR_MAIL] },
    ]);
    expect(ofTemplate(mail, 'grace_granted')).toMatchObject([{ to: ['disperin.32.05@daerah.example'] }]);
    expect
      .soft(
        (await projection(workflowId, { deadline_at: graced.deadline!.at }, 1500))?.deadline_at?.toISOString(),
        'the projection shows the pending deadline',
      )
      .toBe(graced.deadline!.at);

    await handle.executeUpdate(submitDocumentUpdate, { args: [legality(dinasOf('32.05'))] });
    await stageOf(handle, 'UNDER_REVIEW');
    await sleep(Math.max(0, first + 6000 - Date.now()) + 500);
    expect(await handle.query(nominationStateQuery)).toMatchObject({ stage: 'UNDER_REVIEW', hold: null });
    expect(await projection(workflowId, { stage: 'UNDER_REVIEW' })).toMatchObject({ stage: 'UNDER_REVIEW' });
    expect(ofTemplate(await mailFor(h.mailDir, workflowId), 'disqualified')).toEqual([]);
  });

  it('holds a missed review deadline for the coordinator, refuses the review while on hold, and an extension clears the hold', async () => {
    const config = testConfig('uji-deadline-tahan-review', { deadlines: { review: deadline('2s', [], 'hold') } });
    const { handle, workflowId } = await nominationAt(config, 'Tenun Tertahan Review', 'UNDER_REVIEW');

    const held = await until(handle, (s) => s.hold !== null, 'hold');
    expect(held).toMatchObject({ stage: 'UNDER_REVIEW', hold: { stage: 'review' } });
    const mail = await mailUntil(workflowId, (m) => ofTemplate(m, 'on_hold').length === 1, 'on_hold mail');
    expect(ofTemplate(mail, 'on_hold')).toMatchObject([{ to: [COORDINATOR_MAIL] }]);
    expect(ofTemplate(mail, 'escalation')).toMatchObject([{ to: ['disperin.32@daerah.example'] }]);

    expect(
      await refusal(
        handle.executeUpdate(reviewDocumentsUpdate, { args: [{ actor: coordinator, decision: 'approve' }] }),
      ),
    ).toContain('is on hold after the review deadline; a coordinator must decide first');
    expect(
      await refusal(
        handle.executeUpdate(resolveHoldUpdate, {
          args: [{ actor: dinasOf('32.05'), decision: 'extend', until: inSeconds(30) }],
        }),
      ),
    ).toContain('only a coordinator may');

    const newDeadline = inSeconds(30);
    await handle.executeUpdate(resolveHoldUpdate, {
      args: [{ actor: coordinator, decision: 'extend', until: newDeadline, reason: 'verifikator sakit' }],
    });
    const resumed = await until(
      handle,
      (s) => s.hold === null && s.deadline?.at === newDeadline,
      'the extended review deadline',
    );
    expect(resumed.stage).toBe('UNDER_REVIEW');
    expect(
      ofTemplate(
        await mailUntil(workflowId, (m) => ofTemplate(m, 'deadline_extended').length > 0, 'deadline_extended mail'),
        'deadline_extended',
      ),
    ).toMatchObject([{ to: [COORDINATOR_MAIL] }]);
    expect
      .soft(
        (await projection(workflowId, { deadline_at: newDeadline }, 1500))?.deadline_at?.toISOString(),
        'the projection shows the pending deadline',
      )
      .toBe(newDeadline);

    await handle.executeUpdate(reviewDocumentsUpdate, { args: [{ actor: coordinator, decision: 'approve' }] });
    await stageOf(handle, 'IN_ASSESSMENT');
  });

  it("holds a missed documents deadline, refuses the dinas's late document while on hold, and a coordinator's disqualify ends it", async () => {
    const config = testConfig('uji-deadline-tahan-dokumen', { deadlines: { documents: deadline('2s', [], 'hold') } });
    const { handle, workflowId } = await nominationAt(config, 'Tenun Tertahan Dokumen', 'AWAITING_DOCUMENTS');
    await until(handle, (s) => s.hold?.stage === 'documents', 'hold');
    await mailUntil(workflowId, (m) => ofTemplate(m, 'on_hold').length === 1, 'on_hold mail');

    expect(await refusal(handle.executeUpdate(submitDocumentUpdate, { args: [legality(dinasOf('32.05'))] }))).toContain(
      'is on hold after the documents deadline',
    );

    const final = await handle.executeUpdate(resolveHoldUpdate, {
      args: [{ actor: coordinator, decision: 'disqualify', reason: 'dokumen tidak pernah dikirim' }],
    });
    expect(final.stage).toBe('DISQUALIFIED');
    expect(await handle.result()).toMatchObject({ stage: 'DISQUALIFIED' });
    expect(await projection(workflowId, { stage: 'DISQUALIFIED' })).toMatchObject({ stage: 'DISQUALIFIED' });
    const disqualified = ofTemplate(
      await mailUntil(workflowId, (m) => ofTemplate(m, 'disqualified').length === 1, 'disqualified mail'),
      'disqualified',
    );
    expect(disqualified[0].text).toContain('dokumen tidak pernah dikirim');
    const last = await h.db
      .selectFrom('nomination_events')
      .select(['type', 'actor_role'])
      .where('workflow_id', '=', workflowId)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(last).toEqual({ type: 'hold.disqualified', actor_role: 'coordinator' });
  });

  it("moves one nomination's pending deadline when a coordinator extends it: no escalation at the old date", async () => {
    const config = testConfig('uji-deadline-perpanjang', {
      deadlines: { documents: deadline('5s', [], 'disqualify') },
    });
    const { handle, workflowId } = await nominationAt(config, 'Tenun Diperpanjang', 'AWAITING_DOCUMENTS');
    const old = Date.parse((await handle.query(nominationStateQuery)).deadline!.at);
    await sleep(1000);
    const newDeadline = inSeconds(20);
    const answer = await handle.executeUpdate(extendDeadlineUpdate, {
      args: [{ actor: coordinator, stage: 'documents', until: newDeadline }],
    });
    // The answer carries the new deadline and no timeline (NominationAnswer); the timeline shows the extension by whom.
    expect(answer).toMatchObject({ deadline: { stage: 'documents', at: newDeadline } });
    expect(answer).not.toHaveProperty('history');
    expect((await handle.query(nominationStateQuery)).history.at(-1)).toMatchObject({
      type: 'deadline.extended',
      actor: coordinator,
    });

    await sleep(Math.max(0, old + 3000 - Date.now()));
    const state = await handle.query(nominationStateQuery);
    expect(state.stage).toBe('AWAITING_DOCUMENTS');
    expect(state.deadline).toEqual({ stage: 'documents', at: newDeadline });
    expect(state.escalationsSent).toEqual([]);
    const mail = await mailFor(h.mailDir, workflowId);
    expect(ofTemplate(mail, 'escalation')).toEqual([]);
    expect(ofTemplate(mail, 'deadline_extended')).toMatchObject([{ to: ['disperin.32.05@daerah.example'] }]);
    expect(await projection(workflowId, { stage: 'AWAITING_DOCUMENTS' })).toMatchObject({
      stage: 'AWAITING_DOCUMENTS',
    });
    expect
      .soft(
        (await projection(workflowId, { deadline_at: newDeadline }, 1500))?.deadline_at?.toISOString(),
        'the projection shows the pending deadline',
      )
      .toBe(newDeadline);
  });

  it("moves every open nomination's deadline when a coordinator extends a stage for the whole cycle", async () => {
    const config = testConfig('uji-deadline-siklus', { mutate: (c) => (c.intakeWindow = '10m') });
    const cycle = await h.client.workflow.start('awardCycle', {
      workflowId: cycleWorkflowId(config.id),
      taskQueue: h.taskQueue,
      args: [{ config }],
    });
    const ids: string[] = [];
    for (const [regencyCode, ikmName] of [
      ['32.05', 'Tenun Siklus Garut'],
      ['34.71', 'Batik Siklus Yogya'],
    ]) {
      const r = await cycle.executeUpdate(nominateUpdate, {
        args: [nominationInput(config, { regencyCode, ikmName })],
      });
      expect(r.created).toBe(true);
      ids.push(r.workflowId);
    }
    await waitFor(
      async () =>
        (await h.db.selectFrom('nominations').select('workflow_id').where('workflow_id', 'in', ids).execute())
          .length === 2,
      { what: 'both projection rows' },
    );
    const handles = ids.map((id) => h.client.workflow.getHandle(id));
    for (const handle of handles) await stageOf(handle, 'AWAITING_SOCIALIZATION');

    const newDeadline = inSeconds(2 * 3600);
    const view = await cycle.executeUpdate(extendCycleDeadlineUpdate, {
      args: [{ actor: coordinator, stage: 'attendance', until: newDeadline }],
    });
    expect(view.deadlineOverrides).toEqual({ attendance: newDeadline });
    for (const [i, handle] of handles.entries()) {
      await until(handle, (s) => s.deadline?.at === newDeadline, `the cycle-wide deadline on ${ids[i]}`);
      const mail = await mailUntil(
        ids[i],
        (m) => ofTemplate(m, 'deadline_extended').length === 1,
        'deadline_extended mail',
      );
      expect(ofTemplate(mail, 'deadline_extended')[0].to).toEqual([
        `disperin.${i === 0 ? '32.05' : '34.71'}@daerah.example`,
      ]);
      expect
        .soft(
          (await projection(ids[i], { deadline_at: newDeadline }, 1500))?.deadline_at?.toISOString(),
          'the projection shows the pending deadline',
        )
        .toBe(newDeadline);
    }
  });

  it('reminds each assigned assessor who has not scored, and not the one who already has', async () => {
    const config = testConfig('uji-deadline-penilai', { deadlines: { assessment: deadline('6s', ['3s'], 'hold') } });
    const { handle, workflowId } = await nominationAt(config, 'Tenun Dinilai', 'IN_ASSESSMENT');
    const state = await handle.query(nominationStateQuery);
    const [early, late] = state.assessors;
    const profile = (id: string) => config.assessment.assessors.find((a) => a.id === id)!;
    await handle.executeUpdate(submitScoresUpdate, {
      args: [{ actor: { role: 'assessor', id: early, region: profile(early).province }, scores: scoresFor(config, 3) }],
    });

    const after = await until(handle, (s) => s.remindersSent.length > 0, 'the assessment reminder');
    await sleep(Math.max(0, Date.parse(after.deadline!.at) - Date.now()) + 1000);
    const mail = await mailFor(h.mailDir, workflowId);
    const reminders = ofTemplate(mail, 'reminder');
    expect(reminders).toHaveLength(1);
    expect(reminders[0].to).toEqual([profile(late).email]);
    expect(reminders[0].text).toContain(`Yth. ${profile(late).name},`);
    expect(reminders[0].text).toContain('mengisi lembar penilaian');
    expect(mail.filter((m) => m.to.includes(profile(early).email)).map((m) => m.template)).toEqual([
      'assessment_assigned',
    ]);
    expect((await handle.query(nominationStateQuery)).remindersSent).toHaveLength(1);
  });
});
