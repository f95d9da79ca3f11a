/**
 * The rules of every actor action on a nomination: pure functions of (state, input with its actor, now) that refuse
 * with a message telling the actor what is wrong. They run as Update validators, so a refused action leaves no event in
 * the history; they never change the state. The field verification's rules are in field-visit-rules.ts and the
 * stage and role guards every rule shares in rule-guards.ts; both are part of this module's set.
 */
import { validateScoreSheet } from '../domain/scoring';
import { provinceOf } from '../domain/region-codes';
import { isoDateProblemOf, shown, shownParam } from '../domain/text';
import { DEADLINE_STAGES, DECREE_SIGNATORIES, SAMPLE_CONDITIONS } from '../domain/types';
import { currentDeadline } from './deadline-clock';
import type {
  AttendInput,
  CertificateHandoverInput,
  DecreeRef,
  DetermineByDecreeInput,
  DetermineInput,
  ExtendDeadlineInput,
  PrescreenInput,
  ResolveHoldInput,
  SampleReceiptInput,
  ReviewInput,
  ScoreInput,
  SubmitDocumentInput,
  WithdrawInput,
} from './messages';
import { isClosed, nominee, type NominationState, provinceCodeOf, requiredDocuments } from './nomination-state';
import { refuseWhilePending } from './four-eyes';
import { checkActor, checkText, parseInstant, refuse, refuseProblem } from './validation';
import {
  MAX_DOCUMENT_BYTES,
  REASON_MAX,
  requireCoordinator,
  requireOwnDinas,
  requireOwnProvinsi,
  requireStage,
} from './rule-guards';

export * from './field-visit-rules';

type S = Readonly<NominationState>;

/** The id the API gives a stored file (document_files.id). */
const DOCUMENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function validateAttend(s: S, u: AttendInput): void {
  checkActor(u?.actor);
  requireStage(s, 'AWAITING_SOCIALIZATION');
  requireOwnDinas(s, u.actor);
  const sessions = s.input.rules.sessions;
  const session = sessions.find((x) => x.id === u.sessionId);
  if (!session)
    refuse(`unknown socialization session ${shown(u.sessionId)}; sessions: ${sessions.map((x) => x.id).join(', ')}`, {
      rule: 'unknown_session',
      params: { session: String(u.sessionId) },
    });
  const province = provinceCodeOf(s);
  if (!session.provinces.includes(province) && !session.acceptsMakeUp) {
    const covering = sessions.filter((x) => x.provinces.includes(province)).map((x) => x.id);
    const where = covering.length ? `; sessions for province ${province}: ${covering.join(', ')}` : '';
    refuse(`session ${session.id} does not cover province ${province} and does not accept make-up attendance${where}`, {
      rule: 'session_other_province',
      params: { session: session.id, province, covering: covering.join(', ') },
    });
  }
}

export function validateSubmitDocument(s: S, u: SubmitDocumentInput): void {
  checkActor(u?.actor);
  requireStage(s, 'AWAITING_DOCUMENTS', 'REVISION_REQUESTED', 'PRESCREEN_RETURNED');
  requireOwnDinas(s, u.actor);
  const checklist = s.input.rules.documents.checklist;
  if (!checklist.some((d) => d.kind === u.kind)) {
    refuse(`unknown document kind ${shown(u.kind)}; the checklist has ${checklist.map((d) => d.kind).join(', ')}`, {
      rule: 'unknown_document_kind',
      params: { kind: shownParam(u.kind) },
    });
  }
  if (!requiredDocuments(s).includes(u.kind))
    refuse(`document kind ${u.kind} is not required for commodity ${nominee(s).commodity}`, {
      rule: 'document_not_required',
      params: { kind: u.kind, commodity: nominee(s).commodity },
    });
  if (s.stage === 'REVISION_REQUESTED' && !s.resubmit.includes(u.kind)) {
    refuse(`the reviewer asked for ${s.resubmit.join(', ')} in this revision round, not ${u.kind}`, {
      rule: 'revision_other_kind',
      params: { kind: u.kind, asked: s.resubmit.join(', ') },
    });
  }
  if (s.stage === 'PRESCREEN_RETURNED' && !s.resubmit.includes(u.kind)) {
    refuse(`the dinas provinsi asked to complete ${s.resubmit.join(', ')}, not ${u.kind}`, {
      rule: 'prescreen_other_kind',
      params: { kind: u.kind, asked: s.resubmit.join(', ') },
    });
  }
  if (s.documents.some((d) => d.kind === u.kind && d.round === s.revisionRound)) {
    refuse(`document ${u.kind} was already submitted in round ${s.revisionRound}`, {
      rule: 'document_submitted',
      params: { kind: u.kind, round: s.revisionRound },
    });
  }
  checkText(u.fileName, 'file name', { max: 255 });
  if (typeof u.checksum !== 'string' || !/^[0-9a-f]{64}$/.test(u.checksum)) {
    refuse("checksum must be the file's SHA-256 in lower-case hex (64 characters)", {
      rule: 'checksum_invalid',
      params: { file: String(u.fileName) },
    });
  }
  if (!Number.isInteger(u.sizeBytes) || u.sizeBytes <= 0 || u.sizeBytes > MAX_DOCUMENT_BYTES) {
    refuse(`size must be a whole number of bytes from 1 to ${MAX_DOCUMENT_BYTES}`, {
      rule: 'size_invalid',
      params: { file: String(u.fileName) },
    });
  }
  if (u.documentId !== undefined && (typeof u.documentId !== 'string' || !DOCUMENT_ID.test(u.documentId))) {
    refuse('documentId must be the id of a stored file (a UUID)', { rule: 'document_id_invalid' });
  }
}

