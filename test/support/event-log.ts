/**
 * Changes `nomination_events` as its owner can despite the append-only trigger: the trigger is disabled inside one
 * transaction (ALTER TABLE takes the table's exclusive lock, so no other session ever sees it off). This is the attack
 * the hash chain exists to expose.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/database';

export async function bypassingAppendOnly<T>(
  db: Kysely<Database>,
  fn: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`alter table nomination_events disable trigger nomination_events_append_only`.execute(trx);
    const result = await fn(trx);
    await sql`alter table nomination_events enable trigger nomination_events_append_only`.execute(trx);
    return result;
  });
}
