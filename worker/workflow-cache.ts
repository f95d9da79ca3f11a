/**
 * How many workflows a worker keeps in memory between workflow tasks (Temporal's sticky cache). SDK 1.24 can record a
 * history it cannot replay when a query reaches a cached workflow whose new events wait for their task
 * (docs/workflow-cache.md), so the worker keeps a cache only where the Temporal server refuses every query in its
 * namespace (the dynamic config `system.disallowQuery`); then no query can reach it. Nothing in the engine asks a
 * workflow query: reads come from the PostgreSQL projection.
 */
import type { NativeConnection } from '@temporalio/worker';
import { envNumber, wholeNumber } from '../common/env-number';

/** The cache where the server refuses queries: about 270 KB of worker memory each (bench/README.md). */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 1000;

/** gRPC status codes: the refusal, and the answers of a server that cannot be reached (yet). */
const INVALID_ARGUMENT = 3;
const UNREACHABLE = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

export interface CacheDecision {
  size: number;
  /** Said once in the worker's log, so an operator sees why the worker runs with or without its cache. */
  reason: string;
  /** Chosen from the server's query setting (no size given): a caching worker then watches that setting. */
  followsServer: boolean;
}

/** OVOP_MAX_CACHED_WORKFLOWS as given: a whole number, or undefined when it is not set. */
export function configuredMaxCachedWorkflows(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return envNumber(env, 'OVOP_MAX_CACHED_WORKFLOWS', undefined, wholeNumber('workflows', 0));
}

/** The size follows the server's query setting unless an operator set one. */
export function decideWorkflowCache(queriesRefused: boolean, env: NodeJS.ProcessEnv = process.env): CacheDecision {
  const configured = configuredMaxCachedWorkflows(env);
  if (configured !== undefined) {
    const risk =
      configured > 0 && !queriesRefused
        ? '; the server answers queries, so a query can make this cache record an unreplayable history (docs/workflow-cache.md)'
        : '';
    return { size: configured, reason: `OVOP_MAX_CACHED_WORKFLOWS=${configured}${risk}`, followsServer: false };
  }
  return queriesRefused
    ? {
        size: DEFAULT_MAX_CACHED_WORKFLOWS,
        reason: `the namespace refuses queries (system.disallowQuery), so the worker caches up to ${DEFAULT_MAX_CACHED_WORKFLOWS} workflows`,
        followsServer: true,
      }
    : {
        size: 0,
        reason:
          'the namespace answers queries, so the worker keeps no cache and rebuilds each workflow from history at every task; set system.disallowQuery on the server for the cache (docs/workflow-cache.md)',
        followsServer: true,
      };
}

/**
 * Asks the server whether it refuses queries in the namespace: a query for a workflow that cannot exist is refused with
 * "not allowed to query" before the server looks for it, and answered with NOT_FOUND otherwise. Any other answer (a
 * permission the worker's identity lacks, say) counts as answered: no cache is the safe side. A server that cannot be
 * reached throws, for the caller's start-up retry.
 */
export async function namespaceRefusesQueries(connection: NativeConnection, namespace: string): Promise<boolean> {
  try {
    await connection.workflowService.queryWorkflow({
      namespace,
      execution: { workflowId: 'ovop-query-setting-probe/none' },
      query: { queryType: '__ovop_probe' },
    });
    return false;
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === INVALID_ARGUMENT && /not allowed to query/i.test((err as Error).message)) return true;
    if (code === undefined || UNREACHABLE.has(code)) throw err;
    return false;
  }
}

/** How often a caching worker asks again, by default: the server re-reads its dynamic config every 10–60 s. */
export const DEFAULT_QUERY_SETTING_CHECK_SECONDS = 30;

/** OVOP_QUERY_SETTING_CHECK_SECONDS in milliseconds: a whole number of seconds from 1 (tests) to 3600. */
export function querySettingCheckMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = envNumber(
    env,
    'OVOP_QUERY_SETTING_CHECK_SECONDS',
    DEFAULT_QUERY_SETTING_CHECK_SECONDS,
    wholeNumber('seconds', 1, 3600),
  );
  return seconds * 1000;
}

/**
 * A cache chosen because the server refused queries is only safe while it still does: the setting is dynamic config,
 * which an operator can change under a running worker. Checks it every `everyMs` and calls `onAnswered` once if the
 * namespace starts answering queries; a failed check (server unreachable) is tried again at the next interval.
 */
export function watchQueryRefusal(
  connection: NativeConnection,
  namespace: string,
  everyMs: number,
  onAnswered: () => void,
): { stop(): void } {
  let stopped = false;
  const timer = setInterval(() => {
    namespaceRefusesQueries(connection, namespace).then(
      (refused) => {
        if (refused || stopped) return;
        stopped = true;
        clearInterval(timer);
        onAnswered();
      },
      () => {},
    );
  }, everyMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
