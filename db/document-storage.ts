/**
 * Which storage holds uploaded documents, from the environment: PostgreSQL by default, or an S3-compatible bucket with
 * OVOP_DOCUMENT_STORAGE=s3 and the OVOP_S3_* settings (docs/deployment.md#settings). A bad or missing setting is an
 * error that names the setting and never its value, which may be a secret.
 */
import type { Kysely } from 'kysely';
import { envSecret } from '../common/env-secret';
import type { Database } from './database';
import { PostgresDocumentStorage, type DocumentStorage } from './document-files';
import { S3DocumentStorage, type S3Settings } from './s3-document-files';

export type DocumentStorageSettings = { kind: 'postgres' } | ({ kind: 's3' } & S3Settings);

/** S3's rules for a bucket name (no uppercase, no underscores), so a typo is caught at start, not at the first upload. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z0-9-]{2,40}$/;
const KEY_PREFIX = /^([A-Za-z0-9._-]+\/)*$/;

const setting = (env: NodeJS.ProcessEnv, name: string) => env[name]?.trim() || undefined;

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const text = setting(env, name)?.toLowerCase();
  if (text === undefined || text === 'false' || text === '0') return false;
  if (text === 'true' || text === '1') return true;
  throw new Error(`${name} must be true or false`);
}

function endpointFrom(env: NodeJS.ProcessEnv): string | undefined {
  const text = setting(env, 'OVOP_S3_ENDPOINT');
  if (text === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password)
    throw new Error('OVOP_S3_ENDPOINT must be the http(s) URL of the S3 server, without credentials in it');
  return text;
}

export function documentStorageFromEnv(
  env: NodeJS.ProcessEnv,
  fallback: DocumentStorageSettings = { kind: 'postgres' },
): DocumentStorageSettings {
  const kind = setting(env, 'OVOP_DOCUMENT_STORAGE');
  if (kind === undefined) return fallback;
  if (kind === 'postgres') return { kind };
  if (kind !== 's3') throw new Error('OVOP_DOCUMENT_STORAGE must be postgres or s3');

  const bucket = setting(env, 'OVOP_S3_BUCKET');
  if (!bucket) throw new Error('OVOP_S3_BUCKET is not set: OVOP_DOCUMENT_STORAGE=s3 needs the bucket to store in');
  if (!BUCKET.test(bucket))
    throw new Error('OVOP_S3_BUCKET is not a bucket name (3-63 lowercase letters, digits, dots and hyphens)');
  const region = setting(env, 'OVOP_S3_REGION') ?? 'us-east-1';
  if (!REGION.test(region)) throw new Error('OVOP_S3_REGION is not a region name (like us-east-1)');
  const accessKeyId = envSecret('OVOP_S3_ACCESS_KEY_ID', env);
  const secretAccessKey = envSecret('OVOP_S3_SECRET_ACCESS_KEY', env);
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey))
    throw new Error(
      `${accessKeyId ? 'OVOP_S3_SECRET_ACCESS_KEY' : 'OVOP_S3_ACCESS_KEY_ID'} (or its _FILE) is not set: set both keys, or neither for the AWS SDK's own credentials`,
    );
  const keyPrefix = setting(env, 'OVOP_S3_KEY_PREFIX') ?? 'documents/';
  if (!KEY_PREFIX.test(keyPrefix))
    throw new Error('OVOP_S3_KEY_PREFIX must be folder names ending in / (letters, digits, . _ -), or empty');
  return {
    kind,
    endpoint: endpointFrom(env),
    bucket,
    region,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    forcePathStyle: flag(env, 'OVOP_S3_PATH_STYLE'),
    keyPrefix,
  };
}

export function openDocumentStorage(db: Kysely<Database>, settings: DocumentStorageSettings): DocumentStorage {
  return settings.kind === 's3' ? new S3DocumentStorage(db, settings) : new PostgresDocumentStorage(db);
}

/** Fails with a sentence naming the bucket and the server's answer unless the storage can be used. */
export async function checkDocumentStorage(storage: DocumentStorage, settings: DocumentStorageSettings): Promise<void> {
  try {
    await storage.check?.();
  } catch (err) {
    const where =
      settings.kind === 's3'
        ? `bucket ${settings.bucket}${settings.endpoint ? ` at ${settings.endpoint}` : ''}`
        : 'PostgreSQL';
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    throw new Error(
      `the document storage (${where}) cannot be used: ${(err as Error).name}${status ? ` (HTTP ${status})` : ''}`,
      { cause: err },
    );
  }
}
