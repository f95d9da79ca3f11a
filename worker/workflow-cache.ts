/**
 * How many workflows a worker keeps in memory between workflow tasks (Temporal's sticky cache). The engine's default is
 * none: every workflow task rebuilds its workflow from history, exactly as an auditor's replay does.
 *
 * Why: with the sticky cache on, SDK 1.24 can record a history that it cannot replay. A query answered by a worker while
 * new events are waiting for their workflow task (an activity result, say; it happens when a workflow task timed out
 * because a worker died, or a buffered query is released just as events arrive) runs the workflow forward in the
 * worker's memory; the commands that produces are sent with the next workflow task. If an Update arrives in that next
 * task, its acceptance is recorded after those commands, while a replay runs the Update first (the SDK processes Updates
 * before other jobs of one activation), and fails with "[TMPRL1100] Nondeterminism error: Update machine does not
 * handle this event". In the chaos runs (worker SIGKILLed, the driver querying) one nomination in ~20 got stuck that
 * way. Without a cache a query is answered on a fresh copy that is then dropped, so nothing it ran can leak into the
 * history. The price is CPU (bench/README figures); the workloads here are months-long and small, the audit trail is not
 * negotiable.
 *
 * OVOP_MAX_CACHED_WORKFLOWS sets another size for those who accept that risk (e.g. a worker no one queries).
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 0;

export function maxCachedWorkflows(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.OVOP_MAX_CACHED_WORKFLOWS;
  if (raw === undefined || raw === '') return DEFAULT_MAX_CACHED_WORKFLOWS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`OVOP_MAX_CACHED_WORKFLOWS must be a whole number of workflows (0 or more), not ${JSON.stringify(raw)}`);
  }
  return n;
}
