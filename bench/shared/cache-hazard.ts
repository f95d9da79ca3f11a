/**
 * The SDK 1.24 cache hazard's sequence (docs/workflow-cache.md), driven on purpose against one worker: a workflow
 * waits on `gate`; its stickiness is reset, as a dead worker's timed-out task would leave it; the worker's non-sticky
 * polling is held, so that a query sent now waits in the task queue with no workflow task pending; then `gate`
 * completes, an Update arrives, and polling resumes. Where the server answers queries and the worker caches, the query
 * task runs the cached workflow ahead and the next task records `gate`'s schedule before the Update's acceptance, which
 * replay cannot follow. Where the server refuses queries, the query never reaches the worker.
 * Used by test/integration/workflow-cache.test.ts and `npm run bench:cache-hazard`.
 */
import { CompleteAsyncError, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import proto, { type temporal } from '@temporalio/proto';
import {
  bundleWorkflowCode,
  DefaultLogger,
  type NativeConnection,
  Worker,
  type CustomSlotSupplier,
  type WorkflowBundle,
  type WorkflowSlotInfo,
} from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { cacheHazard, pollSink, roundQuery, workUpdate, type HazardActivities } from './cache-hazard.workflow';

const HAZARD_WORKFLOWS_PATH = fileURLToPath(new URL('./cache-hazard.workflow.ts', import.meta.url));

export async function bundleHazardWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: HAZARD_WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A worker of the hazard's workflow whose non-sticky workflow polling the driver can hold and release. */
export class HazardWorker {
  /** Task tokens of the `gate` activities waiting for the driver, by `<workflowId>/<round>`. */
  readonly gates = new Map<string, Uint8Array>();
  private held = false;
  private waiting: (() => void)[] = [];
  /** Non-sticky slots reserved for a poll whose task has not come yet: each such poll would take a task while held. */
  private outstanding = 0;
  private readonly permits = new WeakMap<object, { sticky: boolean; done: boolean }>();
  private running?: Promise<void>;
  worker!: Worker;

  private constructor(
    readonly taskQueue: string,
    readonly maxCachedWorkflows: number,
  ) {}

  static async start(opts: {
    connection: NativeConnection;
    namespace?: string;
    taskQueue: string;
    maxCachedWorkflows: number;
    workflowBundle: WorkflowBundle;
  }): Promise<HazardWorker> {
    const w = new HazardWorker(opts.taskQueue, opts.maxCachedWorkflows);
    const activities: HazardActivities = {
      gate: async (round) => {
        const info = Context.current().info;
        w.gates.set(`${info.workflowExecution?.workflowId}/${round}`, info.taskToken);
        throw new CompleteAsyncError();
      },
      work: async (input) => `done:${input}`,
    };
    w.worker = await Worker.create({
      connection: opts.connection,
      namespace: opts.namespace ?? 'default',
      taskQueue: opts.taskQueue,
      maxCachedWorkflows: opts.maxCachedWorkflows,
      workflowBundle: opts.workflowBundle,
      activities,
      tuner: {
        workflowTaskSlotSupplier: w.slotSupplier(),
        activityTaskSlotSupplier: { type: 'fixed-size', numSlots: 10 },
        localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: 10 },
        nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: 10 },
      },
    });
    w.running = w.worker.run();
    return w;
  }

  /** Holds new non-sticky polls until `release()`; those already out are drained by `drain()`. */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resume of waiting) resume();
  }

  get outstandingPolls(): number {
    return this.outstanding;
  }

  async stop(): Promise<void> {
    this.release();
    this.worker.shutdown();
    await this.running;
  }

  private slotSupplier(): CustomSlotSupplier<WorkflowSlotInfo> {
    const settle = (permit: unknown) => {
      const p = this.permits.get(permit as object);
      if (p && !p.sticky && !p.done) {
        p.done = true;
        this.outstanding--;
      }
    };
    return {
      type: 'custom',
      reserveSlot: async (ctx, abort) => {
        if (!ctx.isSticky) {
          while (this.held && !abort.aborted) {
            await new Promise<void>((resume) => {
              this.waiting.push(resume);
              abort.addEventListener('abort', () => resume(), { once: true });
            });
          }
        }
        const permit = {};
        this.permits.set(permit, { sticky: ctx.isSticky, done: false });
        if (!ctx.isSticky) this.outstanding++;
        return permit;
      },
      tryReserveSlot: () => null,
      markSlotUsed: (ctx) => settle(ctx.permit),
      releaseSlot: (ctx) => settle(ctx.permit),
    };
  }
}

