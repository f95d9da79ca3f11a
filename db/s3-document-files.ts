/**
 * Documents in S3-compatible storage (AWS S3, MinIO, Ceph, Garage…), chosen by OVOP_DOCUMENT_STORAGE=s3. The
 * `document_files` row stays the index and the business key, exactly as with PostgreSQL; only the bytes move, to one
 * object per file under `<prefix><file id>` (an id the API made, never a name a user typed).
 *
 * The object is written inside the transaction that inserts its row, so a concurrent upload of the same content waits
 * on the unique key and then finds a file whose object exists; a failed or interrupted write rolls the row back and
 * deletes whatever the server may have kept of the object. A PutObject from the spooled file streams it from disk (its
 * length is known, so no multipart upload and no part buffers in memory), and carries the SHA-256 learnt while
 * receiving it, which S3 checks against the bytes it got. Files stored in PostgreSQL before the switch stay readable.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Kysely } from 'kysely';
import type { Database } from './database';
import {
  insertFileRow,
  PostgresDocumentStorage,
  unrecorded,
  type DocumentStorage,
  type NewFile,
  type SpooledFile,
  type StoredFile,
} from './document-files';

export interface S3Settings {
  /** The server's URL (http(s)://host:port); unset: AWS S3 of `region`. */
  endpoint?: string;
  bucket: string;
  region: string;
  /** Unset (both): the AWS SDK's own chain (AWS_* variables, the instance's role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** `<endpoint>/<bucket>/<key>` instead of `<bucket>.<endpoint>/<key>`: what most S3-compatible servers expect. */
  forcePathStyle: boolean;
  /** Put before every object key, e.g. `ovop/documents/`, to share a bucket. */
  keyPrefix: string;
}

export class S3DocumentStorage implements DocumentStorage {
  private readonly s3: S3Client;
  private readonly postgres: PostgresDocumentStorage;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly settings: S3Settings,
  ) {
    this.postgres = new PostgresDocumentStorage(db);
    this.s3 = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      credentials: settings.credentials,
      forcePathStyle: settings.forcePathStyle,
      // The SDK's default CRC32 trailers (aws-chunked bodies) are not understood by many S3-compatible servers, which
      // then store the framing as the file; the SHA-256 header below is the integrity check instead.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // A server that stops answering fails the request (and the upload's transaction) instead of holding it.
      requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
    });
  }

  /** The object key of a stored file: made of its id only. */
  key(fileId: string): string {
    return `${this.settings.keyPrefix}${fileId}`;
  }

  get bucket(): string {
    return this.settings.bucket;
  }

  /** Fails unless the bucket exists and these credentials reach it (at the API's start). */
  async check(): Promise<void> {
    await this.s3.send(new HeadBucketCommand({ Bucket: this.settings.bucket }));
  }

  async put(spooled: SpooledFile, meta: NewFile): Promise<{ file: StoredFile; created: boolean }> {
    let written: string | undefined;
    try {
      return await this.db.transaction().execute(async (trx) => {
        const row = await insertFileRow(trx, spooled, meta, { chunkCount: 0, storedIn: 's3' });
        if (!row.created) return row;
        written = this.key(row.file.id);
        await this.s3.send(
          new PutObjectCommand({
            Bucket: this.settings.bucket,
            Key: written,
            Body: createReadStream(spooled.path),
            ContentLength: spooled.sizeBytes,
            ContentType: spooled.contentType,
            ChecksumSHA256: Buffer.from(spooled.sha256, 'hex').toString('base64'),
          }),
        );
        return row;
      });
    } catch (err) {
      // The row is rolled back; an object the server kept (a write that completed but whose answer was lost, or a
      // commit that failed after it) would have no row, so it goes too.
      if (written) await this.deleteObject(written).catch(() => undefined);
      throw err;
    }
  }

  find(workflowId: string, id: string): Promise<StoredFile | undefined> {
    return this.postgres.find(workflowId, id);
  }

  /** The object's bytes as the server streams them (a file of before the switch to S3: from PostgreSQL). */
  open(file: StoredFile): Readable {
    if (file.stored_in === 'postgres') return this.postgres.open(file);
    const { s3, bucket } = this;
    const key = this.key(file.id);
    async function* bytes() {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!(got.Body instanceof Readable)) throw new Error(`document ${file.id}: the S3 answer has no body stream`);
      yield* got.Body;
    }
    return Readable.from(bytes(), { objectMode: false });
  }

  /** The row and the object together: a failed object delete keeps the row, and the sweep tries again later. */
  async remove(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const gone = await trx
        .deleteFrom('document_files')
        .where('id', '=', id)
        .returning('stored_in')
        .executeTakeFirst();
      if (gone?.stored_in === 's3') await this.deleteObject(this.key(id));
    });
  }

  async removeUnrecorded(uploadedBefore: Date): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const gone = await unrecorded(trx.deleteFrom('document_files'), uploadedBefore)
        .returning(['id', 'stored_in'])
        .execute();
      // One by one: a sweep finds few, and DeleteObjects needs a Content-MD5 some servers refuse.
      for (const f of gone) if (f.stored_in === 's3') await this.deleteObject(this.key(f.id));
      return gone.length;
    });
  }

  close(): void {
    this.s3.destroy();
  }

  private async deleteObject(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key }));
  }
}
