/** What every validator of both workflows needs: the refusal, and checks of the actor, of text and of instants. */
import { ApplicationFailure } from '@temporalio/common';
import { REGION_CODE } from '../domain/region-codes';
import { isoInstantProblemOf, textProblemOf, type ValueProblem } from '../domain/text';
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

/** A value's problem refused with its rule, so the portal says it in the reader's language. */
export function refuseProblem(problem: ValueProblem): never {
  refuse(problem.message, { rule: problem.rule, params: problem.params });
}

export function checkText(value: unknown, what: string, opts: { max: number; required?: boolean }): void {
  const problem = textProblemOf(value, what, opts);
  if (problem) refuseProblem(problem);
}

export function checkActor(actor: unknown): asserts actor is Actor {
  const a = actor as Partial<Actor> | null;
  if (!a || typeof a !== 'object') refuse('actor is missing', { rule: 'actor_missing' });
  if (!ROLES.includes(a.role as (typeof ROLES)[number]))
    refuse(`actor role must be one of ${ROLES.join(', ')}`, { rule: 'actor_role_unknown' });
  checkText(a.id, 'actor id', { max: 120 });
  if (typeof a.region !== 'string' || !REGION_CODE.test(a.region))
    refuse('actor region must be a Kemendagri code such as 32 or 32.05', { rule: 'actor_region_invalid' });
}

export function parseInstant(text: unknown, what: string): number {
  const problem = isoInstantProblemOf(text, what);
  if (problem) refuseProblem(problem);
  return Date.parse(text as string);
}
