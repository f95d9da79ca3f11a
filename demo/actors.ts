/**
 * Scripted actors for the demo: each nomination is driven by what its dinas, the coordinator and its assessors would
 * do at each stage, through the same Updates a real client sends.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { CycleConfig, Stage } from '../domain/types';
import { isTerminal } from '../domain/types';
import { nominationStateQuery, type NominationView } from '../workflows/messages';
import type { DemoScript } from './nominations';
import { nextActions, steadyScores, unit, type ActorPlan } from './next-actions';

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

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function driveNomination(
  handle: WorkflowHandle,
  script: DemoScript,
  config: CycleConfig,
  onStage: (stage: Stage) => void,
): Promise<NominationView> {
  const plan = demoPlan(script, config);
  let seen: Stage | null = null;
  for (;;) {
    const s = await handle.query(nominationStateQuery);
    if (s.stage !== seen) onStage((seen = s.stage));
    if (isTerminal(s.stage)) {
      // The query answers from memory; the result waits until the last row and mail of the workflow are done.
      await handle.result();
      return s;
    }
    for (const next of nextActions(s, plan, config)) {
      try {
        await next.send(handle);
      } catch (err) {
        // A refusal because the state moved on meanwhile is not an error for a scripted actor.
        if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      }
    }
    await pause(400);
  }
}
