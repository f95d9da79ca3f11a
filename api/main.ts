/**
 * `npm run api`: the HTTP API against real services — Temporal from the environment (@temporalio/envconfig, as the
 * worker), PostgreSQL from DATABASE_URL, SMTP from SMTP_URL (sign-in links); secrets also as files (NAME_FILE). Listens on OVOP_API_HOST:OVOP_API_PORT
 * (127.0.0.1:8080 by default); OVOP_API_URL is the address people reach it at (behind a proxy, its https URL). Documents
 * are stored in PostgreSQL, or in an S3-compatible bucket with OVOP_DOCUMENT_STORAGE=s3 (db/document-storage.ts).
 */
import { DEFAULT_TASK_QUEUE } from '../common/temporal-connection';
import { MigrationError } from '../db/migrate';
import { bootstrap, connectionSettingsOrExit, temporalSettingsOrExit, tracingOrExit } from '../worker/bootstrap';
import { whileUnreachable } from '../worker/startup-retry';
import { ApiMetrics, serveMetrics } from './metrics';
import { apiOptionsFromEnv, type ApiOptions } from './options';
import { buildApi } from './server';

const temporal = temporalSettingsOrExit('API');
const connections = connectionSettingsOrExit('API');
let options: ApiOptions;
try {
  options = apiOptionsFromEnv(process.env);
} catch (err) {
  // A bad setting (its name, never its value) stops the API with code 2, as a missing connection setting does.
  console.error(`The API does not start: ${(err as Error).message} (see docs/deployment.md#settings).`);
  process.exit(2);
}
const tracing = tracingOrExit('API', 'ovop-api');
try {
  const deps = await whileUnreachable(`PostgreSQL or Temporal (${temporal.address})`, () =>
    bootstrap({ temporal, ...connections }),
  );
  const metricsAddress = process.env.OVOP_API_METRICS_ADDRESS?.trim();
  const metrics = metricsAddress ? new ApiMetrics(deps.db) : undefined;
  const app = await buildApi({
    ...deps,
    metrics,
    taskQueue: process.env.OVOP_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
    options,
  });
  const address = await app.listen({
    host: process.env.OVOP_API_HOST ?? '127.0.0.1',
    port: Number(process.env.OVOP_API_PORT ?? 8080),
  });
  console.log(
    `OVOP API listening on ${address} (public URL ${options.publicUrl}); OpenAPI at ${options.publicUrl}/api/openapi.json`,
  );
  const metricsServer = metrics ? await serveMetrics(metrics.registry, metricsAddress!) : undefined;
  if (metricsServer) console.log(`Prometheus metrics at http://${metricsAddress}/metrics`);
  const stop = async () => {
    metricsServer?.close();
    await app.close();
    await deps.close();
    await tracing?.shutdown();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
} catch (err) {
  console.error(err instanceof MigrationError ? err.message : `API stopped: ${(err as Error).message}`);
  process.exit(1);
}
