/**
 * `npm run bench:replay [-- --history <file> --rounds 9]`: what our workflow code costs the worker, measured apart from
 * the server, the network and the database, side by side with the bare baseline.
 *
 * Without a workflow cache (worker/workflow-cache.ts) the worker rebuilds a nomination from its history for every
 * workflow task: a nomination's lifetime costs the replay of each prefix of its history that ends where a workflow task
 * starts. This bench replays exactly those prefixes (in-process, `Worker.runReplayHistories`, the same workflow thread
 * and sandbox as a live worker) for a recorded nomination (default: the newest committed fixture) and for a baseline
 * history of the same shape (bench/shared/baseline.workflow.ts) recorded on the spot on a dev server. Rounds alternate the two
 * so that the machine's noise falls on both; medians are reported, and the ratio baseline / ours is comparable to the
 * throughput bench's ratioToBaseline.
 */
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  makeTelemetryFilterString,
  NativeConnection,
  Runtime,
  Worker,
} from '@temporalio/worker';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../common/workflow-bundle';
import { Command } from 'commander';
import { historyFromJSON, historyToJSON } from '../../client/history-json';
import type { History } from '../../client/history';
import { startDevServer } from '../../embedded/dev-server';
import { freePort } from '../../embedded/ports';
import { nonNegative, parseOptions } from '../shared/args';
import * as baselineActivities from '../shared/baseline.activities';
import { baselineNomination, baselineStepUpdate, type BaselineShape } from '../shared/baseline.workflow';
import { BENCH_WORKFLOWS_PATH } from '../shared/baseline-worker';
import { shapeOfEvents, taskPrefixes } from '../shared/history';
import { median } from '../shared/stats';
import { writeResult } from '../shared/report';
import { runUpdate } from '../../common/run-update';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/histories', import.meta.url));

/** The newest nomination fixture of the 'excellent' script: the whole lifecycle, no revision, no hold. */
function newestNominationFixture(): string {
  const files = readdirSync(FIXTURES).filter((f) => /^nomination-r\d+-excellent\.json$/.test(f));
  const version = (f: string) => Number(/-r(\d+)-/.exec(f)![1]);
  return join(FIXTURES, files.sort((a, b) => version(b) - version(a))[0]);
}

const lifetimeOf = (h: History): History[] => taskPrefixes(h.events ?? []).map((events) => ({ events }));

