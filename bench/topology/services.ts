/**
 * The compiled services of the topology as child processes run with plain node, the way production runs them
 * (docs/deployment.md): `node dist/worker/main.js` twice and `node dist/api/main.js`, each with its own log file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export class NodeService {
  private child: ChildProcess | null = null;
  /** Lives of this service so far (a restart after a kill is the second). */
  lives = 0;

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logDir: string,
  ) {}

  get log(): string {
    return join(this.logDir, `${this.name}.log`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const out = openSync(this.log, 'a');
    this.lives++;
    this.child = spawn(process.execPath, [join(ROOT, this.script)], {
      cwd: ROOT,
      env: this.env,
      stdio: ['ignore', out, out],
    });
  }

  /** SIGKILL: the process ends at once, mid-task, as a crashed machine would. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM (the worker drains, the API closes), SIGKILL after 30 s. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  emergencyStop(): void {
    this.child?.kill('SIGKILL');
  }
}
