/**
 * The bench's dependencies: what worker/bootstrap.ts builds, but with the size of the PostgreSQL pool chosen here.
 * Against embedded PGlite the bench uses one connection: PGlite runs one statement at a time anyway, and with the
 * default pool of 10 its wire-protocol server mixed up extended-protocol state between connections under load
 * ("portal \"\" does not exist", then an unhandled 'error' on a pg Client that killed the process at N=100).
 */
import { createMailer } from '../activities/mailer';
import { createDb } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import type { Deps } from '../worker/bootstrap';
import { connectClient, type TemporalSettings } from '../worker/temporal-connection';

export async function benchDeps(opts: { temporal: TemporalSettings; databaseUrl: string; smtpUrl: string; poolMax: number }): Promise<Deps> {
  const db = createDb(opts.databaseUrl, { max: opts.poolMax });
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const client = await connectClient(opts.temporal);
  const mailer = createMailer(opts.smtpUrl);
  return {
    client,
    db,
    mailer,
    async close() {
      mailer.close();
      await client.connection.close();
      await db.destroy();
    },
  };
}
