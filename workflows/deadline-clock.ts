/**
 * The deadline clock of one nomination: each waiting stage's deadline (from the cycle's config, moved by extensions,
 * grace and holds), the reminders before it, the escalation to the dinas provinsi after it, and the stage's policy
 * when it is missed. Deadlines are workflow timers, so months pass durably and tests compress them into seconds.
 */
import { condition, patched } from '@temporalio/workflow';
import type { NotificationData, TemplateName } from '../activities/contracts';
import { parseDuration } from '../domain/duration';
import { type DeadlineStage, type Stage, type StageDeadlineConfig, SYSTEM_ACTOR } from '../domain/types';
import type { NominationEffects } from './nomination-effects';
import {
  dinasEmail,
  isClosed,
  missingDocuments,
  type NominationState,
  provinceCodeOf,
  provinsiEmail,
} from './nomination-state';
import { REMINDERS_ON_TIME } from './patches';

/** The deadline each waiting stage runs against (the projection shows it from the moment the stage is entered). */
export const STAGE_DEADLINE: Partial<Record<Stage, DeadlineStage>> = {
  AWAITING_SOCIALIZATION: 'attendance',
  AWAITING_DOCUMENTS: 'documents',
  PROVINCIAL_PRESCREEN: 'prescreen',
  PRESCREEN_RETURNED: 'prescreenCompletion',
  AWAITING_SAMPLES: 'samples',
  REVISION_REQUESTED: 'revision',
  UNDER_REVIEW: 'review',
  IN_ASSESSMENT: 'assessment',
  FIELD_VERIFICATION: 'fieldVerification',
  STAR_RECOMMENDED: 'determination',
};

export type WaitResult = 'done' | 'closed';

/** Stages whose waits repeat in rounds (review and revision, the pre-screen and its completion): their reminder and
 * escalation keys carry the document round. */
const ROUND_STAGES: readonly DeadlineStage[] = ['revision', 'review', 'prescreen', 'prescreenCompletion'];

/** A stage's deadline settings. The config check requires them for every step the cycle takes, so a missing one is a
 * bug, not a refusal. */
export function stageDeadlineConfig(s: NominationState, stage: DeadlineStage): StageDeadlineConfig {
  const cfg = s.input.rules.deadlines[stage];
  if (!cfg) throw new Error(`cycle ${s.input.nomination.cycleId} has no deadline for ${stage}`);
  return cfg;
}

/** A stage's deadline: a fixed date or a period from entering the stage, moved only ever later by extensions. */
export function deadlineOf(s: NominationState, stage: DeadlineStage): number {
  const cfg = stageDeadlineConfig(s, stage);
  const base = cfg.at ? Date.parse(cfg.at) : s.stageEnteredAt + parseDuration(cfg.within);
  return Math.max(base, s.cycleOverrides[stage] ?? 0, s.nominationOverrides[stage] ?? 0);
}

/** The deadline of the stage the nomination is in, from the moment it enters it. */
export function currentDeadline(s: NominationState): { stage: DeadlineStage; at: number } | null {
  const stage = isClosed(s) ? undefined : STAGE_DEADLINE[s.stage];
  return stage ? { stage, at: deadlineOf(s, stage) } : null;
}

/** Who must act in a waiting stage, and so receives its reminders. */
export function responsible(s: NominationState, stage: DeadlineStage): { key: string; email: string; name?: string }[] {
  switch (stage) {
    case 'attendance':
    case 'documents':
    case 'revision':
    case 'prescreenCompletion':
    case 'samples':
      return [{ key: 'dinas', email: dinasEmail(s) }];
    case 'prescreen':
      return [{ key: 'provinsi', email: provinsiEmail(s) }];
    case 'assessment':
      return s.assessors
        .filter((id) => !s.sheets.some((sheet) => sheet.assessorId === id))
        .map((id) => {
          const a = s.input.rules.assessment.assessors.find((x) => x.id === id)!;
          return { key: id, email: a.email, name: a.name };
        });
    default:
      return s.input.rules.contacts.coordinators.map((email) => ({ key: email, email }));
  }
}

export class DeadlineClock {
  constructor(
    private readonly s: NominationState,
    private readonly fx: NominationEffects,
  ) {}

