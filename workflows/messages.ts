/**
 * Every message the workflows accept, defined once: the client, tests and workflows import these objects, so a name is
 * never typed twice. Actor actions are Updates rather than Signals because the actor must learn at once whether the
 * action was accepted, and a validator's refusal leaves no event in the history.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  Actor,
  CoachingLevel,
  DeadlineStage,
  DecreeSignatory,
  NominationInput,
  SampleCondition,
  Stage,
} from '../domain/types';

// ── nomination ─────────────────────────────────────────────────────────────────────────────────────────────────────
export interface AttendInput {
  actor: Actor;
  sessionId: string;
}
export interface SubmitDocumentInput {
  actor: Actor;
  kind: string;
  fileName: string;
  checksum: string;
  sizeBytes: number;
  /** The stored file (uploaded through the API); absent when only the metadata is submitted. */
  documentId?: string;
}
export interface ReviewInput {
  actor: Actor;
  decision: 'approve' | 'request_changes' | 'reject';
  reason?: string;
}
export interface ScoreInput {
  actor: Actor;
  scores: Record<string, number>;
}
export interface FieldVerificationInput {
  actor: Actor;
  passed: boolean;
  notes?: string;
}
/** A file kept as evidence: the reference the document store gives it (uploads come with the API). */
export interface FileReference {
  id: string;
  name: string;
  /** SHA-256 of the file, lower-case hex. */
  checksum: string;
  sizeBytes: number;
}
export interface ScheduleFieldVisitInput {
  actor: Actor;
  /** When the team arrives: an ISO instant with offset. */
  date: string;
  /** Assessor ids from the cycle's pool. */
  team: string[];
  /** The regency's facilitator who accompanies the team, when the dinas has named one. */
  facilitator?: string;
}
export interface FieldEvidenceItem {
  /** A checklist item id from the cycle's `fieldVisit.checklist`. */
  item: string;
  found: boolean;
  note?: string;
  files?: FileReference[];
}
export interface RecordFieldEvidenceInput {
  actor: Actor;
  items: FieldEvidenceItem[];
}
export interface FieldEvidenceRecord extends FieldEvidenceItem {
  recordedBy: string;
  recordedAt: string;
}
export interface FieldVisitView {
  date: string;
  team: string[];
  facilitator: string | null;
  scheduledBy: string;
  evidence: FieldEvidenceRecord[];
  /** Checklist items not recorded yet. */
  outstanding: string[];
  passed: boolean | null;
}
export interface DetermineInput {
  actor: Actor;
  stars?: number;
  reason?: string;
}
/** The decree a determination was made by: its number, its date (YYYY-MM-DD) and who signed it. */
export interface DecreeRef {
  number: string;
  date: string;
  signatory: { office: DecreeSignatory; name: string };
}
/** Sent by the cycle for each nomination its decree covers, at the recommended level the decree lists. */
export interface DetermineByDecreeInput {
  actor: Actor;
  decree: DecreeRef;
  stars: number;
}
/** The certificate handed over to the IKM, often by its kabupaten/kota and weeks after the announcement. */
export interface CertificateHandoverInput {
  actor: Actor;
  /** The day it was handed over, YYYY-MM-DD. */
  date: string;
  /** Who handed it over, e.g. "Bupati Garut". */
  handedOverBy: string;
  notes?: string;
}
export interface WithdrawInput {
  actor: Actor;
  reason: string;
}
export interface ExtendDeadlineInput {
  actor: Actor;
  stage: DeadlineStage;
  until: string;
}
export interface ResolveHoldInput {
  actor: Actor;
  decision: 'disqualify' | 'extend';
  until?: string;
  reason?: string;
}
/** The dinas provinsi's pre-screen of a proposal: it passes, goes back to its dinas kabupaten/kota to be completed
 * (`missing`: the document kinds to submit again, `reason`: what is wrong), or is rejected (`reason`). */
export interface PrescreenInput {
  actor: Actor;
  decision: 'pass' | 'return' | 'reject';
  reason?: string;
  missing?: string[];
}
/** The receipt of a proposal's product samples at the ministry. */
export interface SampleReceiptInput {
  actor: Actor;
  /** The day they arrived, YYYY-MM-DD. */
  receivedOn: string;
  condition: SampleCondition;
  /** Who received them (a name or a post), as written on the receipt. */
  receivedBy: string;
  notes?: string;
}

