/**
 * Four eyes (#15 item 3): stars above the recommendation, which is where every override of a failed hard gate lands,
 * stand only once a second coordinator (a different person) approves them within the cycle's
 * `award.secondApproval.within`. The request, the approval or refusal and a lapse are each an event with who and why,
 * and the coordinators hear of each by mail. Refused or lapsed, the nomination is back to awaiting a determination.
 */
import { condition } from '@temporalio/workflow';
import { DEFAULT_SECOND_APPROVAL } from '../domain/award';
import { parseDuration } from '../domain/duration';
import { SYSTEM_ACTOR } from '../domain/types';
import type { ApproveDeterminationInput, DetermineInput, NominationAnswer } from './messages';
import type { NominationEffects } from './nomination-effects';
import { isClosed, type NominationState } from './nomination-state';
import { answerFor } from './nomination-views';
import { checkActor, checkText, refuse } from './validation';

type S = Readonly<NominationState>;
type Pending = NonNullable<NominationState['pendingDetermination']>;

const who = (p: Pending) => `${p.actor.role}:${p.actor.id}`;

/** The refusal of a second determination while one waits for approval (validateDetermine). */
export function refuseWhilePending(s: S): void {
  const p = s.pendingDetermination;
  if (p)
    refuse(
      `Bintang ${p.stars} determined by coordinator ${p.actor.id} awaits a second coordinator's approval until ` +
        `${new Date(p.until).toISOString()}; approve or refuse it first`,
      { rule: 'determination_pending', params: { stars: p.stars, untilAt: new Date(p.until).toISOString() } },
    );
}

export function validateApproval(s: S, u: ApproveDeterminationInput): void {
  checkActor(u?.actor);
  if (u.actor.role !== 'coordinator')
    refuse(`role ${u.actor.role} may not approve a determination; only a second coordinator may`, {
      rule: 'coordinator_only',
      params: { role: u.actor.role },
    });
  const p = s.pendingDetermination;
  if (!p)
    refuse(`nomination ${s.workflowId} has no determination awaiting approval (it is ${s.stage})`, {
      rule: 'nothing_to_approve',
      params: { stage: s.stage },
    });
  if (u.actor.id === p.actor.id)
    refuse(
      `coordinator ${u.actor.id} determined Bintang ${p.stars}; a different coordinator must approve or refuse it`,
      { rule: 'approve_own_determination', params: { stars: p.stars } },
    );
  if (u.decision !== 'approve' && u.decision !== 'refuse')
    refuse('decision must be approve or refuse', { rule: 'decision_approve_refuse' });
  if (u.decision === 'approve' && s.hold)
    refuse(
      `nomination ${s.workflowId} is on hold after the ${s.hold.stage} deadline; a coordinator must decide first`,
      {
        rule: 'on_hold',
        params: { deadline: s.hold.stage },
      },
    );
  checkText(u.reason, 'reason', { max: 2000 });
}

/** The determination waits for a second coordinator; its requester's answer shows it waiting. */
export async function requestApproval(
  s: NominationState,
  fx: NominationEffects,
  u: DetermineInput & { stars: number; reason: string },
): Promise<NominationAnswer> {
  const within = s.input.rules.award?.secondApproval?.within ?? DEFAULT_SECOND_APPROVAL;
  const now = Date.now();
  const p: Pending = {
    actor: u.actor,
    stars: u.stars,
    reason: u.reason,
    requestedAt: now,
    until: now + parseDuration(within),
  };
  s.pendingDetermination = p;
  const overriddenGates = s.cappedBy.filter((g) => u.stars >= g.fromStars);
  const until = new Date(p.until).toISOString();
  await fx.record('stars.approval_requested', u.actor, {
    stars: u.stars,
    recommendedStars: s.recommended,
    reason: u.reason,
    overriddenGates,
    within,
    until,
  });
  await fx.notify('determination_approval_requested', `approval:${now}`, s.input.rules.contacts.coordinators, {
    stars: u.stars,
    recommendedStars: s.recommended ?? 0,
    reason: u.reason,
    requestedBy: who(p),
    deadline: until,
  });
  return answerFor(s, u.actor);
}

/** A second coordinator's decision: approved, the stars stand and the nomination is determined (the answer waits for
 * it, as a determination's does); refused, it is back to awaiting a determination. */
export async function decideApproval(
  s: NominationState,
  fx: NominationEffects,
  u: ApproveDeterminationInput,
): Promise<NominationAnswer> {
  const p = s.pendingDetermination!;
  s.pendingDetermination = null;
  const detail = { stars: p.stars, reason: u.reason, requestedBy: who(p), requestReason: p.reason };
  if (u.decision === 'approve') {
    await fx.record('stars.approved', u.actor, detail);
    s.determination = { actor: p.actor, stars: p.stars, reason: p.reason, approvedBy: u.actor };
    await condition(() => isClosed(s));
    return answerFor(s, u.actor);
  }
  await fx.record('stars.approval_refused', u.actor, detail);
  await fx.notify('determination_approval_refused', `refused:${p.requestedAt}`, s.input.rules.contacts.coordinators, {
    stars: p.stars,
    reason: u.reason,
    requestedBy: who(p),
    decidedBy: `${u.actor.role}:${u.actor.id}`,
  });
  return answerFor(s, u.actor);
}

/**
 * Watches each determination awaiting approval until it is decided or `until` passes, when it lapses. Returns once the
 * nomination is determined or closed. Creates no timer while nothing waits, so histories without four eyes replay.
 */
export async function lapseUnapproved(s: NominationState, fx: NominationEffects): Promise<void> {
  const ended = () => s.determination !== null || isClosed(s);
  for (;;) {
    await condition(() => s.pendingDetermination !== null || ended());
    if (ended()) return;
    const p = s.pendingDetermination!;
    const decided = await condition(() => s.pendingDetermination !== p || ended(), Math.max(1, p.until - Date.now()));
    if (decided) continue;
    s.pendingDetermination = null;
    const within = s.input.rules.award?.secondApproval?.within ?? DEFAULT_SECOND_APPROVAL;
    await fx.record('stars.approval_lapsed', SYSTEM_ACTOR, { stars: p.stars, requestedBy: who(p), within });
    await fx.notify('determination_approval_lapsed', `lapsed:${p.requestedAt}`, s.input.rules.contacts.coordinators, {
      stars: p.stars,
      requestedBy: who(p),
      deadline: new Date(p.until).toISOString(),
    });
  }
}
