/**
 * A nomination's chain of runs (short runs: workflows/nomination-chain.ts): each stage boundary closes a run that
 * continued as new, so its history is the histories of every run, oldest first. Each run's started event names the
 * run it continued from; the chain is followed back from the current run to the first.
 */
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { isRunNotFound } from '../common/temporal-not-found';
import type { Database } from '../db/database';
import { archivedRunsOf, unpackHistory, type ArchivedRow } from '../db/history-archive';
import type { History } from './history';

export interface RunHistory {
  runId: string;
  history: History;
}

/** The run a history continued from, or undefined for the first run of a workflow id. */
export function continuedFrom(history: History): string | undefined {
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  return started?.continuedExecutionRunId || undefined;
}

/** Every run of the workflow's chain, oldest first, ending with `runId` (the current run when omitted). */
export async function fetchRunChain(client: Client, workflowId: string, runId?: string): Promise<RunHistory[]> {
  const runs: RunHistory[] = [];
  let current = runId ?? (await client.workflow.getHandle(workflowId).describe()).runId;
  for (;;) {
    const history = (await client.workflow.getHandle(workflowId, current).fetchHistory()) as History;
    runs.unshift({ runId: current, history });
    const previous = continuedFrom(history);
    if (!previous || runs.some((r) => r.runId === previous)) return runs;
    current = previous;
  }
}

export type HistorySource = 'temporal' | 'archive';

export interface SourcedRun {
  runId: string;
  history: History;
  source: HistorySource;
}

/** Wraps a call to Temporal (the CLI turns an unreachable server into its exit code 3). */
export type TemporalCall = <T>(call: Promise<T>, what: string) => Promise<T>;

/**
 * Every run of the workflow's chain, oldest first, each from Temporal while it holds the run and from the history
 * archive (`archive`, opened only when needed) once it does not; the chain is followed back from the current run (or
 * the last archived one). An archived history whose bytes fail their check throws ArchiveIntegrityError.
 */
export async function sourcedRunChain(
  client: Client,
  archive: (() => Promise<Kysely<Database>>) | undefined,
  workflowId: string,
  call: TemporalCall = (p) => p,
): Promise<SourcedRun[]> {
  let archived: ArchivedRow[] | undefined;
  const fromArchive = async (runId: string | undefined): Promise<SourcedRun | undefined> => {
    if (!archive) return undefined;
    archived ??= await archivedRunsOf(await archive(), workflowId);
    const row = runId === undefined ? archived.at(-1) : archived.find((r) => r.run_id === runId);
    return row && { runId: row.run_id, history: unpackHistory(row), source: 'archive' };
  };
  const fetchRun = async (runId: string | undefined): Promise<SourcedRun> => {
    try {
      const handle = client.workflow.getHandle(workflowId, runId);
      const id = runId ?? (await handle.describe()).runId;
      const history = await call(handle.fetchHistory(), `the history of ${workflowId}`);
      return { runId: id, history: history as History, source: 'temporal' };
    } catch (err) {
      if (!isRunNotFound(err)) throw err;
      const run = await fromArchive(runId);
      if (!run) throw err;
      return run;
    }
  };
  const runs: SourcedRun[] = [];
  let next: string | undefined;
  for (;;) {
    const run = await fetchRun(next);
    runs.unshift(run);
    next = continuedFrom(run.history);
    if (!next || runs.some((r) => r.runId === next)) return runs;
  }
}