export function validateReview(s: S, u: ReviewInput): void {
  checkActor(u?.actor);
  requireStage(s, 'UNDER_REVIEW');
  requireCoordinator(u.actor);
  if (!['approve', 'request_changes', 'reject'].includes(u.decision))
    refuse('decision must be approve, request_changes or reject', { rule: 'review_decision_invalid' });
  if (s.reviewDecision) refuse('this review round already has a decision', { rule: 'review_decided' });
  if (u.decision !== 'approve' && !hasText(u.reason))
    refuse(`a reason is required to ${u.decision.replace('_', ' ')}`, { rule: 'review_reason_required' });
  checkText(u.reason, 'reason', { max: REASON_MAX, required: false });
}

/** The dinas provinsi of the nomination's own province decides, once per round: pass, return with what is missing
 * (document kinds of the nomination's checklist), or reject with a reason. */
export function validatePrescreen(s: S, u: PrescreenInput): void {
  checkActor(u?.actor);
  requireStage(s, 'PROVINCIAL_PRESCREEN');
  requireOwnProvinsi(s, u.actor);
  if (!['pass', 'return', 'reject'].includes(u.decision))
    refuse('decision must be pass, return or reject', { rule: 'prescreen_decision_invalid' });
  if (s.prescreenDecision) refuse('this pre-screen round already has a decision', { rule: 'prescreen_decided' });
  if (u.decision !== 'pass' && !hasText(u.reason))
    refuse(`a reason is required to ${u.decision} a proposal`, {
      rule: 'prescreen_reason_required',
      params: { decision: u.decision },
    });
  checkText(u.reason, 'reason', { max: REASON_MAX, required: false });
  if (u.decision !== 'return') {
    if (u.missing !== undefined)
      refuse(`only a return lists what is missing, not a ${u.decision}`, { rule: 'prescreen_missing_not_return' });
    return;
  }
  const max = s.input.rules.prescreen?.maxReturns ?? 0;
  if (s.prescreenReturns >= max) {
    refuse(
      `the proposal was already returned ${s.prescreenReturns} time(s), the most this cycle allows (prescreen.maxReturns ${max}); pass or reject it`,
      { rule: 'prescreen_returns_used', params: { returns: s.prescreenReturns, max } },
    );
  }
  const required = requiredDocuments(s);
  if (!Array.isArray(u.missing) || u.missing.length === 0)
    refuse(`a return must list the missing documents, from: ${required.join(', ')}`, {
      rule: 'prescreen_missing_required',
    });
  for (const kind of u.missing) {
    if (typeof kind !== 'string' || !required.includes(kind))
      refuse(
        `${shown(kind)} is not a document this nomination submits; missing documents are from: ${required.join(', ')}`,
        { rule: 'prescreen_missing_unknown', params: { kind: shownParam(kind) } },
      );
  }
  if (new Set(u.missing).size !== u.missing.length)
    refuse('the missing documents list one kind twice', { rule: 'prescreen_missing_twice' });
}

