/**
 * `npm run bench:latency`: the warm round trip of one actor's update on loopback, with nothing else running — what a
 * dinas or coordinator waits for at the CLI. Each update is a coordinator's deadline extension: validated, recorded in
 * Postgres by an activity, and answered with the new state. Side by side, the same count of updates of the bare
 * baseline workflow (an update whose handler runs one no-op activity) on the same worker settings, so that the ratio
 * isolates the domain's cost from the engine's. Then both once more with a workflow cache, the engine's opt-in setting
 * (OVOP_MAX_CACHED_WORKFLOWS; worker/workflow-cache.ts says why it is not the default).
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
import { configuredMaxCachedWorkflows } from '../../worker/workflow-cache';
import { nonNegative, parseOptions } from '../shared/args';
import * as baselineActivities from '../shared/baseline.activities';
import { BENCH_WORKFLOWS_PATH } from '../shared/baseline-worker';
import { baselineNomination, baselineStepUpdate } from '../shared/baseline.workflow';
import { quietConfig, standaloneInput, waitForStage } from './standalone-nomination';

const { n: N } = parseOptions<{ n: number }>(
  new Command('bench:latency').option('--n <count>', 'updates timed in each phase', nonNegative, 60),
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
/** The size of the opt-in cache in the cached rows; a few workflows are all this bench keeps. */
const CACHE = 100;
const { worker, connection } = await createWorker({ ...deps, temporal: stack.temporal, taskQueue: 'latency' });
const { worker: cachedOursWorker, connection: cachedOursConnection } = await createWorker({
  ...deps,
  temporal: stack.temporal,
  taskQueue: 'latency-cached',
  tuning: { maxCachedWorkflows: CACHE },
});
// The baseline twice too: with the engine's worker settings (no workflow cache), which the ratio is taken against, and
// with the same cache as the cached row of ours.
const baselineWorker = (taskQueue: string, maxCached?: number) =>
  Worker.create({
    connection,
    taskQueue,
    workflowsPath: BENCH_WORKFLOWS_PATH,
    activities: baselineActivities,
    ...(maxCached === undefined ? {} : { maxCachedWorkflows: maxCached }),
  });
const bareWorker = await baselineWorker('latency-baseline', configuredMaxCachedWorkflows() ?? 0);
const cachedWorker = await baselineWorker('latency-baseline-cached', CACHE);

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
  return measure(() => bare.executeUpdate(baselineStepUpdate));
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
    ours.executeUpdate(extendDeadlineUpdate, {
      args: [{ actor: coordinator, stage: 'documents', until: new Date(base + i * 60_000).toISOString() }],
    }),
  );
};
const result = await worker.runUntil(() =>
  cachedOursWorker.runUntil(() =>
    bareWorker.runUntil(() =>
      cachedWorker.runUntil(async () => {
        const oursMs = await oursRun('latency');
        const bareMs = await bareRun('latency-baseline');
        const oursCachedMs = await oursRun('latency-cached');
        const cachedMs = await bareRun('latency-baseline-cached');
        return { oursMs, bareMs, oursCachedMs, cachedMs };
      }),
    ),
  ),
);
const row = (name: string, xs: number[]) =>
  `${name.padEnd(9)} p50 ${pct(xs, 50).toFixed(1).padStart(6)} ms   p95 ${pct(xs, 95).toFixed(1).padStart(6)} ms   p99 ${pct(xs, 99).toFixed(1).padStart(6)} ms`;
console.log(
  `warm update round trip, ${N} sequential updates after ${WARMUP} warm-up, ${stack.embedded.postgres ? 'PGlite' : 'PostgreSQL'}`,
);
console.log(row('ours', result.oursMs));
console.log(row('baseline', result.bareMs) + '   (same worker settings: no workflow cache)');
console.log(row('ours', result.oursCachedMs) + `   (workflow cache of ${CACHE}, OVOP_MAX_CACHED_WORKFLOWS)`);
console.log(row('baseline', result.cachedMs) + `   (workflow cache of ${CACHE})`);
const ratio = (a: number[], b: number[]) => (pct(a, 95) / pct(b, 95)).toFixed(2);
console.log(
  `ratio p95 ours/baseline: ${ratio(result.oursMs, result.bareMs)} without a cache, ${ratio(result.oursCachedMs, result.cachedMs)} with one; goal: ours p95 ≤ 100 ms`,
);
await connection.close();
await cachedOursConnection.close();
await deps.close();
await stack.stop();
rmSync(dir, { recursive: true, force: true });
