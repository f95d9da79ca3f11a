/**
 * A worker loaded by a thousand nominations can leave a query or an update unanswered past its RPC deadline. The bench
 * asks again rather than give up the whole run: a query is read-only, and an update is resent with the same update id,
 * which the server applies at most once per run (it answers a repeat with the first outcome).
 */
import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';

const DEADLINE_EXCEEDED = 4;
const UNAVAILABLE = 14;

export function isRpcTimeout(err: unknown): boolean {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  if (!(err instanceof ServiceError)) return false;
  const code = (err.cause as { code?: number } | undefined)?.code;
  return code === DEADLINE_EXCEEDED || code === UNAVAILABLE;
}

/** Runs `call` again on an RPC timeout, up to `attempts` times, 1 s apart; `onRetry` lets the caller count them. */
export async function retryRpcTimeouts<T>(call: () => Promise<T>, onRetry: () => void, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= attempts || !isRpcTimeout(err)) throw err;
      onRetry();
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}
