/**
 * A worker loaded by a thousand nominations can leave a query or an update unanswered past its RPC deadline. The bench
 * asks again rather than give up the whole run: a query is read-only, and an update is resent with the same update id,
 * which the server applies at most once per run (it answers a repeat with the first outcome).
 */
import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import pRetry from 'p-retry';

const DEADLINE_EXCEEDED = 4;
const UNAVAILABLE = 14;

export function isRpcTimeout(err: unknown): boolean {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  if (!(err instanceof ServiceError)) return false;
  const code = (err.cause as { code?: number } | undefined)?.code;
  return code === DEADLINE_EXCEEDED || code === UNAVAILABLE;
}

/** Runs `call` again on an RPC timeout, up to `attempts` times, 1 s apart; `onRetry` lets the caller count them. */
export function retryRpcTimeouts<T>(call: () => Promise<T>, onRetry: () => void, attempts = 5): Promise<T> {
  return pRetry(call, {
    retries: attempts - 1,
    minTimeout: 1_000,
    factor: 1,
    // Asked only while a retry is left, so that it counts the calls asked again.
    shouldRetry: ({ error }) => {
      if (!isRpcTimeout(error)) return false;
      onRetry();
      return true;
    },
  });
}
