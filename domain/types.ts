/**
 * Domain types of the OVOP nomination engine. Workflow-safe: no Node built-ins, no I/O.
 *
 * Glossary
 * - OVOP: One Village One Product; the Penghargaan OVOP is the ministry's award for leading small industries.
 * - IKM (industri kecil dan menengah): the small or medium industry that is nominated.
 * - Sentra IKM: an industry centre of at least 5 businesses making the same product; the nominated IKM leads one.
 * - Nomination: one IKM proposed in one cycle; a workflow of its own, from identification to its stars or its end.
 * - Stage: where a nomination stands (`STAGES`); the waiting ones carry a deadline (`DEADLINE_STAGES`).
 * - Dinas kabupaten/kota: the regency/city industry office that nominates its IKM and acts for it.
 * - Dinas provinsi: the provincial industry office; it receives escalations when a deadline in its province is missed,
 *   and, when the cycle has a provincial pre-screen, passes, returns or rejects its province's proposals before the
 *   national administrative selection.
 * - Pre-screen (pra-seleksi provinsi): that provincial check; a returned proposal is completed by its dinas
 *   kabupaten/kota and screened again.
 * - Product samples: physical samples that go with a proposal when the cycle asks for them; the ministry records
 *   their receipt (date, condition, who received them).
 * - Coordinator: Ditjen IKMA staff at the Ministry of Industry who open cycles, review documents and determine stars.
 * - Assessor (tim penilai): scores nominations assigned to them; never one from the nomination's own province.
 * - Cycle: one award round (yearly or every two years) with its own configuration.
 * - Sosialisasi: the socialization session for a group of provinces that each proposing dinas must attend.
 * - Bintang: the star rating, 1 to 5, assigned at the end; below the lowest threshold the IKM is not classified.
 * - Escalation: the mail to the dinas provinsi when a stage's deadline passes, before the stage's policy applies.
 * - Grace: a policy for a missed deadline: extra time granted once, then disqualification.
 * - Hold: a policy for a missed deadline: the nomination waits until the coordinator extends or disqualifies it.
 * - Kemendagri codes: region codes, `PP` for a province and `PP.KK` for a kabupaten/kota (e.g. 32.05 Kab. Garut).
 * - Decree (Keputusan): the minister's or director general's decision that determines a cycle's recommended stars.
 * - Pembinaan (coaching): the follow-up after the award, by the ministry, the province or the kabupaten/kota by level.
 * - Curation list: IKM selected from a cycle's results for a follow-up programme (e.g. OVOP Go Global, export).
 */

/** Stages of one nomination, in lifecycle order; the last six are terminal (README: "The lifecycle of a nomination"). */
export const STAGES = [
  'IDENTIFIED',
  'AWAITING_SOCIALIZATION',
  'AWAITING_DOCUMENTS',
  'PROVINCIAL_PRESCREEN',
  'PRESCREEN_RETURNED',
  'AWAITING_SAMPLES',
  'UNDER_REVIEW',
  'REVISION_REQUESTED',
  'IN_ASSESSMENT',
  'FIELD_VERIFICATION',
  'STAR_RECOMMENDED',
  'DETERMINED',
  'NOT_CLASSIFIED',
  'PRESCREEN_REJECTED',
  'ADMIN_REJECTED',
  'WITHDRAWN',
  'DISQUALIFIED',
] as const;
export type Stage = (typeof STAGES)[number];

export const TERMINAL_STAGES: readonly Stage[] = [
  'DETERMINED',
  'NOT_CLASSIFIED',
  'PRESCREEN_REJECTED',
  'ADMIN_REJECTED',
  'WITHDRAWN',
  'DISQUALIFIED',
];
export const isTerminal = (stage: Stage): boolean => TERMINAL_STAGES.includes(stage);

export const COMMODITIES = ['makanan_minuman', 'kain_tenun', 'kain_batik', 'anyaman', 'gerabah'] as const;
export type Commodity = (typeof COMMODITIES)[number];

