/**
 * `npm run bench:server [-- --n 60]`: the warm update round trip on the dev server with Temporal's stock queue-read
 * limits against the engine's (embedded/dev-server.ts), side by side in one run: two dev servers at once, each with
 * the same workers (ours and the bare baseline, without and with a workflow cache), sharing PGlite and the SMTP sink,
 * and the updates sent in blocks of ten to one server then the other (the order alternating), so the machine's load
 * falls on both.
 * Writes results/<date>-server-settings.json.
 */
import { Worker, DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporalSettings, type TemporalSettings } from '../../common/temporal-connection';
import { DEV_SERVER_DYNAMIC_CONFIG, startDevServer } from '../../embedded/dev-server';
import { freePort } from '../../embedded/ports';
import { startStack } from '../../embedded/stack';
import { bootstrap } from '../../worker/bootstrap';
import { createWorker } from '../../worker/create-worker';
import { nominationWorkflowId } from '../../workflows/ids';
import { extendDeadlineUpdate } from '../../workflows/messages';
import { nonNegative, parseOptions } from '../shared/args';
import * as baselineActivities from '../shared/baseline.activities';
import { BENCH_WORKFLOWS_PATH } from '../shared/baseline-worker';
import { baselineNomination, baselineStepUpdate } from '../shared/baseline.workflow';
import { writeResult } from '../shared/report';
import { summarize } from '../shared/stats';
import { quietConfig, standaloneInput, waitForStage } from './standalone-nomination';
import { runUpdate } from '../../common/run-update';

const { n: N } = parseOptions<{ n: number }>(
  new Command('bench:server').option('--n <count>', 'updates timed per phase and server', nonNegative, 60),
);
const WARMUP = 10;
const CACHE = 100;
const BLOCK = 10;

Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
});
const dir = mkdtempSync(join(tmpdir(), 'ovop-server-settings-'));
// The engine's settings come with the stack; the stock server beside it has Temporal's defaults.
const stack = await startStack({
  stateDir: dir,
  persistent: true,
  headless: true,
  env: { ...process.env, OVOP_DEV_SERVER_STOCK: undefined },
});
const stockServer = await startDevServer({
  port: await freePort(),
  headless: true,
  dbFile: join(dir, 'stock', 'temporal.sqlite'),
  logFile: join(dir, 'stock', 'temporal-server.log'),
  dynamicConfig: {},
});

/**
 * On a saturated machine a workflow task can time out; the server then turns updates away until the task is retried
 * ("Workflow Task in failed state"). The bench sends again and counts it: the wait is part of the round trip.
 */
