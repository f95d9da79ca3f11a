/**
 * The payload encryption keys (OVOP_PAYLOAD_KEYS, or OVOP_PAYLOAD_KEYS_FILE naming a file with the same text, such as
 * a Docker secret): a list of `id:key` entries, separated by commas or new lines, each key 32 bytes in base64
 * (`openssl rand -base64 32`). The last entry encrypts new payloads; every entry decrypts, so a rotation appends a key
 * and keeps the old ones until no history written under them is still kept.
 */
import { envSecret } from './env-secret';

export interface PayloadKey {
  id: string;
  key: Buffer;
}

export class PayloadKeyError extends Error {
  override name = 'PayloadKeyError';
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Parses the text of the setting; `source` names it in errors. Never echoes a key. */
export function parsePayloadKeys(text: string, source = 'OVOP_PAYLOAD_KEYS'): PayloadKey[] {
  const entries = text
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter((e) => e && !e.startsWith('#'));
  if (entries.length === 0) throw new PayloadKeyError(`${source} holds no key; write id:base64key entries`);
  const keys: PayloadKey[] = [];
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const where = `${source}, entry ${i + 1}`;
    if (colon < 0) throw new PayloadKeyError(`${where}: expected id:base64key (e.g. k2026:$(openssl rand -base64 32))`);
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id))
      throw new PayloadKeyError(`${where}: the key id must be 1–64 letters, digits, '.', '_' or '-'`);
    if (keys.some((k) => k.id === id)) throw new PayloadKeyError(`${where}: key id '${id}' appears twice`);
    const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
    if (!key || key.length !== 32)
      throw new PayloadKeyError(
        `${where}: key '${id}' is ${key ? `${key.length} bytes` : 'not base64'}; AES-256 needs 32 bytes in base64 (openssl rand -base64 32)`,
      );
    keys.push({ id, key });
  });
  return keys;
}

/** The keys the environment configures, or undefined when neither setting is present (payloads stay plain JSON). */
export function payloadKeysFromEnv(env: NodeJS.ProcessEnv = process.env): PayloadKey[] | undefined {
  let text: string | undefined;
  try {
    text = envSecret('OVOP_PAYLOAD_KEYS', env);
  } catch (err) {
    throw new PayloadKeyError((err as Error).message);
  }
  if (!text) return undefined;
  const file = env.OVOP_PAYLOAD_KEYS_FILE?.trim();
  return file ? parsePayloadKeys(text, `OVOP_PAYLOAD_KEYS_FILE ${file}`) : parsePayloadKeys(text);
}
