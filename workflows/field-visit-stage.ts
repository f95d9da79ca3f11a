/**
 * The field visit (issue 17): scheduled by a coordinator, reminded to the dinas before its date, recorded item by item
 * against the cycle's checklist on site.
 */
import { condition, patched } from '@temporalio/workflow';
import { parseDuration } from '../domain/duration';
import { SYSTEM_ACTOR } from '../domain/types';
import { assessorProfile, dinasEmail, isClosed, outstandingEvidence } from './nomination-state';
import { BLIND_FIELD_VISIT_MAILS } from './patches';
import type { StageContext } from './stage-context';

/**
 * The field visit: a coordinator schedules it (the dinas hears the date, and is reminded before it), the team records
 * on site what it found against the checklist, and once every item is recorded the visit passes when the required
 * items and at least `minFound` were found. Returns false when the nomination ended here.
 */
export async function fieldVisit(ctx: StageContext, score: number): Promise<boolean> {
  const { s, fx, clock } = ctx;
  const cfg = s.input.rules.fieldVisit!;
  await fx.enter('FIELD_VERIFICATION', 'stage.changed', { provisionalScore: score, fieldVisit: true });
  await fx.notify('field_verification', 'field', s.input.rules.contacts.coordinators, { score });
  const recorded = () => s.fieldVisit !== null && outstandingEvidence(s).length === 0;
  const [wait] = await Promise.all([clock.waitStage('fieldVerification', recorded), visitReminders(ctx, recorded)]);
  if (wait === 'closed') return false;
  const found = cfg.checklist.filter((i) => s.evidence.some((e) => e.item === i.id && e.found));
  const missingRequired = cfg.checklist.filter((i) => i.required && !found.includes(i)).map((i) => i.id);
  s.fieldVerified = missingRequired.length === 0 && found.length >= cfg.minFound;
  await fx.record(
    'field.verified',
    SYSTEM_ACTOR,
    { passed: s.fieldVerified, found: found.length, minFound: cfg.minFound, missingRequired },
    { fieldVisit: { passed: s.fieldVerified, found: found.length } },
  );
  return true;
}

/** Reminds the dinas of the visit date at each `remindBefore` offset that falls after the visit was scheduled. */
async function visitReminders(ctx: StageContext, done: () => boolean): Promise<void> {
  const { s, fx } = ctx;
  const offsets = s.input.rules.fieldVisit!.remindBefore.map(parseDuration);
  const ended = () => done() || isClosed(s);
  for (;;) {
    if (ended()) return;
    const visit = s.fieldVisit;
    if (!visit) {
      await condition(() => s.fieldVisit !== null || ended());
      continue;
    }
    // A visit set for tomorrow gets no three-days-before reminder: the scheduling mail has just told the date.
    const due = offsets.map((o) => ({ o, at: visit.date - o })).filter((r) => r.at > visit.scheduledAt);
    const now = Date.now();
    for (const { o, at } of due) {
      const key = `visit:${new Date(visit.date).toISOString()}:${o}`;
      if (at > now || s.reminders.has(key)) continue;
      s.reminders.add(key);
      // Blind assessment: the dinas's reminder names no team member (a patch, as it changes the mail sent).
      const team = patched(BLIND_FIELD_VISIT_MAILS) ? undefined : visit.team.map((id) => assessorProfile(s, id)!.name);
      await fx.record('reminder.sent', SYSTEM_ACTOR, {
        fieldVisit: true,
        to: dinasEmail(s),
        offsetMs: o,
        visitDate: new Date(visit.date).toISOString(),
      });
      await fx.notify('field_visit_reminder', key, [dinasEmail(s)], {
        visitDate: new Date(visit.date).toISOString(),
        team,
        facilitator: visit.facilitator ?? undefined,
      });
    }
    const next = due.map((r) => r.at).filter((at) => at > Date.now());
    const changed = () => s.fieldVisit !== visit || ended();
    if (next.length === 0) await condition(changed);
    else await condition(changed, Math.max(1, Math.min(...next) - Date.now()));
  }
}
