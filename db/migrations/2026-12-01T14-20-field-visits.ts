// Frozen in time: a migration never imports application code.
import type { Kysely } from 'kysely';

/** Field visits (one per nomination, moved when rescheduled) and the evidence their teams record on site. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('field_visits')
    .addColumn('workflow_id', 'text', (c) => c.primaryKey())
    .addColumn('visit_date', 'timestamptz', (c) => c.notNull())
    .addColumn('team', 'jsonb', (c) => c.notNull())
    .addColumn('facilitator', 'text')
    .addColumn('scheduled_by', 'text', (c) => c.notNull())
    .addColumn('scheduled_at', 'timestamptz', (c) => c.notNull())
    .addColumn('passed', 'boolean')
    .addColumn('items_found', 'integer')
    .addColumn('decided_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('field_evidence')
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('found', 'boolean', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('files', 'jsonb', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('field_evidence_pk', ['workflow_id', 'item'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('field_evidence').ifExists().execute();
  await db.schema.dropTable('field_visits').ifExists().execute();
}
