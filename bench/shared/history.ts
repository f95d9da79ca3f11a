/**
 * History sizes from the server: `describe().historyLength` for a sample of workflows, and per-type event counts from
 * one full history (what the baseline copies: updates accepted, activities scheduled, timers started, signals sent).
 */
import type { Client } from '@temporalio/client';
import { median, summarize, type Percentiles } from './stats';

/** temporal.api.enums.v1.EventType values (numeric, so the bench needs no direct @temporalio/proto dependency). */
const T = {
  EVENT_TYPE_WORKFLOW_TASK_SCHEDULED: 5,
  EVENT_TYPE_WORKFLOW_TASK_STARTED: 6,
  EVENT_TYPE_WORKFLOW_TASK_COMPLETED: 7,
  EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: 10,
  EVENT_TYPE_TIMER_STARTED: 17,
  EVENT_TYPE_TIMER_FIRED: 18,
  EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: 26,
  EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: 37,
  EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: 41,
} as const;

export interface EventShape {
  events: number;
  updatesAccepted: number;
  activitiesScheduled: number;
  timersStarted: number;
  timersFired: number;
  signalsSentExternal: number;
  signalsReceived: number;
  workflowTasksCompleted: number;
}

/** Where a workflow task's time goes: waiting to be picked up (scheduled → started) and on the worker (started →
 * completed), in ms from the event times the server wrote. */
export interface TaskTimes {
  waitMs: number[];
  runMs: number[];
}

type HistoryEvent = { eventType?: unknown; eventTime?: { seconds?: unknown; nanos?: number | null } | null };

function millis(e: HistoryEvent): number {
  return Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
}

export function taskTimes(events: readonly HistoryEvent[]): TaskTimes {
  const out: TaskTimes = { waitMs: [], runMs: [] };
  let scheduled: number | undefined;
  let started: number | undefined;
  for (const e of events) {
    const type = Number(e.eventType);
    if (type === T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) scheduled = millis(e);
    else if (type === T.EVENT_TYPE_WORKFLOW_TASK_STARTED) {
      started = millis(e);
      if (scheduled !== undefined) out.waitMs.push(started - scheduled);
    } else if (type === T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && started !== undefined)
      out.runMs.push(millis(e) - started);
  }
  return out;
}

export async function eventShape(
  client: Client,
  workflowId: string,
  runId?: string,
  times?: TaskTimes,
): Promise<EventShape> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = history.events ?? [];
  if (times) {
    const t = taskTimes(events);
    times.waitMs.push(...t.waitMs);
    times.runMs.push(...t.runMs);
  }
  return shapeOfEvents(events);
}

/** Per-type event counts of one history. */
export function shapeOfEvents(events: readonly HistoryEvent[]): EventShape {
  const count = (t: number) => events.filter((e) => Number(e.eventType) === t).length;
  return {
    events: events.length,
    updatesAccepted: count(T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED),
    activitiesScheduled: count(T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
    timersStarted: count(T.EVENT_TYPE_TIMER_STARTED),
    timersFired: count(T.EVENT_TYPE_TIMER_FIRED),
    signalsSentExternal: count(T.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED),
    signalsReceived: count(T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
    workflowTasksCompleted: count(T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
  };
}

/** The histories a worker without a cache is handed over a workflow's life: one per workflow task, each ending where
 * that task starts (bench/micro/replay-cost.ts replays them). */
export function taskPrefixes<E extends HistoryEvent>(events: readonly E[]): E[][] {
  const out: E[][] = [];
  events.forEach((e, i) => {
    if (Number(e.eventType) === T.EVENT_TYPE_WORKFLOW_TASK_STARTED) out.push(events.slice(0, i + 1));
  });
  return out;
}

export interface HistorySample {
  sampled: number;
  historyLengthMedian: number;
  historyLengthMax: number;
  /** Mean per-type counts over the sample (rounded to 0.1). */
  meanShape: EventShape;
  /** Workflow tasks of the sample: ms waiting for a worker, ms on the worker (server event times). */
  workflowTaskWaitMs: Percentiles;
  workflowTaskRunMs: Percentiles;
}

/** Up to `size` workflows spread evenly over `ids`: describe() for the length, fetchHistory() for the shape. */
export async function sampleHistories(client: Client, ids: readonly string[], size = 50): Promise<HistorySample> {
  const step = Math.max(1, Math.floor(ids.length / size));
  const picked = ids.filter((_, i) => i % step === 0).slice(0, size);
  const lengths: number[] = [];
  const shapes: EventShape[] = [];
  const times: TaskTimes = { waitMs: [], runMs: [] };
  for (const id of picked) {
    const d = await client.workflow.getHandle(id).describe();
    lengths.push(d.historyLength);
    shapes.push(await eventShape(client, id, undefined, times));
  }
  const mean = (k: keyof EventShape) =>
    Math.round((shapes.reduce((s, x) => s + x[k], 0) / (shapes.length || 1)) * 10) / 10;
  const keys = Object.keys(shapes[0] ?? {}) as (keyof EventShape)[];
  return {
    sampled: picked.length,
    historyLengthMedian: median(lengths),
    historyLengthMax: Math.max(...lengths),
    meanShape: Object.fromEntries(keys.map((k) => [k, mean(k)])) as unknown as EventShape,
    workflowTaskWaitMs: summarize(times.waitMs),
    workflowTaskRunMs: summarize(times.runMs),
  };
}
