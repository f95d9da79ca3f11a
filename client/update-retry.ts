/**
 * Sends an update again when the server failed it because the workflow task it landed in failed as a whole.
 *
 * This happens to the award cycle by design: when it continues as new while a nomination's signal arrives, the server
 * refuses the completion (UnhandledCommand) and runs the task again with the signal; an update delivered in that same
 * task is answered with FAILED_PRECONDITION "unexpected workflow task failure". Nothing of the update was applied, so
 * sending it again is safe. A validator's refusal (WorkflowUpdateFailedError) is never retried.
 */
import { ServiceError } from '@temporalio/client';

const TASK_FAILED = /unexpected workflow task failure/i;

export function isWorkflowTaskFailure(err: unknown): boolean {
  if (!(err instanceof ServiceError)) return false;
  const cause = err.cause as { code?: number; details?: string } | undefined;
  return cause?.code === 9 && TASK_FAILED.test(String(cause.details ?? err.message));
}

export async function retryOnTaskFailure<T>(send: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (attempt >= attempts || !isWorkflowTaskFailure(err)) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}