  /**
   * Waits until `done()` or the nomination closes, sending each reminder once at its offset before the deadline. When
   * the deadline passes, the dinas provinsi gets an escalation and the stage's policy applies. A moved deadline
   * (extension, grace, a hold's extension) restarts the timers from the new date. `resumedSince`: when the wait
   * began, for a wait that a continued run resumes (nomination-chain.ts).
   */
  async waitStage(stage: DeadlineStage, done: () => boolean, resumedSince?: number): Promise<WaitResult> {
    if (patched(REMINDERS_ON_TIME)) return this.waitStageOnTime(stage, done, resumedSince);
    const s = this.s;
    const cfg = stageDeadlineConfig(s, stage);
    const offsets = cfg.remindBefore.map(parseDuration).sort((a, b) => b - a);
    const round = ROUND_STAGES.includes(stage) ? s.revisionRound : 0;
    let graceUsed = false;
    for (;;) {
      if (done()) return 'done';
      if (isClosed(s)) return 'closed';
      const deadline = deadlineOf(s, stage);
      const now = Date.now();
      if (now < deadline) {
        // Send the reminders that are due (and not sent for this deadline), then sleep until the next one or the deadline.
        for (const offset of offsets) {
          if (deadline - offset <= now) await this.remind(stage, round, offset, deadline);
        }
        if (done() || isClosed(s)) continue;
        const next = Math.min(deadline, ...offsets.map((o) => deadline - o).filter((t) => t > now));
        const version = s.deadlineVersion;
        await condition(() => done() || isClosed(s) || s.deadlineVersion !== version, Math.max(1, next - now));
        continue;
      }
      // The deadline has passed.
      await this.escalate(stage, round, deadline);
      if (cfg.onMissed === 'grace' && !graceUsed && cfg.grace) {
        graceUsed = true;
        const until = deadline + parseDuration(cfg.grace);
        s.nominationOverrides[stage] = until;
        s.deadlineVersion += 1;
        await this.fx.record('deadline.grace', SYSTEM_ACTOR, { deadlineStage: stage, until: iso(until) });
        await this.notifyResponsible(stage, 'grace_granted', `grace#${round}`, until);
        continue;
      }
      if (cfg.onMissed === 'hold') {
        await this.holdForCoordinator(stage, round, deadline, done);
        continue;
      }
      await this.disqualify(stage, deadline);
      return 'closed';
    }
  }

  /**
   * `waitStage` since r4 (docs/award-process.md, "The stages, their deadlines and who acts"): a reminder is sent at its moment before the deadline it
   * was planned for, and skipped when that moment had already passed when the wait for this deadline began (a stage
   * entered late, an extension, a grace period); the grace period has its own notice, no reminders, and no second
   * escalation when it runs out; and the timers count from after the reminders' sends, not from before them.
   */
  private async waitStageOnTime(stage: DeadlineStage, done: () => boolean, resumedSince?: number): Promise<WaitResult> {
    const s = this.s;
    const cfg = stageDeadlineConfig(s, stage);
    const offsets = cfg.remindBefore.map(parseDuration).sort((a, b) => b - a);
    const round = stage === 'revision' || stage === 'review' ? s.revisionRound : 0;
    let graceUntil: number | null = null;
    /** The deadline the reminders are planned for, and when the wait for it began. */
    let plannedFor = NaN;
    let since = 0;
    for (;;) {
      if (done()) return 'done';
      if (isClosed(s)) return 'closed';
      const deadline = deadlineOf(s, stage);
      let now = Date.now();
      if (deadline !== plannedFor) {
        // A wait resumed in the next run of a short-run chain began when the last run entered the stage.
        since = Number.isNaN(plannedFor) && resumedSince !== undefined ? resumedSince : now;
        plannedFor = deadline;
      }
      if (now < deadline) {
        const moments = deadline === graceUntil ? [] : offsets.filter((o) => deadline - o > since);
        for (const offset of moments) {
          if (deadline - offset <= now) await this.remind(stage, round, offset, deadline, this.whatIsNeeded(stage));
        }
        if (done() || isClosed(s)) continue;
        now = Date.now();
        const next = Math.min(deadline, ...moments.map((o) => deadline - o).filter((t) => t > now));
        const version = s.deadlineVersion;
        await condition(() => done() || isClosed(s) || s.deadlineVersion !== version, Math.max(1, next - now));
        continue;
      }
      // The deadline has passed: the dinas provinsi hears of it once, not again when a grace period runs out.
      if (deadline !== graceUntil) await this.escalate(stage, round, deadline);
      if (cfg.onMissed === 'grace' && graceUntil === null && cfg.grace) {
        graceUntil = deadline + parseDuration(cfg.grace);
        s.nominationOverrides[stage] = graceUntil;
        s.deadlineVersion += 1;
        await this.fx.record('deadline.grace', SYSTEM_ACTOR, { deadlineStage: stage, until: iso(graceUntil) });
        await this.notifyResponsible(stage, 'grace_granted', `grace#${round}`, graceUntil, this.whatIsNeeded(stage));
        continue;
      }
      if (cfg.onMissed === 'hold') {
        await this.holdForCoordinator(stage, round, deadline, done);
        continue;
      }
      await this.disqualify(stage, deadline);
      return 'closed';
    }
  }

