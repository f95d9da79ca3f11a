/**
 * Waits judged from a workflow's history rather than from the wall clock: a test that claims something did NOT happen
 * at a deadline first waits until the history shows the deadline's timer fired (or was cancelled), so a slow machine
 * that has not processed the timer yet cannot make the claim pass.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { fetchRunChain } from '../../client/run-chain';
import type { ReceivedMail } from '../../embedded/mailbox';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];
type Stamp = { seconds?: unknown; nanos?: number | null } | null | undefined;

const ms = (t: Stamp): number => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
const id = (v: unknown): string => String(v ?? '');

export interface TimerRecord {
  timerId: string;
  /** The moment the workflow set the timer for: its clock in the task that started it plus StartToFireTimeout. */
  target: number;
  startedAt: number;
  firedAt?: number;
  canceledAt?: number;
}

/**
 * Every timer of a history. The workflow's clock in a task is the task's WorkflowTaskStarted event time, so that time
 * plus the timer's StartToFireTimeout is the moment the workflow computed (a deadline or a reminder's offset before it).
 * A run that closed (a short run continuing as new) ends its open timers without firing them: they count as canceled.
 */
export function timersOf(events: readonly HistoryEvent[]): TimerRecord[] {
  const byId = new Map(events.map((e) => [id(e.eventId), e]));
  const timers = new Map<string, TimerRecord>();
  for (const e of events) {
    const started = e.timerStartedEventAttributes;
    if (started) {
      const completed = byId.get(id(started.workflowTaskCompletedEventId))?.workflowTaskCompletedEventAttributes;
      const taskStarted = byId.get(id(completed?.startedEventId));
      timers.set(id(e.eventId), {
        timerId: id(started.timerId),
        target: ms(taskStarted?.eventTime) + ms(started.startToFireTimeout),
        startedAt: ms(e.eventTime),
      });
    }
    const fired = e.timerFiredEventAttributes;
    const timer = fired && timers.get(id(fired.startedEventId));
    if (timer) timer.firedAt = ms(e.eventTime);
    const canceled = e.timerCanceledEventAttributes;
    const canceledTimer = canceled && timers.get(id(canceled.startedEventId));
    if (canceledTimer) canceledTimer.canceledAt = ms(e.eventTime);
    if (e.workflowExecutionContinuedAsNewEventAttributes || e.workflowExecutionCompletedEventAttributes)
      for (const t of timers.values()) if (!t.firedAt && !t.canceledAt) t.canceledAt = ms(e.eventTime);
  }
  return [...timers.values()];
}

/** The events of every run of the handle's workflow (short runs: a nomination continues as new), oldest first. */
async function chainEvents(handle: WorkflowHandle): Promise<HistoryEvent[][]> {
  const runs: HistoryEvent[][] = [];
  let runId: string | undefined = (await handle.describe()).runId;
  while (runId) {
    const events: HistoryEvent[] =
      (await handle.client.getHandle(handle.workflowId, runId).fetchHistory()).events ?? [];
    runs.unshift(events);
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs;
}

const shown = (t: TimerRecord) =>
  `${t.timerId}: for ${new Date(t.target).toISOString()}${t.firedAt ? ', fired' : ''}${t.canceledAt ? ', canceled' : ''}`;

/**
 * Waits until the history holds the timer set for `moment` and that timer has `outcome`, and returns it. The timer
 * for a moment is the one set for the earliest time from `moment - toleranceMs` to `moment + lateMs`: a stage's
 * deadline timer that follows a reminder is set a little late, by the time the reminder took to record and send
 * (workflows/deadline-clock.ts computes it from the clock it read before sending). A timer set again for the same
 * moment counts too: "canceled" means none of them fired. Fails at once if the timer ended the other way, and after
 * `timeoutMs` with every timer the history holds.
 */
export async function timerEnded(
  handle: WorkflowHandle,
  moment: number,
  outcome: 'fired' | 'canceled',
  opts: { timeoutMs?: number; toleranceMs?: number; lateMs?: number } = {},
): Promise<TimerRecord> {
  const giveUp = Date.now() + (opts.timeoutMs ?? 45_000);
  const tolerance = opts.toleranceMs ?? 50;
  const from = moment - tolerance;
  const to = moment + (opts.lateMs ?? 10_000);
  const at = new Date(moment).toISOString();
  for (;;) {
    const timers = (await chainEvents(handle)).flatMap((events) => timersOf(events));
    const candidates = timers.filter((t) => t.target >= from && t.target <= to);
    const earliest = Math.min(...candidates.map((t) => t.target));
    const same = candidates.filter((t) => t.target - earliest <= tolerance);
    if (same.length > 0 && same.every((t) => t.firedAt || t.canceledAt)) {
      const fired = same.find((t) => t.firedAt);
      if ((outcome === 'fired') !== !!fired) {
        throw new Error(
          `the timer for ${at} of ${handle.workflowId} was not ${outcome}: ${same.map(shown).join('; ')}`,
        );
      }
      return fired ?? same[0];
    }
    if (Date.now() > giveUp) {
      throw new Error(
        `timed out waiting for the timer for ${at} of ${handle.workflowId} to be ${outcome}; timers: ${timers.map(shown).join('; ') || 'none'}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The Date header of a mail the SMTP sink stored: when the worker's mailer built it, to the second. */
export async function sentDate(mailDir: string, mail: ReceivedMail): Promise<number> {
  const parsed = await simpleParser(readFileSync(join(mailDir, mail.file)));
  if (!parsed.date) throw new Error(`mail ${mail.file} has no Date header`);
  return parsed.date.getTime();
}

/**
 * The Update requests the server accepted into a workflow's history, by name (or of any name), over every run of its
 * chain: a refusal answered before sending (by the API) or by the Update's validator adds none.
 */
export async function acceptedUpdates(client: Client, workflowId: string, name?: string): Promise<number> {
  const runs = await fetchRunChain(client, workflowId);
  return runs
    .flatMap((r) => r.history.events ?? [])
    .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes)
    .filter((a) => a && (name === undefined || a.acceptedRequest?.input?.name === name)).length;
}