export interface DocumentRecord {
  kind: string;
  fileName: string;
  checksum: string;
  sizeBytes: number;
  round: number;
  submittedAt: string;
  /** The stored file, when it was uploaded (histories from before uploads have none). */
  documentId?: string;
}
export interface TimelineEntry {
  seq: number;
  type: string;
  stage: Stage;
  actor: Actor;
  at: string;
  detail?: Record<string, unknown>;
}

/** The full state of one nomination, as the state query returns it. */
export interface NominationView {
  workflowId: string;
  cycleId: string;
  ikmName: string;
  sentraName: string;
  regencyCode: string;
  regencyName: string;
  provinceCode: string;
  provinceName: string;
  commodity: string;
  product: string;
  /** The cycle's IANA time zone (e.g. Asia/Jakarta), in which people are shown the times below. */
  timezone: string;
  reevaluation: boolean;
  previousStars: number | null;
  stage: Stage;
  stageEnteredAt: string;
  /** The deadline of the stage now waiting, if any. */
  deadline: { stage: DeadlineStage; at: string } | null;
  hold: { stage: DeadlineStage; since: string; reason?: 'no_panel' } | null;
  attendedSession: string | null;
  /** The sentra's units (businesses) as proposed. */
  sentraUnits: number;
  /** The pre-screen's decisions so far (`pass`, `return: …`, `reject: …`) and how often it was returned. */
  prescreenNotes: string[];
  prescreenReturns: number;
  samples: Omit<SampleReceiptInput, 'actor'> | null;
  requiredDocuments: string[];
  /** Kinds still to submit in the current document round (the checklist, or what a reviewer or the pre-screen asked). */
  missingDocuments: string[];
  documents: DocumentRecord[];
  revisionRound: number;
  reviewNotes: string[];
  assessors: string[];
  scoredBy: string[];
  provisionalScore: number | null;
  aspectScores: Record<string, number> | null;
  fieldVerified: boolean | null;
  /** The scheduled field visit and its evidence, in cycles with `fieldVisit` configured. */
  fieldVisit: FieldVisitView | null;
  recommendedStars: number | null;
  stars: number | null;
  cappedBy: { fromStars: number; reason: string }[];
  /** The decree that determined the stars, when a decree did. */
  decree: DecreeRef | null;
  /** Who coaches the IKM after its award, and the office told so. */
  coaching: { level: CoachingLevel; office: string } | null;
  /** Whether the determined star may be printed on the IKM's packaging (null before the determination). */
  packagingAllowed: boolean | null;
  /** Whether the nomination waits for its certificate hand-over to be recorded. */
  awaitingCertificate: boolean;
  certificate: { date: string; handedOverBy: string; recordedBy: string; notes: string | null } | null;
  /** A determination above the recommendation, waiting for a second coordinator until `until` (four eyes). */
  awaitingApproval: { stars: number; requestedBy: string; reason: string; until: string } | null;
  remindersSent: string[];
  escalationsSent: string[];
  eventCount: number;
  history: TimelineEntry[];
}

/**
 * What an accepted action answers: the nomination's state after it, without the timeline. Every answer is stored in the
 * workflow's history, so a timeline in each one would grow the history with the square of its actions (a quarter of a
 * nomination's history bytes in v5, re-read by every workflow task); the timeline is one query (`ovop show`) away.
 */
export type NominationAnswer = Omit<NominationView, 'history'>;

