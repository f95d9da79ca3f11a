/**
 * How many workflows a worker keeps in memory between workflow tasks (Temporal's sticky cache). The engine's default is
 * none: every workflow task rebuilds its workflow from history, exactly as an auditor's replay does. With the cache on,
 * SDK 1.24 can record a history that it cannot replay (docs/workflow-cache.md); OVOP_MAX_CACHED_WORKFLOWS sets another
 * size for those who accept that risk.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 0;

export function maxCachedWorkflows(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.OVOP_MAX_CACHED_WORKFLOWS;
  if (raw === undefined || raw === '') return DEFAULT_MAX_CACHED_WORKFLOWS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(
      `OVOP_MAX_CACHED_WORKFLOWS must be a whole number of workflows (0 or more), not ${JSON.stringify(raw)}`,
    );
  }
  return n;
}
