/**
 * A workflow for the tests only: it writes one line to the workflow log and has an activity write one to the activity
 * log, as the engine's own code does (observability.test.ts reads what the worker's logger made of them).
 */
import { log, proxyActivities } from '@temporalio/workflow';

const { noteInActivityLog } = proxyActivities<{ noteInActivityLog(note: string): Promise<void> }>({
  startToCloseTimeout: '10 seconds',
});

export async function logProbe(note: string): Promise<void> {
  log.warn(`probe: ${note}`, { cycleId: 'uji-log' });
  await noteInActivityLog(note);
}
