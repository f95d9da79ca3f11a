/**
 * Connections of the CLI: Temporal through @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, API key
 * or a profile; the same settings as the worker), PostgreSQL through DATABASE_URL. Both fail fast with one sentence
 * naming the address tried (exit code 3), instead of a stack trace after a long wait.
 */
import { Client, Connection } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { createDb, type Database } from '../db/database';
import { dataConverterOf, temporalSettings } from '../common/temporal-connection';
import { envSecret } from '../common/env-secret';
import { PayloadKeyError } from '../common/payload-keys';
import { describeDatabase, firstLine, unreachable, usage } from './errors';

/** How long to wait for the Temporal frontend to answer the first call. */
export const CONNECT_TIMEOUT_SECONDS = 3;

export interface TemporalSession {
  client: Client;
  address: string;
  namespace: string;
  close(): Promise<void>;
}

/** The address the CLI would connect to, for messages written before (or without) connecting. */
export function temporalAddress(): string {
  try {
    return temporalSettings().address;
  } catch {
    return process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
  }
}

export async function connectTemporal(): Promise<TemporalSession> {
  let settings: ReturnType<typeof temporalSettings>;
  try {
    settings = temporalSettings();
  } catch (err) {
    if (err instanceof PayloadKeyError) throw usage(err.message);
    throw usage(`cannot read the Temporal connection settings: ${firstLine(err)}`);
  }
  const { address, namespace } = settings;
  let connection: Connection;
  try {
    connection = await Connection.connect({
      ...(settings.connectionOptions as Parameters<typeof Connection.connect>[0]),
      connectTimeout: `${CONNECT_TIMEOUT_SECONDS} seconds`,
    });
  } catch (err) {
    const reason = /deadline|timed? ?out/i.test(firstLine(err))
      ? `no connection within ${CONNECT_TIMEOUT_SECONDS} s`
      : firstLine(err).replace(/\.$/, '');
    throw unreachable(
      `cannot reach the Temporal server at ${address} (${reason}); check that it runs, or set TEMPORAL_ADDRESS`,
    );
  }
  const client = new Client({ connection, namespace, dataConverter: dataConverterOf(settings) });
  return { client, address, namespace, close: () => connection.close() };
}

export interface DatabaseSession {
  db: Kysely<Database>;
  close(): Promise<void>;
}

/** A database handle, checked with one round trip; DATABASE_URL is required. */
export async function connectDatabase(why: string): Promise<DatabaseSession> {
  let url: string | undefined;
  try {
    url = envSecret('DATABASE_URL');
  } catch (err) {
    throw usage((err as Error).message);
  }
  if (!url)
    throw usage(
      `DATABASE_URL is not set; ${why} reads PostgreSQL (e.g. DATABASE_URL=postgres://ovop:ovop@localhost:5432/ovop)`,
    );
  let db: Kysely<Database>;
  try {
    db = createDb(url, { max: 4 });
  } catch (err) {
    throw usage(`DATABASE_URL is not a usable connection string: ${firstLine(err)}`);
  }
  try {
    await withTimeout(sql`select 1`.execute(db), CONNECT_TIMEOUT_SECONDS * 1000);
  } catch (err) {
    await db.destroy().catch(() => {});
    const code = (err as { code?: string }).code;
    throw unreachable(
      `cannot reach PostgreSQL${describeDatabase(url)} (${code ?? firstLine(err)}); check DATABASE_URL`,
    );
  }
  return { db, close: () => db.destroy() };
}

class TimeoutError extends Error {
  override name = 'TimeoutError';
  code = 'ETIMEDOUT';
}

export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(`no answer within ${Math.round(ms / 1000)} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
