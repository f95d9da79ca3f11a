/**
 * AES-256-GCM encryption of every payload Temporal stores (workflow inputs and results, activity arguments, update
 * arguments, signals, memos, failures' encoded messages), run by the SDK outside the workflow sandbox on the client
 * and the worker alike. An encrypted payload is the whole original Payload (protobuf) encrypted, with its encoding
 * `binary/encrypted` and the key id in its metadata; the bytes are nonce (12) ‖ ciphertext ‖ tag (16), and the key id
 * is authenticated as additional data. Payloads that are not encrypted (histories written before the codec, the
 * committed fixtures) pass through decode unchanged.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { PayloadKey } from './payload-keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

// The package is CommonJS: plain node's ESM loader gives it as a default export only.
const { Payload: PayloadMessage } = proto.temporal.api.common.v1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const text = new TextEncoder();
const utf8 = new TextDecoder();

export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: PayloadKey;

  /** `keys` in the order of the setting: the last one encrypts, all of them decrypt. */
  constructor(keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new Error('AesGcmPayloadCodec needs at least one key');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
    this.current = keys[keys.length - 1]!;
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => (isEncrypted(p) ? this.decrypt(p) : p));
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.current;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(text.encode(id));
    const plain = PayloadMessage.encode(payload).finish();
    const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: text.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: text.encode(id) },
      data: new Uint8Array(sealed),
    };
  }

  private decrypt(payload: Payload): Payload {
    const raw = payload.metadata?.[KEY_ID_METADATA];
    const id = raw ? utf8.decode(raw) : '';
    const key = this.byId.get(id);
    if (!key)
      throw new PayloadDecryptionError(
        `payload encrypted with key '${id || '(none)'}', which the configured keys (${[...this.byId.keys()].join(', ')}) do not include; add it to OVOP_PAYLOAD_KEYS`,
      );
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < NONCE_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError(`payload encrypted with key '${id}' is truncated (${data.length} bytes)`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES));
    decipher.setAAD(text.encode(id));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `payload does not decrypt with key '${id}': the configured key of that id is not the one it was written with, or the payload was altered`,
      );
    }
    return PayloadMessage.decode(plain) as Payload;
  }
}

export function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return !!encoding && utf8.decode(encoding) === ENCRYPTED_ENCODING;
}
