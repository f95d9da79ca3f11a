/**
 * An action whose outcome the server no longer knows when the API polls for it (`update "…" not found`, seen under
 * load while a nomination continued as new): the dinas is told what is true — accepted and being applied (202) once
 * its workflow took the action up, possibly applied (503, look first) before — never that the nomination does not
 * exist. The Temporal client is a stand-in here. (The API polls the run that accepted an action, which answers even
 * once closed; the cause seen under load was a poll of the next run: common/run-update.ts.)
 */
import { ServiceError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { defineUpdate } from '@temporalio/workflow';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { executeUpdate } from '../../api/workflow-calls';

const attend = defineUpdate<unknown, [unknown]>('attendSocialization');
const WAITS = { acceptSeconds: 5, resultSeconds: 5 };
const WORKFLOW = 'ovop/c/nomination/32.05/ikm';
const lost = () => new WorkflowNotFoundError('update "attend:1" not found', WORKFLOW, 'run-1');

function clientWhere(startUpdate: () => Promise<unknown>, running = true): Client {
  const handle = {
    startUpdate,
    describe: async () => ({ status: { name: running ? 'RUNNING' : 'COMPLETED' } }),
  };
  return { workflow: { getHandle: () => handle } } as unknown as Client;
}

async function answerTo(client: Client): Promise<ApiError> {
  const err = await executeUpdate(client, WORKFLOW, attend, {}, 'the request to record an attendance', WAITS).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('an action whose outcome the server lost', () => {
  it('is answered 202 accepted once its workflow took it up', async () => {
    const err = await answerTo(clientWhere(async () => ({ result: async () => Promise.reject(lost()) })));
    expect([err.statusCode, err.code]).toEqual([202, 'accepted']);
    expect(err.message).toBe(
      'the request to record an attendance was accepted and is being applied; the nomination shows it shortly. Do not send it again',
    );
  });

  it('is answered 503, look before sending again, when it was not taken up', async () => {
    const err = await answerTo(clientWhere(async () => Promise.reject(lost())));
    expect([err.statusCode, err.code]).toEqual([503, 'unavailable']);
    expect(err.message).toContain('It may still be applied, so look at the nomination before sending it again');
  });

  it('leaves a nomination that does not exist, or has closed, answered as before', async () => {
    const missing = () =>
      Promise.reject(new WorkflowNotFoundError('workflow not found for ID: x', WORKFLOW, undefined));
    const notFound = await answerTo(clientWhere(missing));
    expect([notFound.statusCode, notFound.code]).toEqual([404, 'not_found']);
    const closed = await answerTo(clientWhere(missing, false));
    expect([closed.statusCode, closed.code]).toEqual([409, 'nomination_closed']);
  });
});

describe('an action its workflow took up', () => {
  /** What the server answers while a run continues as new: RESOURCE_EXHAUSTED "workflow is closing", a passing failure. */
  const closing = () =>
    new ServiceError('Workflow Update failed', {
      cause: Object.assign(new Error('closing'), { code: 8, details: 'workflow is closing' }),
    });

  it('is sent again while it is turned away for a passing reason, and never once accepted', async () => {
    let sends = 0;
    const client = clientWhere(async () => {
      sends += 1;
      if (sends === 1) throw closing();
      // Accepted; the wait for its result then meets the same passing failure, which must not send it again.
      return { result: async () => Promise.reject(closing()) };
    });
    const err = await answerTo(client);
    expect([err.statusCode, err.code]).toEqual([202, 'accepted']);
    expect(sends).toBe(2);
  });
});

describe('an action its validator turns away', () => {
  const rejected = (failure: ApplicationFailure) => ({
    result: async () => Promise.reject(new WorkflowUpdateFailedError('Workflow Update failed', failure)),
  });

  it('is sent again while it is turned away for now (the nomination moving to its next run), and answered', async () => {
    let sends = 0;
    const client = clientWhere(async () => {
      sends += 1;
      if (sends < 3)
        return rejected(
          ApplicationFailure.retryable('nomination x is moving to its next run; send this again', 'TryAgain'),
        );
      return { result: async () => ({ stage: 'AWAITING_DOCUMENTS' }) };
    });
    const answer = await executeUpdate(client, WORKFLOW, attend, {}, 'the request', WAITS);
    expect(answer).toEqual({ stage: 'AWAITING_DOCUMENTS' });
    expect(sends).toBe(3);
  });

  it('is answered 409 with the rule once, when the refusal is a rule', async () => {
    let sends = 0;
    const client = clientWhere(async () => {
      sends += 1;
      return rejected(ApplicationFailure.nonRetryable('the session is for another province', 'Refused'));
    });
    const err = await answerTo(client);
    expect([err.statusCode, err.code, err.message]).toEqual([409, 'refused', 'the session is for another province']);
    expect(sends).toBe(1);
  });
});
