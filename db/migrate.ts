/** Runs the Kysely migrations in db/migrations (at worker start and by `npm run migrate`). */
import { FileMigrationProvider, Migrator, type Kysely } from 'kysely';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, type Database } from './database';
import { grantRuntimeRole, roleFacts } from './roles';

export class MigrationError extends Error {
  override name = 'MigrationError';
}

const migrationFolder = fileURLToPath(new URL('./migrations', import.meta.url));

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new FileMigrationProvider({ fs, path, migrationFolder }) });
  let pending: string[];
  try {
    // Reading what is due needs only SELECT, so a runtime role without the owner's rights starts on a current schema.
    pending = (await migrator.getMigrations()).filter((m) => !m.executedAt).map((m) => m.name);
  } catch (err) {
    throw new MigrationError(`Cannot read the database's migrations: ${(err as Error).message}.`, { cause: err });
  }
  if (pending.length === 0) return [];
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error.message : String(error ?? 'unknown error');
    const hint = /permission denied|must be owner/.test(cause)
      ? ' Migrations run as the owner role: set DATABASE_OWNER_URL (or run npm run migrate with it).'
      : '';
    throw new MigrationError(
      `Database migration ${failed?.migrationName ?? ''} failed: ${cause}. The schema was left at the last good migration; fix the database or the migration and start again.${hint}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Migrates as the owner when an owner URL is given, then grants the runtime connection's role what it may do; with
 * one URL (the embedded stack, a single-role deployment) migrates through the runtime connection itself.
 */
export async function migrateWithRoles(runtime: Kysely<Database>, ownerUrl: string | undefined): Promise<string[]> {
  if (!ownerUrl) return migrateToLatest(runtime);
  const owner = createDb(ownerUrl, { max: 1 });
  try {
    const applied = await migrateToLatest(owner);
    const [ownerRole, runtimeRole] = await Promise.all([roleFacts(owner), roleFacts(runtime)]);
    if (runtimeRole.role !== ownerRole.role) await grantRuntimeRole(owner, runtimeRole.role);
    return applied;
  } finally {
    await owner.destroy();
  }
}