/** A coordinator records, once, that the product samples arrived: the day (not in the future), their condition and
 * who received them. */
export function validateRecordSamples(s: S, u: SampleReceiptInput, now: number): void {
  checkActor(u?.actor);
  requireStage(s, 'AWAITING_SAMPLES');
  requireCoordinator(u.actor);
  if (s.sampleReceipt) refuse('the receipt of the product samples is already recorded', { rule: 'samples_recorded' });
  const problem = isoDateProblemOf(u.receivedOn, 'receivedOn');
  if (problem) refuseProblem(problem);
  // A day ahead of UTC allows for the cycle's time zone (Indonesia is UTC+7 to +9).
  if (Date.parse(`${u.receivedOn}T00:00:00Z`) > now + 86_400_000)
    refuse(`receivedOn ${u.receivedOn} is in the future; record samples once they have arrived`, {
      rule: 'samples_in_future',
      params: { day: String(u.receivedOn) },
    });
  if (!SAMPLE_CONDITIONS.includes(u.condition))
    refuse(`condition must be one of ${SAMPLE_CONDITIONS.join(', ')}`, { rule: 'samples_condition_invalid' });
  checkText(u.receivedBy, 'receivedBy', { max: 200 });
  checkText(u.notes, 'notes', { max: REASON_MAX, required: false });
  if (u.condition !== 'good' && !hasText(u.notes))
    refuse(`notes are required when the samples are ${u.condition}`, {
      rule: 'samples_notes_required',
      params: { condition: u.condition },
    });
}

export function validateScores(s: S, u: ScoreInput): void {
  checkActor(u?.actor);
  requireStage(s, 'IN_ASSESSMENT');
  if (u.actor.role !== 'assessor')
    refuse(`role ${u.actor.role} may not score; only an assessor may`, {
      rule: 'assessor_only',
      params: { role: u.actor.role },
    });
  const profile = s.input.rules.assessment.assessors.find((a) => a.id === u.actor.id);
  const home = profile?.province ?? provinceOf(u.actor.region);
  if (home === provinceCodeOf(s))
    refuse(`conflict of interest: assessor ${u.actor.id} is from province ${home}, the nomination's own`, {
      rule: 'assessor_own_province',
      params: { assessor: u.actor.id, province: home },
    });
  if (!s.assessors.includes(u.actor.id))
    refuse(`assessor ${u.actor.id} is not assigned to this nomination`, {
      rule: 'not_assigned',
      params: { assessor: u.actor.id },
    });
  if (s.sheets.some((sheet) => sheet.assessorId === u.actor.id))
    refuse(`assessor ${u.actor.id} has already submitted scores`, {
      rule: 'scores_submitted',
      params: { assessor: u.actor.id },
    });
  const problem = validateScoreSheet(u.scores, s.input.rules.assessment);
  if (problem) refuse(`invalid scores: ${problem}`, { rule: 'scores_invalid', params: { problem } });
}

export function validateDetermine(s: S, u: DetermineInput): void {
  checkActor(u?.actor);
  requireStage(s, 'STAR_RECOMMENDED');
  requireCoordinator(u.actor);
  if (s.determination) refuse('the stars are already determined', { rule: 'stars_determined' });
  refuseWhilePending(s);
  if (u.stars !== undefined && (!Number.isInteger(u.stars) || u.stars < 0 || u.stars > 5))
    refuse('stars must be a whole number from 0 to 5', { rule: 'stars_invalid' });
  checkText(u.reason, 'reason', { max: REASON_MAX, required: false });
  if (u.stars !== undefined && u.stars !== s.recommended && !hasText(u.reason)) {
    refuse(`a reason is required to determine ${u.stars} stars against the recommended ${s.recommended}`, {
      rule: 'determine_reason_required',
      params: { stars: u.stars, recommended: s.recommended ?? 0 },
    });
  }
  requireWithinCap(s, u.stars ?? s.recommended ?? 0);
}

/** A determination the cycle's decree makes: at the recommended level the decree lists, by the coordinator who issued
 * it. A nomination held after its determination deadline is what the decree decides, so the hold does not stop it. */
