// Frozen in time: a migration never imports application code.
// The award as determined and followed up (issue #17): decrees and the nominations they cover, the coaching office
// and certificate hand-over beside each nomination's stars, and curation lists for follow-up programmes.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('nominations')
    .addColumn('decree_number', 'text')
    .addColumn('coaching_level', 'text')
    .addColumn('coaching_office', 'text')
    .addColumn('certificate_date', 'text')
    .addColumn('certificate_by', 'text')
    .execute();

  await db.schema
    .createTable('decrees')
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('decree_date', 'text', (c) => c.notNull())
    .addColumn('signatory_office', 'text', (c) => c.notNull())
    .addColumn('signatory_name', 'text', (c) => c.notNull())
    .addColumn('issued_by', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('decrees_pk', ['cycle_id', 'number'])
    .execute();

  await db.schema
    .createTable('decree_nominations')
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    .addColumn('decree_number', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('ikm_name', 'text', (c) => c.notNull())
    .addColumn('stars', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('settled_at', 'timestamptz')
    .addPrimaryKeyConstraint('decree_nominations_pk', ['cycle_id', 'decree_number', 'workflow_id'])
    .execute();
  await db.schema.createIndex('decree_nominations_workflow').on('decree_nominations').column('workflow_id').execute();

  await db.schema
    .createTable('curation_lists')
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('criteria', 'jsonb', (c) => c.notNull())
    .addColumn('built_by', 'text', (c) => c.notNull())
    .addColumn('built_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('curation_lists_pk', ['cycle_id', 'name'])
    .execute();

  await db.schema
    .createTable('curation_list_members')
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    .addColumn('list_name', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('ikm_name', 'text', (c) => c.notNull())
    .addColumn('regency_code', 'text', (c) => c.notNull())
    .addColumn('province_code', 'text', (c) => c.notNull())
    .addColumn('commodity', 'text', (c) => c.notNull())
    .addColumn('stars', 'integer', (c) => c.notNull())
    .addColumn('provisional_score', 'double precision')
    .addPrimaryKeyConstraint('curation_list_members_pk', ['cycle_id', 'list_name', 'workflow_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['curation_list_members', 'curation_lists', 'decree_nominations', 'decrees']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await db.schema
    .alterTable('nominations')
    .dropColumn('decree_number')
    .dropColumn('coaching_level')
    .dropColumn('coaching_office')
    .dropColumn('certificate_date')
    .dropColumn('certificate_by')
    .execute();
}
