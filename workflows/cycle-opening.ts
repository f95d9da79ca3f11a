/**
 * The cycle's first run records the cycle in PostgreSQL and tells the coordinators when its intake closes. (The cycle
 * opener, cycle-opener.workflow.ts, is another thing: the scheduled workflow that starts a cycle of a series.)
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { cycleActivity, mailActivity } from './activity-options';
import type { CycleState } from './cycle-state';

type Activities = ReturnType<typeof createActivities>;
const acts = proxyActivities<Activities>(cycleActivity);
const mail = proxyActivities<Activities>(mailActivity);

export async function openCycle(c: CycleState): Promise<void> {
  const { config, rules } = c;
  await acts.recordCycle({ cycleId: config.id, name: config.name, config: rules, status: 'OPEN', counts: {} });
  await mail.sendNotification({
    key: `ovop/${config.id}|cycle_opened`,
    workflowId: workflowInfo().workflowId,
    to: config.contacts.coordinators,
    template: 'cycle_opened',
    data: {
      cycleName: config.name,
      deadline: new Date(c.intakeClosesAt).toISOString(),
      timezone: config.timezone,
      workflowId: workflowInfo().workflowId,
    },
  });
}
