/**
 * PostgreSQL work from `pg_stat_database` (commits, rows inserted + updated) before and after a phase. The statistics
 * are flushed asynchronously (about once a second), so `after` waits a moment and clears the snapshot first. PGlite runs
 * single-user without the cumulative statistics system: its counters stay at zero, and the bench then reports null.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';

export interface PgCounters {
  xactCommit: number;
  tupInserted: number;
  tupUpdated: number;
}

export async function readPgCounters(db: Kysely<Database>): Promise<PgCounters | null> {
  try {
    await sql`select pg_stat_clear_snapshot()`.execute(db);
    const { rows } = await sql<{ xact_commit: string; tup_inserted: string; tup_updated: string }>`
      select xact_commit, tup_inserted, tup_updated from pg_stat_database where datname = current_database()`.execute(
      db,
    );
    const r = rows[0];
    if (!r) return null;
    return {
      xactCommit: Number(r.xact_commit),
      tupInserted: Number(r.tup_inserted),
      tupUpdated: Number(r.tup_updated),
    };
  } catch {
    return null;
  }
}

export interface PgPerNomination {
  commitsPerNomination: number | null;
  rowsPerNomination: number | null;
  note: string;
}

export function perNomination(
  before: PgCounters | null,
  after: PgCounters | null,
  n: number,
  embedded: boolean,
): PgPerNomination {
  if (!before || !after)
    return { commitsPerNomination: null, rowsPerNomination: null, note: 'pg_stat_database not readable' };
  const commits = after.xactCommit - before.xactCommit;
  const rows = after.tupInserted + after.tupUpdated - (before.tupInserted + before.tupUpdated);
  if (commits <= 0 && rows <= 0) {
    return {
      commitsPerNomination: null,
      rowsPerNomination: null,
      note: embedded
        ? 'PGlite keeps no cumulative statistics (pg_stat_database stays at 0); set DATABASE_URL for real figures'
        : 'pg_stat_database did not move',
    };
  }
  const r = (x: number) => Math.round((x / n) * 10) / 10;
  return {
    commitsPerNomination: r(commits),
    rowsPerNomination: r(rows),
    note: embedded ? 'PGlite' : 'PostgreSQL (DATABASE_URL)',
  };
}
