/**
 * Temporal's "no such workflow run": the client throws WorkflowNotFoundError for a handle's describe, but a history
 * fetch passes on the gRPC error (status 5, NOT_FOUND) as it came.
 */
import { WorkflowNotFoundError } from '@temporalio/common';

/** gRPC's status code NOT_FOUND. */
const NOT_FOUND = 5;

export function isRunNotFound(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  return e?.code === NOT_FOUND || e?.cause?.code === NOT_FOUND;
}
