/**
 * The engine's worker (worker/create-worker.ts, as `npm run worker` builds it) in a process of its own, so that
 * `npm run bench:memory` can read its memory alone. Settings come from the environment like the real worker's
 * (TEMPORAL_ADDRESS, DATABASE_URL, SMTP_URL, OVOP_TASK_QUEUE, OVOP_MAX_CACHED_WORKFLOWS). On each line "measure" on
 * stdin it collects garbage (run with --expose-gc) and prints one line `memory {json}`; it stops on stdin's end.
 */
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { createInterface } from 'node:readline';
import { bootstrap } from '../../worker/bootstrap';
import { createWorker } from '../../worker/create-worker';
import { temporalSettings } from '../../common/temporal-connection';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc: the measurement must not count garbage');

// Warnings and errors only: the bundler's and the worker's start-up lines would bury the bench's own.
Runtime.install({
  logger: new DefaultLogger('WARN'),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
});
const env = (name: string) =>
  process.env[name] ??
  (() => {
    throw new Error(`${name} is not set`);
  })();
const temporal = temporalSettings();
const deps = await bootstrap({ temporal, databaseUrl: env('DATABASE_URL'), smtpUrl: env('SMTP_URL') });
const { worker, connection } = await createWorker({ ...deps, temporal, taskQueue: env('OVOP_TASK_QUEUE') });
const running = worker.run();

async function measure(): Promise<void> {
  // Twice, with a pause: the second pass frees what the first one's finalizers let go.
  gc!();
  await new Promise((r) => setTimeout(r, 500));
  gc!();
  const m = process.memoryUsage();
  const line = {
    rss: m.rss,
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    cachedWorkflows: worker.getStatus().numCachedWorkflows,
  };
  process.stdout.write(`memory ${JSON.stringify(line)}\n`);
}

process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) if (line.trim() === 'measure') await measure();
worker.shutdown();
await running;
await connection.close();
await deps.close();
