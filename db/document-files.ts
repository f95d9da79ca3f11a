/**
 * Where uploaded documents live. The default is PostgreSQL: a `document_files` row per file and its bytes in
 * `document_chunks` rows of at most CHUNK_BYTES each. Chunked `bytea` rather than large objects because it works the
 * same on PostgreSQL and on PGlite, is written and deleted by ordinary rows inside one transaction (a failed upload
 * leaves nothing, a deleted file leaves no orphaned large object for vacuumlo), and is read back one chunk at a time,
 * so neither side holds a whole file in memory.
 *
 * S3-compatible storage (db/s3-document-files.ts, OVOP_DOCUMENT_STORAGE=s3) implements the same `DocumentStorage`
 * interface and keeps the `document_files` row as the index; `stored_in` says where each file's bytes are.
 */
import { randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { DeleteQueryBuilder, DeleteResult, Kysely, Selectable } from 'kysely';
import type { Database, DocumentFilesTable } from './database';

/** 256 KiB: small enough that a read holds little memory, large enough that a 10 MB file is 40 rows. */
export const CHUNK_BYTES = 256 * 1024;

export type StoredFile = Selectable<DocumentFilesTable>;

/** A file received in full on local disk, with what was learnt while receiving it. */
export interface SpooledFile {
  path: string;
  sizeBytes: number;
  sha256: string;
  contentType: string;
}

export interface NewFile {
  workflowId: string;
  kind: string;
  fileName: string;
  uploadedBy: string;
}

export interface DocumentStorage {
  /** Stores the file under its business key (nomination, kind, SHA-256); `created` is false when that content was
   * stored already, and the earlier file is answered. */
  put(spooled: SpooledFile, meta: NewFile): Promise<{ file: StoredFile; created: boolean }>;
  find(workflowId: string, id: string): Promise<StoredFile | undefined>;
  open(file: StoredFile): Readable;
  remove(id: string): Promise<void>;
  /** Deletes the files stored before `uploadedBefore` that no nomination recorded; answers how many went. */
  removeUnrecorded(uploadedBefore: Date): Promise<number>;
  /** Fails unless the storage can be reached (at the API's start); absent when it is the database itself. */
  check?(): Promise<void>;
  /** Lets go of the storage's connections (when the API closes). */
  close?(): void;
}

export class PostgresDocumentStorage implements DocumentStorage {
  constructor(private readonly db: Kysely<Database>) {}

  async put(spooled: SpooledFile, meta: NewFile): Promise<{ file: StoredFile; created: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      const chunkCount = Math.ceil(spooled.sizeBytes / CHUNK_BYTES);
      const row = await insertFileRow(trx, spooled, meta, { chunkCount, storedIn: 'postgres' });
      if (!row.created) return row;
      const handle = await open(spooled.path, 'r');
      try {
        const buffer = Buffer.alloc(CHUNK_BYTES);
        for (let seq = 0; seq < chunkCount; seq++) {
          const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, seq * CHUNK_BYTES);
          await trx
            .insertInto('document_chunks')
            .values({ file_id: row.file.id, seq, data: Buffer.from(buffer.subarray(0, bytesRead)) })
            .execute();
        }
      } finally {
        await handle.close();
      }
      return row;
    });
  }

  find(workflowId: string, id: string): Promise<StoredFile | undefined> {
    return this.db
      .selectFrom('document_files')
      .selectAll()
      .where('id', '=', id)
      .where('workflow_id', '=', workflowId)
      .executeTakeFirst();
  }

  /** The file's bytes, read one chunk per query (no transaction held, so other requests interleave). */
  open(file: StoredFile): Readable {
    if (file.stored_in !== 'postgres')
      throw new Error(
        `document ${file.id} is stored in ${file.stored_in}, not in PostgreSQL: set OVOP_DOCUMENT_STORAGE=${file.stored_in} to read it`,
      );
    const db = this.db;
    async function* chunks() {
      for (let seq = 0; seq < file.chunk_count; seq++) {
        const row = await db
          .selectFrom('document_chunks')
          .select('data')
          .where('file_id', '=', file.id)
          .where('seq', '=', seq)
          .executeTakeFirst();
        if (!row) throw new Error(`document ${file.id} lacks its chunk ${seq} of ${file.chunk_count}`);
        yield row.data;
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('document_files').where('id', '=', id).execute();
  }

  /** Only the files whose bytes are in PostgreSQL: an S3 file's row goes with its object (S3DocumentStorage). */
  async removeUnrecorded(uploadedBefore: Date): Promise<number> {
    const gone = await unrecorded(this.db.deleteFrom('document_files'), uploadedBefore)
      .where('stored_in', '=', 'postgres')
      .executeTakeFirst();
    return Number(gone.numDeletedRows);
  }
}

/**
 * Inserts the `document_files` row of a file under its business key (nomination, kind, SHA-256), or finds the row of
 * the same content stored earlier (`created` false). A concurrent upload of the same content waits on the unique key
 * here and then finds this one's row, so the caller writes the bytes only when `created`.
 */
export async function insertFileRow(
  trx: Kysely<Database>,
  spooled: SpooledFile,
  meta: NewFile,
  placement: { chunkCount: number; storedIn: StoredFile['stored_in'] },
): Promise<{ file: StoredFile; created: boolean }> {
  const inserted = await trx
    .insertInto('document_files')
    .values({
      id: randomUUID(),
      workflow_id: meta.workflowId,
      kind: meta.kind,
      sha256: spooled.sha256,
      file_name: meta.fileName,
      content_type: spooled.contentType,
      size_bytes: spooled.sizeBytes,
      chunk_count: placement.chunkCount,
      stored_in: placement.storedIn,
      uploaded_by: meta.uploadedBy,
    })
    .onConflict((oc) => oc.columns(['workflow_id', 'kind', 'sha256']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { file: inserted, created: true };
  const earlier = await trx
    .selectFrom('document_files')
    .selectAll()
    .where('workflow_id', '=', meta.workflowId)
    .where('kind', '=', meta.kind)
    .where('sha256', '=', spooled.sha256)
    .executeTakeFirstOrThrow();
  return { file: earlier, created: false };
}

/** Narrows a delete of document_files to the files uploaded before `uploadedBefore` that no nomination recorded. */
export function unrecorded(query: DeleteQueryBuilder<Database, 'document_files', DeleteResult>, uploadedBefore: Date) {
  return query
    .where('uploaded_at', '<', uploadedBefore)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('documents')
            .select('documents.kind')
            .whereRef('documents.document_id', '=', 'document_files.id'),
        ),
      ),
    );
}
