/**
 * The Temporal dev server of the chaos run: history in a SQLite file (WAL mode), stopped (SIGTERM) and started again
 * on the same file and port, so that everything it had persisted must carry on.
 */
import { join } from 'node:path';
import { startDevServer, type DevServer } from '../../embedded/dev-server';
import { freePort } from '../../embedded/ports';

export class ChaosTemporal {
  private server: DevServer | null = null;

  private constructor(
    readonly port: number,
    readonly dbFile: string,
    readonly logFile: string,
  ) {}

  static async start(stateDir: string): Promise<ChaosTemporal> {
    const t = new ChaosTemporal(
      await freePort(),
      join(stateDir, 'temporal.sqlite'),
      join(stateDir, 'temporal-server.log'),
    );
    t.server = await t.launch();
    return t;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get up(): boolean {
    return this.server !== null;
  }

  private launch(): Promise<DevServer> {
    return startDevServer({ port: this.port, dbFile: this.dbFile, headless: true, logFile: this.logFile });
  }

  /** Stops the server, waits `downMs`, starts it again on the same SQLite file and port. */
  async restart(downMs: number): Promise<{ stoppedMs: number; startedMs: number }> {
    const t0 = Date.now();
    const s = this.server!;
    this.server = null;
    await s.stop();
    const stoppedMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, downMs));
    const t1 = Date.now();
    this.server = await this.launch();
    return { stoppedMs, startedMs: Date.now() - t1 };
  }

  /** For a crash of this process: SIGKILL the server at once, synchronously. */
  emergencyStop(): void {
    this.server?.process.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    await s?.stop();
  }
}
