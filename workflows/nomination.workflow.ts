/**
 * One nomination of one IKM in one cycle, from intake to its star rating: months of waiting, made durable.
 *
 * The workflow function only wires the rooms together: the state (nomination-state.ts), the lifecycle's run loop
 * (nomination-lifecycle.ts) with its deadline clock (deadline-clock.ts), the rules that accept or refuse each actor
 * action (nomination-rules.ts), what an accepted action does (nomination-actions.ts), the effects on PostgreSQL and mail
 * (nomination-effects.ts) and the views (nomination-views.ts).
 */
import { allHandlersFinished, condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { DeadlineClock } from './deadline-clock';
import type { NominationOutcome, NominationWorkflowInput } from './inputs';
import {
  attendSocializationUpdate,
  cycleDeadlineSignal,
  determineByDecreeUpdate,
  determineStarsUpdate,
  extendDeadlineUpdate,
  nominationStateQuery,
  recordFieldEvidenceUpdate,
  prescreenUpdate,
  recordSamplesUpdate,
  recordCertificateHandoverUpdate,
  resolveHoldUpdate,
  reviewDocumentsUpdate,
  scheduleFieldVisitUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
  verifyFieldUpdate,
  withdrawUpdate,
} from './messages';
import { NominationActions } from './nomination-actions';
import { NominationEffects } from './nomination-effects';
import { NominationLifecycle } from './nomination-lifecycle';
import * as rules from './nomination-rules';
import { newNominationState } from './nomination-state';
import { outcome, view } from './nomination-views';

export async function nomination(input: NominationWorkflowInput): Promise<NominationOutcome> {
  const s = newNominationState(input, workflowInfo().workflowId, Date.now());
  const fx = new NominationEffects(s);
  const clock = new DeadlineClock(s, fx);
  const act = new NominationActions(s, fx, clock);

  setHandler(nominationStateQuery, () => view(s));
  setHandler(attendSocializationUpdate, (u) => act.attend(u), { validator: (u) => rules.validateAttend(s, u) });
  setHandler(submitDocumentUpdate, (u) => act.submitDocument(u), {
    validator: (u) => rules.validateSubmitDocument(s, u),
  });
  setHandler(reviewDocumentsUpdate, (u) => act.review(u), { validator: (u) => rules.validateReview(s, u) });
  setHandler(prescreenUpdate, (u) => act.prescreen(u), { validator: (u) => rules.validatePrescreen(s, u) });
  setHandler(recordSamplesUpdate, (u) => act.recordSamples(u), {
    validator: (u) => rules.validateRecordSamples(s, u, Date.now()),
  });
  setHandler(submitScoresUpdate, (u) => act.submitScores(u), { validator: (u) => rules.validateScores(s, u) });
  setHandler(verifyFieldUpdate, (u) => act.verifyField(u), { validator: (u) => rules.validateVerifyField(s, u) });
  setHandler(scheduleFieldVisitUpdate, (u) => act.scheduleFieldVisit(u), {
    validator: (u) => rules.validateScheduleFieldVisit(s, u, Date.now()),
  });
  setHandler(recordFieldEvidenceUpdate, (u) => act.recordFieldEvidence(u), {
    validator: (u) => rules.validateRecordFieldEvidence(s, u, Date.now()),
  });
  setHandler(determineStarsUpdate, (u) => act.determine(u), { validator: (u) => rules.validateDetermine(s, u) });
  setHandler(determineByDecreeUpdate, (u) => act.determineByDecree(u), {
    validator: (u) => rules.validateDetermineByDecree(s, u),
  });
  setHandler(recordCertificateHandoverUpdate, (u) => act.recordCertificateHandover(u), {
    validator: (u) => rules.validateCertificateHandover(s, u, Date.now()),
  });
  setHandler(withdrawUpdate, (u) => act.withdraw(u), { validator: (u) => rules.validateWithdraw(s, u) });
  setHandler(extendDeadlineUpdate, (u) => act.extendDeadline(u), {
    validator: (u) => rules.validateExtendDeadline(s, u, Date.now()),
  });
  setHandler(resolveHoldUpdate, (u) => act.resolveHold(u), {
    validator: (u) => rules.validateResolveHold(s, u, Date.now()),
  });
  setHandler(cycleDeadlineSignal, (c) => act.applyCycleDeadline(c));

  await new NominationLifecycle(s, fx, clock).run();
  // An update accepted just before the end (a late withdrawal refused by its handler, a query-like update) must
  // finish before the workflow completes, or its caller would see an error instead of the answer.
  await condition(allHandlersFinished);
  return outcome(s);
}