let resent = 0;
async function sendTimed(send: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return performance.now() - t;
    } catch (err) {
      const text = String((err as { cause?: { details?: string } }).cause?.details ?? (err as Error).message);
      if (attempt >= 80 || !/Workflow Task in failed state/i.test(text)) throw err;
      resent++;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

type Phase = 'ours' | 'baseline' | 'ours, cached' | 'baseline, cached';
const PHASES: Phase[] = ['ours', 'baseline', 'ours, cached', 'baseline, cached'];

/** One server's workers and the way to send one update of each phase. */
async function side(temporal: TemporalSettings) {
  const deps = await bootstrap({ temporal, databaseUrl: stack.databaseUrl, smtpUrl: stack.smtpUrl });
  const made = [
    // Both phases pin their cache: the comparison is of the servers' settings, and the stock server answers queries,
    // so the engine's own decision would differ between the two servers (worker/workflow-cache.ts).
    await createWorker({ ...deps, temporal, taskQueue: 'latency', tuning: { maxCachedWorkflows: 0 } }),
    await createWorker({ ...deps, temporal, taskQueue: 'latency-cached', tuning: { maxCachedWorkflows: CACHE } }),
  ];
  const baseline = (taskQueue: string, maxCached: number) =>
    Worker.create({
      connection: made[0].connection,
      taskQueue,
      workflowsPath: BENCH_WORKFLOWS_PATH,
      activities: baselineActivities,
      maxCachedWorkflows: maxCached,
    });
  const workers = [
    made[0].worker,
    made[1].worker,
    await baseline('latency-baseline', 0),
    await baseline('latency-baseline-cached', CACHE),
  ];
  const runs = workers.map((w) => w.run());
  const tag = Date.now().toString(36);
  const bare = async (taskQueue: string) => {
    const h = await deps.client.workflow.start(baselineNomination, {
      workflowId: `${taskQueue}-${tag}`,
      taskQueue,
      args: [{ updates: WARMUP + N, activities: WARMUP + N, timers: WARMUP + N }],
    });
    return () => runUpdate(h, baselineStepUpdate);
  };
  const ours = async (taskQueue: string) => {
    const config = quietConfig(`${taskQueue}-${tag}-${temporal.address.replace(/\W/g, '')}`);
    const h = await deps.client.workflow.start('nomination', {
      workflowId: nominationWorkflowId(config.id, '32.05', 'IKM Latensi'),
      taskQueue,
      args: [standaloneInput(config, '32.05', 'IKM Latensi')],
    });
    await waitForStage(deps.db, config.id, 'AWAITING_SOCIALIZATION', 1, { timeoutMs: 120_000 });
    const coordinator = { role: 'coordinator' as const, id: 'bench', region: '00' };
    const base = Date.now() + 40 * 86_400_000;
    let i = 0;
    return () =>
      runUpdate(h, extendDeadlineUpdate, {
        args: [{ actor: coordinator, stage: 'documents', until: new Date(base + i++ * 60_000).toISOString() }],
      });
  };
  const send: Record<Phase, () => Promise<unknown>> = {
    ours: await ours('latency'),
    baseline: await bare('latency-baseline'),
    'ours, cached': await ours('latency-cached'),
    'baseline, cached': await bare('latency-baseline-cached'),
  };
  return {
    send,
    stop: async () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(runs);
      for (const m of made) await m.connection.close();
      await deps.close();
    },
  };
}

const sides = {
  stock: await side(temporalSettings({ address: stockServer.address, namespace: 'default' })),
  engine: await side(stack.temporal),
};
const samples = { stock: {} as Record<Phase, number[]>, engine: {} as Record<Phase, number[]> };
try {
  for (const phase of PHASES) {
    samples.stock[phase] = [];
    samples.engine[phase] = [];
    // Blocks of updates back to back on one server, then the other: alternating single updates would let each
    // server's read limiter refill while the other works, and hide the very floor this bench is about.
    for (let block = 0; block * BLOCK < WARMUP + N; block++) {
      const order = block % 2 === 0 ? (['stock', 'engine'] as const) : (['engine', 'stock'] as const);
      for (const s of order)
        for (let j = 0; j < BLOCK && block * BLOCK + j < WARMUP + N; j++) {
          const ms = await sendTimed(sides[s].send[phase]);
          if (block * BLOCK + j >= WARMUP) samples[s][phase].push(ms);
        }
    }
    console.log(`${phase}: done (load ${loadavg()[0].toFixed(1)}, ${resent} updates sent again so far)`);
  }
} finally {
  await sides.stock.stop();
  await sides.engine.stop();
}

const rows = PHASES.map((phase) => {
  const stock = summarize(samples.stock[phase]);
  const engine = summarize(samples.engine[phase]);
  return { phase, stock, engine, p95Ratio: Math.round((engine.p95 / stock.p95) * 100) / 100 };
});
console.log(
  `\nwarm update round trip, ${N} sequential updates per phase after ${WARMUP} warm-up, in blocks of ${BLOCK} alternating between a dev server with Temporal's limits and one with the engine's (${JSON.stringify(DEV_SERVER_DYNAMIC_CONFIG)}):`,
);
for (const r of rows)
  console.log(
    `  ${r.phase.padEnd(17)} stock p50 ${r.stock.p50} / p95 ${r.stock.p95} ms   engine p50 ${r.engine.p50} / p95 ${r.engine.p95} ms   p95 ratio ${r.p95Ratio}`,
  );
const path = writeResult('server-settings', {
  date: new Date().toISOString(),
  n: N,
  load: loadavg(),
  resent,
  engineDynamicConfig: DEV_SERVER_DYNAMIC_CONFIG,
  rows,
});
console.log(`Result written to ${path}`);
await stockServer.stop();
await stack.stop();
rmSync(dir, { recursive: true, force: true });
