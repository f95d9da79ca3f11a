/**
 * Whether any worker polls a task queue, as Temporal reports it (DescribeTaskQueue lists the pollers it saw in the
 * last few minutes). A workflow started on a queue nobody polls is accepted by the server and then does nothing, so a
 * call that starts one says so at once (POST /api/cycles answers how many workers poll) instead of letting the next
 * action time out.
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

// Enum values of temporal.api.enums.v1, written as numbers so the CLI needs @temporalio/proto only for its types.
const NORMAL: temporal.api.enums.v1.TaskQueueKind = 1;
const WORKFLOW: temporal.api.enums.v1.TaskQueueType = 1;

/** The identities of the workers polling `taskQueue` for workflow tasks; undefined when the server would not say. */
export async function workflowPollers(client: Client, taskQueue: string): Promise<string[] | undefined> {
  try {
    const response = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue, kind: NORMAL },
      taskQueueType: WORKFLOW,
    });
    return (response.pollers ?? []).map((p) => p.identity ?? '?');
  } catch {
    // Not allowed to describe (a restricted API key), or an older server: no warning rather than a false one.
    return undefined;
  }
}
