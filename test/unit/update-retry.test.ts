import { ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { isTransientUpdateFailure, retryOnTaskFailure } from '../../common/update-retry';

const grpc = (code: number, details: string) =>
  new ServiceError('Workflow Update failed', { cause: Object.assign(new Error(details), { code, details }) });

describe('update retry', () => {
  it.each([
    [9, 'unexpected workflow task failure'],
    [9, 'Unable to perform workflow execution update due to Workflow Task in failed state.'],
    [8, 'workflow operation can not be applied because workflow is closing'],
    [8, 'limit on number of concurrent in-flight updates has been reached (10)'],
  ])('treats gRPC %i "%s" as passing', (code, details) => {
    expect(isTransientUpdateFailure(grpc(code, details))).toBe(true);
  });

  it('treats a validator turning the update away with TryAgain (the cycle draining its run) as passing', () => {
    const drained = new WorkflowUpdateFailedError(
      'Workflow Update failed',
      ApplicationFailure.retryable('cycle x is starting its next run', 'TryAgain'),
    );
    expect(isTransientUpdateFailure(drained)).toBe(true);
  });

  it('treats an update aborted as its run continued as new as passing, and a closed workflow as final', () => {
    const aborted = new WorkflowNotFoundError('workflow update was aborted by closing workflow', 'wf', undefined);
    expect(isTransientUpdateFailure(aborted)).toBe(true);
    const closed = new WorkflowNotFoundError('workflow execution already completed', 'wf', undefined);
    expect(isTransientUpdateFailure(closed)).toBe(false);
  });

  it('does not retry other server errors or a validator refusal', () => {
    const refused = new WorkflowUpdateFailedError(
      'Workflow Update failed',
      ApplicationFailure.nonRetryable('intake for cycle x is closed', 'Refused'),
    );
    expect(isTransientUpdateFailure(refused)).toBe(false);
    expect(isTransientUpdateFailure(grpc(5, 'workflow not found'))).toBe(false);
    expect(isTransientUpdateFailure(grpc(8, 'namespace rate limit exceeded'))).toBe(false);
    expect(isTransientUpdateFailure(new Error('intake for cycle x is closed'))).toBe(false);
  });

  it('sends again until the server takes the update, and gives up on anything else at once', async () => {
    let calls = 0;
    const value = await retryOnTaskFailure(async () => {
      calls += 1;
      if (calls < 3) throw grpc(8, 'workflow is closing');
      return 'accepted';
    });
    expect({ value, calls }).toEqual({ value: 'accepted', calls: 3 });

    let refusals = 0;
    await expect(
      retryOnTaskFailure(async () => {
        refusals += 1;
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(refusals).toBe(1);
  });
});
