/**
 * How long one replay may take before it is given up (client/replay-pool.ts): OVOP_REPLAY_TIMEOUT_SECONDS for a
 * history of up to EVENTS_PER_TIMEOUT events, proportionally more for a longer one. A replay normally takes well
 * under a second; the bound is for one that never ends, and is generous so that a loaded machine is not mistaken for one.
 */
import { envNumber, positive } from '../common/env-number';

export const DEFAULT_REPLAY_TIMEOUT_SECONDS = 120;
/** The history length the timeout is for; a longer history replays for longer in proportion. */
export const EVENTS_PER_TIMEOUT = 1000;

/** OVOP_REPLAY_TIMEOUT_SECONDS (a positive number of seconds; fractions allowed), or the default. */
export function replayTimeoutSecondsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return envNumber(env, 'OVOP_REPLAY_TIMEOUT_SECONDS', DEFAULT_REPLAY_TIMEOUT_SECONDS, positive('seconds'));
}

/** The deadline, in milliseconds, of one replay of a history of `events` events. */
export function replayDeadlineMs(timeoutSeconds: number, events: number): number {
  return Math.ceil(timeoutSeconds * 1000 * Math.max(1, events / EVENTS_PER_TIMEOUT));
}
