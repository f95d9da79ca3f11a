/** What every long-running entry point does first: connect, migrate (a failed migration stops here), build deps. */
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { createMailer, type Mailer } from '../activities/mailer';
import { createDb, type Database } from '../db/database';
import { migrateWithRoles } from '../db/migrate';
import { connectClient, type TemporalSettings } from '../common/temporal-connection';

export interface Deps {
  client: Client;
  db: Kysely<Database>;
  mailer: Mailer;
  close(): Promise<void>;
}

export async function bootstrap(opts: {
  temporal: TemporalSettings;
  databaseUrl: string;
  /** The owner role's connection for migrations (DATABASE_OWNER_URL); without it the runtime connection migrates. */
  ownerDatabaseUrl?: string;
  smtpUrl: string;
  poolMax?: number;
}): Promise<Deps> {
  const db = createDb(opts.databaseUrl, { max: opts.poolMax });
  let client: Client;
  try {
    await migrateWithRoles(db, opts.ownerDatabaseUrl);
    client = await connectClient(opts.temporal);
  } catch (err) {
    await db.destroy();
    throw err;
  }
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
