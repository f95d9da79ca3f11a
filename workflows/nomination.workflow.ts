/**
 * One nomination of one IKM in one cycle, from intake to its star rating: months of waiting, made durable.
 *
 * The workflow function only wires the rooms together: the state (nomination-state.ts), the lifecycle's run loop
 * (nomination-lifecycle.ts, its stages in document-stages.ts, assessment-stage.ts, field-visit-stage.ts and
 * award-follow-up.ts) with its deadline clock (deadline-clock.ts), the rules that accept or refuse each actor
 * action (nomination-rules.ts), what an accepted action does (nomination-actions.ts), the effects on PostgreSQL and mail
 * (nomination-effects.ts) and the views (nomination-views.ts).
 */
import { ApplicationFailure } from '@temporalio/common';
import { allHandlersFinished, condition, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { DeadlineClock } from './deadline-clock';
import { checkNominationInput, NOT_FROM_CYCLE } from './input-checks';
import type { CycleRules, NominationOutcome } from './inputs';
import {
  approveDeterminationUpdate,
  attendSocializationUpdate,
  cycleDeadlineSignal,
  declareConflictUpdate,
  determineByDecreeUpdate,
  determineStarsUpdate,
  extendDeadlineUpdate,
  nominationStateQuery,
  recordFieldEvidenceUpdate,
  prescreenUpdate,
  recordSamplesUpdate,
  recordCertificateHandoverUpdate,
  reassignAssessorUpdate,
  resolveHoldUpdate,
  reviewDocumentsUpdate,
  scheduleFieldVisitUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
  verifyFieldUpdate,
  withdrawUpdate,
} from './messages';
import { NominationActions } from './nomination-actions';
import { checkCarried, NominationChain, type NominationRunInput, restoreState } from './nomination-chain';
import { NominationEffects } from './nomination-effects';
import { NominationLifecycle } from './nomination-lifecycle';
import * as rules from './nomination-rules';
import { newNominationState } from './nomination-state';
import { outcome, view, viewBeforeRules } from './nomination-views';
import { declareConflict, reassignAssessor, validateDeclareConflict, validateReassign } from './panel-assignment';
import { decideApproval, validateApproval } from './four-eyes';
import { NOMINATION_START_CHECKED } from './patches';
import { refuseForNow } from './validation';

export async function nomination(runInput: NominationRunInput): Promise<NominationOutcome> {
  // A run continued at a stage boundary carries the state (nomination-chain.ts); the input is the cycle's without it.
  const { carried, ...input } = runInput;
  // Histories from before the start check replay without it (docs/versioning.md).
  const checked = patched(NOMINATION_START_CHECKED);
  if (checked) checkNominationInput(input);
  if (carried !== undefined) checkCarried(carried, input);
  // Started with its rules by reference (issue #16 item 4), a nomination has them from the run it continues, or in its
  // first run once its start check loaded them; until then it takes no action (below) and answers no query.
  const cycleRules = input.rules ?? carried?.rules;
  let rulesLoaded = cycleRules !== undefined;
  const s = newNominationState({ ...input, rules: cycleRules as CycleRules }, workflowInfo().workflowId, Date.now());
  if (carried) restoreState(s, carried);
  // The first run of the chain passed the start check; its continuations take actions at once.
  s.admitted = !checked || !!carried;
  const fx = new NominationEffects(s);
  const clock = new DeadlineClock(s, fx);
  const act = new NominationActions(s, fx, clock);
  const chain = new NominationChain(s);
  /** Every action waits for the start check, and one its rules accept for a switch to the next run (a refusal stands
   * in any run); the client sends a turned-away update again (common/update-retry.ts). */
  const admitted = (): void => {
    if (!s.admitted) refuseForNow(`nomination ${s.workflowId} is starting; send this again in a moment`);
  };

  setHandler(nominationStateQuery, () => (rulesLoaded ? view(s) : viewBeforeRules(s)));
  setHandler(attendSocializationUpdate, (u) => act.attend(u), {
    validator: (u) => (admitted(), rules.validateAttend(s, u), chain.refuseWhileSwitching()),
  });
  setHandler(submitDocumentUpdate, (u) => act.submitDocument(u), {
    validator: (u) => (admitted(), rules.validateSubmitDocument(s, u), chain.refuseWhileSwitching()),
  });
  setHandler(reviewDocumentsUpdate, (u) => act.review(u), {
    validator: (u) => (admitted(), rules.validateReview(s, u), chain.refuseWhileSwitching()),
  });
  setHandler(submitScoresUpdate, (u) => act.submitScores(u), {
    validator: (u) => (admitted(), rules.validateScores(s, u), chain.refuseWhileSwitching()),
  });
  setHandler(verifyFieldUpdate, (u) => act.verifyField(u), {
    validator: (u) => (admitted(), rules.validateVerifyField(s, u), chain.refuseWhileSwitching()),
  });
  setHandler(prescreenUpdate, (u) => act.prescreen(u), {
    validator: (u) => (admitted(), rules.validatePrescreen(s, u), chain.refuseWhileSwitching()),
  });
  setHandler(recordSamplesUpdate, (u) => act.recordSamples(u), {
    validator: (u) => (admitted(), rules.validateRecordSamples(s, u, Date.now()), chain.refuseWhileSwitching()),
  });
  setHandler(scheduleFieldVisitUpdate, (u) => act.scheduleFieldVisit(u), {
    validator: (u) => (admitted(), rules.validateScheduleFieldVisit(s, u, Date.now()), chain.refuseWhileSwitching()),
  });
  setHandler(recordFieldEvidenceUpdate, (u) => act.recordFieldEvidence(u), {
    validator: (u) => (admitted(), rules.validateRecordFieldEvidence(s, u, Date.now()), chain.refuseWhileSwitching()),
  });
  setHandler(determineStarsUpdate, (u) => act.determine(u), {
    validator: (u) => (admitted(), rules.validateDetermine(s, u), chain.refuseWhileSwitching()),
  });
  setHandler(determineByDecreeUpdate, (u) => act.determineByDecree(u), {
    validator: (u) => (admitted(), rules.validateDetermineByDecree(s, u), chain.refuseWhileSwitching()),
  });
  setHandler(recordCertificateHandoverUpdate, (u) => act.recordCertificateHandover(u), {
    validator: (u) => (admitted(), rules.validateCertificateHandover(s, u, Date.now()), chain.refuseWhileSwitching()),
  });
  setHandler(withdrawUpdate, (u) => act.withdraw(u), {
    validator: (u) => (admitted(), rules.validateWithdraw(s, u), chain.refuseWhileSwitching()),
  });
  setHandler(extendDeadlineUpdate, (u) => act.extendDeadline(u), {
    validator: (u) => (admitted(), rules.validateExtendDeadline(s, u, Date.now()), chain.refuseWhileSwitching()),
  });
  setHandler(resolveHoldUpdate, (u) => act.resolveHold(u), {
    validator: (u) => (admitted(), rules.validateResolveHold(s, u, Date.now()), chain.refuseWhileSwitching()),
  });
  setHandler(declareConflictUpdate, (u) => declareConflict(s, fx, u), {
    validator: (u) => (admitted(), validateDeclareConflict(s, u), chain.refuseWhileSwitching()),
  });
  setHandler(reassignAssessorUpdate, (u) => reassignAssessor(s, fx, u), {
    validator: (u) => (admitted(), validateReassign(s, u), chain.refuseWhileSwitching()),
  });
  setHandler(approveDeterminationUpdate, (u) => decideApproval(s, fx, u), {
    validator: (u) => (admitted(), validateApproval(s, u), chain.refuseWhileSwitching()),
  });
  setHandler(cycleDeadlineSignal, (c: unknown) => act.onCycleDeadline(c));

  if (checked && !carried) {
    // Before any row or mail: a nomination started around its cycle ends here, with the reason as its failure.
    const verdict = await fx.verifyStart();
    if (verdict.problem) throw ApplicationFailure.nonRetryable(verdict.problem, NOT_FROM_CYCLE);
    if (!rulesLoaded) {
      if (!verdict.rules) throw ApplicationFailure.nonRetryable('the start check returned no rules', NOT_FROM_CYCLE);
      s.input.rules = verdict.rules;
      rulesLoaded = true;
    }
    s.admitted = true;
  }

  await new NominationLifecycle({ s, fx, clock, chain }).run(carried?.from ?? 'start');
  // An update accepted just before the end (a late withdrawal refused by its handler, a query-like update) must
  // finish before the workflow completes, or its caller would see an error instead of the answer.
  await condition(allHandlersFinished);
  return outcome(s);
}
