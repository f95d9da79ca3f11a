/**
 * Sending an Update for a signed-in user: the same retry of passing failures as the CLI and the demo
 * (common/update-retry.ts), a validator's refusal answered as 409 `refused` with the validator's own words, a closed
 * nomination told apart from an unknown one, and an unreachable Temporal as 503.
 *
 * An action is answered in two waits. First until its workflow takes it up (a worker ran its validator and the
 * acceptance is in the history), else 503; then for its result, else 202 `accepted`: on a busy engine — the deadline
 * eve, with hundreds of offices at once — an accepted action has passed its validator and its workflow runs it, and
 * saying so beats holding the request until a proxy gives up or the user sends it again. (The few refusals raised in
 * a cycle's update handler after its validator, such as a sentra claimed by a racing nomination, then show only as the
 * nomination that does not appear.)
 */
import { WorkflowUpdateFailedError, WorkflowUpdateStage, isGrpcServiceError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import { retryOnTaskFailure, retryWhileTurnedAway } from '../common/update-retry';
import { ApiError, type RefusalRule } from './errors';
import type { ApiOptions } from './options';

export type ActionWaits = ApiOptions['actionWaits'];

/** The server's answer to a poll for an update it does not hold: `update "<id>" not found`. */
const UPDATE_NOT_FOUND = /^update\b.*\bnot found/i;

/** Resolves with `{ value }`, or with `undefined` once `ms` have passed. */
function within<T>(ms: number, promise: Promise<T>): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise.then((value) => ({ value })), late]).finally(() => clearTimeout(timer));
}

/** `what` names the action as a noun phrase for the answers' sentences: "the request to record an attendance". */
export async function executeUpdate<R, A>(
  client: Client,
  workflowId: string,
  update: UpdateDefinition<R, [A]>,
  arg: A,
  what: string,
  waits: ActionWaits,
): Promise<R> {
  const handle = client.workflow.getHandle(workflowId);
  const accepted = () =>
    new ApiError(
      202,
      'accepted',
      `${what} was accepted and is being applied; the nomination shows it shortly. Do not send it again`,
    );
  let takenUp = false;
  // Sent again only until its workflow takes it up, or while its validator turns it away for now (a nomination moving
  // to its next run, or still starting): nothing of it was applied. Once accepted it is never sent again: its handler
  // runs to its end in that run, and a second send would be a second action (a cycle answers a second `nominate` with
  // "already nominated"). Its result is only waited for.
  const send = () =>
    retryWhileTurnedAway(async () => {
      const sent = await retryOnTaskFailure(() =>
        handle.startUpdate(update, { args: [arg], waitForStage: WorkflowUpdateStage.ACCEPTED }),
      );
      takenUp = true;
      return within(waits.resultSeconds * 1000, sent.result());
    });
  try {
    const sending = send();
    // The result wait starts at acceptance, so an action taken up late still gets its own.
    const taken =
      (await within(waits.acceptSeconds * 1000, sending)) ?? (takenUp ? { value: await sending } : undefined);
    if (!taken)
      throw new ApiError(
        503,
        'unavailable',
        `${what} was not taken up within ${waits.acceptSeconds} s: the engine is busy or no worker is running. It may still be applied, so look at the nomination before sending it again`,
      );
    if (!taken.value) throw accepted();
    return taken.value.value;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      throw new ApiError(409, 'refused', cause instanceof Error ? cause.message : err.message, refusalRuleOf(cause));
    }
    // Accepted, the action is applied whatever its result's wait met: a server restart, or a run continuing as new.
    // (Its outcome is polled from the run that accepted it, which answers even once closed: common/run-update.ts.)
    if (takenUp) throw accepted();
    // Not yet accepted and lost by the server: it may or may not be applied.
    if (err instanceof WorkflowNotFoundError && UPDATE_NOT_FOUND.test(err.message)) {
      throw new ApiError(
        503,
        'unavailable',
        `${what} was not taken up: the engine lost track of it. It may still be applied, so look at the nomination before sending it again`,
      );
    }
    if (err instanceof WorkflowNotFoundError) {
      const status = await handle
        .describe()
        .then((d) => d.status.name)
        .catch(() => undefined);
      if (status && status !== 'RUNNING')
        throw new ApiError(
          409,
          'nomination_closed',
          `${workflowId} is closed (its workflow is ${status.toLowerCase()}); nothing can be done on it any more`,
        );
      throw new ApiError(404, 'not_found', `no workflow ${workflowId}`);
    }
    if (isGrpcServiceError(err) || (err as { name?: string }).name === 'ServiceError')
      throw new ApiError(
        503,
        'unavailable',
        `the Temporal server did not take ${what}: ${(err as Error).message.split('\n')[0]}`,
      );
    throw err;
  }
}

/** The rule a validator named with its refusal (workflows/validation.ts), when it named one. */
function refusalRuleOf(cause: unknown): RefusalRule | undefined {
  if (!(cause instanceof ApplicationFailure) || cause.type !== 'Refused') return undefined;
  const reason = cause.details?.[0] as Partial<RefusalRule> | undefined;
  if (!reason || typeof reason.rule !== 'string') return undefined;
  return reason.params && typeof reason.params === 'object'
    ? { rule: reason.rule, params: reason.params }
    : { rule: reason.rule };
}
