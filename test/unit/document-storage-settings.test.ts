/**
 * Where documents are stored, from the environment (db/document-storage.ts): PostgreSQL unless OVOP_DOCUMENT_STORAGE=s3,
 * and with s3 every missing or malformed OVOP_S3_* setting is named in a sentence that never repeats its value. That
 * `node dist/api/main.js` stops on one with exit code 2 is checked by build/smoke-dist.sh (a process start under tsx
 * costs seconds here).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentStorageFromEnv } from '../../db/document-storage';

const SECRET = 'rahasia-kunci-s3-jangan-dicetak';
const s3 = (over: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  OVOP_DOCUMENT_STORAGE: 's3',
  OVOP_S3_ENDPOINT: 'http://minio.internal:9000',
  OVOP_S3_BUCKET: 'ovop-dokumen',
  OVOP_S3_ACCESS_KEY_ID: 'ovop-api',
  OVOP_S3_SECRET_ACCESS_KEY: SECRET,
  OVOP_S3_PATH_STYLE: 'true',
  ...over,
});

describe('document storage settings', () => {
  it('is PostgreSQL unless s3 is chosen', () => {
    expect(documentStorageFromEnv({})).toEqual({ kind: 'postgres' });
    expect(documentStorageFromEnv({ OVOP_DOCUMENT_STORAGE: 'postgres', OVOP_S3_BUCKET: 'x' })).toEqual({
      kind: 'postgres',
    });
  });

  it('reads the S3 settings, the keys also from files, with defaults for region and key prefix', () => {
    expect(documentStorageFromEnv(s3())).toEqual({
      kind: 's3',
      endpoint: 'http://minio.internal:9000',
      bucket: 'ovop-dokumen',
      region: 'us-east-1',
      credentials: { accessKeyId: 'ovop-api', secretAccessKey: SECRET },
      forcePathStyle: true,
      keyPrefix: 'documents/',
    });
    const dir = mkdtempSync(join(tmpdir(), 'ovop-s3-secret-'));
    writeFileSync(join(dir, 'secret'), `${SECRET}\n`);
    const aws = documentStorageFromEnv({
      OVOP_DOCUMENT_STORAGE: 's3',
      OVOP_S3_BUCKET: 'ovop-dokumen',
      OVOP_S3_REGION: 'ap-southeast-3',
      OVOP_S3_ACCESS_KEY_ID: 'ovop-api',
      OVOP_S3_SECRET_ACCESS_KEY_FILE: join(dir, 'secret'),
      OVOP_S3_KEY_PREFIX: 'ovop/dokumen/',
    });
    expect(aws).toMatchObject({
      endpoint: undefined,
      region: 'ap-southeast-3',
      credentials: { secretAccessKey: SECRET },
      forcePathStyle: false,
      keyPrefix: 'ovop/dokumen/',
    });
    // Neither key: the AWS SDK's own chain (AWS_* variables, the instance's role).
    const chain = s3({ OVOP_S3_ACCESS_KEY_ID: undefined, OVOP_S3_SECRET_ACCESS_KEY: undefined });
    expect(documentStorageFromEnv(chain)).toMatchObject({ credentials: undefined });
  });

  it('names the bad or missing setting, never its value', () => {
    const refusals: [NodeJS.ProcessEnv, RegExp][] = [
      [{ OVOP_DOCUMENT_STORAGE: 'minio' }, /^OVOP_DOCUMENT_STORAGE must be postgres or s3$/],
      [s3({ OVOP_S3_BUCKET: undefined }), /^OVOP_S3_BUCKET is not set/],
      [s3({ OVOP_S3_BUCKET: 'Dokumen_OVOP' }), /^OVOP_S3_BUCKET is not a bucket name/],
      [s3({ OVOP_S3_REGION: 'Jakarta Raya' }), /^OVOP_S3_REGION is not a region name/],
      [s3({ OVOP_S3_ENDPOINT: 'minio:9000' }), /^OVOP_S3_ENDPOINT must be the http\(s\) URL/],
      [
        s3({ OVOP_S3_ENDPOINT: `http://ovop-api:${SECRET}@minio:9000` }),
        /^OVOP_S3_ENDPOINT must be .* without credentials/,
      ],
      [s3({ OVOP_S3_SECRET_ACCESS_KEY: undefined }), /^OVOP_S3_SECRET_ACCESS_KEY \(or its _FILE\) is not set/],
      [s3({ OVOP_S3_ACCESS_KEY_ID: undefined }), /^OVOP_S3_ACCESS_KEY_ID \(or its _FILE\) is not set/],
      [
        s3({ OVOP_S3_SECRET_ACCESS_KEY_FILE: '/tmp/ovop-tidak-ada' }),
        /^set OVOP_S3_SECRET_ACCESS_KEY or OVOP_S3_SECRET_ACCESS_KEY_FILE, not both$/,
      ],
      [s3({ OVOP_S3_PATH_STYLE: 'ya' }), /^OVOP_S3_PATH_STYLE must be true or false$/],
      [s3({ OVOP_S3_KEY_PREFIX: '../dokumen' }), /^OVOP_S3_KEY_PREFIX must be folder names ending in \//],
    ];
    for (const [env, message] of refusals) {
      let error: Error | undefined;
      try {
        documentStorageFromEnv(env);
      } catch (err) {
        error = err as Error;
      }
      expect(error?.message, JSON.stringify(env)).toMatch(message);
      expect(error!.message).not.toContain(SECRET);
    }
  });
});
