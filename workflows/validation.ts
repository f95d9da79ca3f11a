/** What every validator of both workflows needs: the refusal, and checks of the actor, of text and of instants. */
import { ApplicationFailure } from '@temporalio/common';
import { REGION_CODE } from '../domain/region-codes';
import { isoInstantProblem, textProblem } from '../domain/text';
import { type Actor, ROLES } from '../domain/types';
import { TRY_AGAIN } from './messages';

/**
 * What a refusal's sentence says, as data: a stable `rule` and the values the sentence names, carried as the
 * failure's details so a reader in another language (the portal) can say it in its own words. A param whose name
 * ends in `At` is an ISO instant, shown in the cycle's time zone.
 */
export interface RefusalReason {
  rule: string;
  params?: Record<string, string | number>;
}

/**
 * The rule a refused update breaks, as the message the actor sees (in English, as the CLI prints it); the update leaves
 * no event in the history. A refusal without a reason carries no details, exactly as before reasons existed.
 */
export function refuse(message: string, reason?: RefusalReason): never {
  if (!reason) throw ApplicationFailure.nonRetryable(message, 'Refused');
  throw ApplicationFailure.create({ message, type: 'Refused', nonRetryable: true, details: [reason] });
}

/** Turns an update away for a passing reason; the client retries it (no event in the history either). */
export function refuseForNow(message: string): never {
  throw ApplicationFailure.retryable(message, TRY_AGAIN);
}

export function checkText(value: unknown, what: string, opts: { max: number; required?: boolean }): void {
  const problem = textProblem(value, what, opts);
  if (problem) refuse(problem);
}

export function checkActor(actor: unknown): asserts actor is Actor {
  const a = actor as Partial<Actor> | null;
  if (!a || typeof a !== 'object') refuse('actor is missing');
  if (!ROLES.includes(a.role as (typeof ROLES)[number])) refuse(`actor role must be one of ${ROLES.join(', ')}`);
  checkText(a.id, 'actor id', { max: 120 });
  if (typeof a.region !== 'string' || !REGION_CODE.test(a.region))
    refuse('actor region must be a Kemendagri code such as 32 or 32.05');
}

export function parseInstant(text: unknown, what: string): number {
  const problem = isoInstantProblem(text, what);
  if (problem) refuse(problem);
  return Date.parse(text as string);
}
