/** Inputs and outputs of the activities, shared by workflows (as types only) and the activity implementations. */
import type { Actor, DeadlineStage, Stage } from '../domain/types';

/** The current projection of a nomination, written with every event so Postgres always matches the workflow. */
export interface NominationProjection {
  cycleId: string;
  regencyCode: string;
  provinceCode: string;
  ikmName: string;
  sentraName: string;
  /** Absent in rows written by nominations that started before the column existed. */
  sentraUnits?: number;
  commodity: string;
  product: string;
  stage: Stage;
  /** The provincial pre-screen's latest decision; null when there was none (yet, or in this cycle). */
  prescreen?: 'pass' | 'return' | 'reject' | null;
  previousStars: number | null;
  provisionalScore: number | null;
  recommendedStars: number | null;
  stars: number | null;
  scores: Record<string, unknown> | null;
  deadlineAt: string | null;
  /** The award's follow-up (absent in projections written before it existed). */
  decreeNumber?: string | null;
  coachingLevel?: string | null;
  coachingOffice?: string | null;
  certificateDate?: string | null;
  certificateBy?: string | null;
}

export interface RecordEventInput {
  workflowId: string;
  /** 1, 2, 3… per nomination, with no gaps: (workflowId, seq) is the idempotency key of the event. */
  seq: number;
  type: string;
  stage: Stage;
  actor: Actor;
  at: string;
  payload: Record<string, unknown>;
  projection: NominationProjection;
  document?: {
    kind: string;
    round: number;
    fileName: string;
    checksum: string;
    sizeBytes: number;
    documentId?: string;
  };
  assessment?: { assessorId: string; scores: Record<string, number>; total: number };
  /** A field visit scheduled or moved (one row per nomination), or its result (`passed` once decided). */
  fieldVisit?: { visitDate?: string; team?: string[]; facilitator?: string | null; passed?: boolean; found?: number };
  /** Checklist items the visit team recorded on site. */
  evidence?: {
    item: string;
    found: boolean;
    note?: string;
    files?: { id: string; name: string; checksum: string; sizeBytes: number }[];
    recordedBy: string;
  }[];
  samples?: { receivedOn: string; condition: string; receivedBy: string; notes: string | null };
}

export type TemplateName =
  | 'intake_accepted'
  | 'reminder'
  | 'escalation'
  | 'deadline_extended'
  | 'grace_granted'
  | 'on_hold'
  | 'disqualified'
  | 'revision_requested'
  | 'admin_rejected'
  | 'admin_passed'
  | 'assessment_assigned'
  | 'assessment_started'
  | 'field_verification'
  | 'field_visit_scheduled'
  | 'field_visit_reminder'
  | 'panel_short'
  | 'star_recommended'
  | 'determination_approval_requested'
  | 'determination_approval_refused'
  | 'determination_approval_lapsed'
  | 'announcement'
  | 'coaching_assigned'
  | 'decree_recorded'
  | 'withdrawn'
  | 'prescreen_requested'
  | 'prescreen_passed'
  | 'prescreen_returned'
  | 'prescreen_rejected'
  | 'samples_requested'
  | 'cycle_opened'
  | 'cycle_summary';

/** Everything a template may name; all strings so that rendering never depends on workflow code. */
export interface NotificationData {
  ikmName?: string;
  sentraName?: string;
  regencyName?: string;
  provinceName?: string;
  commodity?: string;
  stage?: Stage;
  deadlineStage?: DeadlineStage;
  /** ISO datetime; rendered in the cycle's timezone. */
  deadline?: string;
  timezone?: string;
  reason?: string;
  stars?: number;
  score?: number;
  cycleName?: string;
  summary?: CycleSummary;
  workflowId?: string;
  recipientName?: string;
  /** ISO datetime of a field visit; rendered in the cycle's timezone. */
  visitDate?: string;
  /** Names of the field visit team. */
  team?: string[];
  facilitator?: string;
  /** Labels of what the team will look for on site. */
  checklist?: string[];
  /** What a proposal returned by the dinas provinsi lacks, as a list for people (document labels). */
  missing?: string;
  /** The award's follow-up (r4): the decree, the previous star of a re-evaluation, packaging and coaching. */
  decree?: { number: string; date: string; signatory: { office: string; name: string } };
  previousStars?: number;
  packagingAllowed?: boolean;
  packagingFromStars?: number;
  coachingLevel?: string;
  /** A decree's outcome, for the coordinators' mail. */
  decreeOutcome?: { determined: { ikmName: string; stars: number }[]; skipped: { ikmName: string; reason: string }[] };
  /** The socialization sessions that cover the recipient's province (attendance reminders). */
  sessions?: { id: string; date: string; venue: string }[];
  /** Labels of the documents still missing (documents and revision reminders). */
  missingDocuments?: string[];
  /** Four eyes: the coordinator who asked for a determination above the recommendation, and who decided on it. */
  requestedBy?: string;
  decidedBy?: string;
  recommendedStars?: number;
}

export interface NotificationRequest {
  /** Business key: (cycle, nomination, stage, kind, offset…). A retried activity never sends a key twice. */
  key: string;
  workflowId: string;
  to: string[];
  cc?: string[];
  template: TemplateName;
  data: NotificationData;
}

export interface CycleSummary {
  cycleId: string;
  nominations: number;
  byStage: Record<string, number>;
  stars: { province: string; commodity: string; stars: number; count: number }[];
}

/** A cycle's nominations as the projection has them: all, those still in progress, and how many in each stage. */
export interface CycleCensus {
  total: number;
  /** Neither terminal nor waiting only for the coordinator's star determination. */
  inProgress: number;
  byStage: Partial<Record<Stage, number>>;
}
