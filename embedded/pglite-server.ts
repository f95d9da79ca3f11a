/**
 * The embedded PostgreSQL default: PGlite (Postgres compiled to WASM) served over the real wire protocol, so the same
 * pg + kysely code runs against it and against a real server selected by DATABASE_URL.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync } from 'node:fs';
import { MissingPrerequisiteError } from './temporal-cli';
import { portInUse } from './ports';

/** Marks connection strings of the embedded PGlite, so that pools made from them stay at one connection. */
export const PGLITE_APPLICATION_NAME = 'ovop-pglite';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/** `dataDir` undefined keeps the database in memory (a fresh one per test run). */
export async function startPglite(opts: { port: number; dataDir?: string }): Promise<EmbeddedPostgres> {
  if (await portInUse(opts.port)) {
    throw new MissingPrerequisiteError(
      `Port ${opts.port} (embedded PostgreSQL) is already in use: free it or set OVOP_PG_PORT.`,
    );
  }
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const db = await PGlite.create(opts.dataDir);
  // pg.Pool opens several connections; with the default maxConnections of 1 the second one is cut. PGlite still runs
  // one statement at a time and queues the rest, so this only lets the pool connect.
  const server = new PGLiteSocketServer({ db, port: opts.port, host: '127.0.0.1', maxConnections: 24 });
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${opts.port}/postgres?sslmode=disable&application_name=${PGLITE_APPLICATION_NAME}`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
