/**
 * The cycle's end: a coordinator may ask for it early (the `finalizeCycle` Update closes intake at once); once the
 * census has settled, the summary is reported to the coordinators and the cycle's row marked FINALIZED.
 */
import { allHandlersFinished, condition, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { Actor } from '../domain/types';
import { cycleActivity, mailActivity } from './activity-options';
import type { CycleChain } from './cycle-chain';
import { counts, type CycleState } from './cycle-state';
import { cycleView } from './cycle-view';
import type { CycleView } from './messages';
import { requireCoordinator } from './rule-guards';
import { checkActor, refuse } from './validation';

type Activities = ReturnType<typeof createActivities>;
const acts = proxyActivities<Activities>(cycleActivity);
const mail = proxyActivities<Activities>(mailActivity);

/** Closes intake; the census loop wakes on it and the cycle finalizes once its nominations have settled. */
export async function requestFinalization(c: CycleState, chain: CycleChain): Promise<CycleView> {
  chain.noteLength();
  c.carry.finalizeRequested = true;
  return cycleView(c);
}

export function validateFinalizationRequest(c: CycleState, u: { actor: Actor }): void {
  checkActor(u?.actor);
  requireCoordinator(u.actor);
  if (c.carry.finalizeRequested)
    refuse(`finalization of cycle ${c.config.id} is already requested`, {
      rule: 'finalization_requested',
      params: { cycle: c.config.id },
    });
}

/** Waits for the updates in flight, so the summary counts what they did, then reports and records the end. */
export async function finalizeCycle(c: CycleState): Promise<void> {
  const { config, rules } = c;
  await condition(allHandlersFinished);
  const summary = await acts.finalizeCycleReport({ cycleId: config.id });
  await mail.sendNotification({
    key: `ovop/${config.id}|cycle_summary`,
    workflowId: workflowInfo().workflowId,
    to: config.contacts.coordinators,
    template: 'cycle_summary',
    data: { cycleName: config.name, summary, timezone: config.timezone, workflowId: workflowInfo().workflowId },
  });
  await acts.recordCycle({
    cycleId: config.id,
    name: config.name,
    config: rules,
    status: 'FINALIZED',
    counts: counts(c) as Record<string, number>,
  });
  c.finalized = true;
}