export const ROLES = ['coordinator', 'dinas_kabkota', 'dinas_provinsi', 'assessor', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Who performs an action. `region` is a Kemendagri code: `PP.KK` for dinas kabupaten/kota, `PP` for provinces and
 * assessors (their home province), anything (conventionally `00`) for coordinators and auditors. */
export interface Actor {
  /** `system` marks what the engine did by itself (a reminder, a deadline passing); no client may act as it. */
  role: Role | 'system';
  id: string;
  region: string;
}

/** Stages that wait on somebody and therefore carry a deadline, reminders and an escalation policy. */
export const DEADLINE_STAGES = [
  'attendance',
  'documents',
  'prescreen',
  'prescreenCompletion',
  'samples',
  'revision',
  'review',
  'assessment',
  'fieldVerification',
  'determination',
] as const;
export type DeadlineStage = (typeof DEADLINE_STAGES)[number];
/** Deadlines of the steps a cycle may leave out (the provincial pre-screen, product samples): a cycle without the step
 * needs no deadline for it. */
export const OPTIONAL_DEADLINE_STAGES = ['prescreen', 'prescreenCompletion', 'samples'] as const;
export type OptionalDeadlineStage = (typeof OPTIONAL_DEADLINE_STAGES)[number];

/** What happens when a stage's deadline passes (after the escalation mail to the dinas provinsi). */
export type MissedDeadlinePolicy = 'disqualify' | 'grace' | 'hold';

/** Durations in config are strings like `14d`, `12h`, `30m`, `20s`, `500ms` (see domain/duration.ts). */
export type DurationText = string;

export interface StageDeadlineConfig {
  /** Deadline measured from the moment the nomination enters the stage. */
  within: DurationText;
  /** Optional absolute deadline (ISO 8601 with offset); wins over `within` when set. */
  at?: string;
  /** Reminders to the responsible party, this long before the deadline. */
  remindBefore: DurationText[];
  onMissed: MissedDeadlinePolicy;
  /** Extra time granted once when `onMissed` is `grace`. */
  grace?: DurationText;
}

export interface SocializationSession {
  id: string;
  date: string; // ISO date
  venue: string;
  /** Province codes (`PP`) whose dinas attend this session. */
  provinces: string[];
  /** Whether a dinas whose own session is another may make up its attendance at this one. */
  acceptsMakeUp: boolean;
}

export interface DocumentRequirement {
  kind: string;
  label: string;
  /** Commodity groups that must submit it; `all` for every nomination. */
  commodities: Commodity[] | 'all';
}

export interface Criterion {
  id: string;
  label: string;
  weight: number;
}

export interface Aspect {
  id: string; // A, B, C
  label: string;
  weight: number;
  criteria: Criterion[];
}

/** Where an assessor of the central panel comes from. */
export const AFFILIATIONS = [
  'ministry',
  'standardisation_institute',
  'coordinating_ministry',
  'association',
  'academic',
] as const;
export type Affiliation = (typeof AFFILIATIONS)[number];

export interface AssessorProfile {
  id: string;
  name: string;
  email: string;
  /** Home province code; an assessor never scores a nomination of this province. */
  province: string;
  /** Required in config; absent only in the inputs of nominations started before panels (r4). */
  affiliation?: Affiliation;
  /** Commodity groups this assessor may assess; absent (cycles before r4) means all. */
  commodities?: Commodity[] | 'all';
}

/** One thing a field visit team looks for on site (an organisation chart, SOPs, bookkeeping…). */
export interface FieldChecklistItem {
  id: string;
  label: string;
  /** The visit fails when a required item is not found, however many others are. */
  required: boolean;
}

/** Field visits by a small team, with evidence recorded on site against a checklist. */
export interface FieldVisitConfig {
  /** `all`: every nomination that finished its assessment; `threshold`: only those whose provisional score reaches
   * `assessment.fieldVerificationThreshold`. */
  appliesTo: 'all' | 'threshold';
  team: { min: number; max: number };
  /** Reminders to the dinas kabupaten/kota this long before the visit date. */
  remindBefore: DurationText[];
  checklist: FieldChecklistItem[];
  /** Items that must be found for the visit to pass (required items count among them). */
  minFound: number;
}

/** A hard gate: a nomination may reach `fromStars` or more only when every condition holds. */
export interface StarGate {
  fromStars: number;
  documents?: string[];
  fieldVerified?: boolean;
  minAspectScore?: Record<string, number>;
}

/** Who coaches an IKM after its award (pembinaan), by star level. */
export const COACHING_LEVELS = ['kementerian', 'provinsi', 'kabupaten_kota'] as const;
export type CoachingLevel = (typeof COACHING_LEVELS)[number];

/** Who signs a cycle's decree: the minister, or the director general on the minister's behalf. */
export const DECREE_SIGNATORIES = ['minister', 'director_general'] as const;
export type DecreeSignatory = (typeof DECREE_SIGNATORIES)[number];

/** The determination and what follows it (domain/cycle-config.ts fills the defaults). */
export interface AwardConfig {
  /** The highest Bintang the cycle may determine (2024 recommended only Bintang 1–3); a recommendation above it is
   * capped at it, a determination above it refused. */
  maxStars: number;
  /** `decree`: the cycle's recommendations are determined together by a decree, and the cycle finalizes only once no
   * nomination still waits for it; `per-nomination`: each by `ovop determine`. */
  determination: 'decree' | 'per-nomination';
  /** From this Bintang up the IKM may print its star on its packaging. */
  packagingFromStars: number;
  coaching: {
    /** The coaching level of each star level. */
    byStars: Record<'1' | '2' | '3' | '4' | '5', CoachingLevel>;
    /** The ministry's coaching office; the coordinators' first address when left out. */
    ministry?: string;
  };
  /** When set, a starred nomination stays open this long for its certificate hand-over to be recorded. */
  certificateHandover?: { within: DurationText };
  /** Four eyes: how long a determination above the recommendation (or over a failed gate) waits for a second
   * coordinator's approval before it lapses; optional in inputs from before it (DEFAULT_SECOND_APPROVAL). */
  secondApproval?: { within: DurationText };
}

export interface CycleConfig {
  id: string;
  name: string;
  cadence: 'yearly' | 'biennial';
  timezone: string;
  phases: { kickoff: string; intakeCloses: string; assessmentStarts?: string; announcement?: string };
  /** Intake closes this long after the cycle workflow starts (compressible for demos and tests); `phases.intakeCloses` is
   * the calendar date shown to people. */
  intakeWindow: DurationText;
  sessions: SocializationSession[];
  /** Whether a schedule that leaves a province without a session is refused (otherwise only reported). */
  requireFullCoverage?: boolean;
  documents: {
    checklist: DocumentRequirement[];
    revisionRounds: number;
    /** The largest file the API takes for one document, in MB (10^6 bytes); DEFAULT_MAX_FILE_MEGABYTES when absent. */
    maxFileMegabytes?: number;
  };
  assessment: {
    assessorsPerNomination: number;
    scale: { min: number; max: number };
    normalization: boolean;
    aspects: Aspect[];
    assessors: AssessorProfile[];
    /** Provisional score (0–100) at or above which a field verification is required. */
    fieldVerificationThreshold: number;
    /** Refuse a pool that leaves a covered province and commodity with fewer eligible assessors than a panel needs
     * (otherwise it is only reported, and such a nomination's short panel is escalated to the coordinators). */
    requireFullPanels?: boolean;
  };
  /** Field visits with an on-site evidence checklist; absent: a coordinator records a pass or fail (`verify-field`). */
  fieldVisit?: FieldVisitConfig;
  /** Minimum score (0–100) for each star level, e.g. { 5: 85, 4: 70, 3: 55, 2: 40, 1: 25 }. */
  stars: { thresholds: Record<'1' | '2' | '3' | '4' | '5', number>; gates: StarGate[] };
  deadlines: Record<Exclude<DeadlineStage, OptionalDeadlineStage>, StageDeadlineConfig> &
    Partial<Record<OptionalDeadlineStage, StageDeadlineConfig>>;
  /** The provincial pre-screen between the kabupaten/kota proposal and the national administrative selection. */
  prescreen?: PrescreenConfig;
  /** What makes a sentra eligible; without it, at least 5 units and no decree document. */
  sentra?: SentraConfig;
  /** Physical product samples that go with each proposal. */
  samples?: SamplesConfig;
  contacts: {
    coordinators: string[];
    /** Address pattern for dinas provinsi; `{province}` is replaced by the province code, e.g. `disperin.{province}@…`. */
    dinasProvinsi: string;
    /** Address pattern used when a nomination carries no contact address of its dinas kabupaten/kota. */
    dinasKabKota: string;
  };
  /** Optional in the type: nominations started before it existed carry no such block (their histories replay). */
  award?: AwardConfig;
  /** Kemendagri regency codes and names, resolved from idn-area-data when the config is loaded, so that workflow
   * validators can refuse unknown codes without I/O. */
  regencies: Record<string, string>;
  provinces: Record<string, string>;
}

export interface PrescreenConfig {
  enabled: boolean;
  /** How often the dinas provinsi may return a proposal for completion before it must pass or reject it. */
  maxReturns: number;
}

export interface SentraConfig {
  /** Fewest units (businesses making the same product) a sentra must count. */
  minUnits: number;
  /** The document kind of the decree of the bupati/walikota that legalises the sentra (required for all). */
  decreeDocument?: string;
}

export interface SamplesConfig {
  /** Whether each proposal's product samples must be received before the administrative selection. */
  required: boolean;
}

export const SAMPLE_CONDITIONS = ['good', 'damaged', 'incomplete'] as const;
export type SampleCondition = (typeof SAMPLE_CONDITIONS)[number];

export interface NominationInput {
  cycleId: string;
  regencyCode: string; // PP.KK
  ikmName: string;
  /** The sentra this IKM leads (its lead firm is the nominee, `ikmName`); one nomination per sentra and cycle. */
  sentraName: string;
  commodity: Commodity;
  product: string;
  /** Number of units (businesses) in the sentra; the cycle's `sentra.minUnits`, 5 by default, is the least. */
  sentraSize: number;
  dinasEmail?: string;
  /** Stars held from a previous cycle: this nomination is a re-evaluation. */
  previousStars?: { cycleId: string; stars: number };
  nominatedBy: Actor;
}

/** The engine itself, as the actor of timers and automatic transitions. */
export const SYSTEM_ACTOR: Actor = { role: 'system', id: 'ovop-engine', region: '00' };
