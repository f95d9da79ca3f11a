/**
 * The permanent archive of workflow histories (`workflow_history_archive`, docs/history-archive.md): a closed run's
 * full history as the protobuf bytes of `temporal.api.history.v1.History`, gzip-compressed, beside the SHA-256 of the
 * uncompressed bytes. Rows are keyed by (workflow id, run id) and only ever inserted, so archiving twice is harmless.
 */
import proto from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, WorkflowHistoryArchiveTable } from './database';

export type History = temporal.api.history.v1.IHistory;
// The package is CommonJS: its namespaces are properties of the default export under ESM.
const HistoryMessage = proto.temporal.api.history.v1.History;
export type ArchivedRow = Selectable<WorkflowHistoryArchiveTable>;
export type NewArchivedRow = Insertable<WorkflowHistoryArchiveTable> & { started_at: Date; closed_at: Date };

/** What `encoding` says of the bytes in `history`. */
export const ARCHIVE_ENCODING = 'temporal.api.history.v1.History+gzip';

export interface RunFacts {
  workflowId: string;
  runId: string;
  workflowType: string;
  cycleId: string | null;
  status: string;
  startedAt: Date;
  closedAt: Date;
}

/**
 * The SHA-256 (lowercase hex) of a history's canonical protobuf bytes: what the archive records and replay verdicts key
 * on. The same history always hashes the same.
 */
export function historySha256(history: History): string {
  return createHash('sha256').update(canonicalBytes(history)).digest('hex');
}

/**
 * A history's protobuf bytes with every map's entries in key order. The server writes map entries (payload metadata,
 * headers, memo, search attributes) in Go's random map order, so two fetches of one closed run differ in their bytes;
 * sorted, they are the same. The entries are sorted in place: the order of a map's keys means nothing.
 */
export function canonicalBytes(history: History): Uint8Array {
  sortMaps(HistoryMessage as unknown as ReflectedType, history as unknown as Record<string, unknown>);
  return HistoryMessage.encode(history).finish();
}

/** The parts of protobufjs's reflection that the sort reads (the package's own types are not a dependency of ours). */
interface ReflectedType {
  fieldsArray: ReflectedField[];
}
interface ReflectedField {
  name: string;
  map?: boolean;
  resolvedType: unknown;
  resolve(): ReflectedField;
}

function sortMaps(type: ReflectedType, message: Record<string, unknown>): void {
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    if (value == null) continue;
    const nested = field.resolve().resolvedType as ReflectedType | null;
    const inner = nested && 'fieldsArray' in nested ? nested : undefined;
    if (field.map) {
      const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      message[field.name] = Object.fromEntries(entries);
      if (inner) for (const [, v] of entries) if (v != null) sortMaps(inner, v as Record<string, unknown>);
    } else if (inner) {
      for (const v of Array.isArray(value) ? value : [value])
        if (v != null) sortMaps(inner, v as Record<string, unknown>);
    }
  }
}

/** A deep copy of a history (decoding payloads for display changes a history in place; a replay needs it as stored). */
export function copyHistory(history: History): History {
  return HistoryMessage.decode(HistoryMessage.encode(history).finish());
}

/** The row to archive for a run's history: compressed bytes and the hash of the uncompressed ones. */
export function packHistory(run: RunFacts, history: History): NewArchivedRow {
  const bytes = canonicalBytes(history);
  return {
    workflow_id: run.workflowId,
    run_id: run.runId,
    workflow_type: run.workflowType,
    cycle_id: run.cycleId,
    status: run.status,
    started_at: run.startedAt,
    closed_at: run.closedAt,
    event_count: history.events?.length ?? 0,
    encoding: ARCHIVE_ENCODING,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    history: gzipSync(bytes),
  };
}

/** An archived history that is no longer what was archived: its bytes do not decompress or do not match the hash. */
export class ArchiveIntegrityError extends Error {
  constructor(
    readonly workflowId: string,
    readonly runId: string,
    why: string,
  ) {
    super(`the archived history of ${workflowId} (run ${runId}) ${why}; it was changed after archiving`);
    this.name = 'ArchiveIntegrityError';
  }
}

/** The history of an archived row, after checking its bytes against its hash. */
export function unpackHistory(row: Pick<ArchivedRow, 'workflow_id' | 'run_id' | 'encoding' | 'sha256' | 'history'>) {
  if (row.encoding !== ARCHIVE_ENCODING)
    throw new ArchiveIntegrityError(row.workflow_id, row.run_id, `has an unknown encoding (${row.encoding})`);
  let bytes: Buffer;
  try {
    bytes = gunzipSync(row.history);
  } catch (err) {
    throw new ArchiveIntegrityError(row.workflow_id, row.run_id, `does not decompress (${(err as Error).message})`);
  }
  const found = createHash('sha256').update(bytes).digest('hex');
  if (found !== row.sha256)
    throw new ArchiveIntegrityError(
      row.workflow_id,
      row.run_id,
      `does not match its SHA-256 (recorded ${row.sha256.slice(0, 16)}…, found ${found.slice(0, 16)}…)`,
    );
  return HistoryMessage.decode(bytes);
}

/** Inserts the rows not archived yet; returns how many it inserted (a run archived by someone else meanwhile is not). */
export async function insertArchived(db: Kysely<Database>, rows: NewArchivedRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await db
    .insertInto('workflow_history_archive')
    .values(rows)
    .onConflict((oc) => oc.columns(['workflow_id', 'run_id']).doNothing())
    .returning('run_id')
    .execute();
  return inserted.length;
}

/** Which of these runs are archived already. */
export async function archivedRunIds(db: Kysely<Database>, runIds: string[]): Promise<Set<string>> {
  if (runIds.length === 0) return new Set();
  const rows = await db.selectFrom('workflow_history_archive').select('run_id').where('run_id', 'in', runIds).execute();
  return new Set(rows.map((r) => r.run_id));
}

/** Every archived run of a workflow id, oldest first (a chain of runs continued as new, or reuses of the id). */
export async function archivedRunsOf(db: Kysely<Database>, workflowId: string): Promise<ArchivedRow[]> {
  return db
    .selectFrom('workflow_history_archive')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .orderBy('started_at')
    .orderBy('closed_at')
    .execute();
}

/** The (workflow id, run id) of every archived run of a cycle, without their histories. */
export async function archivedRunsOfCycle(
  db: Kysely<Database>,
  cycleId: string,
): Promise<{ workflowId: string; runId: string }[]> {
  const rows = await db
    .selectFrom('workflow_history_archive')
    .select(['workflow_id', 'run_id'])
    .where('cycle_id', '=', cycleId)
    .orderBy('workflow_id')
    .orderBy('started_at')
    .execute();
  return rows.map((r) => ({ workflowId: r.workflow_id, runId: r.run_id }));
}

/** Archived rows by run id, read in one query (a batch of a bulk audit). */
export async function archivedRowsByRunId(db: Kysely<Database>, runIds: string[]): Promise<Map<string, ArchivedRow>> {
  if (runIds.length === 0) return new Map();
  const rows = await db.selectFrom('workflow_history_archive').selectAll().where('run_id', 'in', runIds).execute();
  return new Map(rows.map((r) => [r.run_id, r]));
}
