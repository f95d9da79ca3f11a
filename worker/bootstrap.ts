/** What every long-running entry point does first: connect, migrate (a failed migration stops here), build deps. */
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { createMailer, type Mailer } from '../activities/mailer';
import { createDb, type Database } from '../db/database';
import { migrateWithRoles } from '../db/migrate';
import { envSecret, envSecretIsSet } from '../common/env-secret';
import { connectClient, temporalSettings, type TemporalSettings } from '../common/temporal-connection';
import { startTracing, tracingSettings, type Tracing } from '../common/tracing';

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

/** The connection settings of a service (NAME or NAME_FILE); a missing or unreadable one stops it with exit code 2. */
export function connectionSettingsOrExit(service: string): {
  databaseUrl: string;
  ownerDatabaseUrl?: string;
  smtpUrl: string;
} {
  try {
    for (const name of ['DATABASE_URL', 'SMTP_URL'])
      if (!envSecretIsSet(name))
        throw new Error(
          `${name} (or ${name}_FILE) is not set: the ${service} needs it (see docs/deployment.md). For a self-contained run use npm start.`,
        );
    return {
      databaseUrl: envSecret('DATABASE_URL')!,
      ownerDatabaseUrl: envSecret('DATABASE_OWNER_URL'),
      smtpUrl: envSecret('SMTP_URL')!,
    };
  } catch (err) {
    console.error(`The ${service} does not start: ${(err as Error).message}`);
    process.exit(2);
  }
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

/**
 * The service's OpenTelemetry tracing, started before its Temporal client is made (the client's interceptor is chosen
 * then): off unless the OTEL_* settings ask for it (common/tracing.ts); one it cannot honour stops it with exit code 2.
 */
export function tracingOrExit(service: string, serviceName: string): Tracing | undefined {
  try {
    const settings = tracingSettings(process.env, serviceName);
    if (!settings) return undefined;
    const tracing = startTracing(settings);
    console.log(`The ${service} sends OpenTelemetry traces as ${settings.serviceName} (OTLP over HTTP).`);
    return tracing;
  } catch (err) {
    console.error(`The ${service} does not start: ${(err as Error).message}`);
    process.exit(2);
  }
}
