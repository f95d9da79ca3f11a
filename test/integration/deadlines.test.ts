/**
 * Deadlines, reminders and escalation with compressed (seconds-scale) durations: what reaches the SMTP server, what
 * the state query shows and what the Postgres projection holds.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, CycleConfig, NominationInput, StageDeadlineConfig } from '../../domain/types';
import { cycleWorkflowId } from '../../workflows/ids';
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
  settled,
  sha256,
  testConfig,
  startNominationDirectly,
  workflowInput,
} from '../../bench/drivers';
import { startHarness, waitFor, type Harness } from '../support/harness';
import type { Principal } from '../../api/auth';
import { coordinatorList, coordinatorListCount, type CoordinatorList } from '../../api/coordinator-lists';
import { sentDate, timerEnded } from '../support/history-wait';
import { mailFor, type ReceivedMail } from '../../embedded/mailbox';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('deadlines');
});
afterAll(async () => {
  await h?.stop();
});

const COORDINATOR_MAIL = 'ditjen-ikma@ovop.kemenperin.example';
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
/** The first whole second at or after `ms`: a mail's Date header has whole seconds, so a moment it is judged against
 * must too. */
const wholeSecond = (ms: number) => Math.ceil(ms / 1000) * 1000;
/** `ms` to the second below, the precision of a mail's Date header. */
const toSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

async function startNomination(config: CycleConfig, n: NominationInput) {
  return startNominationDirectly(h, h.taskQueue, workflowInput(config, n));
}

async function until(
  handle: WorkflowHandle,
  test: (s: NominationView) => boolean,
  what: string,
  timeoutMs = 30_000,
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
    { what, timeoutMs: 30_000 },
  );
}
const ofTemplate = (mail: ReceivedMail[], template: string) => mail.filter((m) => m.template === template);

/** A nomination's events of one type from the event log: when the workflow recorded each, and the deadline it names. */
async function eventsOf(workflowId: string, type: string) {
  const rows = await h.db
    .selectFrom('nomination_events')
    .select(['occurred_at', 'payload'])
    .where('workflow_id', '=', workflowId)
    .where('type', '=', type)
    .orderBy('seq')
    .execute();
  return rows.map((r) => {
    const payload = r.payload as Record<string, unknown>;
    return { at: r.occurred_at.getTime(), deadline: payload.deadline, payload };
  });
}

/**
 * The projection row, once it shows `expected` (the projection is written by an activity, so it may trail the state query
 * by a moment); after `timeoutMs`, the row as it is, for the assertion to report.
 */
