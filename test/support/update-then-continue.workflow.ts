/**
 * A workflow for the tests only: its `act` update answers once `release` is signalled (at once with `runs` 0 and
 * `waitForRelease` false), and the run then continues as new in the task that completes the update, as a nomination
 * does at a stage boundary (workflows/short-runs.ts). Later runs wait forever.
 */
import { condition, continueAsNew, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

export const actUpdate = defineUpdate<string, [string]>('act');
export const releaseSignal = defineSignal('release');

export async function updateThenContinue(runs: number, waitForRelease = false): Promise<void> {
  let released = !waitForRelease;
  let acted = false;
  setHandler(releaseSignal, () => void (released = true));
  setHandler(actUpdate, async (what) => {
    await condition(() => released);
    acted = true;
    return `done: ${what}`;
  });
  if (runs > 0) return condition(() => false);
  await condition(() => acted);
  await continueAsNew<typeof updateThenContinue>(runs + 1);
}
