/**
 * `ovop audit trail <nomination>`: the nomination's timeline from its Temporal history, then a reconciliation with the
 * `nomination_events` rows in PostgreSQL: every event the workflow recorded must be there with the same seq, type,
 * actor, stage, time and payload, and nothing else. Every mismatch is listed; the exit code is 1 if there is any.
 */
import { decodeHistoryWith } from '../../common/history-decoding';
import type { NominationEventRow } from '../../db/database';
import { formatActor } from '../actor';
import type { Context, Outcome } from '../context';
import { readTrail, type RecordedEvent, type Trail, type TrailEntry } from '../history';
import type { RunHistory } from '../run-chain';
import { nominationHandle } from '../nomination';
import { chainSource, chainSourceText, workflowRunChain } from '../run-history';
import { table } from '../output';
import { formatTime } from '../time';

export interface Mismatch {
  seq: number;
  problem: 'missing in PostgreSQL' | 'not in the history' | 'differs';
  fields?: string[];
  history?: { type: string; actor: string; eventId: number };
  postgres?: { type: string; actor: string };
}

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

export function reconcile(recorded: RecordedEvent[], rows: NominationEventRow[]): Mismatch[] {
  const mismatches: Mismatch[] = [];
  const bySeq = new Map(rows.map((r) => [r.seq, r]));
  const seen = new Set<number>();
  for (const h of recorded) {
    seen.add(h.seq);
    const row = bySeq.get(h.seq);
    const historySide = { type: h.type, actor: formatActor(h.actor), eventId: h.eventId };
    if (!row) {
      // Still running or retrying: the row is not due yet.
      if (h.completed) mismatches.push({ seq: h.seq, problem: 'missing in PostgreSQL', history: historySide });
      continue;
    }
    const rowActor = `${row.actor_role}:${row.actor_id}:${row.actor_region}`;
    const differs: [string, boolean][] = [
      ['type', h.type !== row.type],
      ['actor', historySide.actor !== rowActor],
      ['stage', h.stage !== row.stage],
      ['time', Date.parse(h.at) !== new Date(row.occurred_at).getTime()],
      ['payload', canonicalJson(h.payload) !== canonicalJson(row.payload)],
    ];
    const fields = differs.filter(([, d]) => d).map(([name]) => name);
    if (fields.length > 0)
      mismatches.push({
        seq: h.seq,
        problem: 'differs',
        fields,
        history: historySide,
        postgres: { type: row.type, actor: rowActor },
      });
  }
  for (const row of rows) {
    if (!seen.has(row.seq)) {
      mismatches.push({
        seq: row.seq,
        problem: 'not in the history',
        postgres: { type: row.type, actor: `${row.actor_role}:${row.actor_id}:${row.actor_region}` },
      });
    }
  }
  return mismatches.sort((a, b) => a.seq - b.seq);
}

/** JSON with object keys sorted: PostgreSQL's jsonb keeps its own key order, so compare by content. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** One trail over the runs of a chain: each entry names its run (1, 2, …) when there is more than one. */
type ChainTrail = Omit<Trail, 'entries'> & { entries: (TrailEntry & { run?: number })[] };

function chainTrail(runs: RunHistory[]): ChainTrail {
  const trails = runs.map((r) => readTrail(r.history));
  const many = runs.length > 1;
  return {
    ...trails[0],
    entries: trails.flatMap((t, i) => t.entries.map((e) => (many ? { ...e, run: i + 1 } : e))),
    recorded: trails.flatMap((t) => t.recorded),
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
