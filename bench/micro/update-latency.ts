/**
 * `npm run bench:latency [-- --n 60 --no-uncached]`: the warm round trip of one actor's update on loopback, with
 * nothing else running — what a dinas or coordinator waits for at the CLI. Each update is a coordinator's deadline
 * extension: validated, recorded in Postgres by an activity, and answered with the new state. Ours runs on the engine's
 * default: the worker decides its workflow cache as in production (the embedded dev server refuses queries, so it
 * caches: worker/workflow-cache.ts). Side by side, the same count of updates of the bare baseline workflow (an update
 * whose handler runs one no-op activity) with the same cache, so that the ratio isolates the domain's cost from the
 * engine's. Then both once more without a cache (every task a rebuild from history, as where queries are answered).
 * Writes results/<date>-latency.json.
 */
import { startNominationDirectly } from '../shared/cycle';
import { DefaultLogger, makeTelemetryFilterString, Runtime, Worker } from '@temporalio/worker';
import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap } from '../../worker/bootstrap';
import { createWorker } from '../../worker/create-worker';
import { startStack } from '../../embedded/stack';
import { extendDeadlineUpdate } from '../../workflows/messages';
import { nonNegative, parseOptions } from '../shared/args';
import { writeResult } from '../shared/report';
import { loadavg } from 'node:os';
import * as baselineActivities from '../shared/baseline.activities';
import { BENCH_WORKFLOWS_PATH } from '../shared/baseline-worker';
import { baselineNomination, baselineStepUpdate } from '../shared/baseline.workflow';
import { quietConfig, standaloneInput, waitForStage } from './standalone-nomination';
import { runUpdate } from '../../common/run-update';

const { n: N, uncached: UNCACHED } = parseOptions<{ n: number; uncached: boolean }>(
  new Command('bench:latency')
    .option('--n <count>', 'updates timed in each phase', nonNegative, 60)
    .option('--no-uncached', 'skip the second pair, ours and the baseline without a workflow cache'),
);
const WARMUP = 10;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
});
const dir = mkdtempSync(join(tmpdir(), 'ovop-latency-'));
const stack = await startStack({ stateDir: dir, persistent: true, headless: true });
const deps = await bootstrap({ temporal: stack.temporal, databaseUrl: stack.databaseUrl, smtpUrl: stack.smtpUrl });
const loadAtStart = loadavg()[0];
// Ours on the engine's default: no cache size given, so the worker decides it as in production.
const { worker, connection, cache } = await createWorker({ ...deps, temporal: stack.temporal, taskQueue: 'latency' });
const { worker: uncachedOursWorker, connection: uncachedOursConnection } = await createWorker({
  ...deps,
  temporal: stack.temporal,
  taskQueue: 'latency-uncached',
  tuning: { maxCachedWorkflows: 0 },
});
// The baseline twice too: with the cache ours got, which the ratio is taken against, and without one, as ours' second row.
const baselineWorker = (taskQueue: string, maxCached: number) =>
  Worker.create({
    connection,
    taskQueue,
    workflowsPath: BENCH_WORKFLOWS_PATH,
    activities: baselineActivities,
    maxCachedWorkflows: maxCached,
  });
const bareWorker = await baselineWorker('latency-baseline', cache.size);
// Without a cache on the default already, the second pair would repeat the first.
const PAIR_UNCACHED = UNCACHED && cache.size > 0;
const uncachedBareWorker = await baselineWorker('latency-baseline-uncached', 0);

async function measure(send: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < WARMUP + N; i++) {
    const t = performance.now();
    await send(i);
    if (i >= WARMUP) out.push(performance.now() - t);
  }
  return out;
}

