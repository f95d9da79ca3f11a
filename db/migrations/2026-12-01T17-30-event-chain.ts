// Frozen in time: a migration never imports application code.
// The tamper-evident event log (issue #15 item 5): each nomination_events row carries its place in its nomination's
// chain, the hash of the row before it and the hash of its own content (docs/event-chain.md), and a trigger refuses
// UPDATE, DELETE and TRUNCATE for every role. The rows already written are chained here, in (workflow_id, seq) order.
import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';

const GENESIS = '0'.repeat(64);

// Version 1 of the canonical content, as db/event-chain.ts computes it today.
function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : stableJson(v))).join(',')}]`;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('nomination_events')
    .addColumn('chain_index', 'integer')
    .addColumn('prev_hash', 'text')
    .addColumn('hash', 'text')
    .execute();

  const rows = await db.selectFrom('nomination_events').selectAll().orderBy('workflow_id').orderBy('seq').execute();
  let workflowId: string | undefined;
  let index = 0;
  let prev = GENESIS;
  for (const r of rows) {
    if (r.workflow_id !== workflowId) [workflowId, index, prev] = [r.workflow_id, 0, GENESIS];
    index += 1;
    const content = stableJson({
      workflowId: r.workflow_id,
      chainIndex: index,
      seq: r.seq,
      type: r.type,
      stage: r.stage,
      actor: { role: r.actor_role, id: r.actor_id, region: r.actor_region },
      payload: r.payload,
      occurredAt: new Date(r.occurred_at).toISOString(),
      prevHash: prev,
    });
    const hash = createHash('sha256').update(content, 'utf8').digest('hex');
    await db
      .updateTable('nomination_events')
      .set({ chain_index: index, prev_hash: prev, hash })
      .where('id', '=', r.id)
      .execute();
    prev = hash;
  }

  await db.schema
    .alterTable('nomination_events')
    .alterColumn('chain_index', (c) => c.setNotNull())
    .alterColumn('prev_hash', (c) => c.setNotNull())
    .alterColumn('hash', (c) => c.setNotNull())
    .execute();
  await db.schema
    .alterTable('nomination_events')
    .addUniqueConstraint('nomination_events_workflow_chain', ['workflow_id', 'chain_index'])
    .execute();

  await sql`
    create function nomination_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'nomination_events is append-only: % refused (the event log is a hash chain; record a new event instead)', tg_op
        using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`
    create trigger nomination_events_append_only before update or delete on nomination_events
    for each row execute function nomination_events_append_only()`.execute(db);
  await sql`
    create trigger nomination_events_no_truncate before truncate on nomination_events
    for each statement execute function nomination_events_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists nomination_events_no_truncate on nomination_events`.execute(db);
  await sql`drop trigger if exists nomination_events_append_only on nomination_events`.execute(db);
  await sql`drop function if exists nomination_events_append_only()`.execute(db);
  await db.schema.alterTable('nomination_events').dropConstraint('nomination_events_workflow_chain').execute();
  await db.schema
    .alterTable('nomination_events')
    .dropColumn('chain_index')
    .dropColumn('prev_hash')
    .dropColumn('hash')
    .execute();
}
