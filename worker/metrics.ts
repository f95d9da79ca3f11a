/**
 * The worker's Prometheus metrics: the Temporal SDK's own (workflow and activity task latencies, slots, polls,
 * requests to the server, sticky cache), exported by its Rust core on OVOP_METRICS_ADDRESS (host:port, GET /metrics).
 * The runtime that exports them is installed by worker/runtime.ts.
 */
import type { TelemetryOptions } from '@temporalio/worker';

/** The exporter's options when OVOP_METRICS_ADDRESS is set, else undefined; a malformed address stops the process. */
export function prometheusMetrics(env: NodeJS.ProcessEnv = process.env): TelemetryOptions['metrics'] | undefined {
  const bindAddress = env.OVOP_METRICS_ADDRESS?.trim();
  if (!bindAddress) return undefined;
  if (!/^.+:\d+$/.test(bindAddress)) {
    console.error(`OVOP_METRICS_ADDRESS is host:port, e.g. 0.0.0.0:9464, not "${bindAddress}"`);
    process.exit(2);
  }
  return { prometheus: { bindAddress, countersTotalSuffix: true, useSecondsForDurations: true } };
}
