/**
 * Per-file test harness over the run's shared stack: a client, a database handle, a pooled mailer and a worker on a
 * task queue of its own, running the workflow bundle built once in globalSetup.
 */
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { Kysely } from 'kysely';
import { createMailer, type Mailer } from '../../activities/mailer';
import { createDb, type Database } from '../../db/database';
import { createWorker } from '../../worker/create-worker';
import { temporalSettings } from '../../common/temporal-connection';
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

/**
 * `redeliveriesExpected`: the file provokes a re-delivered mail on purpose. Otherwise a re-delivery the SMTP sink
 * absorbed while the file ran (files run one at a time) fails the file at `stop()`: the sink keeps one copy per
 * Message-ID, which must not hide a mail the engine sent twice.
 */
export async function startHarness(name: string, opts: { redeliveriesExpected?: boolean } = {}): Promise<Harness> {
  const temporal = temporalSettings({ address: inject('temporalAddress'), namespace: 'default' });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: 'default' });
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
      await connection.close();
      const redelivered = readRedeliveries(mailDir).slice(redeliveriesBefore);
      if (redelivered.length && !opts.redeliveriesExpected) {
        throw new Error(
          `the engine sent ${redelivered.length} mail(s) again that the SMTP sink had already stored: ${redelivered.map((r) => r.key).join(', ')}`,
        );
      }
    },
  };
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
