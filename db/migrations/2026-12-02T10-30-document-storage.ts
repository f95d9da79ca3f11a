// Frozen in time: a migration never imports application code.
// S3-compatible document storage (issue #13 item 5): where each file's bytes are, so a file stays readable after the
// setting changes (files of before the switch to S3 keep their chunks in PostgreSQL) and a sweep knows what to delete.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('document_files')
    .addColumn('stored_in', 'text', (c) =>
      c
        .notNull()
        .defaultTo('postgres')
        .check(sql`stored_in in ('postgres', 's3')`),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('document_files').dropColumn('stored_in').execute();
}
