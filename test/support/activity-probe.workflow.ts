/**
 * A workflow for the tests only: it calls the real projection activity under the retry policy the nomination uses,
 * with an event that has no actor, so that the activity's own code throws a TypeError (engine-defence.test.ts).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import type { RecordEventInput } from '../../activities/contracts';
import { databaseActivity } from '../../workflows/activity-options';

const db = proxyActivities<ReturnType<typeof createActivities>>(databaseActivity);

export async function activityProbe(workflowId: string): Promise<void> {
  const event = { workflowId, seq: 1, type: 'probe', stage: 'IDENTIFIED', actor: null, at: new Date().toISOString() };
  await db.recordNominationEvent({ ...event, payload: {}, projection: null } as unknown as RecordEventInput);
}
