/**
 * Per-file test harness over the run's shared stack: a client, a database handle, a pooled mailer and a worker on a
 * task queue of its own, running the workflow bundle built once in globalSetup. At `stop()` it fails the file for what
 * no single test sees: a mail re-delivered, or a workflow task failed in any workflow that ran on the file's queue.
 */
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { Kysely } from 'kysely';
import { createMailer, type Mailer } from '../../activities/mailer';
import { createDb, type Database } from '../../db/database';
import { createWorker } from '../../worker/create-worker';
import { dataConverterOf, temporalSettings } from '../../common/temporal-connection';
import type { PayloadCodec } from '@temporalio/common';
import { decodeHistoryWith } from '../../common/history-decoding';
import { readRedeliveries } from '../../embedded/mail-store';

export interface Harness {
  client: Client;
  db: Kysely<Database>;
  mailer: Mailer;
  taskQueue: string;
  mailDir: string;
  worker: Worker;
  stop(): Promise<void>;
}

/** A workflow task failure a file provokes on purpose, or meets by the engine's design; anything else fails the file. */
export interface ExpectedTaskFailure {
  /** The workflows it may happen in. */
  workflowId: RegExp;
  /** Matched against `<cause>: <message>`, e.g. `UNHANDLED_COMMAND: …`. */
  failure: RegExp;
  /** Why it happens, for the reader. */
  why: string;
}

/**
 * `redeliveriesExpected`: the file provokes a re-delivered mail on purpose. Otherwise a re-delivery the SMTP sink
 * absorbed while the file ran (files run one at a time) fails the file at `stop()`: the sink keeps one copy per
 * Message-ID, which must not hide a mail the engine sent twice.
 *
 * `taskFailuresExpected`: the workflow task failures the file expects. Any other `WorkflowTaskFailed` event in the
 * history of a workflow that ran on the file's task queue (those the tests started, and the nominations a cycle's
 * activity started there) fails the file at `stop()`: a failed task is retried silently, so no test sees it, yet it
 * is a bug in workflow code (a thrown Error, a non-determinism) or a command the server refused.
 */
export async function startHarness(
  name: string,
  opts: {
    redeliveriesExpected?: boolean;
    taskFailuresExpected?: readonly ExpectedTaskFailure[];
    /** The portal address the worker's mails link to. */
    portalUrl?: string;
    /** Encrypts the payloads of the file's client and worker (common/payload-codec.ts). */
    payloadCodec?: PayloadCodec;
  } = {},
): Promise<Harness> {
  const temporal = {
    ...temporalSettings({ address: inject('temporalAddress'), namespace: 'default' }),
    payloadCodec: opts.payloadCodec,
  };
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: 'default', dataConverter: dataConverterOf(temporal) });
  const db = createDb(inject('databaseUrl'));
  const mailer = createMailer(inject('smtpUrl'));
  const taskQueue = `test-${name}-${Date.now()}`;
  const { worker, connection: workerConnection } = await createWorker({
    temporal,
    client,
    db,
    mailer,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    portalUrl: opts.portalUrl,
  });
  const running = worker.run();
  const mailDir = inject('mailDir');
  const redeliveriesBefore = readRedeliveries(mailDir).length;
  return {
    client,
    db,
    mailer,
    taskQueue,
    mailDir,
    worker,
    async stop() {
      worker.shutdown();
      await running;
      await workerConnection.close();
      mailer.close();
      await db.destroy();
      const failed = await taskFailuresOn(client, taskQueue).finally(() => connection.close());
      const unexpected = failed.filter(
        (f) => !opts.taskFailuresExpected?.some((e) => e.workflowId.test(f.workflowId) && e.failure.test(f.failure)),
      );
      const problems: string[] = [];
      const redelivered = readRedeliveries(mailDir).slice(redeliveriesBefore);
      if (redelivered.length && !opts.redeliveriesExpected) {
        problems.push(
          `the engine sent ${redelivered.length} mail(s) again that the SMTP sink had already stored: ${redelivered.map((r) => r.key).join(', ')}`,
        );
      }
      if (unexpected.length) {
        problems.push(
          `${unexpected.length} workflow task(s) failed on ${taskQueue} that the file did not expect:\n${unexpected
            .slice(0, 20)
            .map((f) => `  ${f.workflowId} (run ${f.runId}, event ${f.eventId}) ${f.failure}`)
            .join('\n')}`,
        );
      }
      if (problems.length) throw new Error(problems.join('\n'));
    },
  };
}

export interface TaskFailure {
  workflowId: string;
  runId: string;
  eventId: string;
  /** `<cause>: <message>`, the cause without its `WORKFLOW_TASK_FAILED_CAUSE_` prefix. */
  failure: string;
}

/**
 * Every `WorkflowTaskFailed` event in the histories of the workflows (every run) that ran on `taskQueue`, listed by
 * visibility; histories are fetched a few at a time.
 */
export async function taskFailuresOn(client: Client, taskQueue: string): Promise<TaskFailure[]> {
  const runs: { workflowId: string; runId: string }[] = [];
  for await (const w of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` }))
    runs.push({ workflowId: w.workflowId, runId: w.runId });
  const causes = temporal.api.enums.v1.WorkflowTaskFailedCause;
  const out: TaskFailure[] = [];
  const queue = [...runs];
  const fetchSome = async () => {
    for (let r = queue.shift(); r; r = queue.shift()) {
      const { events } = await decodeHistoryWith(
        client,
        await client.workflow.getHandle(r.workflowId, r.runId).fetchHistory(),
      );
      const terminated = (events ?? []).some((e) => e.workflowExecutionTerminatedEventAttributes);
      for (const e of events ?? []) {
        const a = e.workflowTaskFailedEventAttributes;
        if (!a) continue;
        const cause = (causes[a.cause ?? 0] ?? String(a.cause)).replace(/^WORKFLOW_TASK_FAILED_CAUSE_/, '');
        // A test's cleanup that terminates a workflow mid-task makes the server fail that task: not the code's doing.
        if (cause === 'FORCE_CLOSE_COMMAND' && terminated) continue;
        out.push({ ...r, eventId: String(e.eventId), failure: `${cause}: ${a.failure?.message ?? ''}` });
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, fetchSome));
  return out;
}

/** Polls until `fn` returns a truthy value, or fails with the last value seen. */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

export async function waitFor<T>(
  fn: () => Promise<T>,
  opts: { timeoutMs?: number; what?: string } = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last as Truthy<T>;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${opts.what ?? 'condition'}; last value: ${JSON.stringify(last)}`);
}
