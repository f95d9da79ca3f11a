// Frozen in time: a migration never imports application code.
// Replay verdicts (issues #14 and #19): whether one workflow run's history replays on one release of the workflow code,
// kept per (workflow id, run id, SHA-256 of the history's protobuf bytes, SHA-256 of the workflow bundle), so a closed
// run is replayed once per release; a changed history or a new bundle is another key and is replayed again.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('replay_verdicts')
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('history_sha256', 'text', (c) => c.notNull())
    .addColumn('bundle_sha256', 'text', (c) => c.notNull())
    .addColumn('ok', 'boolean', (c) => c.notNull())
    .addColumn('kind', 'text')
    .addColumn('message', 'text')
    .addColumn('diverges_at', 'integer')
    .addColumn('event_count', 'integer', (c) => c.notNull())
    .addColumn('replayed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('replay_verdicts_pk', ['workflow_id', 'run_id', 'history_sha256', 'bundle_sha256'])
    .execute();
  await db.schema.createIndex('replay_verdicts_bundle').on('replay_verdicts').columns(['bundle_sha256']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('replay_verdicts').execute();
}
