/**
 * A fetched history made readable: `fetchHistory()` returns the payloads as Temporal stores them, so code that reads
 * inputs, results or failure messages from the events (the audit trail, the score sheet's rules) first runs every
 * encrypted payload through the client's payload codecs, and puts failures' encoded messages back in place.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { isEncrypted } from './payload-codec';

type Node = Record<string, unknown>;

const isPayload = (v: unknown): v is Payload =>
  typeof v === 'object' && v !== null && 'metadata' in v && typeof (v as Node).metadata === 'object';

/**
 * Decodes the encrypted payloads of `history` (or any part of one) in place with `codecs` (applied innermost last)
 * and returns it; the events keep their classes (Long ids, protobuf messages).
 */
export async function decodeHistoryPayloads<T>(history: T, codecs: readonly PayloadCodec[]): Promise<T> {
  const found: { holder: Node; key: string; payload: Payload }[] = [];
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return;
    for (const [key, v] of Object.entries(value)) {
      if (isPayload(v) && isEncrypted(v)) found.push({ holder: value as Node, key, payload: v });
      else visit(v);
    }
  };
  visit(history);
  if (found.length > 0) {
    let payloads = found.map((f) => f.payload);
    for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
    found.forEach((f, i) => (f.holder[f.key] = payloads[i]));
  }
  restoreFailureMessages(history);
  return history;
}

/** Failures written with `encodeCommonAttributes` carry their message and stack trace in `encodedAttributes`. */
function restoreFailureMessages(value: unknown): void {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return;
  if (Array.isArray(value)) return value.forEach(restoreFailureMessages);
  const node = value as Node;
  if (isPayload(node.encodedAttributes) && !isEncrypted(node.encodedAttributes)) {
    try {
      const attrs = defaultPayloadConverter.fromPayload<{ message?: unknown; stack_trace?: unknown }>(
        node.encodedAttributes,
      );
      if (typeof attrs?.message === 'string') node.message = attrs.message;
      if (typeof attrs?.stack_trace === 'string') node.stackTrace = attrs.stack_trace;
    } catch {
      // Not the SDK's shape: leave the failure as it is.
    }
  }
  for (const v of Object.values(node)) restoreFailureMessages(v);
}

/** The history as the client's own data converter reads it. */
export function decodeHistoryWith<T>(client: Client, history: T): Promise<T> {
  return decodeHistoryPayloads(history, client.options.loadedDataConverter.payloadCodecs);
}
