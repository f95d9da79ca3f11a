/**
 * A cycle's decree: its record in PostgreSQL with the nominations it covers, and its application to each of them.
 *
 * Both steps are idempotent by the decree's business key (cycle, number), because activities run at least once and a
 * coordinator may send a decree again: recording lists the covered nominations once (the cycle's STAR_RECOMMENDED
 * nominations in the projection that no earlier decree covers), and applying sends each nomination still `pending` its
 * Update under an update id of the decree, so that a retried attempt attaches to the same Update instead of a new one.
 */
import { Context } from '@temporalio/activity';
import { type Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import type { Actor } from '../domain/types';
import { type DecreeOutcome, type DecreeRef, determineByDecreeUpdate } from '../workflows/messages';
import { runUpdate } from '../common/run-update';

/** Updates sent at once: enough to keep a few workers busy, few enough not to flood one. */
const CONCURRENCY = 8;

export function createDecreeActivities(db: Kysely<Database>, client: Client) {
  return {
    /** Records the decree and the nominations it covers; `created` is false when it was recorded before. A number
     * already recorded with another date or signatory is refused. */
    async recordDecree(input: { cycleId: string; decree: DecreeRef; actor: Actor }): Promise<{ created: boolean }> {
      const { cycleId, decree } = input;
      return db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('decrees')
          .values({
            cycle_id: cycleId,
            number: decree.number,
            decree_date: decree.date,
            signatory_office: decree.signatory.office,
            signatory_name: decree.signatory.name,
            issued_by: `${input.actor.role}:${input.actor.id}`,
          })
          .onConflict((oc) => oc.columns(['cycle_id', 'number']).doNothing())
          .returning('number')
          .executeTakeFirst();
        if (!inserted) {
          const known = await trx
            .selectFrom('decrees')
            .selectAll()
            .where('cycle_id', '=', cycleId)
            .where('number', '=', decree.number)
            .executeTakeFirstOrThrow();
          if (
            known.decree_date !== decree.date ||
            known.signatory_office !== decree.signatory.office ||
            known.signatory_name !== decree.signatory.name
          ) {
            throw ApplicationFailure.nonRetryable(
              `decree ${decree.number} is already recorded, dated ${known.decree_date} and signed by ${known.signatory_name}; a new decree needs a number of its own`,
              'Refused',
            );
          }
          return { created: false };
        }
        const covered = await trx
          .selectFrom('nominations')
          .select(['workflow_id', 'ikm_name', 'recommended_stars'])
          .where('cycle_id', '=', cycleId)
          .where('stage', '=', 'STAR_RECOMMENDED')
          .where('workflow_id', 'not in', (eb) =>
            eb
              .selectFrom('decree_nominations')
              .select('workflow_id')
              .where('cycle_id', '=', cycleId)
              .where('status', 'in', ['pending', 'determined']),
          )
          .orderBy('workflow_id')
          .execute();
        if (covered.length > 0) {
          await trx
            .insertInto('decree_nominations')
            .values(
              covered.map((n) => ({
                cycle_id: cycleId,
                decree_number: decree.number,
                workflow_id: n.workflow_id,
                ikm_name: n.ikm_name,
                stars: n.recommended_stars ?? 0,
                status: 'pending' as const,
              })),
            )
            .execute();
        }
        return { created: true };
      });
    },

    /** Determines every nomination the decree lists that is still pending, and answers with what the decree did. */
    async applyDecree(input: {
      cycleId: string;
      decree: DecreeRef;
      actor: Actor;
    }): Promise<Omit<DecreeOutcome, 'alreadyRecorded'>> {
      const { cycleId, decree, actor } = input;
      const pending = await db
        .selectFrom('decree_nominations')
        .select(['workflow_id', 'stars'])
        .where('cycle_id', '=', cycleId)
        .where('decree_number', '=', decree.number)
        .where('status', '=', 'pending')
        .orderBy('workflow_id')
        .execute();
      const settle = (workflowId: string, status: 'determined' | 'skipped', reason: string | null, stars?: number) =>
        db
          .updateTable('decree_nominations')
          .set({ status, reason, settled_at: new Date(), ...(stars !== undefined ? { stars } : {}) })
          .where('cycle_id', '=', cycleId)
          .where('decree_number', '=', decree.number)
          .where('workflow_id', '=', workflowId)
          .where('status', '=', 'pending')
          .execute();

      /** Why the decree did not determine a nomination, or null when it did after all: an earlier attempt's Update went
       * through before its answer was lost (the nomination says so, or has closed with this decree's number). */
      const whyNot = async (err: unknown, workflowId: string): Promise<string | null> => {
        if (err instanceof WorkflowUpdateFailedError) {
          const message = err.cause?.message ?? err.message;
          return message === `the stars are already determined by decree ${decree.number}` ? null : message;
        }
        const closed =
          err instanceof WorkflowNotFoundError || /workflow execution already completed/i.test(String(err));
        if (!closed) throw err;
        const row = await db
          .selectFrom('nominations')
          .select(['stage', 'decree_number'])
          .where('workflow_id', '=', workflowId)
          .executeTakeFirst();
        return row?.decree_number === decree.number ? null : `the nomination is closed (${row?.stage ?? 'unknown'})`;
      };

      let done = 0;
      const one = async (row: { workflow_id: string; stars: number }) => {
        try {
          const answer = await runUpdate(client.workflow.getHandle(row.workflow_id), determineByDecreeUpdate, {
            updateId: `decree/${decree.number}`,
            args: [{ actor, decree, stars: row.stars }],
          });
          await settle(row.workflow_id, 'determined', null, answer.stars ?? row.stars);
        } catch (err) {
          const reason = await whyNot(err, row.workflow_id);
          if (reason === null) await settle(row.workflow_id, 'determined', null);
          else await settle(row.workflow_id, 'skipped', reason);
        }
        done += 1;
        Context.current().heartbeat(done);
      };
      for (let i = 0; i < pending.length; i += CONCURRENCY) {
        await Promise.all(pending.slice(i, i + CONCURRENCY).map(one));
      }

      const decreeRow = await db
        .selectFrom('decrees')
        .selectAll()
        .where('cycle_id', '=', cycleId)
        .where('number', '=', decree.number)
        .executeTakeFirstOrThrow();
      const rows = await db
        .selectFrom('decree_nominations')
        .select(['workflow_id', 'ikm_name', 'stars', 'status', 'reason'])
        .where('cycle_id', '=', cycleId)
        .where('decree_number', '=', decree.number)
        .orderBy('workflow_id')
        .execute();
      return {
        cycleId,
        decree,
        issuedBy: decreeRow.issued_by,
        issuedAt: decreeRow.issued_at.toISOString(),
        determined: rows
          .filter((r) => r.status === 'determined')
          .map((r) => ({ workflowId: r.workflow_id, ikmName: r.ikm_name, stars: r.stars })),
        skipped: rows
          .filter((r) => r.status !== 'determined')
          .map((r) => ({ workflowId: r.workflow_id, ikmName: r.ikm_name, reason: r.reason ?? 'not applied' })),
      };
    },
  };
}
