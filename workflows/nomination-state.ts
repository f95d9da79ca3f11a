/**
 * What one nomination workflow knows: plain data that the lifecycle, the deadline clock and the action handlers change,
 * and that the action rules and the views only read. Helpers here derive what several of them need.
 */
import { requiredDocumentKinds } from '../domain/documents';
import { provinceOf } from '../domain/region-codes';
import type { AssessorScoreSheet } from '../domain/scoring';
import {
  type Actor,
  type CoachingLevel,
  type DeadlineStage,
  isTerminal,
  type NominationInput,
  type Stage,
  SYSTEM_ACTOR,
} from '../domain/types';
import type { CycleRules, NominationWorkflowInput } from './inputs';
import type {
  CertificateHandoverInput,
  DecreeRef,
  DetermineInput,
  DocumentRecord,
  FieldEvidenceRecord,
  PrescreenInput,
  ReviewInput,
  SampleReceiptInput,
  TimelineEntry,
} from './messages';

export interface NominationState {
  readonly input: NominationWorkflowInput;
  readonly workflowId: string;
  stage: Stage;
  stageEnteredAt: number;
  /** Sequence number of the last recorded event (1, 2, 3… with no gaps). */
  seq: number;
  readonly timeline: TimelineEntry[];
  attendedSession: string | null;
  readonly documents: DocumentRecord[];
  /** The document round: 0 for the proposal, one more for each return by the pre-screen and each revision. */
  revisionRound: number;
  /** Document kinds the reviewer (or the dinas provinsi returning it) asked to be submitted again in the current revision round. */
  resubmit: string[];
  reviewDecision: ReviewInput | null;
  readonly reviewNotes: string[];
  prescreenDecision: PrescreenInput | null;
  /** Times the dinas provinsi returned the proposal for completion (each opened a document round). */
  prescreenReturns: number;
  readonly prescreenNotes: string[];
  /** The pre-screen's latest decision, for the projection (a funnel counts the passes). */
  lastPrescreen: PrescreenInput['decision'] | null;
  sampleReceipt: SampleReceiptInput | null;
  assessors: string[];
  /** Assessors who declared a conflict of interest with this nomination, or whom a coordinator took off its panel:
   * never drawn for it again. */
  excluded: string[];
  readonly sheets: AssessorScoreSheet[];
  /** Score sheets whose rows are written (a sheet counts in `sheets` as soon as its update is accepted). */
  sheetsWritten: number;
  provisional: number | null;
  aspectScores: Record<string, number> | null;
  fieldVerified: boolean | null;
  /** The field visit as scheduled (the latest date when it was moved), in cycles with `fieldVisit` configured. */
  fieldVisit: {
    date: number;
    team: string[];
    facilitator: string | null;
    scheduledBy: string;
    scheduledAt: number;
  } | null;
  readonly evidence: FieldEvidenceRecord[];
  recommended: number | null;
  cappedBy: { fromStars: number; reason: string }[];
  determination: (DetermineInput & { decree?: DecreeRef; approvedBy?: Actor }) | null;
  /** A determination above the recommendation or over a failed gate, waiting for a second coordinator until `until`
   * (epoch ms; four eyes, workflows/four-eyes.ts). */
  pendingDetermination: { actor: Actor; stars: number; reason: string; requestedAt: number; until: number } | null;
  stars: number | null;
  coaching: { level: CoachingLevel; office: string } | null;
  packagingAllowed: boolean | null;
  /** Set while the workflow waits for its certificate hand-over (award.certificateHandover). */
  awaitingCertificate: boolean;
  certificate: (Omit<CertificateHandoverInput, 'actor'> & { recordedBy: Actor }) | null;
  /** Deadlines moved for this nomination alone (extension, grace, a hold's extension), as epoch milliseconds. */
  readonly nominationOverrides: Partial<Record<DeadlineStage, number>>;
  /** Deadlines moved for the whole cycle. */
  readonly cycleOverrides: Partial<Record<DeadlineStage, number>>;
  /** Bumped whenever a deadline moves, so a waiting stage recomputes its timers. */
  deadlineVersion: number;
  /** `no_panel`: held because no assessor in the pool may assess it; only a disqualification or withdrawal ends it. */
  hold: { stage: DeadlineStage; since: number; reason?: 'no_panel' } | null;
  /** Business keys of the reminders and escalations already sent, so none goes out twice. */
  readonly reminders: Set<string>;
  readonly escalations: Set<string>;
  /** The actor whose action caused the next stage change (stage changes are recorded under that actor). */
  cause: Actor;
  /** Whether the start check passed (nomination.workflow.ts); until then every action is turned away for the moment.
   * Always true in histories from before the check. */
  admitted: boolean;
}

