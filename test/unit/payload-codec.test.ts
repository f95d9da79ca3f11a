import { defaultPayloadConverter } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../common/payload-codec';
import { parsePayloadKeys, payloadKeysFromEnv } from '../../common/payload-keys';

const key = () => randomBytes(32).toString('base64');
const utf8 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');
const secret = { assessor: 'Budi Santoso', email: 'penilai.budi@example.id' };

describe('payload keys (OVOP_PAYLOAD_KEYS)', () => {
  it('reads id:base64 entries separated by commas or lines; the last is the newest', () => {
    const [a, b] = [key(), key()];
    const keys = parsePayloadKeys(`# rotated 2026-12\nk2025:${a}\n k2026 : ${b} \n`);
    expect(keys.map((k) => k.id)).toEqual(['k2025', 'k2026']);
    expect(keys[1]!.key.equals(Buffer.from(b, 'base64'))).toBe(true);
    expect(parsePayloadKeys(`x:${a},y:${b}`).map((k) => k.id)).toEqual(['x', 'y']);
  });

  it('refuses a malformed setting with the entry it is about, never the key', () => {
    const short = randomBytes(24).toString('base64');
    expect(() => parsePayloadKeys(`k1:${short}`)).toThrow(
      "OVOP_PAYLOAD_KEYS, entry 1: key 'k1' is 24 bytes; AES-256 needs 32 bytes in base64 (openssl rand -base64 32)",
    );
    expect(() => parsePayloadKeys(`k1:${key()},k2:not*base64`)).toThrow(
      "OVOP_PAYLOAD_KEYS, entry 2: key 'k2' is not base64; AES-256 needs 32 bytes",
    );
    expect(() => parsePayloadKeys(key())).toThrow('OVOP_PAYLOAD_KEYS, entry 1: expected id:base64key');
    expect(() => parsePayloadKeys(`k1:${key()},k1:${key()}`)).toThrow("entry 2: key id 'k1' appears twice");
    expect(() => parsePayloadKeys(`bad id:${key()}`)).toThrow('entry 1: the key id must be 1–64 letters');
    expect(() => parsePayloadKeys(' , ')).toThrow('OVOP_PAYLOAD_KEYS holds no key');
    try {
      parsePayloadKeys(`k1:${short}`);
    } catch (err) {
      expect((err as Error).message).not.toContain(short);
    }
  });

  it('comes from the environment or a file, not both; unset means no encryption', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ovop-keys-'));
    const file = join(dir, 'keys');
    writeFileSync(file, `k1:${key()}\n`);
    expect(payloadKeysFromEnv({})).toBeUndefined();
    expect(payloadKeysFromEnv({ OVOP_PAYLOAD_KEYS_FILE: file })!.map((k) => k.id)).toEqual(['k1']);
    expect(() => payloadKeysFromEnv({ OVOP_PAYLOAD_KEYS_FILE: file, OVOP_PAYLOAD_KEYS: `k:${key()}` })).toThrow(
      'set OVOP_PAYLOAD_KEYS or OVOP_PAYLOAD_KEYS_FILE, not both',
    );
    expect(() => payloadKeysFromEnv({ OVOP_PAYLOAD_KEYS_FILE: join(dir, 'missing') })).toThrow(
      `OVOP_PAYLOAD_KEYS_FILE: cannot read ${join(dir, 'missing')} (ENOENT)`,
    );
  });
});

describe('AesGcmPayloadCodec', () => {
  const plain = defaultPayloadConverter.toPayload(secret);

  it('encrypts the whole payload under the newest key and names the key in the metadata', async () => {
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(`old:${key()},new:${key()}`));
    const [sealed] = await codec.encode([plain]);
    expect(utf8(sealed!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(utf8(sealed!.metadata![KEY_ID_METADATA])).toBe('new');
    expect(Object.keys(sealed!.metadata!).sort()).toEqual(['encoding', KEY_ID_METADATA]);
    expect(utf8(sealed!.data)).not.toContain('Budi');
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(secret);
    // A fresh nonce each time: the same value never gives the same bytes.
    const [again] = await codec.encode([plain]);
    expect(Buffer.from(again!.data!).equals(Buffer.from(sealed!.data!))).toBe(false);
  });

  it('after a rotation, payloads of the old key still decode and new ones use the new key', async () => {
    const [k1, k2] = [key(), key()];
    const before = new AesGcmPayloadCodec(parsePayloadKeys(`k1:${k1}`));
    const after = new AesGcmPayloadCodec(parsePayloadKeys(`k1:${k1}\nk2:${k2}`));
    const [old] = await before.encode([plain]);
    expect(defaultPayloadConverter.fromPayload((await after.decode([old!]))[0]!)).toEqual(secret);
    const [fresh] = await after.encode([plain]);
    expect(utf8(fresh!.metadata![KEY_ID_METADATA])).toBe('k2');
    await expect(before.decode([fresh!])).rejects.toThrow(
      "payload encrypted with key 'k2', which the configured keys (k1) do not include; add it to OVOP_PAYLOAD_KEYS",
    );
  });

  it('a wrong key of the same id, or altered bytes, fail with a clear message', async () => {
    const k1 = key();
    const writer = new AesGcmPayloadCodec(parsePayloadKeys(`k1:${k1}`));
    const impostor = new AesGcmPayloadCodec(parsePayloadKeys(`k1:${key()}`));
    const [sealed] = await writer.encode([plain]);
    const wrongKey =
      "payload does not decrypt with key 'k1': the configured key of that id is not the one it was written with, or the payload was altered";
    await expect(impostor.decode([sealed!])).rejects.toThrow(wrongKey);
    const altered = Buffer.from(sealed!.data!);
    altered[20] = altered[20]! ^ 1;
    await expect(writer.decode([{ ...sealed!, data: altered }])).rejects.toThrow(wrongKey);
    // The key id is authenticated: relabelling a payload to another key of the deployment fails too.
    const two = new AesGcmPayloadCodec(parsePayloadKeys(`k0:${key()},k1:${k1}`));
    const relabelled = { ...sealed!, metadata: { ...sealed!.metadata, [KEY_ID_METADATA]: Buffer.from('k0') } };
    await expect(two.decode([relabelled])).rejects.toThrow("does not decrypt with key 'k0'");
  });

  it('passes through payloads that were never encrypted (histories from before the codec)', async () => {
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(`k1:${key()}`));
    expect(await codec.decode([plain])).toEqual([plain]);
  });
});
