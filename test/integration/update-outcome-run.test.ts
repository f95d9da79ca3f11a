/**
 * An action's outcome is read from the run that accepted it (common/run-update.ts). A nomination continues as new at
 * its stage boundaries in the task that completes the action's update, and the next run does not know the updates of
 * the one before: a poll for the outcome by the workflow id alone that reaches the server after that answers
 * `update "…" not found`, as seen under load with the SDK's `executeUpdate`.
 */
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runUpdate } from '../../common/run-update';
import { waitFor } from '../support/harness';
import { actUpdate, releaseSignal } from '../support/update-then-continue.workflow';

const taskQueue = `uji-update-run-${Date.now()}`;
/** Polls for update outcomes wait here until a test opens the gate, as a poll sent late on a busy machine does. */
let openGate: () => void = () => undefined;
let gate = Promise.resolve();
const holdOutcomePolls: Interceptor = (options, nextCall) =>
  options.method_definition.path.endsWith('/PollWorkflowExecutionUpdate')
    ? new InterceptingCall(nextCall(options), {
        start: (metadata, listener, next) => void gate.then(() => next(metadata, listener)),
      })
    : new InterceptingCall(nextCall(options));

let connection: Connection;
let client: Client;
let workerConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('temporalAddress'), interceptors: [holdOutcomePolls] });
  client = new Client({ connection, namespace: 'default' });
  workerConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
  worker = await Worker.create({
    connection: workerConnection,
    namespace: 'default',
    taskQueue,
    workflowsPath: fileURLToPath(new URL('../support/update-then-continue.workflow.ts', import.meta.url)),
  });
  running = worker.run();
});

afterAll(async () => {
  openGate();
  worker?.shutdown();
  await running;
  await workerConnection?.close();
  await connection?.close();
});

/** The run after `firstRun`, once the workflow has continued as new. */
const nextRunOf = (workflowId: string, firstRun: string) =>
  waitFor(async () => {
    const { runId } = await client.workflow.getHandle(workflowId).describe();
    return runId !== firstRun && runId;
  });

describe("an update's outcome asked for after its run continued as new", () => {
  it('is not found by the workflow id alone, which names the next run; the accepting run still answers', async () => {
    const workflowId = `uji-update-run-id-${Date.now()}`;
    const started = await client.workflow.start('updateThenContinue', { workflowId, taskQueue, args: [0] });
    await client.workflow.getHandle(workflowId).executeUpdate(actUpdate, { args: ['hadir'], updateId: 'act-1' });
    await nextRunOf(workflowId, started.firstExecutionRunId);

    const lost = await client.workflow
      .getHandle(workflowId)
      .getUpdateHandle<string>('act-1')
      .result()
      .catch((err: unknown) => err);
    expect(lost).toBeInstanceOf(WorkflowNotFoundError);
    expect((lost as Error).message).toMatch(/update "act-1" not found/);
    const byRun = client.workflow
      .getHandle(workflowId)
      .getUpdateHandle<string>('act-1', { workflowRunId: started.firstExecutionRunId });
    expect(await byRun.result()).toBe('done: hadir');
  });

  it('is read by runUpdate from the run that accepted the update', async () => {
    const workflowId = `uji-update-run-late-${Date.now()}`;
    const started = await client.workflow.start('updateThenContinue', { workflowId, taskQueue, args: [0, true] });
    gate = new Promise((resolve) => (openGate = resolve));
    // Accepted at once; its outcome waits for `release`, and the poll for it waits for the gate.
    const answer = runUpdate(client.workflow.getHandle(workflowId), actUpdate, { args: ['hadir'], updateId: 'act-1' });
    await waitFor(async () => {
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      return history.events?.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    });
    await client.workflow.getHandle(workflowId).signal(releaseSignal);
    await nextRunOf(workflowId, started.firstExecutionRunId);
    openGate();
    expect(await answer).toBe('done: hadir');
  });
});
