/**
 * The tamper-evident event log: every `nomination_events` row carries the hash of its nomination's previous row and
 * the hash of its own canonical content, so a row changed, removed or inserted afterwards breaks the chain at a place
 * `ovop audit verify` can name. The format is documented in docs/event-chain.md; migration 2026-12-01T17-30 holds a
 * frozen copy for the rows it chained.
 */
import { createHash } from 'node:crypto';

/** The `prev_hash` of a nomination's first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields a row's hash covers (everything but the surrogate `id` and the database clock's `recorded_at`). */
export interface ChainedEvent {
  workflowId: string;
  chainIndex: number;
  seq: number;
  type: string;
  stage: string;
  actor: { role: string; id: string; region: string };
  payload: unknown;
  /** ISO 8601 in UTC with milliseconds, as `Date.prototype.toISOString` writes it. */
  occurredAt: string;
  prevHash: string;
}

/** JSON with object keys sorted (by UTF-16 code units) at every depth and no whitespace; `undefined` fields dropped. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : stableJson(v))).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

export function canonicalEvent(e: ChainedEvent): string {
  // The payload goes through JSON first, as it does on its way into jsonb, so what is hashed is what is stored.
  const payload = JSON.parse(JSON.stringify(e.payload ?? null)) as unknown;
  return stableJson({ ...e, payload, occurredAt: new Date(e.occurredAt).toISOString() });
}

export function eventHash(e: ChainedEvent): string {
  return createHash('sha256').update(canonicalEvent(e), 'utf8').digest('hex');
}

/** A `nomination_events` row as read back, with the columns the chain needs. */
export interface EventRow {
  workflow_id: string;
  chain_index: number;
  seq: number;
  type: string;
  stage: string;
  actor_role: string;
  actor_id: string;
  actor_region: string;
  payload: unknown;
  occurred_at: Date | string;
  prev_hash: string;
  hash: string;
}

export function chainedEventOf(row: EventRow): ChainedEvent {
  return {
    workflowId: row.workflow_id,
    chainIndex: row.chain_index,
    seq: row.seq,
    type: row.type,
    stage: row.stage,
    actor: { role: row.actor_role, id: row.actor_id, region: row.actor_region },
    payload: row.payload,
    occurredAt: new Date(row.occurred_at).toISOString(),
    prevHash: row.prev_hash,
  };
}

/** The first place a nomination's chain does not hold, or undefined when it is whole. */
export interface BrokenLink {
  workflowId: string;
  chainIndex: number;
  seq: number;
  /** `prev_hash` names a row that is not the one before it; `hash` does not match the row's content. */
  field: 'prev_hash' | 'hash' | 'chain_index';
  expected: string;
  found: string;
}

/** Checks one nomination's rows, ordered by chain_index; stops at the first broken link. */
export function verifyChain(rows: EventRow[]): { length: number; head: string; broken?: BrokenLink } {
  let prev = GENESIS_HASH;
  for (const [i, row] of rows.entries()) {
    const at = { workflowId: row.workflow_id, chainIndex: row.chain_index, seq: row.seq };
    if (row.chain_index !== i + 1)
      return {
        length: i,
        head: prev,
        broken: { ...at, field: 'chain_index', expected: String(i + 1), found: String(row.chain_index) },
      };
    if (row.prev_hash !== prev)
      return { length: i, head: prev, broken: { ...at, field: 'prev_hash', expected: prev, found: row.prev_hash } };
    const computed = eventHash(chainedEventOf(row));
    if (row.hash !== computed)
      return { length: i, head: prev, broken: { ...at, field: 'hash', expected: computed, found: row.hash } };
    prev = row.hash;
  }
  return { length: rows.length, head: prev };
}
