/**
 * Attacks on the event log itself (issue #15 item 8): statements sent straight to PostgreSQL that change, remove or
 * empty `nomination_events` rows of live targets, as someone with the engine's connection would. Each must be refused
 * by the append-only trigger (or, for a runtime role, by its GRANTs) and leave the target's chain as it was.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { verifyChain } from '../../db/event-chain';
import { chainRows } from '../../db/event-chain-read';
import { seededRandom } from '../shared/random';

export interface EventLogAttack {
  label: string;
  statement: 'update' | 'delete' | 'truncate';
  /** The column an UPDATE changes, and the value it writes. */
  column?: 'actor_id' | 'stage' | 'payload' | 'occurred_at' | 'seq' | 'hash' | 'prev_hash';
  value?: string;
  /** Which of the target's rows, as a fraction of its length (0 the first, close to 1 the head). */
  at: number;
}

const COLUMNS = ['actor_id', 'stage', 'payload', 'occurred_at', 'seq', 'hash', 'prev_hash'] as const;
const VALUES: Record<(typeof COLUMNS)[number], string[]> = {
  actor_id: ['orang-lain', 'ikma-1', ''],
  stage: ['DETERMINED', 'WITHDRAWN'],
  payload: ['{"stars":5}', '{}'],
  occurred_at: ['2020-01-01T00:00:00Z', '2030-12-31T23:59:59Z'],
  seq: ['999', '0'],
  hash: ['0'.repeat(64), 'f'.repeat(64)],
  prev_hash: ['0'.repeat(64)],
};

export function generateEventLogAttacks(opts: { seed: number; count: number }): EventLogAttack[] {
  const r = seededRandom(opts.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r.next() * xs.length)]!;
  const attacks: EventLogAttack[] = [{ label: 'TRUNCATE nomination_events', statement: 'truncate', at: 0 }];
  for (let i = attacks.length; i < opts.count; i++) {
    const at = r.next();
    if (r.next() < 0.3) {
      attacks.push({ label: `DELETE row at ${at.toFixed(2)}`, statement: 'delete', at });
      continue;
    }
    const column = pick(COLUMNS);
    const value = pick(VALUES[column]);
    attacks.push({
      label: `UPDATE ${column} = ${JSON.stringify(value)} at ${at.toFixed(2)}`,
      statement: 'update',
      column,
      value,
      at,
    });
  }
  return attacks;
}

export interface EventLogOutcome {
  refused: boolean;
  message: string;
  /** The target's rows are the same before and after, and still an intact chain. */
  unchanged: boolean;
  intact: boolean;
}

export async function runEventLogAttack(
  db: Kysely<Database>,
  workflowId: string,
  attack: EventLogAttack,
): Promise<EventLogOutcome> {
  const before = await chainRows(db, workflowId);
  if (before.length === 0) throw new Error(`${workflowId} has no event-log rows to attack`);
  const row = before[Math.min(before.length - 1, Math.floor(attack.at * before.length))]!;
  const where = sql`workflow_id = ${workflowId} and chain_index = ${row.chain_index}`;
  const statement =
    attack.statement === 'truncate'
      ? sql`truncate nomination_events`
      : attack.statement === 'delete'
        ? sql`delete from nomination_events where ${where}`
        : sql`update nomination_events set ${sql.ref(attack.column!)} = ${attack.value!}::${sql.raw(
            attack.column === 'payload'
              ? 'jsonb'
              : attack.column === 'occurred_at'
                ? 'timestamptz'
                : attack.column === 'seq'
                  ? 'integer'
                  : 'text',
          )} where ${where}`;
  let message = '';
  try {
    await statement.execute(db);
  } catch (err) {
    message = (err as Error).message;
  }
  const after = await chainRows(db, workflowId);
  return {
    refused: message !== '',
    message,
    unchanged: JSON.stringify(after) === JSON.stringify(before),
    intact: verifyChain(after).broken === undefined,
  };
}
