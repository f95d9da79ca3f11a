/**
 * The reconciliation of a nomination's two records (`ovop audit trail`, the auditor's timeline in the portal): every
 * event the workflow asked PostgreSQL to store (its `recordNominationEvent` inputs in the Temporal history) must be a
 * `nomination_events` row with the same seq, type, actor, stage, time and payload, and no row may be without one.
 * A nomination's trail is the trails of its chain of runs (short runs) one after the other.
 */
import type { NominationEventRow } from '../db/database';
import { formatActor } from './output';
import { readTrail, type RecordedEvent, type Trail, type TrailEntry } from './history';
import type { RunHistory } from './run-chain';

export interface Mismatch {
  seq: number;
  problem: 'missing in PostgreSQL' | 'not in the history' | 'differs';
  fields?: string[];
  history?: { type: string; actor: string; eventId: number };
  postgres?: { type: string; actor: string };
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
export type ChainTrail = Omit<Trail, 'entries'> & { entries: (TrailEntry & { run?: number })[] };

export function chainTrail(runs: RunHistory[]): ChainTrail {
  const trails = runs.map((r) => readTrail(r.history));
  const many = runs.length > 1;
  return {
    ...trails[0],
    entries: trails.flatMap((t, i) => t.entries.map((e) => (many ? { ...e, run: i + 1 } : e))),
    recorded: trails.flatMap((t) => t.recorded),
  };
}
