/**
 * A coordinator's extension of one stage's deadline for the whole cycle (the `extendCycleDeadline` Update): remembered
 * for nominations started later, and pushed to those already running by an activity.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { DEADLINE_STAGES } from '../domain/types';
import { cycleActivity } from './activity-options';
import type { CycleChain } from './cycle-chain';
import type { CycleState } from './cycle-state';
import { cycleView } from './cycle-view';
import type { CycleExtendInput, CycleView } from './messages';
import { requireCoordinator } from './rule-guards';
import { checkActor, parseInstant, refuse } from './validation';

const acts = proxyActivities<ReturnType<typeof createActivities>>(cycleActivity);

export async function extendCycleDeadline(c: CycleState, chain: CycleChain, u: CycleExtendInput): Promise<CycleView> {
  chain.noteLength();
  c.carry.deadlineOverrides[u.stage] = u.until;
  await acts.broadcastCycleDeadline({ cycleId: c.config.id, stage: u.stage, until: u.until, actor: u.actor });
  return cycleView(c);
}

/** Only later than the deadline the cycle already set, and only before the cycle is finalized. */
export function validateExtendCycleDeadline(c: CycleState, chain: CycleChain, u: CycleExtendInput): void {
  const { config, carry } = c;
  checkActor(u?.actor);
  requireCoordinator(u.actor);
  if (!DEADLINE_STAGES.includes(u.stage))
    refuse(`stage must be one of ${DEADLINE_STAGES.join(', ')}`, { rule: 'deadline_stage_invalid' });
  if (!config.deadlines[u.stage])
    refuse(`cycle ${config.id} has no ${u.stage} step`, { rule: 'no_such_step', params: { deadline: u.stage } });
  const until = parseInstant(u.until, 'until');
  if (until <= Date.now()) refuse('the new deadline must be in the future', { rule: 'deadline_in_past' });
  const current = carry.deadlineOverrides[u.stage];
  if (current && until <= Date.parse(current))
    refuse(`the cycle's ${u.stage} deadline is already ${current}`, {
      rule: 'cycle_deadline_not_later',
      params: { deadline: u.stage, currentAt: current },
    });
  if (c.finalized) refuse(`cycle ${config.id} is finalized`, { rule: 'cycle_finalized', params: { cycle: config.id } });
  chain.turnAwayWhileDraining();
}