export function validateDetermineByDecree(s: S, u: DetermineByDecreeInput): void {
  checkActor(u?.actor);
  requireCoordinator(u.actor);
  const decree = u.decree;
  if (!decree || typeof decree !== 'object') refuse('decree is missing', { rule: 'decree_missing' });
  checkDecree(decree);
  if (s.determination) {
    const by = s.determination.decree;
    refuse(
      by?.number === decree.number
        ? `the stars are already determined by decree ${by.number}`
        : `the stars are already determined${by ? ` by decree ${by.number}` : ''}`,
      { rule: 'stars_determined' },
    );
  }
  if (s.stage !== 'STAR_RECOMMENDED')
    refuse(`nomination ${s.workflowId} is ${s.stage}; a decree determines only STAR_RECOMMENDED nominations`, {
      rule: 'wrong_stage',
      params: { stage: s.stage, needs: 'STAR_RECOMMENDED' },
    });
  if (s.hold && s.hold.stage !== 'determination')
    refuse(
      `nomination ${s.workflowId} is on hold after the ${s.hold.stage} deadline; a coordinator must decide first`,
      { rule: 'on_hold', params: { deadline: s.hold.stage } },
    );
  if (u.stars !== s.recommended)
    refuse(`the decree lists Bintang ${shownParam(u.stars)}, but the recommendation is Bintang ${s.recommended}`, {
      rule: 'decree_other_stars',
      params: { stars: shownParam(u.stars), recommended: s.recommended ?? 0 },
    });
  requireWithinCap(s, u.stars);
}

/** The certificate's hand-over: by the nomination's own dinas kabupaten/kota, its dinas provinsi or a coordinator,
 * once, on a day between the determination and today. */
export function validateCertificateHandover(s: S, u: CertificateHandoverInput, now: number): void {
  checkActor(u?.actor);
  if (u.actor.role === 'dinas_provinsi') {
    if (u.actor.region !== provinceCodeOf(s))
      refuse(
        `dinas provinsi ${u.actor.region} may not act for ${nominee(s).regencyCode} of province ${provinceCodeOf(s)}`,
        { rule: 'other_province_certificate', params: { region: u.actor.region, regency: nominee(s).regencyCode } },
      );
  } else requireOwnDinas(s, u.actor);
  if (s.certificate)
    refuse(`the certificate hand-over is already recorded: ${s.certificate.date} by ${s.certificate.handedOverBy}`, {
      rule: 'certificate_recorded',
      params: { day: s.certificate.date, by: s.certificate.handedOverBy },
    });
  if (!s.awaitingCertificate) {
    refuse(
      s.stage === 'DETERMINED'
        ? `nomination ${s.workflowId} does not wait for a certificate hand-over (cycle ${nominee(s).cycleId} records none)`
        : `nomination ${s.workflowId} is ${s.stage}; a certificate is handed over only after the stars are determined`,
      {
        rule: s.stage === 'DETERMINED' ? 'certificate_not_recorded' : 'certificate_before_determination',
        params: { stage: s.stage },
      },
    );
  }
  const day = parseDay(u.date, 'date');
  const determinedOn = s.stageEnteredAt - (s.stageEnteredAt % DAY_MS);
  if (day > now)
    refuse(`the hand-over date ${u.date} is in the future`, {
      rule: 'handover_in_future',
      params: { day: String(u.date) },
    });
  if (day < determinedOn)
    refuse(
      `the hand-over date ${u.date} is before the determination (${new Date(s.stageEnteredAt).toISOString().slice(0, 10)})`,
      {
        rule: 'handover_before_determination',
        params: { day: String(u.date), determinedOn: new Date(s.stageEnteredAt).toISOString().slice(0, 10) },
      },
    );
  checkText(u.handedOverBy, 'handedOverBy', { max: 200 });
  checkText(u.notes, 'notes', { max: REASON_MAX, required: false });
}

const DAY_MS = 86_400_000;

/** A decree's number, date and signatory, as a coordinator types them. */
export function checkDecree(d: DecreeRef): void {
  checkText(d.number, 'decree number', { max: 120 });
  parseDay(d.date, 'decree date');
  if (!d.signatory || typeof d.signatory !== 'object')
    refuse('the decree needs its signatory', { rule: 'decree_signatory_missing' });
  if (!DECREE_SIGNATORIES.includes(d.signatory.office))
    refuse(
      `the decree's signatory office must be ${DECREE_SIGNATORIES.join(' or ')}, not ${shown(d.signatory.office)}`,
      { rule: 'decree_signatory_office', params: { offices: DECREE_SIGNATORIES.join(', ') } },
    );
  checkText(d.signatory.name, "signatory's name", { max: 200 });
}

