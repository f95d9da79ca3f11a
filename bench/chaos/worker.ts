/**
 * The worker under test as a CHILD PROCESS: `node --import tsx worker/main.ts` with the stack's environment, so that a
 * SIGKILL ends it the way a crash or an OOM kill would (no graceful shutdown, activities cut off mid-flight). Every
 * kill is followed at once by a new process; an exit the supervisor did not cause (the worker gave up on a server that
 * was down) is restarted too, and counted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER_MAIN = 'worker/main.ts';
/** What worker/main.ts prints once it polls its task queue. */
const READY_LINE = 'Worker polling';
/** What worker/main.ts prints of its workflow cache: `Workflow cache 1000: <why>.` (worker/workflow-cache.ts). */
const CACHE_LINE = /^Workflow cache (\d+): (.*?)\.?$/;

export interface ChildWorkerOptions {
  /** DATABASE_URL, SMTP_URL, TEMPORAL_ADDRESS, OVOP_TASK_QUEUE (and anything else the worker reads). */
  env: Record<string, string>;
  /** stdout and stderr of every generation, each line prefixed with its generation. */
  logFile: string;
  log?: (line: string) => void;
}

export interface ChildWorkerStats {
  /** Processes started so far (1 = the first one). */
  generations: number;
  kills: number;
  /** Exits the supervisor did not cause. */
  unplannedExits: number;
  /** Time from spawn to the ready line, per generation (ms). */
  startupMs: number[];
  /** Lines in which the worker reports a nondeterminism error (a history its own code cannot replay). */
  nondeterminismErrors: number;
  /** The first such line, for the report. */
  firstNondeterminismError?: string;
  /** The workflow cache each generation said it runs with (the engine decides it from the server's query setting). */
  cacheSizes: number[];
  /** The latest generation's reason for its cache size. */
  cacheReason?: string;
}

interface Generation {
  no: number;
  child: ChildProcess;
  spawnedAt: number;
  ready: Promise<void>;
  isReady: boolean;
  exited: Promise<void>;
  /** Set by kill()/stop() before the signal, so the exit is not counted as unplanned. */
  planned: boolean;
}

export class ChildWorker {
  readonly stats: ChildWorkerStats = {
    generations: 0,
    kills: 0,
    unplannedExits: 0,
    startupMs: [],
    nondeterminismErrors: 0,
    cacheSizes: [],
  };
  private current: Generation | null = null;
  private stopped = false;
  private readonly logStream: WriteStream;
  private readonly log: (line: string) => void;
  private quickExits = 0;

  constructor(private readonly opts: ChildWorkerOptions) {
    mkdirSync(dirname(opts.logFile), { recursive: true });
    this.logStream = createWriteStream(opts.logFile, { flags: 'a' });
    this.log = opts.log ?? (() => {});
  }

  /** Starts the first process; resolves when it polls. */
  async start(): Promise<void> {
    this.spawnGeneration();
    await this.ready();
  }

  /** Resolves when the current process polls its task queue (following restarts). */
  async ready(timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const g = this.current;
      if (!g) throw new Error('worker is stopped');
      const outcome = await Promise.race([
        g.ready.then(() => 'ready' as const),
        g.exited.then(() => 'exited' as const),
      ]);
      if (outcome === 'ready') return;
      if (Date.now() > deadline)
        throw new Error(`the worker did not become ready within ${timeoutMs / 1000} s; see ${this.opts.logFile}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  get isReady(): boolean {
    return !!this.current?.isReady;
  }

  /** The current process's id. */
  get pid(): number | undefined {
    return this.current?.child.pid;
  }

  /** True while the current process runs (ready or still starting). */
  get alive(): boolean {
    const c = this.current?.child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  /** SIGKILL now, whatever the process is doing, and start the next one at once. */
  async kill(): Promise<{ generation: number; pid: number | undefined; wasReady: boolean }> {
    const g = this.current;
    if (!g) throw new Error('worker is stopped');
    if (!this.alive) throw new Error('no worker process is running to be killed');
    g.planned = true;
    const info = { generation: g.no, pid: g.child.pid, wasReady: g.isReady };
    g.child.kill('SIGKILL');
    await g.exited;
    this.stats.kills += 1;
    if (!this.stopped) this.spawnGeneration();
    return info;
  }

  /** For a crash of this process: SIGKILL the current child at once, synchronously, and restart nothing. */
  emergencyStop(): void {
    this.stopped = true;
    this.current?.child.kill('SIGKILL');
  }

  /** SIGTERM (graceful: in-flight tasks finish), SIGKILL after `graceMs`; no restart. */
  async stop(graceMs = 20_000): Promise<void> {
    this.stopped = true;
    const g = this.current;
    this.current = null;
    if (g) {
      g.planned = true;
      if (g.child.exitCode === null && g.child.signalCode === null) {
        const timer = setTimeout(() => g.child.kill('SIGKILL'), graceMs);
        g.child.kill('SIGTERM');
        await g.exited;
        clearTimeout(timer);
      }
    }
    await new Promise<void>((r) => this.logStream.end(() => r()));
  }

  private spawnGeneration(): void {
    const no = ++this.stats.generations;
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let markReady!: () => void;
    const ready = new Promise<void>((r) => (markReady = r));
    const g: Generation = {
      no,
      child,
      spawnedAt: Date.now(),
      ready,
      isReady: false,
      planned: false,
      exited: new Promise<void>((resolve) => child.once('exit', () => resolve())),
    };
    this.current = g;
    const pipe = (stream: NodeJS.ReadableStream, name: string) => {
      let buffered = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          this.logStream.write(`[gen ${no} ${name} ${new Date().toISOString().slice(11, 23)}] ${line}\n`);
          if (line.includes('Nondeterminism error')) {
            this.stats.nondeterminismErrors += 1;
            // The worker's log is coloured: strip the ANSI escapes, which are control characters by definition.
            // eslint-disable-next-line no-control-regex
            this.stats.firstNondeterminismError ??= line.replace(/\x1b\[[0-9;]*m/g, '').slice(0, 600);
          }
          const cache = CACHE_LINE.exec(line);
          if (cache) {
            this.stats.cacheSizes.push(Number(cache[1]));
            this.stats.cacheReason = cache[2];
          }
          if (!g.isReady && line.includes(READY_LINE)) {
            g.isReady = true;
            this.stats.startupMs.push(Date.now() - g.spawnedAt);
            markReady();
          }
        }
      });
    };
    pipe(child.stdout!, 'out');
    pipe(child.stderr!, 'err');
    child.once('exit', (code, signal) => {
      this.logStream.write(`[gen ${no}] exited (code ${code}, signal ${signal})\n`);
      if (g.planned || this.stopped || this.current !== g) return;
      // Not ours: the worker gave up (a server it needs was down). Start another, backing off if it keeps failing.
      this.stats.unplannedExits += 1;
      const lived = Date.now() - g.spawnedAt;
      this.quickExits = lived < 10_000 ? this.quickExits + 1 : 0;
      const delay = Math.min(5_000, 250 * 2 ** Math.min(this.quickExits, 5));
      this.log(
        `worker process ${child.pid} (generation ${no}) exited by itself (code ${code}, signal ${signal}); restarting in ${delay} ms`,
      );
      setTimeout(() => {
        if (!this.stopped && this.current === g) this.spawnGeneration();
      }, delay);
    });
  }
}