const bareRun = async (taskQueue: string) => {
  const bare = await deps.client.workflow.start(baselineNomination, {
    workflowId: `${taskQueue}-${Date.now()}`,
    taskQueue,
    args: [{ updates: WARMUP + N, activities: WARMUP + N, timers: WARMUP + N }],
  });
  return measure(() => runUpdate(bare, baselineStepUpdate));
};
const oursRun = async (taskQueue: string) => {
  const config = quietConfig(`${taskQueue}-${Date.now()}`);
  const { handle: ours } = await startNominationDirectly(
    deps,
    taskQueue,
    standaloneInput(config, '32.05', 'IKM Latensi'),
  );
  await waitForStage(deps.db, config.id, 'AWAITING_SOCIALIZATION', 1, { timeoutMs: 60_000 });
  const coordinator = { role: 'coordinator' as const, id: 'bench', region: '00' };
  const base = Date.now() + 40 * 86_400_000;
  return measure((i) =>
    runUpdate(ours, extendDeadlineUpdate, {
      args: [{ actor: coordinator, stage: 'documents', until: new Date(base + i * 60_000).toISOString() }],
    }),
  );
};
const result = await worker.runUntil(() =>
  uncachedOursWorker.runUntil(() =>
    bareWorker.runUntil(() =>
      uncachedBareWorker.runUntil(async () => {
        const oursMs = await oursRun('latency');
        const bareMs = await bareRun('latency-baseline');
        const oursUncachedMs = PAIR_UNCACHED ? await oursRun('latency-uncached') : null;
        const uncachedMs = PAIR_UNCACHED ? await bareRun('latency-baseline-uncached') : null;
        return { oursMs, bareMs, oursUncachedMs, uncachedMs };
      }),
    ),
  ),
);
const row = (name: string, xs: number[]) =>
  `${name.padEnd(9)} p50 ${pct(xs, 50).toFixed(1).padStart(6)} ms   p95 ${pct(xs, 95).toFixed(1).padStart(6)} ms   p99 ${pct(xs, 99).toFixed(1).padStart(6)} ms`;
console.log(
  `warm update round trip, ${N} sequential updates after ${WARMUP} warm-up, ${stack.embedded.postgres ? 'PGlite' : 'PostgreSQL'}`,
);
console.log(
  `workflow cache of ours: ${cache.size} — ${cache.reason}; load average at the start ${loadAtStart.toFixed(1)}`,
);
console.log(row('ours', result.oursMs) + `   (the engine's default: workflow cache of ${cache.size})`);
console.log(row('baseline', result.bareMs) + `   (the same cache, ${cache.size})`);
if (result.oursUncachedMs && result.uncachedMs) {
  console.log(row('ours', result.oursUncachedMs) + '   (no workflow cache)');
  console.log(row('baseline', result.uncachedMs) + '   (no workflow cache)');
}
const ratio = (a: number[], b: number[]) => Math.round((pct(a, 95) / pct(b, 95)) * 100) / 100;
const uncachedRatio =
  result.oursUncachedMs && result.uncachedMs ? ratio(result.oursUncachedMs, result.uncachedMs) : null;
console.log(
  `ratio p95 ours/baseline: ${ratio(result.oursMs, result.bareMs)} on the default (cache ${cache.size})${uncachedRatio === null ? '' : `, ${uncachedRatio} without a cache`}; goal: ours p95 ≤ 150 ms on the default`,
);
const stats = (xs: number[] | null) =>
  xs && {
    p50: Math.round(pct(xs, 50) * 10) / 10,
    p95: Math.round(pct(xs, 95) * 10) / 10,
    p99: Math.round(pct(xs, 99) * 10) / 10,
  };
const path = writeResult('latency', {
  date: new Date().toISOString(),
  n: N,
  warmup: WARMUP,
  postgres: stack.embedded.postgres ? 'PGlite' : 'PostgreSQL (DATABASE_URL)',
  loadAverageAtStart: Math.round(loadAtStart * 10) / 10,
  workflowCache: cache,
  oursMs: stats(result.oursMs),
  baselineMs: stats(result.bareMs),
  ratioP95: ratio(result.oursMs, result.bareMs),
  uncached: PAIR_UNCACHED
    ? { oursMs: stats(result.oursUncachedMs), baselineMs: stats(result.uncachedMs), ratioP95: uncachedRatio }
    : null,
});
console.log(`Result written to ${path}`);
await connection.close();
await uncachedOursConnection.close();
await deps.close();
await stack.stop();
rmSync(dir, { recursive: true, force: true });
