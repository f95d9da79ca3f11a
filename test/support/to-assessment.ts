/**
 * A nomination started directly (no award cycle in front) and driven by valid updates through attendance, its
 * documents and their approval to IN_ASSESSMENT, where its panel is drawn: the set-up of the tests on panels, scores
 * and determinations. Each step is waited for in the projection, written once the workflow committed the stage (a
 * query may run ahead of events the workflow has not processed).
 */
import type { WorkflowHandle } from '@temporalio/client';
import {
  coordinator,
  dinasOf,
  nominationInput,
  sha256,
  startNominationDirectly,
  workflowInput,
} from '../../bench/drivers';
import { retryOnTaskFailure } from '../../common/update-retry';
import type { Commodity, CycleConfig } from '../../domain/types';
import { attendSocializationUpdate, reviewDocumentsUpdate, submitDocumentUpdate } from '../../workflows/messages';
import { waitFor, type Harness } from './harness';
import { runUpdate } from '../../common/run-update';

/** Waits until the projection shows the nomination in `stage`. */
export async function projectedStage(h: Harness, workflowId: string, stage: string): Promise<void> {
  await waitFor(
    async () =>
      (await h.db.selectFrom('nominations').select('stage').where('workflow_id', '=', workflowId).executeTakeFirst())
        ?.stage === stage,
    { what: `${workflowId} in ${stage}`, timeoutMs: 90_000 },
  );
}

/**
 * Starts the nomination of `ikmName` on `cfg` and drives it to IN_ASSESSMENT: attended at the session covering its
 * province, every document it is asked for submitted, the documents approved by the coordinator.
 */
export async function toAssessment(
  h: Harness,
  cfg: CycleConfig,
  nominee: { regencyCode: string; ikmName: string; commodity: Commodity },
): Promise<{ handle: WorkflowHandle; workflowId: string }> {
  const input = workflowInput(cfg, nominationInput(cfg, nominee));
  const { handle, workflowId } = await startNominationDirectly(h, h.taskQueue, input);
  const dinas = dinasOf(nominee.regencyCode);
  const session = cfg.sessions.find((s) => s.provinces.includes(nominee.regencyCode.slice(0, 2)))!;
  await projectedStage(h, workflowId, 'AWAITING_SOCIALIZATION');
  const attended = await retryOnTaskFailure(() =>
    runUpdate(handle, attendSocializationUpdate, { args: [{ actor: dinas, sessionId: session.id }] }),
  );
  await projectedStage(h, workflowId, 'AWAITING_DOCUMENTS');
  for (const kind of attended.missingDocuments)
    await retryOnTaskFailure(() =>
      runUpdate(handle, submitDocumentUpdate, {
        args: [
          { actor: dinas, kind, fileName: `${kind}.pdf`, checksum: sha256(`${workflowId}${kind}`), sizeBytes: 4096 },
        ],
      }),
    );
  await projectedStage(h, workflowId, 'UNDER_REVIEW');
  await retryOnTaskFailure(() =>
    runUpdate(handle, reviewDocumentsUpdate, { args: [{ actor: coordinator, decision: 'approve' }] }),
  );
  await projectedStage(h, workflowId, 'IN_ASSESSMENT');
  return { handle, workflowId };
}
