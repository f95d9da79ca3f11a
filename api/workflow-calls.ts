/**
 * Sending an Update for a signed-in user: the same retry of passing failures as the CLI and the demo
 * (common/update-retry.ts), a validator's refusal answered as 409 `refused` with the validator's own words, a closed
 * nomination told apart from an unknown one, and an unreachable Temporal as 503.
 */
import { WorkflowUpdateFailedError, isGrpcServiceError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import { retryOnTaskFailure } from '../common/update-retry';
import { ApiError, type RefusalRule } from './errors';

/** How long one action may wait for its answer before the API says the engine is not answering. */
const ANSWER_TIMEOUT_MS = 60_000;

export async function executeUpdate<R, A>(
  client: Client,
  workflowId: string,
  update: UpdateDefinition<R, [A]>,
  arg: A,
  what: string,
): Promise<R> {
  const handle = client.workflow.getHandle(workflowId);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ApiError(
            503,
            'unavailable',
            `no answer to ${what} within ${ANSWER_TIMEOUT_MS / 1000} s; is a worker running?`,
          ),
        ),
      ANSWER_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([retryOnTaskFailure(() => handle.executeUpdate(update, { args: [arg] })), timeout]);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      throw new ApiError(409, 'refused', cause instanceof Error ? cause.message : err.message, refusalRuleOf(cause));
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
  } finally {
    clearTimeout(timer);
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
