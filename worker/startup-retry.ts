/**
 * A worker started beside its services (docker compose, a reboot) may come up before PostgreSQL or Temporal listen.
 * Instead of exiting at once, it waits for them, saying so, with a backoff from 1 s to 10 s, for up to two minutes;
 * any other error (a failed migration, bad credentials) stops it at once as before.
 */
import pRetry from 'p-retry';

/** Connection errors that mean "not listening yet", from pg, Node's sockets and the Temporal core bridge. */
const UNREACHABLE =
  /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|database system is (starting up|shutting down)|Connection refused|tcp connect error|transport error|Failed to connect/i;

export function isUnreachable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 6; depth++) {
    const { message, code } = e as { message?: unknown; code?: unknown };
    if (UNREACHABLE.test(`${String(message ?? '')} ${String(code ?? '')}`)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export interface WaitOptions {
  giveUpAfterMs?: number;
  firstDelayMs?: number;
  log?: (line: string) => void;
}

/** Runs `attempt` until it succeeds, fails for another reason, or the services stayed unreachable too long. */
export function whileUnreachable<T>(what: string, attempt: () => Promise<T>, opts: WaitOptions = {}): Promise<T> {
  const first = opts.firstDelayMs ?? 1_000;
  const most = 10_000;
  return pRetry(attempt, {
    retries: Number.POSITIVE_INFINITY,
    maxRetryTime: opts.giveUpAfterMs ?? 120_000,
    minTimeout: first,
    factor: 2,
    maxTimeout: most,
    shouldRetry: ({ error, retriesConsumed }) => {
      if (!isUnreachable(error)) return false;
      const delay = Math.min(first * 2 ** retriesConsumed, most);
      (opts.log ?? console.error)(
        `${what} not reachable yet (${error.message.split('\n')[0]}); trying again in ${Math.round(delay / 1000)} s`,
      );
      return true;
    },
  });
}
