/** The cycle as its updates answer it (and as the state query shows it to the tests that look inside workflows). */
import type { CycleView } from './messages';
import { counts, type CycleState, intakeOpen } from './cycle-state';

export function cycleView(c: CycleState): CycleView {
  const { config, carry } = c;
  return {
    cycleId: config.id,
    name: config.name,
    timezone: config.timezone,
    intakeOpen: intakeOpen(c),
    intakeClosesAt: new Date(c.intakeClosesAt).toISOString(),
    // `carry.nominated` counts the starts this cycle saw succeed; a start whose answer was lost (its workflow task
    // failed and the update was sent again) shows up only in the census, so the larger of the two is the truth.
    nominated: Math.max(carry.nominated, carry.census?.total ?? 0),
    counts: counts(c),
    countedAt: carry.census ? new Date(carry.census.at).toISOString() : null,
    countEvery: c.censusEvery,
    deadlineOverrides: { ...carry.deadlineOverrides },
    finalizeRequested: carry.finalizeRequested,
    finalized: c.finalized,
    runs: carry.runs,
    decrees: Object.values(carry.decrees ?? {}).map((d) => ({
      number: d.decree.number,
      date: d.decree.date,
      determined: d.determined,
      skipped: d.skipped,
    })),
  };
}
