/**
 * The fault schedule and its injection. Faults are laid out on the run's progress (progress.ts), not on the
 * clock, so that each lands while nominations are in flight:
 *
 * - worker kills: K moments spread over progress 0…K/(K+1), each jittered inside its slot; when its moment comes and
 *   the worker polls (and Temporal is up), the kill waits a random 0–3 s more and sends SIGKILL, and the supervisor
 *   starts the next process at once;
 * - the SMTP outage, the PostgreSQL restart and the Temporal restart, one after another at random points inside their
 *   own windows of progress (so they never overlap each other, while kills go on during the SMTP outage).
 */
import type { ChaosPostgres } from './postgres';
import type { Progress } from './progress';
import type { Random } from '../shared/random';
/** An SMTP server that can go down for a while: the chaos run's ChaosSmtp, or the embedded sink of the CI slice. */
export interface SmtpOutage {
  port: number;
  outage(ms: number): Promise<void>;
}
import type { ChaosTemporal } from './temporal';
import type { ChildWorker } from './worker';

export type InfraFault = 'smtp' | 'postgres' | 'temporal';

export interface FaultPlan {
  /** Progress fractions at which the worker is killed, ascending. */
  kills: number[];
  infra: { fault: InfraFault; at: number }[];
}

const INFRA_WINDOWS: Record<InfraFault, [number, number]> = {
  smtp: [0.12, 0.28],
  postgres: [0.36, 0.48],
  temporal: [0.56, 0.7],
};

/** `killSpan`: the stretch of progress the kills are spread over (default 0…K/(K+1)). */
export function planFaults(
  rng: Random,
  kills: number,
  infra: readonly InfraFault[],
  killSpan: [number, number] = [0, kills / (kills + 1)],
): FaultPlan {
  const [from, to] = killSpan;
  const slot = (to - from) / Math.max(1, kills);
  return {
    kills: Array.from({ length: kills }, (_, j) => from + slot * (j + rng.between(0.25, 1))),
    infra: infra.map((fault) => ({ fault, at: rng.between(...INFRA_WINDOWS[fault]) })).sort((a, b) => a.at - b.at),
  };
}

export interface FaultRecord {
  fault: 'kill' | InfraFault;
  at: string;
  progress: number;
  detail: string;
  durationMs?: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (f: number) => `${Math.round(f * 100)}%`;

export class FaultInjector {
  readonly records: FaultRecord[] = [];
  private stopped = false;
  private loops: Promise<void>[] = [];
  /** What is down right now, for the progress line. */
  readonly down = new Set<InfraFault>();

  constructor(
    private readonly o: {
      plan: FaultPlan;
      progress: Progress;
      worker: ChildWorker;
      smtp?: SmtpOutage;
      postgres?: ChaosPostgres;
      temporal?: ChaosTemporal;
      smtpDownMs: number;
      temporalDownMs: number;
      rng: Random;
      log: (line: string) => void;
    },
  ) {}

  start(): void {
    this.loops = [this.killLoop(), this.infraLoop()];
  }

  /** Stops injecting (what is under way finishes first). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  get kills(): number {
    return this.records.filter((r) => r.fault === 'kill').length;
  }

  private async until(cond: () => boolean): Promise<boolean> {
    while (!this.stopped && !cond()) await pause(200);
    return !this.stopped;
  }

  /** `startedAt`: when the fault began (a kill: the moment of the signal). */
  private record(r: Omit<FaultRecord, 'at' | 'progress'>, startedAt: number, progressAtStart: number): void {
    this.records.push({ ...r, at: new Date(startedAt).toISOString(), progress: progressAtStart });
  }

  private async killLoop(): Promise<void> {
    const { plan, progress, worker, rng, log } = this.o;
    for (let j = 0; j < plan.kills.length; j++) {
      const at = plan.kills[j];
      const temporalUp = () => !this.o.temporal || this.o.temporal.up;
      if (!(await this.until(() => progress.fraction() >= at && worker.isReady && temporalUp()))) return;
      await pause(rng.between(0, 3_000));
      if (this.stopped) return;
      if (!worker.alive) {
        j--; // it died by itself meanwhile; this kill waits for the next process
        continue;
      }
      const t = Date.now();
      const p = progress.fraction();
      const info = await worker.kill();
      const detail = `SIGKILL worker pid ${info.pid} (generation ${info.generation}${info.wasReady ? '' : ', still starting'}); restarted at once`;
      this.record({ fault: 'kill', detail }, t, p);
      log(`fault: kill ${j + 1}/${plan.kills.length} at ${pct(progress.fraction())} — ${detail}`);
    }
  }

  private async infraLoop(): Promise<void> {
    const { plan, progress, log } = this.o;
    for (const { fault, at } of plan.infra) {
      if (!(await this.until(() => progress.fraction() >= at))) return;
      const t0 = Date.now();
      const p0 = progress.fraction();
      this.down.add(fault);
      try {
        if (fault === 'smtp' && this.o.smtp) {
          log(
            `fault: SMTP server down for ${Math.round(this.o.smtpDownMs / 1000)} s (port ${this.o.smtp.port}) at ${pct(progress.fraction())}`,
          );
          await this.o.smtp.outage(this.o.smtpDownMs);
          this.record(
            {
              fault,
              detail: `SMTP server down ${Math.round((Date.now() - t0) / 100) / 10} s, back on port ${this.o.smtp.port}`,
              durationMs: Date.now() - t0,
            },
            t0,
            p0,
          );
          log(`fault: SMTP server back on port ${this.o.smtp.port} after ${Math.round((Date.now() - t0) / 1000)} s`);
        } else if (fault === 'postgres' && this.o.postgres?.restart) {
          log(`fault: restarting PostgreSQL (${this.o.postgres.kind}) at ${pct(progress.fraction())}`);
          await this.o.postgres.restart();
          this.record(
            {
              fault,
              detail: `${this.o.postgres.kind} restarted${this.o.postgres.kind === 'postgresql' ? ' with pg_ctl restart -m fast' : ' in-process on the same data dir'}`,
              durationMs: Date.now() - t0,
            },
            t0,
            p0,
          );
          log(`fault: PostgreSQL is back after ${Date.now() - t0} ms`);
        } else if (fault === 'temporal' && this.o.temporal) {
          log(`fault: stopping the Temporal dev server at ${pct(progress.fraction())}`);
          const t = await this.o.temporal.restart(this.o.temporalDownMs);
          this.record(
            {
              fault,
              detail: `dev server stopped in ${t.stoppedMs} ms, down ${this.o.temporalDownMs} ms, listening again ${t.startedMs} ms after start (same SQLite file and port)`,
              durationMs: Date.now() - t0,
            },
            t0,
            p0,
          );
          log(
            `fault: Temporal dev server is back on ${this.o.temporal.address} after ${Math.round((Date.now() - t0) / 1000)} s`,
          );
        }
      } catch (err) {
        log(`fault: ${fault} injection failed: ${(err as Error).message}`);
        throw err;
      } finally {
        this.down.delete(fault);
      }
    }
  }
}
