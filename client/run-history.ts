/**
 * A workflow's history for the audit commands: from Temporal while it holds the run, from the permanent archive
 * (db/history-archive.ts) once the namespace's retention has deleted it. Every answer names its source, and an
 * archived history whose bytes no longer match their hash is refused (exit 1), never replayed or shown.
 */
import { isRunNotFound } from '../common/temporal-not-found';
import { ArchiveIntegrityError, archivedRunsOf, unpackHistory, type ArchivedRow } from '../db/history-archive';
import type { Context } from './context';
import { refused } from './errors';
import type { History } from './history';
import { continuedFrom } from './run-chain';

export type HistorySource = 'temporal' | 'archive';

/** Where a history came from, in the words the commands print. */
export function sourceText(source: HistorySource): string {
  return source === 'temporal' ? 'Temporal' : 'the history archive (PostgreSQL)';
}

/** The refusal for an archived history that fails its check. */
export function integrityRefusal(err: ArchiveIntegrityError): Error {
  return refused(`${err.message}: do not trust or replay it`);
}

export interface SourcedRun {
  runId: string;
  history: History;
  source: HistorySource;
}

/**
 * Every run of the workflow's chain (short runs: client/run-chain.ts), oldest first, each from Temporal while it holds
 * the run and from the archive once it does not; the chain is followed back from the current run.
 */
export async function workflowRunChain(ctx: Context, workflowId: string): Promise<SourcedRun[]> {
  const { client } = await ctx.temporal();
  let archived: ArchivedRow[] | undefined;
  const fromArchive = async (runId: string | undefined): Promise<SourcedRun | undefined> => {
    if (!ctx.hasDatabase) return undefined;
    archived ??= await archivedRunsOf(await ctx.db('the history archive'), workflowId);
    const row = runId === undefined ? archived.at(-1) : archived.find((r) => r.run_id === runId);
    if (!row) return undefined;
    try {
      return { runId: row.run_id, history: unpackHistory(row), source: 'archive' };
    } catch (e) {
      if (e instanceof ArchiveIntegrityError) throw integrityRefusal(e);
      throw e;
    }
  };
  const fetchRun = async (runId: string | undefined): Promise<SourcedRun> => {
    try {
      const handle = client.workflow.getHandle(workflowId, runId);
      const id = runId ?? (await handle.describe()).runId;
      const history = await ctx.call(handle.fetchHistory(), `the history of ${workflowId}`);
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

/** The runs' sources in the words the commands print: one source, or both. */
export function chainSourceText(runs: SourcedRun[]): string {
  const sources = [...new Set(runs.map((r) => r.source))];
  return sources.map(sourceText).join(' and ');
}

/** The chain's source for JSON: one source, or `mixed` when some runs are archived and some not. */
export function chainSource(runs: SourcedRun[]): HistorySource | 'mixed' {
  const sources = new Set(runs.map((r) => r.source));
  return sources.size === 1 ? runs[0].source : 'mixed';
}
