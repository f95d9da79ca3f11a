/**
 * The cycle rules a nomination lives by, read from the first event of its history (its start input), so the CLI can
 * check a score sheet against the same criteria and scale the workflow's validator uses, before sending it.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, WorkflowNotFoundError } from '@temporalio/common';
import { decodeHistoryWith } from '../common/history-decoding';
import type { CycleRules, NominationWorkflowInput } from '../workflows/inputs';

export async function nominationRules(client: Client, workflowId: string): Promise<CycleRules | undefined> {
  let response;
  try {
    response = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId },
      maximumPageSize: 1,
    });
  } catch (err) {
    if ((err as { code?: number }).code === 5 /* NOT_FOUND */)
      throw new WorkflowNotFoundError(`no nomination ${workflowId}`, workflowId, undefined);
    throw err;
  }
  const [first] = await decodeHistoryWith(client, response.history?.events?.slice(0, 1) ?? []);
  const payload = first?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) return undefined;
  const input = defaultPayloadConverter.fromPayload<NominationWorkflowInput>(payload);
  return input?.rules?.assessment ? input.rules : undefined;
}