export const attendSocializationUpdate = defineUpdate<NominationAnswer, [AttendInput]>('attendSocialization');
export const submitDocumentUpdate = defineUpdate<NominationAnswer, [SubmitDocumentInput]>('submitDocument');
export const reviewDocumentsUpdate = defineUpdate<NominationAnswer, [ReviewInput]>('reviewDocuments');
export const submitScoresUpdate = defineUpdate<NominationAnswer, [ScoreInput]>('submitScores');
export const verifyFieldUpdate = defineUpdate<NominationAnswer, [FieldVerificationInput]>('verifyField');
export const scheduleFieldVisitUpdate = defineUpdate<NominationAnswer, [ScheduleFieldVisitInput]>('scheduleFieldVisit');
export const recordFieldEvidenceUpdate = defineUpdate<NominationAnswer, [RecordFieldEvidenceInput]>(
  'recordFieldEvidence',
);
export const determineStarsUpdate = defineUpdate<NominationAnswer, [DetermineInput]>('determineStars');
export const determineByDecreeUpdate = defineUpdate<NominationAnswer, [DetermineByDecreeInput]>('determineByDecree');
export const recordCertificateHandoverUpdate = defineUpdate<NominationAnswer, [CertificateHandoverInput]>(
  'recordCertificateHandover',
);
export const withdrawUpdate = defineUpdate<NominationAnswer, [WithdrawInput]>('withdraw');
export const extendDeadlineUpdate = defineUpdate<NominationAnswer, [ExtendDeadlineInput]>('extendDeadline');
export const resolveHoldUpdate = defineUpdate<NominationAnswer, [ResolveHoldInput]>('resolveHold');
export const prescreenUpdate = defineUpdate<NominationAnswer, [PrescreenInput]>('prescreen');
export const recordSamplesUpdate = defineUpdate<NominationAnswer, [SampleReceiptInput]>('recordSamples');
/** An assigned assessor declares a conflict of interest with this nomination (workflows/panel-assignment.ts). */
export interface DeclareConflictInput {
  actor: Actor;
  reason: string;
}
export const declareConflictUpdate = defineUpdate<NominationAnswer, [DeclareConflictInput]>('declareConflict');
/** A coordinator takes an assessor off the panel, with a reason; a replacement is drawn at random. */
export interface ReassignAssessorInput {
  actor: Actor;
  assessorId: string;
  reason: string;
}
export const reassignAssessorUpdate = defineUpdate<NominationAnswer, [ReassignAssessorInput]>('reassignAssessor');
/** A second coordinator's decision on a determination awaiting approval (workflows/four-eyes.ts). */
export interface ApproveDeterminationInput {
  actor: Actor;
  decision: 'approve' | 'refuse';
  reason: string;
}
export const approveDeterminationUpdate = defineUpdate<NominationAnswer, [ApproveDeterminationInput]>(
  'approveDetermination',
);
export const nominationStateQuery = defineQuery<NominationView>('nominationState');
/** Sent by the cycle when a coordinator extends a stage's deadline for the whole cycle. */
export const cycleDeadlineSignal =
  defineSignal<[{ stage: DeadlineStage; until: string; actor: Actor }]>('cycleDeadline');

// ── award cycle ────────────────────────────────────────────────────────────────────────────────────────────────────
export interface NominateResult {
  workflowId: string;
  created: boolean;
  /** Set when nothing was started because the nomination's sentra is already claimed by this workflow id. */
  sentraTakenBy?: string;
  /** Set when nothing was started because the claimed previous award is not on record: why (db/previous-award.ts). */
  previousRefused?: string;
}
export interface CycleExtendInput {
  actor: Actor;
  stage: DeadlineStage;
  until: string;
}
export interface CycleView {
  cycleId: string;
  name: string;
  /** The cycle's IANA time zone (e.g. Asia/Jakarta), in which people are shown its times. */
  timezone: string;
  intakeOpen: boolean;
  intakeClosesAt: string;
  nominated: number;
  counts: Partial<Record<Stage, number>>;
  /** When the counts were read from the PostgreSQL projection; null before the first census. */
  countedAt: string | null;
  /** How often the cycle counts (a duration, e.g. `5m`). */
  countEvery: string;
  deadlineOverrides: Partial<Record<DeadlineStage, string>>;
  finalizeRequested: boolean;
  finalized: boolean;
  runs: number;
  /** Decrees recorded in this cycle, by number. */
  decrees: { number: string; date: string; determined: number; skipped: number }[];
}

export interface IssueDecreeInput extends DecreeRef {
  actor: Actor;
}
/** What a decree did: the nominations it determined and those it could not, with why. */
export interface DecreeOutcome {
  cycleId: string;
  decree: DecreeRef;
  issuedBy: string;
  issuedAt: string;
  determined: { workflowId: string; ikmName: string; stars: number }[];
  skipped: { workflowId: string; ikmName: string; reason: string }[];
  /** True when this decree was already recorded: a retry determines nothing twice and answers with the record. */
  alreadyRecorded: boolean;
}

/** The failure type of an update turned away only for the moment (the cycle is between two runs): the client sends it
 * again shortly (common/update-retry.ts), unlike a `Refused` update, whose answer stands. */
export const TRY_AGAIN = 'TryAgain';

export const nominateUpdate = defineUpdate<NominateResult, [NominationInput]>('nominate');
export const extendCycleDeadlineUpdate = defineUpdate<CycleView, [CycleExtendInput]>('extendCycleDeadline');
export const finalizeCycleUpdate = defineUpdate<CycleView, [{ actor: Actor }]>('finalizeCycle');
export const issueDecreeUpdate = defineUpdate<DecreeOutcome, [IssueDecreeInput]>('issueDecree');
export const cycleStateQuery = defineQuery<CycleView>('cycleState');
