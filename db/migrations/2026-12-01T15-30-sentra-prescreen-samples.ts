// Frozen in time: a migration never imports application code.
import type { Kysely } from 'kysely';

/**
 * The sentra as an entity of its own (issue 17): one claim per sentra and cycle, the sentra's units and the provincial
 * pre-screen's decision in the projection, and the receipt of product samples.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // The durable guard against a sentra nominated twice in a cycle: its key is the sentra's slug within its regency.
  await db.schema
    .createTable('sentra_claims')
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    .addColumn('regency_code', 'text', (c) => c.notNull())
    .addColumn('sentra_key', 'text', (c) => c.notNull())
    .addColumn('sentra_name', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('sentra_claims_pk', ['cycle_id', 'regency_code', 'sentra_key'])
    .execute();

  await db.schema.alterTable('nominations').addColumn('sentra_units', 'integer').execute();
  await db.schema.alterTable('nominations').addColumn('prescreen', 'text').execute();

  await db.schema
    .createTable('product_samples')
    .addColumn('workflow_id', 'text', (c) => c.primaryKey())
    .addColumn('received_on', 'date', (c) => c.notNull())
    .addColumn('condition', 'text', (c) => c.notNull())
    .addColumn('received_by', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('product_samples').ifExists().execute();
  await db.schema.alterTable('nominations').dropColumn('prescreen').execute();
  await db.schema.alterTable('nominations').dropColumn('sentra_units').execute();
  await db.schema.dropTable('sentra_claims').ifExists().execute();
}
