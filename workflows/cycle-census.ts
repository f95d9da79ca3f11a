/**
 * The cycle counts its nominations from the PostgreSQL projection every nomination writes, instead of receiving a
 * signal per stage change, and decides from the counts when it may finalize.
 */
import { condition, patched, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { parseDuration } from '../domain/duration';
import { cycleActivity } from './activity-options';
import type { CycleChain } from './cycle-chain';
import { type CycleState, intakeOpen } from './cycle-state';
import { DETERMINATION_BY_DECREE } from './patches';

const acts = proxyActivities<ReturnType<typeof createActivities>>(cycleActivity);

/** A census of the projection every `censusEvery`, until intake has closed and every nomination the cycle started
 * is terminal or waits only for the coordinator's star determination. A run over its length continues as new here. */
export async function untilCensusSettles(c: CycleState, chain: CycleChain): Promise<void> {
  const { config, carry } = c;
  const everyMs = parseDuration(c.censusEvery);
  for (;;) {
    const wait = intakeOpen(c) ? Math.min(everyMs, Math.max(1, c.intakeClosesAt - Date.now())) : everyMs;
    const requested = carry.finalizeRequested;
    // Also wake when a coordinator's finalize closes intake early, so the census runs right away.
    await condition(() => chain.draining || carry.finalizeRequested !== requested, wait);
    await chain.continueIfTooLong();
    carry.census = { ...(await acts.cycleCensus({ cycleId: config.id })), at: Date.now() };
    chain.noteLength();
    // A cycle determined by decree waits for it: its recommended nominations count as still in progress (r4).
    const awaitingDecree =
      config.award?.determination === 'decree' && patched(DETERMINATION_BY_DECREE)
        ? (carry.census.byStage.STAR_RECOMMENDED ?? 0)
        : 0;
    if (!intakeOpen(c) && carry.census.inProgress + awaitingDecree === 0 && carry.census.total >= carry.nominated)
      return;
  }
}
