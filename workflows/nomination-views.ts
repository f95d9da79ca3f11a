/**
 * How a nomination is shown: the answer to an accepted action, the state query's view (with the timeline), the
 * projection row written to PostgreSQL with every event, and the workflow's outcome. Pure functions of the state.
 */
import type { NominationProjection } from '../activities/contracts';
import type { Actor } from '../domain/types';
import { blindAnswer } from './blind-view';
import { currentDeadline } from './deadline-clock';
import type { CycleRules, NominationOutcome } from './inputs';
import type { NominationAnswer, NominationView, SampleReceiptInput } from './messages';
import {
  missingDocuments,
  nominee,
  type NominationState,
  outstandingEvidence,
  provinceCodeOf,
  requiredDocuments,
} from './nomination-state';

export function answer(s: NominationState): NominationAnswer {
  const n = nominee(s);
  const deadline = currentDeadline(s);
  return {
    workflowId: s.workflowId,
    cycleId: n.cycleId,
    ikmName: n.ikmName,
    sentraName: n.sentraName,
    regencyCode: n.regencyCode,
    regencyName: s.input.regencyName,
    provinceCode: provinceCodeOf(s),
    provinceName: s.input.provinceName,
    commodity: n.commodity,
    product: n.product,
    timezone: s.input.rules.timezone,
    reevaluation: !!n.previousStars,
    previousStars: n.previousStars?.stars ?? null,
    stage: s.stage,
    stageEnteredAt: new Date(s.stageEnteredAt).toISOString(),
    deadline: deadline ? { stage: deadline.stage, at: new Date(deadline.at).toISOString() } : null,
    hold: s.hold
      ? {
          stage: s.hold.stage,
          since: new Date(s.hold.since).toISOString(),
          ...(s.hold.reason && { reason: s.hold.reason }),
        }
      : null,
    attendedSession: s.attendedSession,
    sentraUnits: n.sentraSize,
    prescreenNotes: [...s.prescreenNotes],
    prescreenReturns: s.prescreenReturns,
    samples: s.sampleReceipt ? sampleRecord(s.sampleReceipt) : null,
    requiredDocuments: requiredDocuments(s),
    missingDocuments: missingDocuments(s),
    documents: [...s.documents],
    revisionRound: s.revisionRound,
    reviewNotes: [...s.reviewNotes],
    assessors: [...s.assessors],
    scoredBy: s.sheets.map((sheet) => sheet.assessorId),
    provisionalScore: s.provisional,
    aspectScores: s.aspectScores,
    fieldVerified: s.fieldVerified,
    fieldVisit: s.fieldVisit && {
      date: new Date(s.fieldVisit.date).toISOString(),
      team: [...s.fieldVisit.team],
      facilitator: s.fieldVisit.facilitator,
      scheduledBy: s.fieldVisit.scheduledBy,
      evidence: [...s.evidence],
      outstanding: outstandingEvidence(s),
      passed: s.fieldVerified,
    },
    recommendedStars: s.recommended,
    stars: s.stars,
    cappedBy: s.cappedBy,
    decree: s.determination?.decree ?? null,
    coaching: s.coaching,
    packagingAllowed: s.packagingAllowed,
    awaitingCertificate: s.awaitingCertificate,
    certificate: s.certificate
      ? {
          date: s.certificate.date,
          handedOverBy: s.certificate.handedOverBy,
          recordedBy: `${s.certificate.recordedBy.role}:${s.certificate.recordedBy.id}`,
          notes: s.certificate.notes ?? null,
        }
      : null,
    awaitingApproval: s.pendingDetermination && {
      stars: s.pendingDetermination.stars,
      requestedBy: `${s.pendingDetermination.actor.role}:${s.pendingDetermination.actor.id}`,
      reason: s.pendingDetermination.reason,
      until: new Date(s.pendingDetermination.until).toISOString(),
    },
    remindersSent: [...s.reminders],
    escalationsSent: [...s.escalations],
    eventCount: s.seq,
  };
}

/** The answer to an actor's Update, as that actor may see it (blind-view.ts): only coordinators see the panel. */
export function answerFor(s: NominationState, reader: Actor): NominationAnswer {
  return blindAnswer(answer(s), reader.role);
}

/** The state query's answer: the answer with the timeline. */
export function view(s: NominationState): NominationView {
  return { ...answer(s), history: [...s.timeline] };
}

/**
 * The state query's answer for a nomination started with its rules by reference, in the moment before its start
 * check loaded them: IDENTIFIED (no deadline yet), no document asked for yet, the country's default time zone. Only
 * those parts of the rules are read for that stage.
 */
export function viewBeforeRules(s: NominationState): NominationView {
  const rules = { timezone: 'Asia/Jakarta', documents: { checklist: [] } } as unknown as CycleRules;
  return view({ ...s, input: { ...s.input, rules } });
}

export function projection(s: NominationState): NominationProjection {
  const n = nominee(s);
  const deadline = currentDeadline(s);
  return {
    cycleId: n.cycleId,
    regencyCode: n.regencyCode,
    provinceCode: provinceCodeOf(s),
    ikmName: n.ikmName,
    sentraName: n.sentraName,
    sentraUnits: n.sentraSize,
    commodity: n.commodity,
    product: n.product,
    stage: s.stage,
    prescreen: s.lastPrescreen,
    previousStars: n.previousStars?.stars ?? null,
    provisionalScore: s.provisional,
    recommendedStars: s.recommended,
    stars: s.stars,
    scores: s.aspectScores ? { aspects: s.aspectScores, assessors: s.sheets.map((sheet) => sheet.assessorId) } : null,
    deadlineAt: deadline ? new Date(deadline.at).toISOString() : null,
    decreeNumber: s.determination?.decree?.number ?? null,
    coachingLevel: s.coaching?.level ?? null,
    coachingOffice: s.coaching?.office ?? null,
    certificateDate: s.certificate?.date ?? null,
    certificateBy: s.certificate?.handedOverBy ?? null,
  };
}

function sampleRecord(u: SampleReceiptInput): NominationAnswer['samples'] {
  return { receivedOn: u.receivedOn, condition: u.condition, receivedBy: u.receivedBy, notes: u.notes };
}

export function outcome(s: NominationState): NominationOutcome {
  return { stage: s.stage, stars: s.stars, score: s.provisional };
}
