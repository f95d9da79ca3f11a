/** Reads nominations' event chains from PostgreSQL and checks them (db/event-chain.ts), for audit verify and export. */
import { sql, type Kysely } from 'kysely';
import type { Database } from './database';
import { verifyChain, type BrokenLink, type EventRow } from './event-chain';

const CHAIN_COLUMNS = [
  'workflow_id',
  'chain_index',
  'seq',
  'type',
  'stage',
  'actor_role',
  'actor_id',
  'actor_region',
  'payload',
  'occurred_at',
  'prev_hash',
  'hash',
] as const;

export async function chainRows(db: Kysely<Database>, workflowId: string): Promise<EventRow[]> {
  return db
    .selectFrom('nomination_events')
    .select(CHAIN_COLUMNS)
    .where('workflow_id', '=', workflowId)
    .orderBy('chain_index')
    .execute();
}

export interface CycleChains {
  nominations: number;
  events: number;
  /** The first broken link of each nomination whose chain does not hold, in workflow id order. */
  broken: BrokenLink[];
}

/**
 * Checks the chain of every nomination of a cycle: those in its projection, and any event rows under the cycle's
 * workflow id prefix whose projection row is gone.
 */
export async function checkCycleChains(db: Kysely<Database>, cycleId: string): Promise<CycleChains> {
  const prefix = `ovop/${cycleId}/nomination/`;
  const rows = await db
    .selectFrom('nomination_events')
    .select(CHAIN_COLUMNS)
    .where((eb) =>
      eb.or([
        eb('workflow_id', 'in', eb.selectFrom('nominations').select('workflow_id').where('cycle_id', '=', cycleId)),
        eb(sql`left(workflow_id, ${prefix.length})`, '=', prefix),
      ]),
    )
    .orderBy('workflow_id')
    .orderBy('chain_index')
    .execute();
  const broken: BrokenLink[] = [];
  let nominations = 0;
  for (let i = 0; i < rows.length;) {
    let j = i;
    while (j < rows.length && rows[j]!.workflow_id === rows[i]!.workflow_id) j++;
    nominations++;
    const result = verifyChain(rows.slice(i, j));
    if (result.broken) broken.push(result.broken);
    i = j;
  }
  return { nominations, events: rows.length, broken };
}
