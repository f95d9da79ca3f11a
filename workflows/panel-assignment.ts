/**
 * Who assesses a nomination, so that nobody can steer it (#15 item 1): the panel is drawn at random with the SDK's
 * seeded Math.random (the workflow's history fixes the seed, so a replay draws the same people) from the eligible
 * assessors: not of the nomination's province, matching its commodity, and not excluded from it. An assigned assessor
 * who declares a conflict of interest leaves the panel, as does one a coordinator reassigns with a reason; either way a
 * replacement is drawn the same way, and the one who left is never drawn for this nomination again.
 */
import { drawPanelAtRandom, eligibleAssessors } from '../domain/panel';
import { type Actor, SYSTEM_ACTOR } from '../domain/types';
import type { DeclareConflictInput, NominationAnswer, ReassignAssessorInput } from './messages';
import type { NominationEffects } from './nomination-effects';
import { assessorProfile, nominee, type NominationState, provinceCodeOf } from './nomination-state';
import { answerFor } from './nomination-views';
import { checkActor, checkText, refuse } from './validation';

type S = Readonly<NominationState>;

const REASON_MAX = 2000;

/** The eligible assessors not on the panel and not excluded: those a draw may pick. */
function drawable(s: S): string[] {
  const taken = [...s.assessors, ...s.excluded];
  return eligibleAssessors(
    s.input.rules.assessment.assessors,
    provinceCodeOf(s as NominationState),
    nominee(s).commodity,
  )
    .map((a) => a.id)
    .filter((id) => !taken.includes(id));
}

/** Draws `size` more assessors, past the panel already seated and everyone excluded. Consumes the workflow's random
 * numbers: call it from the lifecycle or an update handler, never from a validator (validators do not replay). */
export function drawAssessors(s: S, size: number): string[] {
  return drawPanelAtRandom({
    pool: s.input.rules.assessment.assessors,
    province: provinceCodeOf(s as NominationState),
    commodity: nominee(s).commodity,
    size,
    exclude: [...s.assessors, ...s.excluded],
    seated: s.assessors.map((id) => assessorProfile(s as NominationState, id)!),
    random: Math.random,
  });
}

/** What the draw looked at, recorded beside the panel it drew (what an auditor needs to see it was not steered). */
export function drawRecord(s: S): { method: 'random'; eligible: number; excluded: string[] } {
  const { assessors } = s.input.rules.assessment;
  const eligible = eligibleAssessors(assessors, provinceCodeOf(s as NominationState), nominee(s).commodity);
  return { method: 'random', eligible: eligible.length, excluded: [...s.excluded] };
}

/** A panel member who may still leave it: assigned, with no score sheet in. */
function requireReplaceable(s: S, id: string, who: string): void {
  if (s.stage !== 'IN_ASSESSMENT')
    refuse(`nomination ${s.workflowId} is ${s.stage}; the panel changes only during IN_ASSESSMENT`, {
      rule: 'wrong_stage',
      params: { stage: s.stage, needs: 'IN_ASSESSMENT' },
    });
  if (!s.assessors.includes(id))
    refuse(`assessor ${id} is not assigned to this nomination`, { rule: 'not_assigned', params: { assessor: id } });
  if (s.sheets.some((sheet) => sheet.assessorId === id))
    refuse(`assessor ${id} has already submitted scores; ${who} can no longer leave the panel`, {
      rule: 'panel_scored',
      params: { assessor: id },
    });
  if (drawable(s).length === 0)
    refuse(
      `no other eligible assessor (not of province ${provinceCodeOf(s as NominationState)}, assessing ` +
        `${nominee(s).commodity}, not excluded) can take assessor ${id}'s place on this nomination`,
      { rule: 'no_replacement', params: { assessor: id } },
    );
}

export function validateDeclareConflict(s: S, u: DeclareConflictInput): void {
  checkActor(u?.actor);
  if (u.actor.role !== 'assessor')
    refuse(`role ${u.actor.role} may not declare a conflict of interest; only an assigned assessor may`, {
      rule: 'assessor_only',
      params: { role: u.actor.role },
    });
  checkText(u.reason, 'reason', { max: REASON_MAX });
  requireReplaceable(s, u.actor.id, 'they');
}

export function validateReassign(s: S, u: ReassignAssessorInput): void {
  checkActor(u?.actor);
  if (u.actor.role !== 'coordinator')
    refuse(`role ${u.actor.role} may not reassign an assessor; only a coordinator may`, {
      rule: 'coordinator_only',
      params: { role: u.actor.role },
    });
  checkText(u.assessorId, 'assessorId', { max: 120 });
  checkText(u.reason, 'reason', { max: REASON_MAX });
  requireReplaceable(s, u.assessorId, 'they');
}

/** An assessor leaves the panel for good; a replacement is drawn and told; both recorded in one event. */
async function replace(
  s: NominationState,
  fx: NominationEffects,
  type: string,
  actor: Actor,
  removed: string,
  reason: string,
): Promise<void> {
  s.excluded.push(removed);
  s.assessors = s.assessors.filter((id) => id !== removed);
  const [replacement] = drawAssessors(s, 1);
  s.assessors.push(replacement);
  s.cause = actor;
  await fx.record(type, actor, { assessors: [...s.assessors], removed, replacement, reason, draw: drawRecord(s) });
  const profile = assessorProfile(s, replacement)!;
  await fx.notify('assessment_assigned', `assigned:${replacement}`, [profile.email], { recipientName: profile.name });
  s.cause = SYSTEM_ACTOR;
}

export async function declareConflict(
  s: NominationState,
  fx: NominationEffects,
  u: DeclareConflictInput,
): Promise<NominationAnswer> {
  await replace(s, fx, 'assessment.conflict_declared', u.actor, u.actor.id, u.reason);
  return answerFor(s, u.actor);
}

export async function reassignAssessor(
  s: NominationState,
  fx: NominationEffects,
  u: ReassignAssessorInput,
): Promise<NominationAnswer> {
  await replace(s, fx, 'assessment.reassigned', u.actor, u.assessorId, u.reason);
  return answerFor(s, u.actor);
}
