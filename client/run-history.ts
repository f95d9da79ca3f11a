/**
 * A workflow's history for the audit commands: from Temporal while it holds the run, from the permanent archive
 * (db/history-archive.ts) once the namespace's retention has deleted it. Every answer names its source, and an
 * archived history whose bytes no longer match their hash is refused (exit 1), never replayed or shown.
 */
import { isRunNotFound } from '../common/temporal-not-found';
import { ArchiveIntegrityError, archivedRunsOf, unpackHistory } from '../db/history-archive';
import type { Context } from './context';
import { refused } from './errors';
import type { History } from './history';

export type HistorySource = 'temporal' | 'archive';

export interface SourcedHistory {
  history: History;
  source: HistorySource;
  /** The run, when known (an archived run always is). */
  runId?: string;
}

/** Where a history came from, in the words the commands print. */
export function sourceText(source: HistorySource): string {
  return source === 'temporal' ? 'Temporal' : 'the history archive (PostgreSQL)';
}

/** The refusal for an archived history that fails its check. */
export function integrityRefusal(err: ArchiveIntegrityError): Error {
  return refused(`${err.message}: do not trust or replay it`);
}

/** The latest run's history of `workflowId`: Temporal's, else the archive's. */
export async function workflowHistory(ctx: Context, workflowId: string): Promise<SourcedHistory> {
  const { client } = await ctx.temporal();
  try {
    const history = await ctx.call(
      client.workflow.getHandle(workflowId).fetchHistory(),
      `the history of ${workflowId}`,
    );
    return { history: history as History, source: 'temporal' };
  } catch (err) {
    if (!isRunNotFound(err) || !ctx.hasDatabase) throw err;
    const runs = await archivedRunsOf(await ctx.db('the history archive'), workflowId);
    const latest = runs.at(-1);
    if (!latest) throw err;
    try {
      return { history: unpackHistory(latest), source: 'archive', runId: latest.run_id };
    } catch (e) {
      if (e instanceof ArchiveIntegrityError) throw integrityRefusal(e);
      throw e;
    }
  }
}
