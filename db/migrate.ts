/** Runs the Kysely migrations in db/migrations (at worker start and by `npm run migrate`). */
import { FileMigrationProvider, Migrator, type Kysely } from 'kysely';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database';

export class MigrationError extends Error {
  override name = 'MigrationError';
}

const migrationFolder = fileURLToPath(new URL('./migrations', import.meta.url));

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new FileMigrationProvider({ fs, path, migrationFolder }) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new MigrationError(
      `Database migration ${failed?.migrationName ?? ''} failed: ${cause}. The schema was left at the last good migration; fix the database or the migration and start again.`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
