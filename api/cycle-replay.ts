/**
 * The replay status of a whole cycle (the auditor's page): a check lists every run of the cycle as `ovop audit verify`
 * does (client/cycle-histories.ts: Temporal's listing completed by the projection, then the runs only the archive
 * holds), hashes each history and queues on the replayer those with no stored verdict on this API's code. An archived
 * history whose bytes fail their check is listed as changed before any verdict is looked up, so a stored verdict can
 * never stand for a tampered row, and the cycle's status counts only the verdicts of the histories the check read.
 * One check per cycle at a time; what it read is kept in memory, the verdicts in PostgreSQL.
 */
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { cycleHistories, type LoadedRun } from '../client/cycle-histories';
import { cycleWorkflowsQuery, projectedNominationIds } from '../client/cycle-runs';
import type { Database } from '../db/database';
import { historySha256 } from '../db/history-archive';
import { storedVerdicts, verdictKey, type StoredVerdict, type VerdictKey } from '../db/replay-verdicts';
import type { Replayer } from './replayer';

export interface CycleCheck {
  cycleId: string;
  startedAt: Date;
  finishedAt?: Date;
  /** Every run listed so far whose history was read whole, keyed by its content. */
  runs: VerdictKey[];
  /** Of those, queued for a replay (no verdict stored for their history on this code). */
  queued: number;
  /** Archived runs whose bytes fail their check: never looked up, never replayed. */
  changed: { workflowId: string; runId: string; message: string }[];
  missing: string[];
  error?: string;
}

const BATCH = 32;

export class CycleChecks {
  private readonly checks = new Map<string, CycleCheck>();

  constructor(
    private readonly client: Client,
    private readonly db: Kysely<Database>,
    private readonly replayer: Replayer,
  ) {}

  latest(cycleId: string): CycleCheck | undefined {
    return this.checks.get(cycleId);
  }

  /** Starts a check of the cycle unless one is running. */
  start(cycleId: string): CycleCheck {
    const running = this.checks.get(cycleId);
    if (running && !running.finishedAt) return running;
    const check: CycleCheck = { cycleId, startedAt: new Date(), runs: [], queued: 0, changed: [], missing: [] };
    this.checks.set(cycleId, check);
    this.run(check)
      .catch((err: unknown) => (check.error = (err as Error).message ?? String(err)))
      .finally(() => (check.finishedAt = new Date()));
    return check;
  }

  private async run(check: CycleCheck): Promise<void> {
    const bundle = await this.replayer.whenReady();
    const projected = await projectedNominationIds(this.db, check.cycleId);
    const loaded = cycleHistories(
      this.client,
      this.db,
      { cycleId: check.cycleId, query: cycleWorkflowsQuery(check.cycleId), projected, source: 'auto', batchesAhead: 2 },
      check.missing,
    );
    let batch: Extract<LoadedRun, { history: unknown }>[] = [];
    const flush = async () => {
      const keyed = batch.map((r) => ({ ...r, historySha256: historySha256(r.history) }));
      batch = [];
      const stored = await storedVerdicts(this.db, bundle, keyed);
      for (const r of keyed) {
        check.runs.push({ workflowId: r.workflowId, runId: r.runId, historySha256: r.historySha256 });
        if (stored.has(verdictKey(r))) continue;
        this.replayer.enqueue(r);
        check.queued++;
      }
    };
    for await (const run of loaded) {
      if ('changed' in run) {
        check.changed.push({ workflowId: run.workflowId, runId: run.runId, message: run.changed.message });
        continue;
      }
      batch.push(run);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
  }
}

export interface CycleVerdicts {
  ok: number;
  failed: StoredVerdict[];
  /** Runs still waiting for their replay. */
  waiting: number;
  /** Runs whose replays timed out too often to be tried again: neither passed nor failed. */
  undecided: number;
}

/** The verdicts of the runs a check read, each for the very history it read, on this code. */
export async function cycleVerdicts(
  db: Kysely<Database>,
  check: CycleCheck,
  bundle: string,
  replayer: Replayer,
): Promise<CycleVerdicts> {
  const stored = await storedVerdicts(db, bundle, check.runs);
  const found = check.runs.map((k) => stored.get(verdictKey(k)));
  const undecided = check.runs.filter((k, i) => !found[i] && replayer.gaveUp(k)).length;
  return {
    ok: found.filter((v) => v?.ok).length,
    failed: found.filter((v): v is StoredVerdict => !!v && !v.ok),
    waiting: found.filter((v) => !v).length - undecided,
    undecided,
  };
}
