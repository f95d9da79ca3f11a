/** Builds a worker over its dependencies; used by `npm run worker`, `npm start` and the tests alike. */
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { createActivities } from '../activities';
import type { Mailer } from '../activities/mailer';
import type { Database } from '../db/database';
import { dataConverterOf, type TemporalSettings } from '../common/temporal-connection';
import { activeTracing, workflowTracingSinks } from '../common/tracing';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../common/workflow-bundle';
import { decideWorkflowCache, namespaceRefusesQueries, type CacheDecision } from './workflow-cache';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface WorkerDeps {
  temporal: TemporalSettings;
  client: Client;
  db: Kysely<Database>;
  mailer: Mailer;
  taskQueue: string;
  /** Pre-bundled workflow code (tests bundle once per run); otherwise bundled from WORKFLOWS_PATH at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  tuning?: Partial<WorkerOptions>;
  /** The portal's public address, for the links in mails. */
  portalUrl?: string;
}

export interface CreatedWorker {
  worker: Worker;
  connection: NativeConnection;
  /** The workflow cache it runs with, and why (worker/workflow-cache.ts). */
  cache: CacheDecision;
}

export async function createWorker(deps: WorkerDeps): Promise<CreatedWorker> {
  const connection = await NativeConnection.connect(deps.temporal.connectionOptions);
  const given = deps.tuning?.maxCachedWorkflows;
  let cache: CacheDecision;
  try {
    cache =
      given === undefined
        ? decideWorkflowCache(await namespaceRefusesQueries(connection, deps.temporal.namespace))
        : { size: given, reason: `maxCachedWorkflows ${given} given by the caller`, followsServer: false };
  } catch (err) {
    await connection.close();
    throw err;
  }
  const tracing = activeTracing();
  const worker = await Worker.create({
    connection,
    namespace: deps.temporal.namespace,
    taskQueue: deps.taskQueue,
    dataConverter: dataConverterOf(deps.temporal),
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities({ db: deps.db, mailer: deps.mailer, client: deps.client, portalUrl: deps.portalUrl }),
    // The workflow interceptors are in the bundle whether this process traces or not (a prebuilt bundle has them
    // already: common/workflow-bundle.ts); activities get their spans only when it does (common/tracing.ts).
    interceptors: {
      ...(deps.workflowBundle ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
      activity: tracing?.activityInterceptors() ?? [],
    },
    sinks: workflowTracingSinks(tracing),
    // On shutdown, give running activities a moment to finish, then stop regardless: a stuck SMTP server must not
    // keep a worker from restarting. Whatever was cut off is retried by Temporal on another worker.
    shutdownGraceTime: '5 seconds',
    shutdownForceTime: '15 seconds',
    // A cache only where the server refuses queries: workflow-cache.ts says why.
    maxCachedWorkflows: cache.size,
    ...deps.tuning,
  });
  return { worker, connection, cache };
}
