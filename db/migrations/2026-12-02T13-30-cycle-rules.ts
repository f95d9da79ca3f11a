// Frozen in time: a migration never imports application code.
// Rules by reference (issue #16 item 4): a cycle's rules stored once by their content hash, which a nomination's
// input names instead of carrying them, and the dinas address a nomination was proposed with, kept beside its intake
// record rather than in the workflow's input; so the workflow histories hold no name or address of anyone.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('cycle_rules')
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('rules', 'jsonb', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('cycle_rules_pkey', ['cycle_id', 'sha256'])
    .execute();
  await db.schema.alterTable('nomination_intake').addColumn('dinas_email', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('nomination_intake').dropColumn('dinas_email').execute();
  await db.schema.dropTable('cycle_rules').execute();
}
