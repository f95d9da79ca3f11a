/**
 * A nomination's chain of runs (short runs: workflows/nomination-chain.ts): each stage boundary closes a run that
 * continued as new, so its history is the histories of every run, oldest first. Each run's started event names the
 * run it continued from; the chain is followed back from the current run to the first.
 */
import type { Client } from '@temporalio/client';
import type { History } from './history';

export interface RunHistory {
  runId: string;
  history: History;
}

/** The run a history continued from, or undefined for the first run of a workflow id. */
export function continuedFrom(history: History): string | undefined {
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  return started?.continuedExecutionRunId || undefined;
}

/** Every run of the workflow's chain, oldest first, ending with `runId` (the current run when omitted). */
export async function fetchRunChain(client: Client, workflowId: string, runId?: string): Promise<RunHistory[]> {
  const runs: RunHistory[] = [];
  let current = runId ?? (await client.workflow.getHandle(workflowId).describe()).runId;
  for (;;) {
    const history = (await client.workflow.getHandle(workflowId, current).fetchHistory()) as History;
    runs.unshift({ runId: current, history });
    const previous = continuedFrom(history);
    if (!previous || runs.some((r) => r.runId === previous)) return runs;
    current = previous;
  }
}