export type QueryOutcome =
  { answered: true; value: number } | { answered: false; error: Error & { code?: number }; message: string };

export interface HazardTry {
  workflowId: string;
  query: QueryOutcome;
  /** The Update's result, or its error's message. */
  update: { ok: true; value: string } | { ok: false; message: string };
  /**
   * After `gate` 0 completed: the Update's acceptance and the activities scheduled, in the history's order. Replay
   * expects the acceptance first (`UpdateAccepted, ActivityTaskScheduled(work), ActivityTaskScheduled(gate)`).
   */
  orderAfterGate: string[];
  replay: { ok: true } | { ok: false; message: string };
}

const EventType = proto.temporal.api.enums.v1.EventType;

function orderAfterGate(events: temporal.api.history.v1.IHistoryEvent[]): string[] {
  const from = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
  return events.slice(from + 1).flatMap((e) => {
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) return ['UpdateAccepted'];
    const scheduled = e.activityTaskScheduledEventAttributes;
    return scheduled ? [`ActivityTaskScheduled(${scheduled.activityType?.name})`] : [];
  });
}

/** Rejects with `what` if `promise` does not settle within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * One try of the sequence on `hw`'s task queue; the workflow is terminated afterwards. The pauses give the server
 * time to place each event as the sequence needs (the research's reproduction used the same).
 */
export async function runHazardTry(
  client: Client,
  hw: HazardWorker,
  workflowId: string,
  workflowBundle: WorkflowBundle,
): Promise<HazardTry> {
  const handle = await client.workflow.start(cacheHazard, {
    taskQueue: hw.taskQueue,
    workflowId,
    workflowTaskTimeout: '10s',
  });
  try {
    const gate = `${workflowId}/0`;
    for (const deadline = Date.now() + 30_000; !hw.gates.has(gate); await pause(50))
      if (Date.now() > deadline) throw new Error(`${workflowId}: gate 0 not started within 30 s`);
    await pause(300);
    // As after a worker's death: the next task goes to the normal queue with the full history, while this worker
    // still holds the workflow in its cache.
    await client.workflowService.resetStickyTaskQueue({
      namespace: client.options.namespace,
      execution: { workflowId, runId: handle.firstExecutionRunId },
    });
    // No poller for the normal queue: the polls already out each take a throwaway workflow's task.
    hw.hold();
    for (let sink = 0; hw.outstandingPolls > 0; sink++) {
      if (sink >= 40) throw new Error(`${workflowId}: ${hw.outstandingPolls} polls still out after 40 sink workflows`);
      await client.workflow.start(pollSink, { taskQueue: hw.taskQueue, workflowId: `${workflowId}/sink-${sink}` });
      await pause(300);
    }
    // No workflow task is pending, so a query the server answers goes straight to the queue and waits for a poll.
    const query: Promise<QueryOutcome> = handle.query(roundQuery).then(
      (value) => ({ answered: true, value }),
      (error: Error & { code?: number }) => ({ answered: false, error, message: error.message }),
    );
    await pause(500);
    await client.activity.complete(hw.gates.get(gate)!, 1);
    await pause(300);
    const update = within(
      // The SDK's own call, as in the minimal reproduction: the hazard's sequence depends on its requests.
      // eslint-disable-next-line no-restricted-properties
      handle.executeUpdate(workUpdate, { args: ['x'], updateId: `${workflowId}/update` }),
      30_000,
      'the Update',
    ).then(
      (value) => ({ ok: true as const, value }),
      // "Workflow Update failed" says little: its cause says why.
      (err: Error) => ({
        ok: false as const,
        message: err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message,
      }),
    );
    await pause(300);
    hw.release();
    const outcome = { query: await within(query, 30_000, 'the query'), update: await update };
    const history = await handle.fetchHistory();
    const replay = await Worker.runReplayHistory({ workflowBundle }, history, workflowId).then(
      () => ({ ok: true as const }),
      (err: Error) => ({ ok: false as const, message: err.message }),
    );
    return { workflowId, ...outcome, orderAfterGate: orderAfterGate(history.events ?? []), replay };
  } finally {
    hw.release();
    await handle.terminate('cache hazard try done').catch(() => undefined);
  }
}