export function newNominationState(input: NominationWorkflowInput, workflowId: string, now: number): NominationState {
  const cycleOverrides: Partial<Record<DeadlineStage, number>> = {};
  for (const [stage, until] of Object.entries(input.cycleDeadlineOverrides ?? {})) {
    cycleOverrides[stage as DeadlineStage] = Date.parse(until as string);
  }
  return {
    input,
    workflowId,
    stage: 'IDENTIFIED',
    stageEnteredAt: now,
    seq: 0,
    timeline: [],
    attendedSession: null,
    documents: [],
    revisionRound: 0,
    resubmit: [],
    reviewDecision: null,
    reviewNotes: [],
    prescreenDecision: null,
    prescreenReturns: 0,
    prescreenNotes: [],
    lastPrescreen: null,
    sampleReceipt: null,
    assessors: [],
    excluded: [],
    sheets: [],
    sheetsWritten: 0,
    provisional: null,
    aspectScores: null,
    fieldVerified: null,
    fieldVisit: null,
    evidence: [],
    recommended: null,
    cappedBy: [],
    determination: null,
    pendingDetermination: null,
    stars: null,
    coaching: null,
    packagingAllowed: null,
    awaitingCertificate: false,
    certificate: null,
    nominationOverrides: {},
    cycleOverrides,
    deadlineVersion: 0,
    hold: null,
    reminders: new Set(),
    escalations: new Set(),
    cause: SYSTEM_ACTOR,
    admitted: true,
  };
}

export const nominee = (s: NominationState): NominationInput => s.input.nomination;
export const rulesOf = (s: NominationState): CycleRules => s.input.rules;
export const provinceCodeOf = (s: NominationState): string => provinceOf(s.input.nomination.regencyCode);
export const isClosed = (s: NominationState): boolean => isTerminal(s.stage);

export function dinasEmail(s: NominationState): string {
  const n = nominee(s);
  return n.dinasEmail ?? s.input.rules.contacts.dinasKabKota.replace('{regency}', n.regencyCode);
}

export function provinsiEmail(s: NominationState): string {
  return s.input.rules.contacts.dinasProvinsi.replace('{province}', provinceCodeOf(s));
}

export function requiredDocuments(s: NominationState): string[] {
  return requiredDocumentKinds(s.input.rules.documents.checklist, nominee(s).commodity);
}

/** National revision rounds used: document rounds not opened by the pre-screen's returns. */
export const nationalRevisions = (s: NominationState): number => s.revisionRound - s.prescreenReturns;

/** Kinds still missing in the current round: the whole checklist at first, the reviewer's list in a revision. */
export function missingDocuments(s: NominationState): string[] {
  const needed = s.revisionRound === 0 ? requiredDocuments(s) : s.resubmit;
  return needed.filter((kind) => !s.documents.some((d) => d.kind === kind && d.round === s.revisionRound));
}

/** The on-site checklist of the cycle's field visits (empty when the cycle has none). */
export function fieldChecklist(s: NominationState): string[] {
  return s.input.rules.fieldVisit?.checklist.map((i) => i.id) ?? [];
}

/** Checklist items no team member has recorded yet. */
export function outstandingEvidence(s: NominationState): string[] {
  return fieldChecklist(s).filter((id) => !s.evidence.some((e) => e.item === id));
}

export function assessorProfile(s: NominationState, id: string) {
  return s.input.rules.assessment.assessors.find((a) => a.id === id);
}

/** The ministry's coaching office: the one configured, or the coordinators' first address. */
export function ministryEmail(s: NominationState): string {
  return s.input.rules.award?.coaching.ministry ?? s.input.rules.contacts.coordinators[0];
}

/** The office that coaches at `level`: the ministry, the nomination's dinas provinsi or its dinas kabupaten/kota. */
export function coachingOffice(s: NominationState, level: CoachingLevel): string {
  return level === 'kementerian' ? ministryEmail(s) : level === 'provinsi' ? provinsiEmail(s) : dinasEmail(s);
}
