/**
 * The worker's Prometheus metrics: the Temporal SDK's own (workflow and activity task latencies, slots, polls,
 * requests to the server, sticky cache), exported by its Rust core on OVOP_METRICS_ADDRESS (host:port, GET /metrics).
 * The runtime is made once per process, so this runs before the first connection.
 */
import { Runtime } from '@temporalio/worker';

/** Installs the runtime with the Prometheus exporter when OVOP_METRICS_ADDRESS is set; returns the address or undefined. */
export function installWorkerMetrics(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const bindAddress = env.OVOP_METRICS_ADDRESS?.trim();
  if (!bindAddress) return undefined;
  if (!/^.+:\d+$/.test(bindAddress)) {
    console.error(`OVOP_METRICS_ADDRESS is host:port, e.g. 0.0.0.0:9464, not "${bindAddress}"`);
    process.exit(2);
  }
  Runtime.install({
    telemetryOptions: {
      metrics: { prometheus: { bindAddress, countersTotalSuffix: true, useSecondsForDurations: true } },
    },
  });
  return bindAddress;
}
