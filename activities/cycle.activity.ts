/** Activities of the award cycle: starting nominations, pushing deadline changes, its row and its final report. */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { previousAward } from '../db/previous-award';
import { determinedOrRecommendedStars, stageCounts } from '../db/reports';
import { provinceOf } from '../domain/region-codes';
import { computeAssessorStats, type AssessorStats } from '../domain/scoring';
import type { Actor, DeadlineStage, NominationInput, Stage } from '../domain/types';
import { isTerminal, TERMINAL_STAGES } from '../domain/types';
import { nominationWorkflowId, sentraKey } from '../workflows/ids';
import type { NominationWorkflowInput } from '../workflows/inputs';
import { cycleDeadlineSignal, type NominateResult } from '../workflows/messages';
import { CommodityKey, CycleKey, ProvinceKey, RegencyKey, StageKey } from '../workflows/search-attributes';
import type { CycleCensus, CycleSummary } from './contracts';
import { differences, recordCycleDeadlineChange } from './intake.activity';
import { recordIntakeByReference } from './rules-by-reference';

/** Claims the nomination's sentra for `workflowId` unless another nomination holds it; returns the holder. */
async function claimSentra(db: Kysely<Database>, n: NominationInput, workflowId: string): Promise<string> {
  const key = { cycle_id: n.cycleId, regency_code: n.regencyCode, sentra_key: sentraKey(n.sentraName) };
  await db
    .insertInto('sentra_claims')
    .values({ ...key, sentra_name: n.sentraName, workflow_id: workflowId, claimed_at: new Date() })
    .onConflict((oc) => oc.columns(['cycle_id', 'regency_code', 'sentra_key']).doNothing())
    .execute();
  const row = await db
    .selectFrom('sentra_claims')
    .select('workflow_id')
    .where('cycle_id', '=', key.cycle_id)
    .where('regency_code', '=', key.regency_code)
    .where('sentra_key', '=', key.sentra_key)
    .executeTakeFirstOrThrow();
  return row.workflow_id;
}

