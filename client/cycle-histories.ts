/**
 * The histories `ovop audit verify` replays, each with its source: the runs Temporal lists or the projection names
 * (cycle-runs.ts), completed with the runs only the history archive still holds, read in batches — one query of
 * PostgreSQL per batch of archived runs, the fetches from Temporal of a batch at once.
 *
 * `--source` says where a run archived and still in Temporal is read from: `auto` (the default) and `temporal` read
 * Temporal while it holds the run; `archive` reads the archive for every archived run. `temporal` ignores the archive,
 * so a run Temporal has deleted is reported missing.
 */
import { isRunNotFound } from '../common/temporal-not-found';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import {
  ArchiveIntegrityError,
  archivedRowsByRunId,
  archivedRunsOfCycle,
  unpackHistory,
  type ArchivedRow,
} from '../db/history-archive';
import { cycleRuns, type CycleRun } from './cycle-runs';
import type { History } from './history';
import { prefetch } from './prefetch';
import type { HistorySource } from './run-history';

export const SOURCES = ['auto', 'temporal', 'archive'] as const;
export type SourceChoice = (typeof SOURCES)[number];

interface PlannedRun extends CycleRun {
  from: HistorySource;
}

/** A run ready to replay, or one whose archived bytes failed their check (nothing to replay). */
export type LoadedRun =
  | { workflowId: string; runId: string; source: HistorySource; history: History }
  | { workflowId: string; runId: string; source: 'archive'; changed: ArchiveIntegrityError };

const BATCH = 16;

/**
 * Every run of the cycle, loaded a batch at a time with at most `batchesAhead` batches in memory. Ids the projection
 * names that neither Temporal nor the archive holds are pushed to `missing` once the stream ends.
 */
export function cycleHistories(
  client: Client,
  db: Kysely<Database> | undefined,
  opts: { cycleId: string; query: string; projected: readonly string[]; source: SourceChoice; batchesAhead: number },
  missing: string[],
): AsyncIterable<LoadedRun> {
  const batches = prefetch(planned(client, db, opts, missing), (batch) => load(client, db, batch), opts.batchesAhead);
  return (async function* () {
    for await (const batch of batches) yield* batch;
  })();
}

/** The runs of the cycle in batches, each with the source it is to be read from. */
async function* planned(
  client: Client,
  db: Kysely<Database> | undefined,
  opts: { cycleId: string; query: string; projected: readonly string[]; source: SourceChoice },
  missing: string[],
): AsyncIterable<PlannedRun[]> {
  const archived = new Map<string, string>();
  if (db && opts.source !== 'temporal')
    for (const r of await archivedRunsOfCycle(db, opts.cycleId)) archived.set(r.runId, r.workflowId);
  const seen = new Set<string>();
  const notInTemporal: string[] = [];
  const batch: PlannedRun[] = [];
  for await (const run of cycleRuns(client, opts.query, opts.projected, notInTemporal)) {
    seen.add(run.runId);
    batch.push({ ...run, from: opts.source === 'archive' && archived.has(run.runId) ? 'archive' : 'temporal' });
    if (batch.length >= BATCH) yield batch.splice(0);
  }
  // Runs Temporal no longer holds (the retention deleted them): the archive's.
  const archivedIds = new Set<string>();
  for (const [runId, workflowId] of archived) {
    archivedIds.add(workflowId);
    if (seen.has(runId)) continue;
    batch.push({ workflowId, runId, from: 'archive' });
    if (batch.length >= BATCH) yield batch.splice(0);
  }
  if (batch.length > 0) yield batch;
  missing.push(...notInTemporal.filter((id) => !archivedIds.has(id)));
}

/** One batch's histories: the archived ones in one query, the others fetched from Temporal at once. */
async function load(client: Client, db: Kysely<Database> | undefined, batch: PlannedRun[]): Promise<LoadedRun[]> {
  const rows =
    db && batch.some((r) => r.from === 'archive')
      ? await archivedRowsByRunId(
          db,
          batch.filter((r) => r.from === 'archive').map((r) => r.runId),
        )
      : new Map<string, ArchivedRow>();
  return Promise.all(
    batch.map(async (run): Promise<LoadedRun> => {
      const row = rows.get(run.runId);
      if (row) return fromArchive(row);
      try {
        const history = (await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory()) as History;
        return { workflowId: run.workflowId, runId: run.runId, source: 'temporal', history };
      } catch (err) {
        // Deleted between the listing and the fetch: the archive may have it.
        if (!isRunNotFound(err) || !db) throw err;
        const late = (await archivedRowsByRunId(db, [run.runId])).get(run.runId);
        if (!late) throw err;
        return fromArchive(late);
      }
    }),
  );
}

function fromArchive(row: ArchivedRow): LoadedRun {
  const run = { workflowId: row.workflow_id, runId: row.run_id, source: 'archive' as const };
  try {
    return { ...run, history: unpackHistory(row) };
  } catch (err) {
    if (!(err instanceof ArchiveIntegrityError)) throw err;
    return { ...run, changed: err };
  }
}
