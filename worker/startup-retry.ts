/**
 * A worker started beside its services (docker compose, a reboot) may come up before PostgreSQL or Temporal listen.
 * Instead of exiting at once, it waits for them, saying so, with a backoff from 1 s to 10 s, for up to two minutes;
 * any other error (a failed migration, bad credentials) stops it at once as before.
 */

/** Connection errors that mean "not listening yet", from pg, Node's sockets and the Temporal core bridge. */
const UNREACHABLE = /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|database system is (starting up|shutting down)|Connection refused|tcp connect error|transport error|Failed to connect/i;

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
export async function whileUnreachable<T>(what: string, attempt: () => Promise<T>, opts: WaitOptions = {}): Promise<T> {
  const giveUpAt = Date.now() + (opts.giveUpAfterMs ?? 120_000);
  let delay = opts.firstDelayMs ?? 1_000;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (!isUnreachable(err) || Date.now() + delay > giveUpAt) throw err;
      (opts.log ?? console.error)(`${what} not reachable yet (${(err as Error).message.split('\n')[0]}); trying again in ${Math.round(delay / 1000)} s`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }
}
