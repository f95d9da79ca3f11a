/**
 * `npm run bench:options [-- --rounds 5]`: what the worker options the SDK offers do to the cost of a rebuild. Replays
 * every workflow-task prefix of the newest nomination fixture (one nomination's life of rebuilds without a cache, as
 * `bench:replay` does) on the live worker's path (`debugMode: false`: a workflow thread, the sandbox's deadlock
 * timeout) with each variant, rounds rotating the order; reports the median wall time and the process's CPU time (all
 * threads), each against the engine's settings. CPU is the steadier figure on a shared machine.
 */
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, Runtime, Worker } from '@temporalio/worker';
import type { ReplayWorkerOptions } from '@temporalio/worker';
import { Command } from 'commander';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../common/workflow-bundle';
import { historyFromJSON } from '../../client/history-json';
import type { History } from '../../client/history';
import { nonNegative, parseOptions } from '../shared/args';
import { taskPrefixes } from '../shared/history';
import { writeResult } from '../shared/report';
import { median } from '../shared/stats';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/histories', import.meta.url));

/** Variants of the options a worker could run with; the first is the engine's (the SDK's defaults). */
const VARIANTS: { label: string; options: Record<string, unknown> }[] = [
  { label: 'engine (SDK defaults)', options: {} },
  { label: 'reuseV8Context: false', options: { reuseV8Context: false } },
  { label: 'workflowThreadPoolSize: 2', options: { workflowThreadPoolSize: 2 } },
  { label: "isolateExecutionTimeout: '1 hour'", options: { isolateExecutionTimeout: '1 hour' } },
  { label: 'showStackTraceSources: true', options: { showStackTraceSources: true } },
  // Not for production: workflows on the main thread, no deadlock detection. The replay worker's default.
  { label: 'debugMode: true (unsafe)', options: { debugMode: true } },
];

function newestNominationFixture(): string {
  const files = readdirSync(FIXTURES).filter((f) => /^nomination-r\d+-excellent\.json$/.test(f));
  const version = (f: string) => Number(/-r(\d+)-/.exec(f)![1]);
  return join(FIXTURES, files.sort((a, b) => version(b) - version(a))[0]);
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function replayAll(options: ReplayWorkerOptions, histories: History[]): Promise<{ wall: number; cpu: number }> {
  const t0 = performance.now();
  const c0 = cpuSeconds();
  const results = Worker.runReplayHistories(
    options,
    histories.map((history, i) => ({ workflowId: `options-${i}`, history })),
  );
  for await (const r of results) if (r.error) throw new Error(`${r.workflowId} did not replay: ${r.error.message}`);
  return { wall: performance.now() - t0, cpu: (cpuSeconds() - c0) * 1000 };
}

async function main(): Promise<void> {
  const { rounds } = parseOptions<{ rounds: number }>(
    new Command('bench:options').option(
      '--rounds <n>',
      'rounds, each replaying the life once per variant',
      nonNegative,
      5,
    ),
  );
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
  });
  const file = newestNominationFixture();
  const history = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
  const life = taskPrefixes(history.events ?? []).map((events) => ({ events }));
  const { code } = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: new DefaultLogger('ERROR'),
  });
  const base: ReplayWorkerOptions = { workflowBundle: { code } };
  const samples = VARIANTS.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  const run = (i: number) =>
    replayAll({ ...base, debugMode: false, ...VARIANTS[i].options } as ReplayWorkerOptions, life);
  console.log(`${file.split('/').pop()}: ${life.length} rebuilds; load ${loadavg()[0].toFixed(1)}`);
  for (let i = 0; i < VARIANTS.length; i++) await run(i); // warm-up, not counted
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < VARIANTS.length; k++) {
      const i = (k + r) % VARIANTS.length;
      const s = await run(i);
      samples[i].wall.push(s.wall);
      samples[i].cpu.push(s.cpu);
    }
    console.log(`round ${r + 1}/${rounds} (load ${loadavg()[0].toFixed(1)})`);
  }
  const m = (xs: number[]) => Math.round(median(xs));
  const engine = { wall: median(samples[0].wall), cpu: median(samples[0].cpu) };
  const rows = VARIANTS.map((v, i) => ({
    variant: v.label,
    options: v.options,
    wallMs: m(samples[i].wall),
    cpuMs: m(samples[i].cpu),
    wallRatio: Math.round((median(samples[i].wall) / engine.wall) * 100) / 100,
    cpuRatio: Math.round((median(samples[i].cpu) / engine.cpu) * 100) / 100,
    all: samples[i],
  }));
  console.log(`\none nomination's life of rebuilds, median of ${rounds} (ratio: against the engine's settings):`);
  for (const r of rows)
    console.log(
      `  ${r.variant.padEnd(36)} wall ${String(r.wallMs).padStart(6)} ms (${r.wallRatio})   CPU ${String(r.cpuMs).padStart(6)} ms (${r.cpuRatio})`,
    );
  const result = { date: new Date().toISOString(), history: file.split('/').pop(), rounds, load: loadavg(), rows };
  console.log(`Result written to ${writeResult('worker-options', result)}`);
}

main().catch((err) => {
  console.error(`bench:options failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
