/**
 * The environment of a worker process a bench starts on its own stack: the stack's Temporal, database and mail server
 * and the bench's task queue, on top of this process's environment; `extra` adds the bench's own settings.
 */
import type { Stack } from '../../embedded/stack';

export function workerEnv(stack: Stack, taskQueue: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: stack.temporal.address,
    TEMPORAL_NAMESPACE: stack.temporal.namespace,
    DATABASE_URL: stack.databaseUrl,
    SMTP_URL: stack.smtpUrl,
    OVOP_TASK_QUEUE: taskQueue,
    ...extra,
  };
}
