/**
 * The baseline: a nomination-shaped workflow with no business logic. Per run it accepts `updates` Updates, schedules
 * `activities` activities that only return, and starts `timers` timers, copying the counts measured from a real
 * nomination history. Like ours, each update handler runs one activity and answers only after the main loop has
 * moved on (the stage change our driver waits for); each main-loop wait carries a deadline timer that is cancelled
 * when the update arrives, as a nomination's deadline timers are.
 */
import { allHandlersFinished, condition, defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type * as activities from './baseline.activities';

export interface BaselineShape {
  updates: number;
  activities: number;
  timers: number;
}

export const baselineStepUpdate = defineUpdate<number, []>('baselineStep');

const { noop } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export async function baselineNomination(shape: BaselineShape): Promise<number> {
  const inHandler = Math.min(shape.updates, shape.activities);
  const inLoop = shape.activities - inHandler;
  let received = 0;
  let processed = 0;
  setHandler(baselineStepUpdate, async () => {
    const me = ++received;
    if (me <= inHandler) await noop();
    await condition(() => processed >= me);
    return me;
  });
  let done = 0;
  if (shape.updates === 0) for (; done < inLoop; done++) await noop();
  for (let i = 0; i < shape.updates; i++) {
    await condition(() => received > i, i < shape.timers ? '1 hour' : undefined);
    // Spread the main-loop activities evenly over the steps (the stage transitions of a real nomination).
    const target = Math.floor(((i + 1) * inLoop) / shape.updates);
    for (; done < target; done++) await noop();
    processed = i + 1;
  }
  for (let t = shape.updates; t < shape.timers; t++) await sleep(1);
  await condition(allHandlersFinished);
  return done + inHandler;
}
