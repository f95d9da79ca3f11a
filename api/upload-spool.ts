/**
 * Receiving an upload: the request body is streamed to a temporary file, counted against the size limit and hashed
 * (SHA-256) on the way, and its type is read from its first bytes, not from what the client declared. Only a file
 * received in full, within the limit and of the declared type reaches storage; anything else is deleted here, so a
 * half-uploaded file leaves nothing behind. Spooling to local disk first means a slow client holds a file handle, not
 * one of the database's few connections (PGlite has one), and storage writes a complete file in one short transaction.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileTypeFromBuffer } from 'file-type';
import type { SpooledFile } from '../db/document-files';
import { ApiError } from './errors';

/** The types a document may have: scans as PDF, photos as JPEG or PNG. */
export const DOCUMENT_TYPES = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' } as const;
export type DocumentType = keyof typeof DOCUMENT_TYPES;

/** file-type needs at most this many leading bytes to recognise a type. */
const HEAD_BYTES = 4100;

const megabytes = (bytes: number) => `${Math.round((bytes / 1_000_000) * 10) / 10} MB`;

export const tooLarge = (limit: number) =>
  new ApiError(413, 'too_large', `the file is larger than this cycle's limit of ${megabytes(limit)} per document`);

/** The declared type, without parameters; 415 unless it is one a document may have. */
export function declaredType(header: string | undefined): DocumentType {
  const type = (header ?? '').split(';')[0].trim().toLowerCase();
  if (type in DOCUMENT_TYPES) return type as DocumentType;
  throw new ApiError(
    415,
    'unsupported_type',
    `${type ? `Content-Type ${type}` : 'no Content-Type'}: send the file as the request body with Content-Type ${Object.keys(DOCUMENT_TYPES).join(', ')}`,
  );
}

/** A received file and the way to delete its temporary copy (always call `discard`). */
export interface Spooled extends SpooledFile {
  discard(): Promise<void>;
}

/**
 * Streams `body` to a temporary file. Refuses 413 past `limit` bytes, 400 when the client stopped sending before the
 * end, and 422 when the content is not of the declared type.
 */
export async function spoolUpload(
  body: Readable,
  declared: DocumentType,
  limit: number,
  uploadDir: string,
): Promise<Spooled> {
  const dir = await mkdtemp(join(uploadDir, 'ovop-upload-'));
  const discard = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'file');
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let headBytes = 0;
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > limit) return done(tooLarge(limit));
      hash.update(chunk);
      if (headBytes < HEAD_BYTES) {
        head.push(chunk);
        headBytes += chunk.length;
      }
      done(null, chunk);
    },
  });
  try {
    await pipeline(body, meter, createWriteStream(path));
  } catch (err) {
    await discard();
    if (err instanceof ApiError) throw err;
    throw new ApiError(400, 'upload_incomplete', 'the upload stopped before the whole file arrived; nothing was kept');
  }
  try {
    if (size === 0) throw new ApiError(400, 'invalid_request', 'the file is empty; send the document itself');
    const found = await fileTypeFromBuffer(Buffer.concat(head).subarray(0, HEAD_BYTES));
    if (found?.mime !== declared)
      throw new ApiError(
        422,
        'content_mismatch',
        found && found.mime in DOCUMENT_TYPES
          ? `the file is ${found.mime}, not the declared ${declared}; send it with Content-Type ${found.mime}`
          : `the file is not ${declared}${found ? ` (its content is ${found.mime})` : ''}; documents are PDF, JPEG or PNG`,
      );
  } catch (err) {
    await discard();
    throw err;
  }
  return { path, sizeBytes: size, sha256: hash.digest('hex'), contentType: declared, discard };
}