export function createCycleActivities(db: Kysely<Database>, client: Client) {
  return {
    /**
     * Starts a nomination as its own workflow (not a child): it must outlive any one run of the cycle, which
     * continues-as-new. The id from business keys makes a second start of the same IKM a no-op that says so.
     *
     * The sentra is claimed first, by a unique key in PostgreSQL: the workflow id cannot carry it (the id is the lead
     * firm's, which CLI users and running nominations already know), and Temporal forgets a closed workflow's id after
     * the namespace's retention, while a cycle lasts months. A retry finds its own claim and goes on; a claim held by
     * another nomination starts nothing.
     */
    async startNomination(input: NominationWorkflowInput): Promise<NominateResult> {
      const n = input.nomination;
      const workflowId = nominationWorkflowId(n.cycleId, n.regencyCode, n.ikmName);
      // A re-evaluation's earlier stars must be on record (db/previous-award.ts); without, nothing is claimed or started.
      if (n.previousStars) {
        const award = await previousAward(db, n);
        if (!award.ok) return { workflowId, created: false, previousRefused: award.refusal };
      }
      const holder = await claimSentra(db, n, workflowId);
      if (holder !== workflowId) return { workflowId, created: false, sentraTakenBy: holder };
      // The nomination checks its input against this record before it does anything (intake.activity.ts); it starts
      // with its rules by reference and no address, which stay in PostgreSQL (rules-by-reference.ts).
      const start = await recordIntakeByReference(db, workflowId, input);
      try {
        await client.workflow.start('nomination', {
          workflowId,
          taskQueue: Context.current().info.taskQueue,
          args: [start],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: new TypedSearchAttributes([
            { key: CycleKey, value: n.cycleId },
            { key: StageKey, value: 'IDENTIFIED' },
            { key: ProvinceKey, value: provinceOf(n.regencyCode) },
            { key: RegencyKey, value: n.regencyCode },
            { key: CommodityKey, value: n.commodity },
          ]),
        });
        return { workflowId, created: true };
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, created: false };
        throw err;
      }
    },

    /** Signals every open nomination of the cycle; a signal applied twice is harmless, so a retry may resend. */
    async broadcastCycleDeadline(input: {
      cycleId: string;
      stage: DeadlineStage;
      until: string;
      actor: Actor;
    }): Promise<number> {
      // Each nomination checks the signal against this record and takes the actor from it (intake.activity.ts).
      await recordCycleDeadlineChange(db, input);
      const rows = await db
        .selectFrom('nominations')
        .select('workflow_id')
        .where('cycle_id', '=', input.cycleId)
        .where('stage', 'not in', [...TERMINAL_STAGES])
        .orderBy('workflow_id')
        .execute();
      let done = 0;
      for (const row of rows) {
        try {
          await client.workflow
            .getHandle(row.workflow_id)
            .signal(cycleDeadlineSignal, { stage: input.stage, until: input.until, actor: input.actor });
        } catch (err) {
          // A nomination that closed since the query has nothing to extend.
          if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
        }
        done += 1;
        Context.current().heartbeat(done);
      }
      return done;
    },

    async recordCycle(input: {
      cycleId: string;
      name: string;
      config: unknown;
      status: string;
      counts: Record<string, number>;
    }): Promise<void> {
      // The rules a cycle was first recorded with stay: a second cycle started under the same id with other rules
      // (a caller going around the API) is refused rather than allowed to rewrite them.
      const existing = await db
        .selectFrom('cycles')
        .select(['config'])
        .where('id', '=', input.cycleId)
        .executeTakeFirst();
      if (existing) {
        const differ = differences(existing.config, JSON.parse(JSON.stringify(input.config)));
        if (differ.length) {
          throw ApplicationFailure.nonRetryable(
            `cycle ${input.cycleId} is already recorded with other rules (differs in ${differ.join(', ')}); a cycle's rules cannot be changed by starting it again`,
            'CycleConflict',
          );
        }
      }
      const values = { name: input.name, status: input.status, counts: JSON.stringify(input.counts) };
      await db
        .insertInto('cycles')
        .values({ id: input.cycleId, ...values, config: JSON.stringify(input.config) })
        .onConflict((oc) => oc.column('id').doUpdateSet(values))
        .execute();
    },

    /** How many nominations of the cycle the projection holds, how many in each stage, and how many are still in
     * progress (not terminal and not waiting for the star determination): the cycle's counts. */
    async cycleCensus(input: { cycleId: string }): Promise<CycleCensus> {
      const counts = await stageCounts(db, input.cycleId);
      const byStage: CycleCensus['byStage'] = {};
      let total = 0;
      let inProgress = 0;
      for (const [stage, count] of Object.entries(counts)) {
        byStage[stage as Stage] = count;
        total += count;
        if (!isTerminal(stage as Stage) && stage !== 'STAR_RECOMMENDED') inProgress += count;
      }
      return { total, inProgress, byStage };
    },

    async assessorStats(input: { cycleId: string }): Promise<AssessorStats> {
      const rows = await db
        .selectFrom('assessments')
        .select(['assessor_id', 'total'])
        .where('cycle_id', '=', input.cycleId)
        .execute();
      return computeAssessorStats(rows.map((r) => ({ assessorId: r.assessor_id, total: r.total })));
    },

    /** Reads the cycle's outcome from the projection and marks the cycle finalized. */
    async finalizeCycleReport(input: { cycleId: string }): Promise<CycleSummary> {
      const byStage = await stageCounts(db, input.cycleId);
      const summary: CycleSummary = {
        cycleId: input.cycleId,
        nominations: Object.values(byStage).reduce((s, n) => s + n, 0),
        byStage,
        stars: await determinedOrRecommendedStars(db, input.cycleId),
      };
      await db
        .updateTable('cycles')
        .set({ status: 'FINALIZED', summary: JSON.stringify(summary), finalized_at: new Date() })
        .where('id', '=', input.cycleId)
        .execute();
      return summary;
    },
  };
}
