/**
 * The SDK's runtime, made once per process before the first connection: its logger (worker/log.ts) and its
 * Prometheus exporter (worker/metrics.ts) are both options of the one `Runtime.install`, so they are built here.
 */
import { Runtime } from '@temporalio/worker';
import { logFormatOf, workerLogger } from './log';
import { prometheusMetrics } from './metrics';

/**
 * Installs the runtime from the environment; returns the metrics address (or undefined) and the log format. `write`
 * receives the JSON lines instead of standard output (a test reads them).
 */
export function installWorkerRuntime(env: NodeJS.ProcessEnv = process.env, write?: (line: string) => void) {
  const format = logFormatOf(env);
  const metrics = prometheusMetrics(env);
  Runtime.install({
    logger: workerLogger(format, write),
    telemetryOptions: {
      ...(metrics ? { metrics } : {}),
      // The SDK's Rust core writes its own warnings to standard error in its own format; forwarded, they become JSON
      // lines of the same logger (sdkComponent "core").
      ...(format === 'json' ? { logging: { forward: {} } } : {}),
    },
  });
  return { metricsAddress: env.OVOP_METRICS_ADDRESS?.trim() || undefined, format };
}