  /** A missed deadline under the `hold` policy: the coordinators decide; the wait goes on once the hold is lifted. */
  private async holdForCoordinator(stage: DeadlineStage, round: number, deadline: number, done: () => boolean) {
    const s = this.s;
    s.hold = { stage, since: Date.now() };
    await this.fx.record('deadline.hold', SYSTEM_ACTOR, { deadlineStage: stage });
    await this.fx.notify('on_hold', `hold:${stage}#${round}:${deadline}`, s.input.rules.contacts.coordinators, {
      deadlineStage: stage,
      deadline: iso(deadline),
    });
    await condition(() => s.hold === null || isClosed(s) || done());
    s.hold = null;
  }

  /** A missed deadline that ends the nomination; its dinas and the dinas provinsi hear why. */
  private async disqualify(stage: DeadlineStage, deadline: number): Promise<void> {
    const s = this.s;
    s.cause = SYSTEM_ACTOR;
    await this.fx.enter('DISQUALIFIED', 'deadline.disqualified', { deadlineStage: stage, deadline: iso(deadline) });
    await this.fx.notify('disqualified', 'disqualified', [dinasEmail(s)], {
      cc: [provinsiEmail(s)],
      deadlineStage: stage,
      deadline: iso(deadline),
    });
  }

  /** What the dinas must still do, and where: the sessions that cover its province, the documents still missing. */
  private whatIsNeeded(stage: DeadlineStage): NotificationData {
    const s = this.s;
    if (stage === 'attendance') {
      const province = provinceCodeOf(s);
      const sessions = s.input.rules.sessions
        .filter((x) => x.provinces.includes(province))
        .map((x) => ({ id: x.id, date: x.date, venue: x.venue }));
      return { sessions };
    }
    if (stage === 'documents' || stage === 'revision') {
      const checklist = s.input.rules.documents.checklist;
      const missing = missingDocuments(s).map((kind) => checklist.find((d) => d.kind === kind)?.label ?? kind);
      return { missingDocuments: missing };
    }
    return {};
  }

  /** Tells everyone who must act in `stage` of a new deadline (an extension, a grace period). */
  async notifyResponsible(
    stage: DeadlineStage,
    template: TemplateName,
    keyPart: string,
    deadline: number,
    details: NotificationData = {},
  ): Promise<void> {
    for (const who of responsible(this.s, stage)) {
      await this.fx.notify(template, `${keyPart}:${stage}:${who.key}:${deadline}`, [who.email], {
        deadlineStage: stage,
        deadline: iso(deadline),
        ...details,
      });
    }
  }

  private async remind(
    stage: DeadlineStage,
    round: number,
    offset: number,
    deadline: number,
    details: NotificationData = {},
  ): Promise<void> {
    for (const who of responsible(this.s, stage)) {
      const key = `reminder:${stage}#${round}:${who.key}:${offset}:${deadline}`;
      if (this.s.reminders.has(key)) continue;
      this.s.reminders.add(key);
      await this.fx.record('reminder.sent', SYSTEM_ACTOR, {
        deadlineStage: stage,
        to: who.email,
        offsetMs: offset,
        deadline: iso(deadline),
      });
      await this.fx.notify('reminder', key, [who.email], {
        deadlineStage: stage,
        deadline: iso(deadline),
        recipientName: who.name,
        ...details,
      });
    }
  }

  private async escalate(stage: DeadlineStage, round: number, deadline: number): Promise<void> {
    const key = `escalation:${stage}#${round}:${deadline}`;
    if (this.s.escalations.has(key)) return;
    this.s.escalations.add(key);
    const provinsi = provinsiEmail(this.s);
    const coordinators = this.s.input.rules.contacts.coordinators;
    const policy = stageDeadlineConfig(this.s, stage).onMissed;
    // A missed pre-screen is the dinas provinsi's own: it goes up to the coordinators, the dinas provinsi in copy.
    const [to, cc] = stage === 'prescreen' ? [coordinators, [provinsi]] : [[provinsi], coordinators];
    await this.fx.record('escalation.sent', SYSTEM_ACTOR, {
      deadlineStage: stage,
      to: stage === 'prescreen' ? to.join(', ') : provinsi,
      policy,
      deadline: iso(deadline),
    });
    await this.fx.notify('escalation', key, to, { cc, deadlineStage: stage, deadline: iso(deadline) });
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();
