/**
 * `npm run bench:memory [-- --n 1000]`: the worker's memory per cached workflow. The engine's worker runs in a process
 * of its own (memory-worker.ts) with a workflow cache big enough for every nomination; n nominations are started
 * and left waiting at AWAITING_SOCIALIZATION (deadlines 30 days away, nothing fires), each one a workflow in the cache.
 * The worker's memory after garbage collection, before and after, divided by the workflows it then holds, is the cost
 * of one cached workflow. The same steps on a worker without a cache (the engine's default) are the control: what the
 * traffic itself leaves behind. Goal: ≤ 1 MB per cached workflow. Writes bench/results/<date>-memory-<n>.json.
 */
import { startNominationDirectly } from '../shared/cycle';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { Command } from 'commander';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { bootstrap, type Deps } from '../../worker/bootstrap';
import { startStack, type Stack } from '../../embedded/stack';
import { nonNegative, parseOptions } from '../shared/args';
import { mapPool } from '../shared/pool';
import { regencyCodesFor } from '../shared/regencies';
import { mb, printTable, writeResult } from '../shared/report';
import { workerEnv } from '../shared/worker-env';
import { quietConfig, standaloneInput, waitForStage } from './standalone-nomination';

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  cachedWorkflows: number;
}

const log = (msg: string) => console.log(`[memory ${new Date().toISOString().slice(11, 19)}] ${msg}`);

const opts = parseOptions<{ n: number; warmup: number }>(
  new Command('bench:memory')
    .option('--n <count>', 'nominations left waiting in the cache', nonNegative, 1000)
    .option(
      '--warmup <count>',
      'nominations started before the first reading (the workflow bundle, connections, pools)',
      nonNegative,
      20,
    ),
);
if (!Number.isInteger(opts.n) || opts.n < 1)
  throw new Error(`--n must be a whole number of nominations, not ${opts.n}`);

/** The worker process and a way to ask it for a reading. */
class WorkerProcess {
  private readonly lines: Interface;
  private readonly waiting: ((line: string) => void)[] = [];

  private constructor(private readonly child: ChildProcess) {
    this.lines = createInterface({ input: child.stdout! });
    this.lines.on('line', (line) => this.waiting.shift()?.(line));
  }

  static async start(stack: Stack, taskQueue: string, maxCached: number): Promise<WorkerProcess> {
    const script = fileURLToPath(new URL('./memory-worker.ts', import.meta.url));
    const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', script], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: workerEnv(stack, taskQueue, { OVOP_MAX_CACHED_WORKFLOWS: String(maxCached) }),
    });
    const w = new WorkerProcess(child);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) =>
        reject(new Error(`the worker process ended (exit code ${code}) before it was ready`)),
      ),
    );
    const ready = await Promise.race([w.nextLine(), exited]);
    if (ready !== 'ready') throw new Error(`the worker process said "${ready}", not "ready"`);
    return w;
  }

  private nextLine(): Promise<string> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async measure(): Promise<Memory> {
    const line = this.nextLine();
    this.child.stdin!.write('measure\n');
    const text = await line;
    if (!text.startsWith('memory ')) throw new Error(`the worker process answered "${text}" to a reading`);
    return JSON.parse(text.slice('memory '.length)) as Memory;
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.stdin!.end();
    await exited;
  }
}

interface Phase {
  maxCached: number;
  before: Memory;
  after: Memory;
  /** RSS growth divided by the nominations left waiting (the cached workflows, when there is a cache). */
  rssPerNominationKb: number;
  heapPerNominationKb: number;
}

