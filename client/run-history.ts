/**
 * A workflow's history for the audit commands: from Temporal while it holds the run, from the permanent archive
 * (db/history-archive.ts) once the namespace's retention has deleted it. Every answer names its source, and an
 * archived history whose bytes no longer match their hash is refused (exit 1), never replayed or shown.
 */
import { ArchiveIntegrityError } from '../db/history-archive';
import type { Context } from './context';
import { refused } from './errors';
import { sourcedRunChain, type HistorySource, type SourcedRun } from './run-chain';

export type { HistorySource, SourcedRun } from './run-chain';

/** Where a history came from, in the words the commands print. */
export function sourceText(source: HistorySource): string {
  return source === 'temporal' ? 'Temporal' : 'the history archive (PostgreSQL)';
}

/** The refusal for an archived history that fails its check. */
export function integrityRefusal(err: ArchiveIntegrityError): Error {
  return refused(`${err.message}: do not trust or replay it`);
}

/**
 * Every run of the workflow's chain (short runs: client/run-chain.ts), oldest first, each from Temporal while it holds
 * the run and from the archive once it does not; an archived run that fails its check is refused.
 */
export async function workflowRunChain(ctx: Context, workflowId: string): Promise<SourcedRun[]> {
  const { client } = await ctx.temporal();
  const archive = ctx.hasDatabase ? () => ctx.db('the history archive') : undefined;
  try {
    return await sourcedRunChain(client, archive, workflowId, (p, what) => ctx.call(p, what));
  } catch (err) {
    if (err instanceof ArchiveIntegrityError) throw integrityRefusal(err);
    throw err;
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
