/**
 * A real S3-compatible server for the document storage tests: s3rver (S3's REST API over its own files) on a free
 * loopback port, with one empty bucket, and an S3 client of its own so a test reads what the server holds rather than
 * what the API says it stored.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import type { DocumentStorageSettings } from '../../db/document-storage';

export interface S3ServerUnderTest {
  settings: Extract<DocumentStorageSettings, { kind: 's3' }>;
  /** Every object key in the bucket. */
  keys(): Promise<string[]>;
  read(key: string): Promise<Buffer>;
  stop(): Promise<void>;
}

/** s3rver's fixed account. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function startS3Server(bucket = 'ovop-dokumen'): Promise<S3ServerUnderTest> {
  const directory = await mkdtemp(join(tmpdir(), 'ovop-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = (await server.run()) as { port: number };
  const settings = {
    kind: 's3' as const,
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    forcePathStyle: true,
    keyPrefix: 'documents/',
  };
  const s3 = new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    credentials: CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    settings,
    async keys() {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      return (listed.Contents ?? []).map((o) => o.Key!).sort();
    },
    async read(key) {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await got.Body!.transformToByteArray());
    },
    async stop() {
      s3.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
