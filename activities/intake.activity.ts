/**
 * What a nomination may trust besides its own history: the records the cycle's activities write before they act. A
 * nomination started around its cycle finds no intake record of its input, and a `cycleDeadline` signal no recorded
 * change, however well-formed the caller made them (docs/architecture.md, "What the engine trusts").
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import type { Actor, DeadlineStage } from '../domain/types';
import type { CycleRules, NominationStartInput, NominationWorkflowInput } from '../workflows/inputs';
import { loadRules, stripRules } from './rules-by-reference';

/** The start check's answer to a nomination started with its rules by reference: why not, or its stripped rules. */
export interface StartVerdict {
  problem: string | null;
  rules: CycleRules | null;
}

/** Records the input the cycle starts a nomination with, before it starts it; the first record of a workflow id stays. */
export async function recordIntake(
  db: Kysely<Database>,
  workflowId: string,
  input: NominationWorkflowInput,
): Promise<void> {
  await db
    .insertInto('nomination_intake')
    .values({ workflow_id: workflowId, cycle_id: input.nomination.cycleId, input: JSON.stringify(input) })
    .onConflict((oc) => oc.column('workflow_id').doNothing())
    .execute();
}

/** Records a coordinator's cycle-wide deadline change, before the cycle signals its nominations. */
export async function recordCycleDeadlineChange(
  db: Kysely<Database>,
  c: { cycleId: string; stage: DeadlineStage; until: string; actor: Actor },
): Promise<void> {
  await db
    .insertInto('cycle_deadline_changes')
    .values({
      cycle_id: c.cycleId,
      stage: c.stage,
      until: c.until,
      actor_role: c.actor.role,
      actor_id: c.actor.id,
      actor_region: c.actor.region,
    })
    .onConflict((oc) => oc.columns(['cycle_id', 'stage', 'until']).doNothing())
    .execute();
}

/** Where two JSON values differ, as dotted paths (at most `limit`); key order does not matter, as jsonb reorders. */
export function differences(a: unknown, b: unknown, path = '', limit = 5): string[] {
  if (a === b) return [];
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) return [path || '(all)'];
  if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) return [path || '(all)'];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const out: string[] = [];
  for (const key of keys) {
    const sub = Array.isArray(a) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    out.push(...differences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], sub, limit));
    if (out.length >= limit) return out.slice(0, limit);
  }
  return out;
}

export function createIntakeActivities(db: Kysely<Database>) {
  return {
    /**
     * Whether a nomination runs on the input its cycle gave it: null when it does, otherwise why not. The workflow
     * ends with this as its failure before it writes a row or sends a mail.
     */
    async verifyNominationStart(req: {
      workflowId: string;
      input: NominationWorkflowInput | NominationStartInput;
    }): Promise<string | null | StartVerdict> {
      const row = await db
        .selectFrom('nomination_intake')
        .select(['input'])
        .where('workflow_id', '=', req.workflowId)
        .executeTakeFirst();
      const byReference = 'rulesRef' in req.input && !('rules' in req.input);
      const refused = (problem: string) => (byReference ? { problem, rules: null } : problem);
      if (!row) return refused(`nomination ${req.workflowId} was not started by its cycle: no intake record of it`);
      const differ = differences(row.input, JSON.parse(JSON.stringify(req.input)));
      if (differ.length)
        return refused(
          `nomination ${req.workflowId} was started with other input than its cycle gave it (differs in ${differ.join(', ')})`,
        );
      if (!byReference) return null;
      // The reference is the intake record's own (compared above); its rules go back without names or addresses.
      const rules = await loadRules(db, (req.input as NominationStartInput).rulesRef);
      if (!rules) return refused(`nomination ${req.workflowId} names rules its cycle never stored`);
      return { problem: null, rules: stripRules(rules) };
    },

    /** The coordinator who made this cycle-wide deadline change, or null when the cycle never recorded it. */
    async recordedCycleDeadline(req: { cycleId: string; stage: string; until: string }): Promise<Actor | null> {
      const row = await db
        .selectFrom('cycle_deadline_changes')
        .select(['actor_role', 'actor_id', 'actor_region'])
        .where('cycle_id', '=', req.cycleId)
        .where('stage', '=', req.stage)
        .where('until', '=', req.until)
        .executeTakeFirst();
      return row ? { role: row.actor_role as Actor['role'], id: row.actor_id, region: row.actor_region } : null;
    },
  };
}