async function phase(stack: Stack, deps: Deps, label: string, maxCached: number): Promise<Phase> {
  const config = quietConfig(`memory-${label}-${Date.now()}`);
  const taskQueue = `ovop-memory-${label}`;
  const regencies = regencyCodesFor(config, opts.warmup + opts.n);
  const start = (from: number, count: number) =>
    mapPool(regencies.slice(from, from + count), 50, async (regency, i) => {
      const ikmName = `IKM Memori ${String(from + i).padStart(5, '0')}`;
      await startNominationDirectly(deps, taskQueue, standaloneInput(config, regency, ikmName));
    });
  const settle = async (count: number) => {
    let shown = 0;
    await waitForStage(deps.db, config.id, 'AWAITING_SOCIALIZATION', count, {
      onProgress: (n) => {
        if (n - shown >= count / 10 || n === count) log(`${label}: ${(shown = n)}/${count} waiting`);
      },
    });
    // The intake mail can still be out when the stage row is written (it goes together with the move).
    await new Promise((r) => setTimeout(r, 3000));
  };

  const worker = await WorkerProcess.start(stack, taskQueue, maxCached);
  try {
    await start(0, opts.warmup);
    await settle(opts.warmup);
    const before = await worker.measure();
    log(`${label}: before ${mb(before.rss)} MB RSS, ${before.cachedWorkflows} cached; starting ${opts.n}`);
    await start(opts.warmup, opts.n);
    await settle(opts.warmup + opts.n);
    const after = await worker.measure();
    log(`${label}: after ${mb(after.rss)} MB RSS, ${after.cachedWorkflows} cached`);
    if (maxCached > 0 && after.cachedWorkflows - before.cachedWorkflows < opts.n) {
      throw new Error(
        `only ${after.cachedWorkflows - before.cachedWorkflows} of ${opts.n} nominations stayed in the cache of ${maxCached}`,
      );
    }
    return {
      maxCached,
      before,
      after,
      rssPerNominationKb: Math.round((after.rss - before.rss) / opts.n / 1024),
      heapPerNominationKb: Math.round((after.heapUsed - before.heapUsed) / opts.n / 1024),
    };
  } finally {
    await worker.stop();
  }
}

Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
});
const dir = mkdtempSync(join(tmpdir(), 'ovop-memory-'));
const stack = await startStack({ stateDir: dir, persistent: true, headless: true });
const deps = await bootstrap({ temporal: stack.temporal, databaseUrl: stack.databaseUrl, smtpUrl: stack.smtpUrl });
try {
  log(`n=${opts.n} warmup=${opts.warmup}; postgres: ${stack.embedded.postgres ? 'PGlite' : 'DATABASE_URL'}`);
  const control = await phase(stack, deps, 'uncached', 0);
  const cached = await phase(stack, deps, 'cached', opts.warmup + opts.n + 100);
  const perCachedKb = cached.rssPerNominationKb - control.rssPerNominationKb;
  const path = writeResult(`memory-${opts.n}`, {
    date: new Date().toISOString(),
    n: opts.n,
    warmup: opts.warmup,
    control,
    cached,
    rssPerCachedWorkflowKb: perCachedKb,
    goal: 'rssPerCachedWorkflowKb <= 1024',
  });
  console.log('');
  printTable(
    [
      [
        'RSS before / after (MB)',
        `${mb(control.before.rss)} / ${mb(control.after.rss)}`,
        `${mb(cached.before.rss)} / ${mb(cached.after.rss)}`,
      ],
      [
        'JS heap before / after (MB)',
        `${mb(control.before.heapUsed)} / ${mb(control.after.heapUsed)}`,
        `${mb(cached.before.heapUsed)} / ${mb(cached.after.heapUsed)}`,
      ],
      ['cached workflows after', control.after.cachedWorkflows, cached.after.cachedWorkflows],
      ['RSS growth per nomination (KB)', control.rssPerNominationKb, cached.rssPerNominationKb],
      ['JS heap growth per nomination (KB)', control.heapPerNominationKb, cached.heapPerNominationKb],
    ],
    ['worker process', 'no cache (control)', `cache of ${cached.maxCached}`],
  );
  console.log(`\nRSS per cached workflow (cached minus control): ${perCachedKb} KB; goal ≤ 1024 KB`);
  console.log(`Result written to ${path}`);
} catch (err) {
  console.error(`bench:memory failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await deps.close();
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
}
// On the embedded PGlite, something stays alive after the stack's stop once a second process (the worker) has
// connected to its server, though no active handle shows; as chaos and fuzz do, the bench ends itself.
process.exit();
