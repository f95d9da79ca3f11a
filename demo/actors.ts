/**
 * Scripted actors for the demo: each nomination is driven by what its dinas, the coordinator and its assessors would
 * do at each stage, through the same Updates a real client sends.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { NominationRow } from '../api/nomination-reads';
import type { Database } from '../db/database';
import type { CycleConfig, Stage } from '../domain/types';
import { isTerminal } from '../domain/types';
import type { DemoScript } from './nominations';
import { nextActions, steadyScores, unit, type ActorPlan, type ActorView } from './next-actions';
import { projectedAfter, projectedView, visitDue } from './projected-view';

/** The demo's scripts as what their people do. */
export function demoPlan(script: DemoScript, config?: CycleConfig): ActorPlan {
  return {
    determinesByDecree: config?.award?.determination === 'decree',
    attends: script !== 'late-attendance',
    withdraws: script === 'withdraw',
    requestsChanges: script === 'revision',
    prescreenReturnsOnce: script === 'revision',
    score:
      script === 'excellent'
        ? () => 3
        : script === 'good'
          ? steadyScores
          : (key) => {
              const r = unit(key);
              return r < 0.3 ? 3 : r < 0.85 ? 2 : 1;
            },
  };
}

/** How long a view with nothing to do is trusted before it is read again (a deadline or a timer may move it). */
const STILL_MS = 2_000;

/**
 * Drives one nomination to its end as its people would: each decides from the last Update's answer or, between
 * actions, from the PostgreSQL projection the portal reads (never a workflow query, which without the sticky cache
 * replays the whole history). Resolves with the nomination's projection row once its workflow has finished.
 */
export async function driveNomination(
  db: Kysely<Database>,
  handle: WorkflowHandle,
  script: DemoScript,
  config: CycleConfig,
  onStage: (stage: Stage) => void,
): Promise<NominationRow> {
  const plan = demoPlan(script, config);
  let seen: Stage | null = null;
  let view: ActorView | undefined;
  /** The newest event `view` includes: the answer's event count, or the projection's landed sequence. */
  let known = 0;
  for (;;) {
    if (view) {
      if (view.stage !== seen) onStage((seen = view.stage));
      if (isTerminal(view.stage)) {
        // The answer or view may come before the workflow's last row and mail; the result waits for them.
        await handle.result();
        return (await projectedView(db, handle.workflowId, config))!.row;
      }
      let acted = false;
      for (const next of nextActions(view, plan, config)) {
        try {
          const answer = await next.send(handle);
          [view, known, acted] = [answer, answer.eventCount, true];
        } catch (err) {
          // A refusal because the state moved on meanwhile is not an error for a scripted actor.
          if (!(err instanceof WorkflowUpdateFailedError)) throw err;
        }
      }
      if (acted) continue;
    }
    // Nothing (more) to do in this view: wait for the workflow's next event in the projection, or, with a field visit
    // scheduled, for its date, when the team records what it found.
    const visitAt = view ? visitDue(view) : NaN;
    const still = Date.now() + STILL_MS;
    const until = visitAt > Date.now() ? Math.min(visitAt, still) : still;
    const p = await projectedAfter(db, handle.workflowId, config, known, until);
    if (p && p.seq >= known) [view, known] = [p.view, p.seq];
  }
}