/** A calendar day written YYYY-MM-DD, as the epoch milliseconds of its start (UTC). */
function parseDay(text: unknown, what: string): number {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text))
    refuse(`${what} must be a date written YYYY-MM-DD`, { rule: 'date_format', params: { what } });
  const ms = Date.parse(`${text}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text)
    refuse(`${what} ${text} is not a date`, { rule: 'date_not_real', params: { what, value: text } });
  return ms;
}

/** The cycle's star cap (award.maxStars). */
function requireWithinCap(s: S, stars: number): void {
  const max = s.input.rules.award?.maxStars;
  if (max !== undefined && stars > max)
    refuse(
      `Bintang ${stars} is above the maximum of cycle ${nominee(s).cycleId}: it determines at most Bintang ${max}`,
      { rule: 'stars_above_cap', params: { stars, max } },
    );
}

export function validateWithdraw(s: S, u: WithdrawInput): void {
  checkActor(u?.actor);
  if (isClosed(s)) refuse(`nomination ${s.workflowId} is already ${s.stage}`, closedReason(s));
  if (s.determination)
    refuse('the stars are being determined; it can no longer be withdrawn', { rule: 'withdraw_during_determination' });
  requireOwnDinas(s, u.actor);
  if (!hasText(u.reason)) refuse('a reason is required to withdraw', { rule: 'withdraw_reason_required' });
  checkText(u.reason, 'reason', { max: REASON_MAX });
}

export function validateExtendDeadline(s: S, u: ExtendDeadlineInput, now: number): void {
  checkActor(u?.actor);
  requireCoordinator(u.actor);
  if (isClosed(s)) refuse(`nomination ${s.workflowId} is already ${s.stage}`, closedReason(s));
  if (!DEADLINE_STAGES.includes(u.stage))
    refuse(`stage must be one of ${DEADLINE_STAGES.join(', ')}`, { rule: 'deadline_stage_invalid' });
  if (!s.input.rules.deadlines[u.stage])
    refuse(`cycle ${nominee(s).cycleId} has no ${u.stage} step`, {
      rule: 'no_such_step',
      params: { deadline: u.stage },
    });
  const until = parseInstant(u.until, 'until');
  if (until <= now) refuse('the new deadline must be in the future', { rule: 'deadline_in_past' });
  const current = currentDeadline(s);
  if (current?.stage === u.stage && until <= current.at) {
    refuse(`the new deadline must be later than the current one (${new Date(current.at).toISOString()})`, {
      rule: 'deadline_not_later',
      params: { currentAt: new Date(current.at).toISOString() },
    });
  }
}

export function validateResolveHold(s: S, u: ResolveHoldInput, now: number): void {
  checkActor(u?.actor);
  requireCoordinator(u.actor);
  if (!s.hold) refuse('this nomination is not on hold', { rule: 'not_on_hold' });
  if (s.hold.reason === 'no_panel' && u.decision === 'extend')
    refuse(
      `no assessor in the pool may assess ${nominee(s).commodity} from outside province ${provinceCodeOf(s)}, so ` +
        'more time draws no panel; disqualify it, or its dinas withdraws it',
      { rule: 'no_panel_extend', params: { commodity: nominee(s).commodity, province: provinceCodeOf(s) } },
    );
  if (u.decision === 'extend') {
    if (parseInstant(u.until, 'until') <= now)
      refuse('the new deadline must be in the future', { rule: 'deadline_in_past' });
  } else if (u.decision !== 'disqualify')
    refuse('decision must be extend or disqualify', { rule: 'hold_decision_invalid' });
  checkText(u.reason, 'reason', { max: REASON_MAX, required: false });
}

/** A closed nomination's refusal, for a reader who sees it in another language. */
const closedReason = (s: S) => ({ rule: 'closed', params: { stage: s.stage } });

const hasText = (value: unknown): boolean => typeof value === 'string' && value.trim() !== '';
