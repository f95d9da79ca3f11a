/**
 * The rules of every actor action on a nomination: pure functions of (state, input with its actor, now) that refuse
 * with a message telling the actor what is wrong. They run as Update validators, so a refused action leaves no event in
 * the history; they never change the state.
 */
import { validateScoreSheet } from '../domain/scoring';
import { provinceOf } from '../domain/region-codes';
import { shown } from '../domain/text';
import { type Actor, DEADLINE_STAGES, type Stage } from '../domain/types';
import { currentDeadline } from './deadline-clock';
import type {
  AttendInput,
  DetermineInput,
  ExtendDeadlineInput,
  FieldVerificationInput,
  ResolveHoldInput,
  ReviewInput,
  ScoreInput,
  SubmitDocumentInput,
  WithdrawInput,
} from './messages';
import { isClosed, nominee, type NominationState, provinceCodeOf, requiredDocuments } from './nomination-state';
import { checkActor, checkText, parseInstant, refuse } from './validation';

type S = Readonly<NominationState>;

/** The largest file the documents table records (a 32-bit size); files are scanned PDFs, far below it. */
const MAX_DOCUMENT_BYTES = 2_147_483_647;
const REASON_MAX = 2000;

export function validateAttend(s: S, u: AttendInput): void {
  checkActor(u?.actor);
  requireStage(s, 'AWAITING_SOCIALIZATION');
  requireOwnDinas(s, u.actor);
  const sessions = s.input.rules.sessions;
  const session = sessions.find((x) => x.id === u.sessionId);
  if (!session)
    refuse(`unknown socialization session ${shown(u.sessionId)}; sessions: ${sessions.map((x) => x.id).join(', ')}`);
  const province = provinceCodeOf(s);
  if (!session.provinces.includes(province) && !session.acceptsMakeUp) {
    const covering = sessions.filter((x) => x.provinces.includes(province)).map((x) => x.id);
    const where = covering.length ? `; sessions for province ${province}: ${covering.join(', ')}` : '';
    refuse(`session ${session.id} does not cover province ${province} and does not accept make-up attendance${where}`);
  }
}

export function validateSubmitDocument(s: S, u: SubmitDocumentInput): void {
  checkActor(u?.actor);
  requireStage(s, 'AWAITING_DOCUMENTS', 'REVISION_REQUESTED');
  requireOwnDinas(s, u.actor);
  const checklist = s.input.rules.documents.checklist;
  if (!checklist.some((d) => d.kind === u.kind)) {
    refuse(`unknown document kind ${shown(u.kind)}; the checklist has ${checklist.map((d) => d.kind).join(', ')}`);
  }
  if (!requiredDocuments(s).includes(u.kind))
    refuse(`document kind ${u.kind} is not required for commodity ${nominee(s).commodity}`);
  if (s.stage === 'REVISION_REQUESTED' && !s.resubmit.includes(u.kind)) {
    refuse(`the reviewer asked for ${s.resubmit.join(', ')} in this revision round, not ${u.kind}`);
  }
  if (s.documents.some((d) => d.kind === u.kind && d.round === s.revisionRound)) {
    refuse(`document ${u.kind} was already submitted in round ${s.revisionRound}`);
  }
  checkText(u.fileName, 'file name', { max: 255 });
  if (typeof u.checksum !== 'string' || !/^[0-9a-f]{64}$/.test(u.checksum)) {
    refuse("checksum must be the file's SHA-256 in lower-case hex (64 characters)");
  }
  if (!Number.isInteger(u.sizeBytes) || u.sizeBytes <= 0 || u.sizeBytes > MAX_DOCUMENT_BYTES) {
    refuse(`size must be a whole number of bytes from 1 to ${MAX_DOCUMENT_BYTES}`);
  }
}

export function validateReview(s: S, u: ReviewInput): void {
  checkActor(u?.actor);
  requireStage(s, 'UNDER_REVIEW');
  requireCoordinator(u.actor);
  if (!['approve', 'request_changes', 'reject'].includes(u.decision))
    refuse('decision must be approve, request_changes or reject');
  if (s.reviewDecision) refuse('this review round already has a decision');
  if (u.decision !== 'approve' && !hasText(u.reason)) refuse(`a reason is required to ${u.decision.replace('_', ' ')}`);
  checkText(u.reason, 'reason', { max: REASON_MAX, required: false });
}

