/**
 * Copies every closed run's history into the permanent archive (db/history-archive.ts) before the namespace's
 * retention deletes it. A sweep lists the closed runs Temporal still holds (visibility), leaves out those already
 * archived, fetches the rest and inserts them; the archive table is its only state. The worker sweeps on a timer
 * (OVOP_ARCHIVE_EVERY); `ovop audit archive` sweeps once. Why not a workflow on a Temporal Schedule: a sweep is reads
 * and idempotent inserts with nothing to remember between runs, so a crash or a second worker sweeping at the same time
 * costs a repeated fetch at most, while a workflow would add a type, a schedule and histories of its own to archive.
 */
import { isRunNotFound } from './temporal-not-found';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { archivedRunIds, insertArchived, packHistory, type History, type RunFacts } from '../db/history-archive';
import { parseDuration } from '../domain/duration';

/** The engine's workflow types; their runs are archived once closed. */
export const ARCHIVED_TYPES = ['nomination', 'awardCycle', 'cycleOpener'] as const;

export const CLOSED_RUNS_QUERY = `(${ARCHIVED_TYPES.map((t) => `WorkflowType = '${t}'`).join(' OR ')}) AND ExecutionStatus != 'Running'`;

export interface SweepResult {
  /** Closed runs Temporal listed. */
  closed: number;
  /** Of those, archived by this sweep. */
  archived: number;
  /** Deleted from Temporal between the listing and the fetch, never archived: a retention shorter than the sweep. */
  lost: { workflowId: string; runId: string }[];
}

const BATCH = 100;
const FETCHES_AT_ONCE = 4;

/** One sweep: archives every closed run of the engine that Temporal holds and the archive does not. */
export async function archiveClosedRuns(client: Client, db: Kysely<Database>, query = CLOSED_RUNS_QUERY) {
  const result: SweepResult = { closed: 0, archived: 0, lost: [] };
  let batch: RunFacts[] = [];
  const flush = async () => {
    const known = await archivedRunIds(
      db,
      batch.map((r) => r.runId),
    );
    const todo = batch.filter((r) => !known.has(r.runId));
    batch = [];
    for (let i = 0; i < todo.length; i += FETCHES_AT_ONCE) {
      const packed = await Promise.all(
        todo.slice(i, i + FETCHES_AT_ONCE).map(async (run) => {
          try {
            const history = (await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory()) as History;
            return packHistory(run, history);
          } catch (err) {
            if (!isRunNotFound(err)) throw err;
            result.lost.push({ workflowId: run.workflowId, runId: run.runId });
            return undefined;
          }
        }),
      );
      result.archived += await insertArchived(
        db,
        packed.filter((p) => p !== undefined),
      );
    }
  };
  for await (const run of client.workflow.list({ query })) {
    result.closed++;
    batch.push({
      workflowId: run.workflowId,
      runId: run.runId,
      workflowType: run.type,
      cycleId: cycleIdOf(run.workflowId, run.searchAttributes?.OvopCycle),
      status: run.status.name,
      startedAt: run.startTime,
      closedAt: run.closeTime ?? new Date(),
    });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return result;
}

/** The cycle a run belongs to: its OvopCycle search attribute, else the cycle named in its id (`ovop/<cycle>/…`). */
function cycleIdOf(workflowId: string, attribute: unknown): string | null {
  if (Array.isArray(attribute) && typeof attribute[0] === 'string') return attribute[0];
  return /^ovop\/([^/]+)\//.exec(workflowId)?.[1] ?? null;
}

/** How often the worker sweeps (OVOP_ARCHIVE_EVERY, a duration such as `10m`; `off` for never). */
export function archiveEvery(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env.OVOP_ARCHIVE_EVERY?.trim() || '10m';
  if (text === 'off') return undefined;
  try {
    return parseDuration(text);
  } catch (err) {
    throw new Error(`OVOP_ARCHIVE_EVERY: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Sweeps now and then every `everyMs` until stopped. A failed sweep (Temporal or PostgreSQL away) is logged and tried
 * again at the next turn; nothing it did is undone, since every archived row stands on its own.
 */
export function startHistoryArchiver(
  client: Client,
  db: Kysely<Database>,
  everyMs: number,
  log: (message: string) => void = console.log,
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> = Promise.resolve();
  const turn = () => {
    sweeping = archiveClosedRuns(client, db)
      .then((r) => {
        if (r.archived > 0) log(`Archived ${r.archived} closed workflow run(s) (${r.closed} closed runs in Temporal).`);
        if (r.lost.length > 0)
          log(
            `Could not archive ${r.lost.length} closed run(s), deleted by Temporal's retention first: ${r.lost.map((l) => `${l.workflowId} (run ${l.runId})`).join(', ')}`,
          );
      })
      .catch((err: unknown) => log(`History archive sweep failed, retried in ${everyMs} ms: ${(err as Error).message}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(turn, everyMs);
      });
  };
  turn();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await sweeping;
    },
  };
}
