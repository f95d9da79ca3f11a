/**
 * The worker container's health check (`node dist/worker/healthcheck.js`, the Dockerfile's HEALTHCHECK): exits 0 when
 * Temporal lists a poller from this host on the worker's task queue that polled lately, 1 otherwise. A worker process
 * that runs but no longer polls (lost connection, stuck) is what a plain "is the process alive" check would miss.
 */
import type { temporal } from '@temporalio/proto';
import { hostname } from 'node:os';
import { connectClient, DEFAULT_TASK_QUEUE, temporalSettings } from '../common/temporal-connection';

// Enum values of temporal.api.enums.v1 as numbers (as in client/task-queue.ts): @temporalio/proto is for types only.
const NORMAL: temporal.api.enums.v1.TaskQueueKind = 1;
const WORKFLOW: temporal.api.enums.v1.TaskQueueType = 1;
/** A polling worker renews its long poll at least every 70 s (the server's poll timeout). */
const FRESH_MS = 2 * 60_000;

const settings = temporalSettings();
const taskQueue = process.env.OVOP_TASK_QUEUE ?? DEFAULT_TASK_QUEUE;
try {
  const client = await connectClient(settings);
  try {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: settings.namespace,
      taskQueue: { name: taskQueue, kind: NORMAL },
      taskQueueType: WORKFLOW,
    });
    // The SDK's default worker identity is <pid>@<hostname>; a container's hostname is its own.
    const ours = (pollers ?? []).filter((p) => p.identity?.endsWith(`@${hostname()}`));
    const lastPoll = Math.max(0, ...ours.map((p) => Number(p.lastAccessTime?.seconds ?? 0) * 1000));
    if (ours.length === 0 || Date.now() - lastPoll > FRESH_MS) {
      console.error(`unhealthy: no worker on ${hostname()} has polled ${taskQueue} in the last 2 minutes`);
      process.exitCode = 1;
    } else {
      console.log(`healthy: ${ours.map((p) => p.identity).join(', ')} polling ${taskQueue}`);
    }
  } finally {
    await client.connection.close();
  }
} catch (err) {
  console.error(`unhealthy: Temporal (${settings.address}) does not answer: ${(err as Error).message}`);
  process.exitCode = 1;
}
