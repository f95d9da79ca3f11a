/**
 * `npm run worker`: a worker against real services — Temporal from the environment (@temporalio/envconfig),
 * PostgreSQL from DATABASE_URL, SMTP from SMTP_URL (each also as a file, DATABASE_URL_FILE, SMTP_URL_FILE). Run as many as you like; nothing assumes a single worker.
 */
import { MigrationError } from '../db/migrate';
import { bootstrap, connectionSettingsOrExit, temporalSettingsOrExit, tracingOrExit } from './bootstrap';
import { createWorker } from './create-worker';
import { whileUnreachable } from './startup-retry';
import { DEFAULT_TASK_QUEUE } from '../common/temporal-connection';
import { prebuiltWorkflowBundle } from '../common/workflow-bundle';
import { archiveEvery, startHistoryArchiver } from '../common/history-archiver';
import { installWorkerRuntime } from './runtime';
import { querySettingCheckMs, watchQueryRefusal } from './workflow-cache';

// Before the first connection: the SDK's runtime is made once, with its logger and Prometheus exporter or without.
const { metricsAddress } = installWorkerRuntime();
const temporal = temporalSettingsOrExit('worker');
const tracing = tracingOrExit('worker', 'ovop-worker');
try {
  const connections = connectionSettingsOrExit('worker');
  const archiveMs = archiveEvery();
  // Each check costs one refused call (worker/workflow-cache.ts).
  const querySettingEveryMs = querySettingCheckMs();
  const deps = await whileUnreachable(`PostgreSQL or Temporal (${temporal.address})`, () =>
    bootstrap({ temporal, ...connections }),
  );
  const taskQueue = process.env.OVOP_TASK_QUEUE ?? DEFAULT_TASK_QUEUE;
  // Compiled (node dist/worker/main.js), the worker loads the workflow code npm run build bundled.
  const bundle = prebuiltWorkflowBundle();
  const { worker, connection, cache } = await whileUnreachable(`Temporal (${temporal.address})`, () =>
    createWorker({
      ...deps,
      temporal,
      taskQueue,
      workflowBundle: bundle ? { codePath: bundle } : undefined,
      portalUrl: process.env.OVOP_PORTAL_URL || undefined,
    }),
  );
  console.log(
    `Worker polling ${taskQueue} on ${temporal.address} (namespace ${temporal.namespace}); workflow code ${bundle ? `prebuilt in ${bundle}` : 'bundled at start from workflows/index.ts'}${metricsAddress ? `; Prometheus metrics at http://${metricsAddress}/metrics` : ''}.`,
  );
  console.log(`Workflow cache ${cache.size}: ${cache.reason}.`);
  // If an operator lets the namespace answer queries again, the cache stops being safe: stop (exit 1) so that the
  // supervisor starts the worker again, which then runs without it.
  let queriesAnswered = false;
  const watch =
    cache.size > 0 && cache.followsServer
      ? watchQueryRefusal(connection, temporal.namespace, querySettingEveryMs, () => {
          queriesAnswered = true;
          console.error(
            `Worker stopping: namespace ${temporal.namespace} now answers queries, and a cached workflow is unsafe then (docs/workflow-cache.md); started again, it runs without a cache.`,
          );
          worker.shutdown();
        })
      : undefined;
  // Closed runs' histories go to the permanent archive before the namespace's retention deletes them.
  const archiver = archiveMs ? startHistoryArchiver(deps.client, deps.db, archiveMs) : undefined;
  await worker.run(); // returns after SIGINT/SIGTERM or the query setting's change, once in-flight tasks are done
  watch?.stop();
  await archiver?.stop();
  await connection.close();
  await deps.close();
  await tracing?.shutdown();
  if (queriesAnswered) process.exit(1);
} catch (err) {
  console.error(err instanceof MigrationError ? err.message : `Worker stopped: ${(err as Error).message}`);
  process.exit(1);
}
