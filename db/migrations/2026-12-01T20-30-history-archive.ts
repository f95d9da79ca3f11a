// Frozen in time: a migration never imports application code.
// The permanent archive of workflow histories (issue #15 item 6): every closed run's full Temporal history, as the
// protobuf bytes of temporal.api.history.v1.History compressed with gzip, with the SHA-256 of the uncompressed bytes,
// one row per (workflow id, run id), written before the namespace's retention deletes the run (docs/history-archive.md).
// Append-only like the event log: a trigger refuses UPDATE, DELETE and TRUNCATE for every role.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('workflow_history_archive')
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('workflow_type', 'text', (c) => c.notNull())
    .addColumn('cycle_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('event_count', 'integer', (c) => c.notNull())
    .addColumn('encoding', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('history', 'bytea', (c) => c.notNull())
    .addColumn('archived_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('workflow_history_archive_pk', ['workflow_id', 'run_id'])
    .execute();
  await db.schema
    .createIndex('workflow_history_archive_cycle')
    .on('workflow_history_archive')
    .column('cycle_id')
    .execute();
  await db.schema.createIndex('workflow_history_archive_run').on('workflow_history_archive').column('run_id').execute();

  await sql`
    create function workflow_history_archive_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'workflow_history_archive is append-only: % refused (an archived history is permanent)', tg_op
        using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`
    create trigger workflow_history_archive_append_only before update or delete on workflow_history_archive
    for each row execute function workflow_history_archive_append_only()`.execute(db);
  await sql`
    create trigger workflow_history_archive_no_truncate before truncate on workflow_history_archive
    for each statement execute function workflow_history_archive_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('workflow_history_archive').execute();
  await sql`drop function if exists workflow_history_archive_append_only()`.execute(db);
}