/** One baseline run of `shape`, recorded on a throwaway dev server (SQLite in memory). */
async function recordBaseline(shape: BaselineShape): Promise<History> {
  const dir = mkdtempSync(join(tmpdir(), 'ovop-replay-cost-'));
  const server = await startDevServer({
    port: await freePort(),
    headless: true,
    logFile: join(dir, 'temporal-server.log'),
  });
  try {
    const connection = await Connection.connect({ address: server.address });
    const workerConnection = await NativeConnection.connect({ address: server.address });
    const client = new Client({ connection });
    const taskQueue = 'replay-cost-baseline';
    const worker = await Worker.create({
      connection: workerConnection,
      taskQueue,
      workflowsPath: BENCH_WORKFLOWS_PATH,
      activities: baselineActivities,
    });
    const history = await worker.runUntil(async () => {
      const handle = await client.workflow.start(baselineNomination, {
        workflowId: `replay-cost-baseline-${Date.now()}`,
        taskQueue,
        args: [shape],
      });
      for (let u = 0; u < shape.updates; u++) await runUpdate(handle, baselineStepUpdate);
      await handle.result();
      return handle.fetchHistory();
    });
    await connection.close();
    await workerConnection.close();
    return history as History;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Replays every history once on one replay worker; throws on the first that fails (a replay error is a bench bug). */
async function replayAll(code: string, label: string, histories: History[]): Promise<number> {
  const t0 = performance.now();
  const results = Worker.runReplayHistories(
    { workflowBundle: { code } },
    histories.map((history, i) => ({ workflowId: `${label}-${i}`, history })),
  );
  for await (const r of results)
    if (r.error) throw new Error(`${label}: prefix ${r.workflowId} did not replay: ${r.error.message}`);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const options = parseOptions<{ history?: string; rounds: number; saveBaseline?: string }>(
    new Command('bench:replay')
      .option(
        '--history <file>',
        'the nomination history to measure (Temporal JSON; default: the newest nomination fixture)',
      )
      .option('--rounds <n>', 'rounds, each replaying both lifetimes once', nonNegative, 9)
      .option(
        '--save-baseline <file>',
        'also write the recorded baseline history there (Temporal JSON), e.g. to profile it',
      ),
  );
  // The default is looked up only when needed, so that --help works without the fixtures.
  const opts = { ...options, history: options.history ?? newestNominationFixture() };
  if (!Number.isInteger(opts.rounds) || opts.rounds < 1)
    throw new Error(`--rounds must be a whole number of 1 or more, not ${opts.rounds}`);
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
  });

  const ours = historyFromJSON(JSON.parse(readFileSync(opts.history, 'utf8')));
  const oursShape = shapeOfEvents(ours.events ?? []);
  console.log(
    `ours: ${basename(opts.history)}, ${oursShape.events} events, ${oursShape.workflowTasksCompleted} workflow tasks; recording a baseline of the same shape`,
  );
  const baseline = await recordBaseline({
    updates: oursShape.updatesAccepted,
    activities: oursShape.activitiesScheduled,
    timers: oursShape.timersStarted,
  });
  const baselineShape = shapeOfEvents(baseline.events ?? []);
  if (opts.saveBaseline) writeFileSync(opts.saveBaseline, historyToJSON(baseline));
  console.log(`baseline: ${baselineShape.events} events, ${baselineShape.workflowTasksCompleted} workflow tasks`);

  const [oursCode, baselineCode] = await Promise.all([
    bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)),
      workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
      logger: new DefaultLogger('ERROR'),
    }),
    bundleWorkflowCode({ workflowsPath: BENCH_WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') }),
  ]);
  const sides = {
    ours: {
      code: oursCode.code,
      lifetime: lifetimeOf(ours),
      whole: [ours],
      lifetimeMs: [] as number[],
      wholeMs: [] as number[],
    },
    baseline: {
      code: baselineCode.code,
      lifetime: lifetimeOf(baseline),
      whole: [baseline],
      lifetimeMs: [] as number[],
      wholeMs: [] as number[],
    },
  };
  // A warm-up round for each (JIT, source maps, the workflow thread), not counted.
  for (const [label, s] of Object.entries(sides)) await replayAll(s.code, label, s.lifetime);
  for (let r = 0; r < opts.rounds; r++) {
    const order = r % 2 === 0 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const);
    for (const label of order) {
      const s = sides[label];
      s.lifetimeMs.push(await replayAll(s.code, label, s.lifetime));
      s.wholeMs.push(await replayAll(s.code, label, s.whole));
    }
    console.log(
      `round ${r + 1}/${opts.rounds}: lifetime ours ${sides.ours.lifetimeMs.at(-1)!.toFixed(0)} ms, baseline ${sides.baseline.lifetimeMs.at(-1)!.toFixed(0)} ms`,
    );
  }
  const m = (xs: number[]) => Math.round(median(xs) * 10) / 10;
  const result = {
    date: new Date().toISOString(),
    history: basename(opts.history),
    rounds: opts.rounds,
    shape: { ours: oursShape, baseline: baselineShape },
    lifetimeMs: {
      ours: m(sides.ours.lifetimeMs),
      baseline: m(sides.baseline.lifetimeMs),
      all: { ours: sides.ours.lifetimeMs, baseline: sides.baseline.lifetimeMs },
    },
    /** The lifetime over the count of rebuilds: what one workflow task costs on average, apart from how many there are. */
    perTaskMs: {
      ours: m(sides.ours.lifetimeMs.map((x) => x / sides.ours.lifetime.length)),
      baseline: m(sides.baseline.lifetimeMs.map((x) => x / sides.baseline.lifetime.length)),
    },
    /** One pass over the whole history: about what a worker with a workflow cache pays over the workflow's life. */
    wholeHistoryMs: { ours: m(sides.ours.wholeMs), baseline: m(sides.baseline.wholeMs) },
    ratioToBaseline: Math.round((median(sides.baseline.lifetimeMs) / median(sides.ours.lifetimeMs)) * 1000) / 1000,
  };
  console.log(
    `\nreplay cost of one nomination's life without a cache (${oursShape.workflowTasksCompleted} vs ${baselineShape.workflowTasksCompleted} rebuilds), median of ${opts.rounds}:`,
  );
  console.log(
    `  ours     ${result.lifetimeMs.ours} ms, ${result.perTaskMs.ours} ms per rebuild   (whole history once, as with a cache: ${result.wholeHistoryMs.ours} ms)`,
  );
  console.log(
    `  baseline ${result.lifetimeMs.baseline} ms, ${result.perTaskMs.baseline} ms per rebuild   (whole history once, as with a cache: ${result.wholeHistoryMs.baseline} ms)`,
  );
  console.log(`  ratio baseline/ours ${result.ratioToBaseline}`);
  console.log(`Result written to ${writeResult('replay', result)}`);
}

main().catch((err) => {
  console.error(`bench:replay failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