export function validateScores(s: S, u: ScoreInput): void {
  checkActor(u?.actor);
  requireStage(s, 'IN_ASSESSMENT');
  if (u.actor.role !== 'assessor') refuse(`role ${u.actor.role} may not score; only an assessor may`);
  const profile = s.input.rules.assessment.assessors.find((a) => a.id === u.actor.id);
  const home = profile?.province ?? provinceOf(u.actor.region);
  if (home === provinceCodeOf(s))
    refuse(`conflict of interest: assessor ${u.actor.id} is from province ${home}, the nomination's own`);
  if (!s.assessors.includes(u.actor.id)) refuse(`assessor ${u.actor.id} is not assigned to this nomination`);
  if (s.sheets.some((sheet) => sheet.assessorId === u.actor.id))
    refuse(`assessor ${u.actor.id} has already submitted scores`);
  const problem = validateScoreSheet(u.scores, s.input.rules.assessment);
  if (problem) refuse(`invalid scores: ${problem}`);
}

export function validateVerifyField(s: S, u: FieldVerificationInput): void {
  checkActor(u?.actor);
  requireStage(s, 'FIELD_VERIFICATION');
  requireCoordinator(u.actor);
  if (typeof u.passed !== 'boolean') refuse('passed must be true or false');
  checkText(u.notes, 'notes', { max: REASON_MAX, required: false });
  if (s.fieldVerified !== null) refuse('the field verification is already recorded');
}

export function validateDetermine(s: S, u: DetermineInput): void {
  checkActor(u?.actor);
  requireStage(s, 'STAR_RECOMMENDED');
  requireCoordinator(u.actor);
  if (s.determination) refuse('the stars are already determined');
  if (u.stars !== undefined && (!Number.isInteger(u.stars) || u.stars < 0 || u.stars > 5))
    refuse('stars must be a whole number from 0 to 5');
  checkText(u.reason, 'reason', { max: REASON_MAX, required: false });
  if (u.stars !== undefined && u.stars !== s.recommended && !hasText(u.reason)) {
    refuse(`a reason is required to determine ${u.stars} stars against the recommended ${s.recommended}`);
  }
}

export function validateWithdraw(s: S, u: WithdrawInput): void {
  checkActor(u?.actor);
  if (isClosed(s)) refuse(`nomination ${s.workflowId} is already ${s.stage}`);
  if (s.determination) refuse('the stars are being determined; it can no longer be withdrawn');
  requireOwnDinas(s, u.actor);
  if (!hasText(u.reason)) refuse('a reason is required to withdraw');
  checkText(u.reason, 'reason', { max: REASON_MAX });
}

export function validateExtendDeadline(s: S, u: ExtendDeadlineInput, now: number): void {
  checkActor(u?.actor);
  requireCoordinator(u.actor);
  if (isClosed(s)) refuse(`nomination ${s.workflowId} is already ${s.stage}`);
  if (!DEADLINE_STAGES.includes(u.stage)) refuse(`stage must be one of ${DEADLINE_STAGES.join(', ')}`);
  const until = parseInstant(u.until, 'until');
  if (until <= now) refuse('the new deadline must be in the future');
  const current = currentDeadline(s);
  if (current?.stage === u.stage && until <= current.at) {
    refuse(`the new deadline must be later than the current one (${new Date(current.at).toISOString()})`);
  }
}

export function validateResolveHold(s: S, u: ResolveHoldInput, now: number): void {
  checkActor(u?.actor);
  requireCoordinator(u.actor);
  if (!s.hold) refuse('this nomination is not on hold');
  if (u.decision === 'extend') {
    if (parseInstant(u.until, 'until') <= now) refuse('the new deadline must be in the future');
  } else if (u.decision !== 'disqualify') refuse('decision must be extend or disqualify');
  checkText(u.reason, 'reason', { max: REASON_MAX, required: false });
}

function requireStage(s: S, ...stages: Stage[]): void {
  if (!stages.includes(s.stage))
    refuse(`nomination ${s.workflowId} is ${s.stage}; this action needs ${stages.join(' or ')}`);
  if (s.hold)
    refuse(`nomination ${s.workflowId} is on hold after the ${s.hold.stage} deadline; a coordinator must decide first`);
}

/** The dinas kabupaten/kota of this nomination's own regency (or a coordinator acting for it). */
function requireOwnDinas(s: S, actor: Actor): void {
  if (actor.role === 'coordinator') return;
  if (actor.role !== 'dinas_kabkota')
    refuse(`role ${actor.role} may not do this; it is the dinas kabupaten/kota's action`);
  const regency = nominee(s).regencyCode;
  if (actor.region === regency) return;
  refuse(
    provinceOf(actor.region) !== provinceCodeOf(s)
      ? `dinas ${actor.region} is in another province; this nomination belongs to ${regency}`
      : `dinas ${actor.region} may not act for ${regency}; only its own dinas kabupaten/kota may`,
  );
}

function requireCoordinator(actor: Actor): void {
  if (actor.role !== 'coordinator') refuse(`role ${actor.role} may not do this; only a coordinator may`);
}

const hasText = (value: unknown): boolean => typeof value === 'string' && value.trim() !== '';
