/** What every long-running entry point does first: connect, migrate (a failed migration stops here), build deps. */
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { createMailer, type Mailer } from '../activities/mailer';
import { createDb, type Database } from '../db/database';
import { migrateWithRoles } from '../db/migrate';
import { connectClient, temporalSettings, type TemporalSettings } from '../common/temporal-connection';

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

/**
 * The Temporal settings of a long-running service; a malformed payload key stops it with the one sentence that names
 * the entry (exit 2), and running without one is said once at start.
 */
export function temporalSettingsOrExit(service: string): TemporalSettings {
  let settings: TemporalSettings;
  try {
    settings = temporalSettings();
  } catch (err) {
    console.error(`The ${service} does not start: ${(err as Error).message}`);
    process.exit(2);
  }
  if (!settings.payloadCodec)
    console.warn(
      `The ${service} stores payloads in Temporal unencrypted: set OVOP_PAYLOAD_KEYS or OVOP_PAYLOAD_KEYS_FILE (docs/deployment.md).`,
    );
  return settings;
}
