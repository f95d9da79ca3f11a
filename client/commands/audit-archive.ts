/**
 * `ovop audit archive`: one sweep of the history archiver (common/history-archiver.ts) now — every closed run of the
 * engine that Temporal still holds and the archive does not is copied into PostgreSQL. The worker sweeps on its own
 * every OVOP_ARCHIVE_EVERY; this is for an operator who is about to shorten the retention, or a worker that was down.
 */
import { archiveClosedRuns } from '../../common/history-archiver';
import type { Context, Outcome } from '../context';

export async function auditArchive(ctx: Context): Promise<Outcome> {
  const db = await ctx.db('audit archive');
  const { client } = await ctx.temporal();
  const result = await archiveClosedRuns(client, db);
  const lost = result.lost.map((l) => `${l.workflowId} (run ${l.runId})`);
  return {
    exitCode: result.lost.length > 0 ? 1 : 0,
    json: result,
    text: [
      `Archived ${result.archived} closed workflow run${result.archived === 1 ? '' : 's'}; ${result.closed} closed run${result.closed === 1 ? '' : 's'} in Temporal, the others archived before.`,
      ...(lost.length
        ? [`Deleted by Temporal before they could be archived (${lost.length}): ${lost.join(', ')}`]
        : []),
    ].join('\n'),
  };
}
