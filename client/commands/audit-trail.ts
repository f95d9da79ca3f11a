/**
 * `ovop audit trail <nomination>`: the nomination's timeline from its Temporal history, then a reconciliation with the
 * `nomination_events` rows in PostgreSQL: every event the workflow recorded must be there with the same seq, type,
 * actor, stage, time and payload, and nothing else. Every mismatch is listed; the exit code is 1 if there is any.
 */
import { decodeHistoryWith } from '../../common/history-decoding';
import type { NominationEventRow } from '../../db/database';
import type { Context, Outcome } from '../context';
import type { RecordedEvent } from '../history';
import { nominationHandle } from '../nomination';
import { chainSource, chainSourceText, workflowRunChain } from '../run-history';
import { table } from '../output';
import { chainTrail, reconcile, type ChainTrail, type Mismatch } from '../trail-reconcile';
import { formatTime } from '../time';

export async function auditTrail(ctx: Context, id: string): Promise<Outcome> {
  const { ref } = await nominationHandle(ctx, id);
  const { client } = await ctx.temporal();
  const fetched = await workflowRunChain(ctx, ref.workflowId);
  const source = chainSource(fetched);
  const runs = await Promise.all(
    fetched.map(async (r) => ({ ...r, history: await decodeHistoryWith(client, r.history) })),
  );
  const trail = chainTrail(runs);
  const eventCount = runs.reduce((sum, r) => sum + (r.history.events?.length ?? 0), 0);

  let rows: NominationEventRow[] | undefined;
  let note: string | undefined;
  if (ctx.hasDatabase) {
    const db = await ctx.db('the audit trail');
    rows = await db
      .selectFrom('nomination_events')
      .selectAll()
      .where('workflow_id', '=', ref.workflowId)
      .orderBy('seq')
      .execute();
  } else {
    note = 'NOT compared with PostgreSQL: DATABASE_URL is not set';
  }
  const pending = trail.recorded.filter((r) => !r.completed && !rows?.some((row) => row.seq === r.seq));
  const mismatches = rows ? reconcile(trail.recorded, rows) : [];

  const json = {
    workflowId: ref.workflowId,
    source,
    events: eventCount,
    runs: runs.map((r) => ({ runId: r.runId, events: r.history.events?.length ?? 0, source: r.source })),
    entries: trail.entries,
    recorded: trail.recorded,
    comparison: rows
      ? {
          postgresRows: rows.length,
          historyEvents: trail.recorded.length,
          pending: pending.map((p) => p.seq),
          mismatches,
        }
      : null,
    ...(note ? { note } : {}),
  };
  return {
    exitCode: mismatches.length > 0 ? 1 : 0,
    json,
    timezone: trail.timezone,
    text: render(
      ref.workflowId,
      chainSourceText(fetched),
      eventCount,
      runs.length,
      trail,
      rows,
      mismatches,
      pending,
      note,
    ),
  };
}

function render(
  workflowId: string,
  sourceText: string,
  eventCount: number,
  runCount: number,
  { entries, timezone }: ChainTrail,
  rows: NominationEventRow[] | undefined,
  mismatches: Mismatch[],
  pending: RecordedEvent[],
  note: string | undefined,
): string {
  const runs = runCount > 1 ? ` in ${runCount} runs` : '';
  const lines = [`Audit trail of ${workflowId} (${eventCount} history events${runs}, from ${sourceText})`, ''];
  lines.push(
    table(
      ['time', 'event', 'what'],
      entries.map((e) => [
        formatTime(e.at, timezone, { seconds: true }),
        e.run ? `${e.run}#${e.eventId}` : `#${e.eventId}`,
        e.text,
      ]),
    ),
  );
  lines.push('');
  if (!rows) {
    lines.push(`(${note})`);
  } else if (mismatches.length === 0) {
    lines.push(
      `PostgreSQL agrees: ${rows.length} nomination_events row${rows.length === 1 ? '' : 's'} match the history (seq, type, actor, stage, time, payload)${pending.length ? `; ${pending.length} still being written` : ''}.`,
    );
  } else {
    lines.push(
      `${mismatches.length} mismatch${mismatches.length === 1 ? '' : 'es'} between the history and PostgreSQL nomination_events:`,
    );
    lines.push(
      table(
        ['seq', 'problem', 'history', 'postgres'],
        mismatches.map((m) => [
          m.seq,
          m.problem + (m.fields ? ` (${m.fields.join(', ')})` : ''),
          m.history ? `${m.history.type} by ${m.history.actor} (#${m.history.eventId})` : '-',
          m.postgres ? `${m.postgres.type} by ${m.postgres.actor}` : '-',
        ]),
      ),
    );
  }
  return lines.join('\n');
}
