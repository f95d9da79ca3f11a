/**
 * Waits until a workflow has nothing in flight, judged from its history: no workflow task open, no activity and no
 * external signal awaiting its outcome, and a length that held across two polls.
 *
 * A test that proves "a refused update adds no event" needs this. Pending activities alone are not enough: a stage
 * report to the cycle is a signal to another workflow, and its outcome (signaled, or failed when no cycle runs) comes
 * back as an event plus a workflow task — four events that could land mid-assertion on a slow machine.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const id = (v: unknown) => String(v ?? '');

/** What is still open in a history: the events that await an outcome. Timers are not counted: a pending timer is the
 * waiting itself, not work in flight. */
export function openWork(events: HistoryEvent[]): string[] {
  const open = new Map<string, string>();
  for (const e of events) {
    const eid = id(e.eventId);
    if (e.workflowTaskScheduledEventAttributes) open.set(eid, `workflow task ${eid}`);
    if (e.activityTaskScheduledEventAttributes)
      open.set(eid, `activity ${e.activityTaskScheduledEventAttributes.activityType?.name ?? ''} ${eid}`);
    if (e.signalExternalWorkflowExecutionInitiatedEventAttributes) open.set(eid, `external signal ${eid}`);
    const closes = [
      e.workflowTaskCompletedEventAttributes?.scheduledEventId,
      e.workflowTaskFailedEventAttributes?.scheduledEventId,
      e.workflowTaskTimedOutEventAttributes?.scheduledEventId,
      e.activityTaskCompletedEventAttributes?.scheduledEventId,
      e.activityTaskFailedEventAttributes?.scheduledEventId,
      e.activityTaskTimedOutEventAttributes?.scheduledEventId,
      e.activityTaskCanceledEventAttributes?.scheduledEventId,
      e.externalWorkflowExecutionSignaledEventAttributes?.initiatedEventId,
      e.signalExternalWorkflowExecutionFailedEventAttributes?.initiatedEventId,
    ];
    for (const c of closes) if (c != null) open.delete(id(c));
  }
  // A run that continued as new starts with its started event alone until the server schedules its first task.
  const started = events.length > 0 && !events.some((e) => e.workflowTaskCompletedEventAttributes);
  return started ? [...open.values(), 'first workflow task'] : [...open.values()];
}

/** Resolves with the settled history length; fails with what was still open after `timeoutMs`. */
export async function settled(handle: WorkflowHandle, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let previous = -1;
  let stablePolls = 0;
  let stillOpen: string[];
  for (;;) {
    const events = (await handle.fetchHistory()).events ?? [];
    stillOpen = openWork(events);
    stablePolls = stillOpen.length === 0 && events.length === previous ? stablePolls + 1 : 0;
    previous = events.length;
    if (stablePolls >= 2) return events.length;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${handle.workflowId} to settle; still open: ${stillOpen.join(', ') || 'none (history still growing)'}`,
      );
    }
    await sleep(150);
  }
}
