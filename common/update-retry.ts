/**
 * Sends an update again when the server turned it away for a passing reason, before any of it was applied:
 *
 * - FAILED_PRECONDITION "unexpected workflow task failure": the workflow task the update landed in failed as a whole.
 *   This happens to the award cycle by design: when it continues as new while a nomination's signal arrives, the server
 *   refuses the completion (UnhandledCommand) and runs the task again with the signal.
 * - FAILED_PRECONDITION "Workflow Task in failed state": the server fails an update fast while the workflow's last task
 *   failed (a task that timed out on a loaded worker, retried by the server); nothing was admitted, and a workflow whose
 *   tasks keep failing (a bug) still ends the retries after about half a minute.
 * - RESOURCE_EXHAUSTED "workflow is closing", or "workflow update was aborted by closing workflow": the cycle or a
 *   nomination (short runs) is continuing as new; the next run takes the update.
 * - RESOURCE_EXHAUSTED "limit on number of concurrent in-flight updates": the server admits a few updates per workflow
 *   at a time (10 on the dev server), and a bulk intake sends more.
 * - An update the workflow's validator turned away with the failure type `TryAgain`: the cycle's run is over its length
 *   and is draining before it continues as new.
 *
 * Backoff doubles from 100 ms to 5 s with jitter, about half a minute in all. A validator's refusal
 * (WorkflowUpdateFailedError of type `Refused`) is an answer, never retried.
 */
import { ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import pRetry from 'p-retry';
import { TRY_AGAIN } from '../workflows/messages';

const TRANSIENT: { code: number; details: RegExp }[] = [
  { code: 9, details: /unexpected workflow task failure|workflow task in failed state/i },
  { code: 8, details: /workflow is closing|concurrent in-flight updates/i },
];

export function isTransientUpdateFailure(err: unknown): boolean {
  // Admitted while the run was continuing as new and aborted by the server before the workflow saw it.
  if (err instanceof WorkflowNotFoundError) return /update was aborted by closing workflow/i.test(err.message);
  if (err instanceof WorkflowUpdateFailedError)
    return err.cause instanceof ApplicationFailure && err.cause.type === TRY_AGAIN;
  if (!(err instanceof ServiceError)) return false;
  const cause = err.cause as { code?: number; details?: string } | undefined;
  const text = String(cause?.details ?? err.message);
  return TRANSIENT.some((t) => cause?.code === t.code && t.details.test(text));
}

export function retryOnTaskFailure<T>(send: () => Promise<T>, attempts = 12): Promise<T> {
  return retryWhen(isTransientUpdateFailure, send, attempts);
}

/** A validator's "send this again in a moment" (TryAgain): nothing was applied. */
function isTurnedAwayForNow(err: unknown): boolean {
  return err instanceof WorkflowUpdateFailedError && isTransientUpdateFailure(err);
}

/**
 * Sends again an update its validator turned away for now, for a sender that reads the refusal from the update's
 * result (`startUpdate`, then `result()`), which is where the SDK puts a validator's refusal.
 */
export function retryWhileTurnedAway<T>(send: () => Promise<T>, attempts = 12): Promise<T> {
  return retryWhen(isTurnedAwayForNow, send, attempts);
}

function retryWhen<T>(passing: (err: unknown) => boolean, send: () => Promise<T>, attempts: number): Promise<T> {
  return pRetry(send, {
    retries: attempts - 1,
    // 50-100 ms, then doubling up to 5 s: the randomness spreads a bulk intake's resends over time.
    minTimeout: 50,
    factor: 2,
    maxTimeout: 5_000,
    randomize: true,
    shouldRetry: ({ error }) => passing(error),
  });
}
