/**
 * Runs an Update and reads its result from the run that accepted it.
 *
 * The SDK's `executeUpdate` (1.24), when the server's first answer comes before the outcome, polls for the outcome with
 * its handle's execution: for a handle made from a workflow id alone, the workflow's *current* run. A nomination
 * continues as new at its stage boundaries, often in the very task that completes the action's update, so a poll that
 * reaches the server after that asks the next run, which answers `update "…" not found` (seen under load). The handle
 * `startUpdate` returns keeps the accepting run's id from the server's answer and polls that run.
 */
import { WorkflowUpdateStage, type WorkflowHandle, type WorkflowUpdateOptions } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';

// The same two shapes as the SDK's `executeUpdate`: with arguments, and for an update that takes none.
export function runUpdate<Ret, Args extends [unknown, ...unknown[]]>(
  handle: WorkflowHandle,
  update: UpdateDefinition<Ret, Args>,
  options: WorkflowUpdateOptions & { args: Args },
): Promise<Ret>;
export function runUpdate<Ret>(
  handle: WorkflowHandle,
  update: UpdateDefinition<Ret, []>,
  options?: WorkflowUpdateOptions,
): Promise<Ret>;
export async function runUpdate(
  handle: WorkflowHandle,
  update: UpdateDefinition<unknown, unknown[]>,
  options: WorkflowUpdateOptions & { args?: unknown[] } = {},
): Promise<unknown> {
  const accepted = await handle.startUpdate(update as UpdateDefinition<unknown, [unknown]>, {
    ...options,
    args: (options.args ?? []) as [unknown],
    waitForStage: WorkflowUpdateStage.ACCEPTED,
  });
  return accepted.result();
}
