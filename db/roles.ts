/**
 * The two database roles (docs/event-chain.md): the owner, who runs migrations and owns the tables, and the runtime
 * role of the worker, the API and the CLI, which may read and write the projection but only INSERT and SELECT on the
 * event log and the history archive. Granted after every migration run, so tables added later are covered too.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './database';

export interface RoleFacts {
  role: string;
  superuser: boolean;
  ownsEventLog: boolean;
}

/** Who a connection is, and whether the event log's GRANTs can bind it (a superuser or the owner is never refused). */
export async function roleFacts(db: Kysely<Database>): Promise<RoleFacts> {
  const { rows } = await sql<RoleFacts>`
    select current_user as role,
           (select rolsuper from pg_roles where rolname = current_user) as superuser,
           coalesce((select pg_get_userbyid(relowner) = current_user from pg_class
                      where oid = to_regclass('nomination_events')), false) as "ownsEventLog"`.execute(db);
  return rows[0]!;
}

export async function grantRuntimeRole(owner: Kysely<Database>, role: string): Promise<void> {
  const r = sql.id(role);
  // Workers starting together would otherwise GRANT on the same tables at once ("tuple concurrently updated").
  await owner.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('ovop:grant-runtime-role'))`.execute(trx);
    await sql`grant usage on schema public to ${r}`.execute(trx);
    await sql`grant select, insert, update, delete on all tables in schema public to ${r}`.execute(trx);
    await sql`grant usage, select on all sequences in schema public to ${r}`.execute(trx);
    // The event log is append-only; the migration bookkeeping is the owner's (the runtime only reads what is due).
    await sql`revoke update, delete, truncate, references, trigger on nomination_events from ${r}`.execute(trx);
    await sql`revoke update, delete, truncate, references, trigger on workflow_history_archive from ${r}`.execute(trx);
    await sql`revoke all on kysely_migration, kysely_migration_lock from ${r}`.execute(trx);
    await sql`grant select on kysely_migration, kysely_migration_lock to ${r}`.execute(trx);
  });
}
