/**
 * The workflow runs of a cycle that `ovop audit verify` replays. Temporal's visibility (list, count) is eventually
 * consistent: a nomination started a moment ago may not be listed yet. So the listing is completed with the
 * nominations the PostgreSQL projection records for the cycle, each looked up by its id; a nomination the projection
 * knows and Temporal does not is reported as missing, never skipped in silence.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { fetchRunChain } from './run-chain';
import { cycleWorkflowId } from '../workflows/ids';
import { scheduleIdOf } from './cycle-ref';

export interface CycleRun {
  workflowId: string;
  runId: string;
}

/**
 * The visibility query for every workflow of a cycle: nominations carry the OvopCycle search attribute; the cycle
 * workflow is found by its id, or by the schedule that opened it (which gave it another id).
 */
export const cycleWorkflowsQuery = (cycleId: string): string =>
  `OvopCycle = '${cycleId}' OR WorkflowId = '${cycleWorkflowId(cycleId)}' OR TemporalScheduledById = '${scheduleIdOf(cycleId)}'`;

/** The ids of the cycle's nominations in the projection. */
export async function projectedNominationIds(db: Kysely<Database>, cycleId: string): Promise<string[]> {
  const rows = await db.selectFrom('nominations').select('workflow_id').where('cycle_id', '=', cycleId).execute();
  return rows.map((r) => r.workflow_id);
}

/**
 * Every run the visibility query lists, then every projected nomination it did not list (every run of its chain). Ids found
 * in neither place are pushed to `missing` as the listing ends.
 */
export async function* cycleRuns(
  client: Client,
  query: string,
  projected: readonly string[],
  missing: string[],
): AsyncIterable<CycleRun> {
  const listed = new Set<string>();
  for await (const run of client.workflow.list({ query })) {
    listed.add(run.workflowId);
    yield { workflowId: run.workflowId, runId: run.runId };
  }
  for (const workflowId of projected) {
    if (listed.has(workflowId)) continue;
    try {
      // Every run of its chain (short runs): the earlier ones are closed runs the listing missed too.
      for (const run of await fetchRunChain(client, workflowId)) yield { workflowId, runId: run.runId };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      missing.push(workflowId);
    }
  }
}
