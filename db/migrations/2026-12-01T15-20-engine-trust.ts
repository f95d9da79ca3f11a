// Frozen in time: a migration never imports application code.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * What the workflows check a caller against, written only by the cycle's activities: each nomination the cycle
 * started, with the exact input it gave it, and each cycle-wide deadline change a coordinator made, with its actor.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('nomination_intake')
    .addColumn('workflow_id', 'text', (c) => c.primaryKey())
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    .addColumn('input', 'jsonb', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('cycle_deadline_changes')
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('until', 'text', (c) => c.notNull())
    .addColumn('actor_role', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_region', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('cycle_deadline_changes_pk', ['cycle_id', 'stage', 'until'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cycle_deadline_changes').execute();
  await db.schema.dropTable('nomination_intake').execute();
}
