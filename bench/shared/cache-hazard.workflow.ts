/**
 * The smallest workflow that meets the SDK 1.24 cache hazard (docs/workflow-cache.md): its main loop waits on `gate`
 * activities that the driver completes by hand, its query only reads, and its Update schedules `work` at once. A query
 * that runs a cached copy ahead of its task makes the next task record `gate`'s schedule before the Update's
 * acceptance, which replay puts first. bench/shared/cache-hazard.ts drives it.
 */
import { condition, defineQuery, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

export interface HazardActivities {
  /** Completed by the driver (asynchronous completion), so that it decides when the workflow's next events arrive. */
  gate(round: number): Promise<number>;
  work(input: string): Promise<string>;
}

const { gate, work } = proxyActivities<HazardActivities>({ startToCloseTimeout: '1 hour' });

export const roundQuery = defineQuery<number>('round');
export const workUpdate = defineUpdate<string, [string]>('work');

export async function cacheHazard(): Promise<void> {
  let round = 0;
  setHandler(roundQuery, () => round);
  setHandler(workUpdate, (input) => work(input));
  for (let i = 0; i < 3; i++) round = await gate(i);
  await condition(() => false);
}

/** Started only to take a worker's outstanding polls while the driver holds its non-sticky polling. */
export async function pollSink(): Promise<void> {}
