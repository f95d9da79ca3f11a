/**
 * One award cycle: holds its config, takes nominations while intake is open, counts nominations per stage, pushes
 * cycle-wide deadline changes, and finalizes with a summary to the coordinators.
 *
 * Nominations run as independent workflows (started by an activity, not as children), so they never depend on one run
 * of this workflow, which continues-as-new to keep its history bounded. The cycle counts them from the PostgreSQL
 * projection every nomination writes, with a census every few minutes, instead of receiving a signal per stage change.
 *
 * The workflow function only wires the rooms together: the run's state (cycle-state.ts) and its chain of runs
 * (cycle-chain.ts), the intake of nominations (cycle-intake.ts), cycle-wide deadline extensions
 * (cycle-deadline-extension.ts), decrees (cycle-decree.ts), the opening (cycle-opening.ts), the census
 * (cycle-census.ts), the finalization (cycle-finalization.ts) and the view (cycle-view.ts).
 */
import { log, patched, setDefaultSignalHandler, setHandler } from '@temporalio/workflow';
import { untilCensusSettles } from './cycle-census';
import { CycleChain } from './cycle-chain';
import { extendCycleDeadline, validateExtendCycleDeadline } from './cycle-deadline-extension';
import { CycleDecrees } from './cycle-decree';
import { finalizeCycle, requestFinalization, validateFinalizationRequest } from './cycle-finalization';
import { CycleIntake } from './cycle-intake';
import { openCycle } from './cycle-opening';
import { type AwardCycleInput, newCycleState } from './cycle-state';
import { cycleView } from './cycle-view';
import { checkCycleInput } from './input-checks';
import {
  cycleStateQuery,
  type CycleView,
  extendCycleDeadlineUpdate,
  finalizeCycleUpdate,
  issueDecreeUpdate,
  nominateUpdate,
} from './messages';
import { CYCLE_INPUT_CHECKED } from './patches';

export type { AwardCycleInput, CycleCarry, DecreeSummary } from './cycle-state';

export async function awardCycle(input: AwardCycleInput): Promise<CycleView> {
  // A cycle started around the CLI with a config it cannot run ends here, before it records or mails anything.
  if (patched(CYCLE_INPUT_CHECKED)) checkCycleInput(input);
  const c = newCycleState(input);
  const chain = new CycleChain(c, input);
  const intake = new CycleIntake(c, chain);
  const decrees = new CycleDecrees(c, chain);

  setHandler(cycleStateQuery, () => cycleView(c));
  // The cycle takes no signals: nominations report through the projection, people act by Update. A signal sent to it
  // anyway (a caller going around the API) is logged and dropped rather than buffered for the run's whole life.
  setDefaultSignalHandler((name: string) => {
    log.warn(`signal ${JSON.stringify(name).slice(0, 80)} dropped: the award cycle takes no signals`, {
      cycleId: c.config.id,
    });
  });
  // Keep this order: an update that arrives before its handler waits in a buffer and runs when the handler is set, so
  // the order of registration is part of what a recorded history replays.
  setHandler(nominateUpdate, (n) => intake.nominate(n), { validator: (n) => intake.validate(n) });
  setHandler(extendCycleDeadlineUpdate, (u) => extendCycleDeadline(c, chain, u), {
    validator: (u) => validateExtendCycleDeadline(c, chain, u),
  });
  setHandler(finalizeCycleUpdate, () => requestFinalization(c, chain), {
    validator: (u) => validateFinalizationRequest(c, u),
  });
  setHandler(issueDecreeUpdate, (u) => decrees.issue(u), { validator: (u) => decrees.validate(u) });

  if (c.carry.runs === 1) await openCycle(c);
  await untilCensusSettles(c, chain);
  await finalizeCycle(c);
  return cycleView(c);
}