async function projection(workflowId: string, expected: Record<string, unknown> = {}, timeoutMs = 15_000) {
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

/**
 * A nomination whose deadline (policy disqualify, one reminder `offset` before it) moved from `old` to `moved`: the
 * timer of the old date's reminder was cancelled, and the reminder, the escalation and the disqualification came for
 * the moved date, each recorded (event log, history) and mailed (Date header) at or after its moment, and once.
 */
async function expectMovedDeadlineFollowed(
  handle: WorkflowHandle,
  workflowId: string,
  old: number,
  moved: number,
  offset: number,
  dinas: string,
) {
  await timerEnded(handle, old - offset, 'canceled');
  const reminderTimer = await timerEnded(handle, moved - offset, 'fired');
  const deadlineTimer = await timerEnded(handle, moved, 'fired');
  expect(reminderTimer.firedAt).toBeGreaterThanOrEqual(moved - offset);
  expect(deadlineTimer.firedAt).toBeGreaterThanOrEqual(moved);
  expect(await handle.result()).toMatchObject({ stage: 'DISQUALIFIED' });
  expect(await projection(workflowId, { stage: 'DISQUALIFIED' })).toMatchObject({ stage: 'DISQUALIFIED' });

  const reminded = await eventsOf(workflowId, 'reminder.sent');
  expect(reminded.map((e) => e.deadline)).toEqual([iso(moved)]);
  expect(reminded[0].at).toBeGreaterThanOrEqual(moved - offset);
  for (const type of ['escalation.sent', 'deadline.disqualified']) {
    const events = await eventsOf(workflowId, type);
    expect(
      events.map((e) => e.deadline),
      type,
    ).toEqual([iso(moved)]);
    expect(events[0].at, type).toBeGreaterThanOrEqual(moved);
  }

  const mail = await mailFor(h.mailDir, workflowId);
  expect(mail.map((m) => m.template)).toEqual([
    'intake_accepted',
    'deadline_extended',
    'reminder',
    'escalation',
    'disqualified',
  ]);
  const [extended] = ofTemplate(mail, 'deadline_extended');
  expect(extended.to).toEqual([dinas]);
  expect(extended.key).toMatch(new RegExp(`:${moved}$`));
  const [reminder] = ofTemplate(mail, 'reminder');
  expect(reminder.to).toEqual([dinas]);
  expect(reminder.key).toMatch(new RegExp(`:${offset}:${moved}$`));
  expect(await sentDate(h.mailDir, reminder)).toBeGreaterThanOrEqual(moved - offset);
  for (const template of ['escalation', 'disqualified']) {
    const [m] = ofTemplate(mail, template);
    expect(await sentDate(h.mailDir, m), template).toBeGreaterThanOrEqual(moved);
  }
}

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

    const final = await stageOf(handle, 'DISQUALIFIED', 45_000);
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

    // Each reminder's timer was set for its offset before the deadline and fired; the reminder went out at or after
    // that moment and before the escalation, judged from the recorded times (a loaded machine may send it late).
    const sent = await h.db
      .selectFrom('notifications')
      .select(['key', 'template', 'sent_at', 'status'])
      .where('workflow_id', '=', workflowId)
      .execute();
    const escalationSentAt = sent.find((s) => s.template === 'escalation')!.sent_at!.getTime();
    for (const r of reminders) {
      const offset = Number(r.key.split(':').at(-2));
      await timerEnded(handle, due - offset, 'fired');
      const row = sent.find((s) => s.key === r.key)!;
      expect(row.status).toBe('sent');
      expect(row.sent_at!.getTime()).toBeGreaterThanOrEqual(due - offset);
      expect(row.sent_at!.getTime()).toBeLessThan(escalationSentAt);
    }
    const escalated = final.history.find((e) => e.type === 'escalation.sent')!;
    expect(Date.parse(escalated.at)).toBeGreaterThanOrEqual(due);
    const remindedAt = final.history
      .filter((e) => e.type === 'reminder.sent')
      .map((e) => ({ at: Date.parse(e.at), offset: e.detail!.offsetMs as number, deadline: e.detail!.deadline }));
    expect(remindedAt.map((r) => r.offset)).toEqual([4000, 2000]);
    for (const r of remindedAt) {
      expect(r.deadline).toBe(waiting.deadline!.at);
      expect(r.at).toBeGreaterThanOrEqual(due - r.offset);
      expect(r.at).toBeLessThan(Date.parse(escalated.at));
    }

    const [escalation] = ofTemplate(mail, 'escalation');
    expect(escalation.to).toEqual(['disperin.32@daerah.example']);
    expect(escalation.cc).toEqual([COORDINATOR_MAIL]);
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
        (await projection(workflowId, { deadline_at: graced.deadline!.at }))?.deadline_at?.toISOString(),
        'the projection shows the pending deadline',
      )
      .toBe(graced.deadline!.at);

    await handle.executeUpdate(submitDocumentUpdate, { args: [legality(dinasOf('32.05'))] });
    await stageOf(handle, 'UNDER_REVIEW');
    // Nothing happens at the grace deadline once its timer is cancelled, so "nothing happened" is judged from there.
    await timerEnded(handle, first + 6000, 'canceled');
    await settled(handle);
    expect(await handle.query(nominationStateQuery)).toMatchObject({
      stage: 'UNDER_REVIEW',
      hold: null,
      escalationsSent: graced.escalationsSent,
    });
    expect(await projection(workflowId, { stage: 'UNDER_REVIEW' })).toMatchObject({ stage: 'UNDER_REVIEW' });
    const after = await mailFor(h.mailDir, workflowId);
    expect(ofTemplate(after, 'disqualified')).toEqual([]);
    expect(ofTemplate(after, 'escalation')).toHaveLength(1);
    expect(await eventsOf(workflowId, 'escalation.sent')).toHaveLength(1);
    expect(await eventsOf(workflowId, 'deadline.disqualified')).toEqual([]);
  });

  it('disqualifies when the grace period runs out too: one escalation, one grace notice, no reminders in the grace, and only one grace', async () => {
    const config = testConfig('uji-deadline-tenggang-habis', {
      deadlines: { documents: deadline('3s', [], 'grace', '4s') },
    });
    const { handle, workflowId } = await nominationAt(config, 'Tenun Tenggang Habis', 'AWAITING_DOCUMENTS');
    const first = Date.parse((await handle.query(nominationStateQuery)).deadline!.at);
    const grace = first + 4000;
    await timerEnded(handle, first, 'fired');
    await timerEnded(handle, grace, 'fired');
    // Settled after the grace deadline's timer: a second grace would have been granted (and mailed) by now.
    await settled(handle);

    expect(await handle.query(nominationStateQuery)).toMatchObject({ stage: 'DISQUALIFIED' });
    expect(await handle.result()).toMatchObject({ stage: 'DISQUALIFIED' });
    expect(await projection(workflowId, { stage: 'DISQUALIFIED' })).toMatchObject({ stage: 'DISQUALIFIED' });
    // The dinas provinsi hears of the missed deadline once; the grace period's end is the disqualification's news.
    const escalated = await eventsOf(workflowId, 'escalation.sent');
    expect(escalated.map((e) => e.deadline)).toEqual([iso(first)]);
    expect(escalated[0].at).toBeGreaterThanOrEqual(first);
    expect((await eventsOf(workflowId, 'deadline.grace')).map((e) => e.payload.until)).toEqual([iso(grace)]);
    const [disqualifiedEvent, ...more] = await eventsOf(workflowId, 'deadline.disqualified');
    expect(more).toEqual([]);
    expect(disqualifiedEvent).toMatchObject({ deadline: iso(grace) });
    expect(disqualifiedEvent.at).toBeGreaterThanOrEqual(grace);

    const mail = await mailFor(h.mailDir, workflowId);
    expect(mail.map((m) => m.template)).toEqual(['intake_accepted', 'escalation', 'grace_granted', 'disqualified']);
    expect(ofTemplate(mail, 'grace_granted')).toMatchObject([{ to: ['disperin.32.05@daerah.example'] }]);
    const [escalation] = ofTemplate(mail, 'escalation');
    expect(escalation).toMatchObject({ to: ['disperin.32@daerah.example'], cc: [COORDINATOR_MAIL] });
    expect(escalation.key).toMatch(new RegExp(`:${first}$`));
    expect(await sentDate(h.mailDir, escalation)).toBeGreaterThanOrEqual(toSecond(first));
    const [disqualified] = ofTemplate(mail, 'disqualified');
    expect(disqualified).toMatchObject({ to: ['disperin.32.05@daerah.example'], cc: ['disperin.32@daerah.example'] });
    expect(await sentDate(h.mailDir, disqualified)).toBeGreaterThanOrEqual(toSecond(grace));
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
    // The coordinator's dashboard lists it among those held, not among those past their deadline.
    const dashboard = { actor: coordinator } as Principal;
    const listed = async (list: CoordinatorList) =>
      (await coordinatorList(h.db, dashboard, config.id, list, { limit: 26, offset: 0 }, new Date())).map(
        (r) => r.workflow_id,
      );
    await waitFor(async () => (await listed('holds')).includes(workflowId), { what: 'the hold on the dashboard' });
    expect(await listed('overdue')).toEqual([]);
    expect(await coordinatorListCount(h.db, dashboard, config.id, 'holds', new Date())).toBe(1);

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
        (await projection(workflowId, { deadline_at: newDeadline }))?.deadline_at?.toISOString(),
        'the projection shows the pending deadline',
      )
      .toBe(newDeadline);
    // Extended: off the dashboard's holds, still in its review queue.
    await waitFor(async () => (await listed('holds')).length === 0, { what: 'the hold off the dashboard' });
    expect(await listed('review')).toEqual([workflowId]);

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

  it("moves one nomination's pending deadline when a coordinator extends it: reminder, escalation and policy follow the new date", async () => {
    const config = testConfig('uji-deadline-perpanjang', {
      deadlines: { documents: deadline('10s', ['3s'], 'disqualify') },
    });
    const { handle, workflowId } = await nominationAt(config, 'Tenun Diperpanjang', 'AWAITING_DOCUMENTS');
    const old = Date.parse((await handle.query(nominationStateQuery)).deadline!.at);
    const moved = wholeSecond(old + 3000);
    const answer = await handle.executeUpdate(extendDeadlineUpdate, {
      args: [{ actor: coordinator, stage: 'documents', until: iso(moved) }],
    });
    // The answer carries the new deadline and no timeline (NominationAnswer); the timeline shows the extension by whom.
    expect(answer).toMatchObject({ deadline: { stage: 'documents', at: iso(moved) } });
    expect(answer).not.toHaveProperty('history');
    expect((await handle.query(nominationStateQuery)).history.at(-1)).toMatchObject({
      type: 'deadline.extended',
      actor: coordinator,
    });
    expect
      .soft(
        (await projection(workflowId, { deadline_at: iso(moved) }))?.deadline_at?.toISOString(),
        'the projection shows the pending deadline',
      )
      .toBe(iso(moved));

    await expectMovedDeadlineFollowed(handle, workflowId, old, moved, 3000, 'disperin.32.05@daerah.example');
  });

  it("moves every open nomination's pending deadline when a coordinator extends a stage for the whole cycle", async () => {
    const config = testConfig('uji-deadline-siklus', {
      deadlines: { attendance: deadline('10s', ['3s'], 'disqualify') },
      mutate: (c) => (c.intakeWindow = '10m'),
    });
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
    // The cycle signals the nominations its projection lists, so both rows must be there first.
    await waitFor(
      async () =>
        (await h.db.selectFrom('nominations').select('workflow_id').where('workflow_id', 'in', ids).execute())
          .length === 2,
      { what: 'both projection rows' },
    );
    const handles = ids.map((id) => h.client.workflow.getHandle(id));
    const olds: number[] = [];
    for (const [i, handle] of handles.entries()) {
      const waiting = await until(handle, (s) => s.deadline?.stage === 'attendance', `the deadline of ${ids[i]}`);
      olds.push(Date.parse(waiting.deadline!.at));
    }

    const moved = wholeSecond(Math.max(...olds) + 3000);
    const view = await cycle.executeUpdate(extendCycleDeadlineUpdate, {
      args: [{ actor: coordinator, stage: 'attendance', until: iso(moved) }],
    });
    expect(view.deadlineOverrides).toEqual({ attendance: iso(moved) });
    for (const [i, handle] of handles.entries()) {
      await until(handle, (s) => s.deadline?.at === iso(moved), `the cycle-wide deadline on ${ids[i]}`);
      expect
        .soft(
          (await projection(ids[i], { deadline_at: iso(moved) }))?.deadline_at?.toISOString(),
          'the projection shows the pending deadline',
        )
        .toBe(iso(moved));
    }
    for (const [i, handle] of handles.entries()) {
      const dinas = `disperin.${i === 0 ? '32.05' : '34.71'}@daerah.example`;
      await expectMovedDeadlineFollowed(handle, ids[i], olds[i], moved, 3000, dinas);
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

    await until(handle, (s) => s.remindersSent.length > 0, 'the assessment reminder');
    // Every reminder is due before the deadline, so once its timer fired and the work it started settled, none is left.
    await timerEnded(handle, Date.parse(state.deadline!.at), 'fired');
    await settled(handle);
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
