// Frozen in time: a migration never imports application code.
// Documents for real (issue #13 item 5): the uploaded files themselves, stored in PostgreSQL as rows of bytea chunks,
// and the id of the stored file beside each document a nomination's workflow recorded.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('document_files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('chunk_count', 'integer', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // The business key: the same content uploaded twice for the same kind of the same nomination is one file.
    .addUniqueConstraint('document_files_content', ['workflow_id', 'kind', 'sha256'])
    .execute();

  await db.schema
    .createTable('document_chunks')
    .addColumn('file_id', 'text', (c) => c.notNull().references('document_files.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('document_chunks_pk', ['file_id', 'seq'])
    .execute();

  await db.schema.alterTable('documents').addColumn('document_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('documents').dropColumn('document_id').execute();
  await db.schema.dropTable('document_chunks').ifExists().execute();
  await db.schema.dropTable('document_files').ifExists().execute();
}
