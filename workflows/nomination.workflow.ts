/**
 * One nomination of one IKM in one cycle, from intake to its star rating: months of waiting, made durable.
 *
 * The workflow function stays thin: `Nomination` (nomination-state.ts) holds the state and validates every actor
 * action; this file runs the lifecycle, one stage after another, each waiting with its deadline (deadline-clock.ts).
 */
import { allHandlersFinished, condition, setHandler, workflowInfo } from '@temporalio/workflow';
import type { NominationOutcome, NominationWorkflowInput } from './inputs';
import {
  attendSocializationUpdate,
  cycleDeadlineSignal,
  determineStarsUpdate,
  extendDeadlineUpdate,
  nominationStateQuery,
  resolveHoldUpdate,
  reviewDocumentsUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
  verifyFieldUpdate,
  withdrawUpdate,
} from './messages';
import { Nomination } from './nomination-state';

export async function nomination(input: NominationWorkflowInput): Promise<NominationOutcome> {
  const n = new Nomination(input, workflowInfo().workflowId);

  setHandler(nominationStateQuery, () => n.view());
  setHandler(attendSocializationUpdate, (u) => n.attend(u), { validator: (u) => n.validateAttend(u) });
  setHandler(submitDocumentUpdate, (u) => n.submitDocument(u), { validator: (u) => n.validateSubmitDocument(u) });
  setHandler(reviewDocumentsUpdate, (u) => n.review(u), { validator: (u) => n.validateReview(u) });
  setHandler(submitScoresUpdate, (u) => n.submitScores(u), { validator: (u) => n.validateScores(u) });
  setHandler(verifyFieldUpdate, (u) => n.verifyField(u), { validator: (u) => n.validateVerifyField(u) });
  setHandler(determineStarsUpdate, (u) => n.determine(u), { validator: (u) => n.validateDetermine(u) });
  setHandler(withdrawUpdate, (u) => n.withdraw(u), { validator: (u) => n.validateWithdraw(u) });
  setHandler(extendDeadlineUpdate, (u) => n.extendDeadline(u), { validator: (u) => n.validateExtendDeadline(u) });
  setHandler(resolveHoldUpdate, (u) => n.resolveHold(u), { validator: (u) => n.validateResolveHold(u) });
  setHandler(cycleDeadlineSignal, (s) => n.applyCycleDeadline(s));

  await n.run();
  // An update accepted just before the end (a late withdrawal refused by its handler, a query-like update) must
  // finish before the workflow completes, or its caller would see an error instead of the answer.
  await condition(allHandlersFinished);
  return n.outcome();
}
