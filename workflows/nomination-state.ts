/**
 * The state of one nomination and the rules of every actor action on it. Validators are synchronous and refuse with a
 * message that tells the actor what is wrong; a refused update leaves no event in the history.
 */
import { condition, getExternalWorkflowHandle, log, patched, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { NominationProjection, NotificationData, TemplateName } from '../activities/contracts';
import { requiredDocumentKinds } from '../domain/documents';
import { parseDuration } from '../domain/duration';
import { aggregateScores, recommendStars, requiresFieldVerification, validateScoreSheet, type AssessorScoreSheet } from '../domain/scoring';
import {
  type Actor,
  type DeadlineStage,
  DEADLINE_STAGES,
  isTerminal,
  type Stage,
  SYSTEM_ACTOR,
} from '../domain/types';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { cycleWorkflowId, provinceOf } from './ids';
import { checkActor, checkText, parseInstant, refuse } from './validation';
import { shown } from '../domain/text';
import type { CycleRules, NominationOutcome, NominationWorkflowInput } from './inputs';
import {
  type AttendInput,
  type DetermineInput,
  type DocumentRecord,
  type ExtendDeadlineInput,
  type FieldVerificationInput,
  type NominationAnswer,
  type NominationView,
  type ResolveHoldInput,
  type ReviewInput,
  type ScoreInput,
  type SubmitDocumentInput,
  type TimelineEntry,
  type WithdrawInput,
  PATCH_COUNTS_FROM_PROJECTION,
  stageChangedSignal,
} from './messages';
import { StageKey, StarsKey } from './search-attributes';

type Activities = ReturnType<typeof createActivities>;

// Postgres writes: a short timeout, and retries without limit, because losing a projection row or an event breaks the
// audit trail; a database outage only delays the workflow.
const db = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// Mail: SMTP servers go down for minutes; keep retrying, but never for a message that cannot be built or addressed.
const mail = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', nonRetryableErrorTypes: ['InvalidRecipient', 'TemplateError'] },
});

type WaitResult = 'done' | 'closed';

/** Patch ids of rule changes shipped while nominations were running; never reuse or remove one while such histories
 * may still be replayed. */
export const PATCH_DINAS_TOLD_OF_ASSESSMENT = 'dinas-told-of-assessment';
/** Mails of one moment go out together, in one round of activities, instead of one after another (each waited-for
 * activity costs a workflow task, and without a cache every task rebuilds the nomination). A stage's row is still
 * written before the mails that tell of it. */
export const PATCH_NOTICES_TOGETHER = 'notices-together';
/** The aggregate's row, written after the last score sheet, goes with the row of the stage that follows (field
 * verification or the recommendation) in one round instead of two. Safe for the projection, whose upsert only moves
 * forward by sequence number. */
export const PATCH_AGGREGATE_WITH_STAGE = 'aggregate-with-stage';

/** The deadline each waiting stage runs against (the projection shows it from the moment the stage is entered). */
const STAGE_DEADLINE: Partial<Record<Stage, DeadlineStage>> = {
  AWAITING_SOCIALIZATION: 'attendance',
  AWAITING_DOCUMENTS: 'documents',
  REVISION_REQUESTED: 'revision',
  UNDER_REVIEW: 'review',
  IN_ASSESSMENT: 'assessment',
  FIELD_VERIFICATION: 'fieldVerification',
  STAR_RECOMMENDED: 'determination',
};

export class Nomination {
  private readonly rules: CycleRules;
  private stage: Stage = 'IDENTIFIED';
  private stageEnteredAt = Date.now();
  private seq = 0;
  private readonly timeline: TimelineEntry[] = [];
  private attendedSession: string | null = null;
  private readonly documents: DocumentRecord[] = [];
  private revisionRound = 0;
  /** Document kinds the reviewer asked to be submitted again in the current revision round. */
  private resubmit: string[] = [];
  private reviewDecision: ReviewInput | null = null;
  private readonly reviewNotes: string[] = [];
  private assessors: string[] = [];
  private readonly sheets: AssessorScoreSheet[] = [];
  private provisional: number | null = null;
  private aspectScores: Record<string, number> | null = null;
  private fieldVerified: boolean | null = null;
  private recommended: number | null = null;
  private cappedBy: { fromStars: number; reason: string }[] = [];
  private determination: DetermineInput | null = null;
  private stars: number | null = null;
  private readonly nominationOverrides: Partial<Record<DeadlineStage, number>> = {};
  private readonly cycleOverrides: Partial<Record<DeadlineStage, number>> = {};
  /** Bumped whenever a deadline moves, so a waiting stage recomputes its timers. */
  private deadlineVersion = 0;
  private hold: { stage: DeadlineStage; since: number } | null = null;
  private readonly reminders = new Set<string>();
  private readonly escalations = new Set<string>();
  /** Whether this run sends the mails of the assessment's start together (PATCH_NOTICES_TOGETHER, decided at approval). */
  private noticesTogether = false;
  /** A row being written that the next stage change waits for together with its own (PATCH_AGGREGATE_WITH_STAGE). */
  private rowInFlight: Promise<unknown> | null = null;
  /** The actor whose action caused the next stage change (stage changes are recorded under that actor). */
  private cause: Actor = SYSTEM_ACTOR;

  constructor(
    private readonly input: NominationWorkflowInput,
    private readonly workflowId: string,
  ) {
    this.rules = input.rules;
    for (const [stage, until] of Object.entries(input.cycleDeadlineOverrides ?? {})) {
      this.cycleOverrides[stage as DeadlineStage] = Date.parse(until as string);
    }
  }

  private get n() {
    return this.input.nomination;
  }
  private get provinceCode(): string {
    return provinceOf(this.n.regencyCode);
  }
  private get closed(): boolean {
    return isTerminal(this.stage);
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────────────────────────────────────────────

  async run(): Promise<void> {
    this.cause = this.n.nominatedBy;
    await this.enter('IDENTIFIED', 'nomination.identified', { sentraSize: this.n.sentraSize, previousStars: this.n.previousStars ?? null });
    // Re-evaluations of IKM starred in an earlier cycle skip socialization: their dinas has been through it.
    const firstWait: Stage = this.n.previousStars ? 'AWAITING_DOCUMENTS' : 'AWAITING_SOCIALIZATION';
    const intakeMail = () => this.notify('intake_accepted', 'intake', [this.dinasEmail()], { cc: [this.provinsiEmail()] });
    if (patched(PATCH_NOTICES_TOGETHER)) {
      await Promise.all([intakeMail(), this.enter(firstWait, 'stage.changed')]);
    } else {
      await intakeMail();
      await this.enter(firstWait, 'stage.changed');
    }

    if (firstWait === 'AWAITING_SOCIALIZATION') {
      if ((await this.waitStage('attendance', () => this.attendedSession !== null)) === 'closed') return;
      await this.enter('AWAITING_DOCUMENTS', 'stage.changed');
    }
    if ((await this.waitStage('documents', () => this.missingDocuments().length === 0)) === 'closed') return;
    if (!(await this.administrativeReview())) return;
    if (!(await this.assessment())) return;

    if (requiresFieldVerification(this.provisional!, this.rules.assessment.fieldVerificationThreshold)) {
      await this.enter('FIELD_VERIFICATION', 'stage.changed', { provisionalScore: this.provisional });
      await this.notify('field_verification', 'field', this.rules.contacts.coordinators, { score: this.provisional! });
      if ((await this.waitStage('fieldVerification', () => this.fieldVerified !== null)) === 'closed') return;
    }
    const recommendation = recommendStars(
      { score: this.provisional!, aspects: this.aspectScores!, submittedDocuments: this.documents.map((d) => d.kind), fieldVerified: this.fieldVerified },
      this.rules.stars,
    );
    this.recommended = recommendation.stars;
    this.cappedBy = recommendation.cappedBy;
    await this.enter('STAR_RECOMMENDED', 'stage.changed', { recommendedStars: this.recommended, byThreshold: recommendation.byThreshold, cappedBy: this.cappedBy });
    await this.notify('star_recommended', 'recommended', this.rules.contacts.coordinators, { stars: this.recommended, score: this.provisional! });
    if ((await this.waitStage('determination', () => this.determination !== null)) === 'closed') return;

    this.stars = this.determination!.stars ?? this.recommended;
    this.cause = this.determination!.actor;
    await this.enter(this.stars > 0 ? 'DETERMINED' : 'NOT_CLASSIFIED', 'stars.determined', {
      stars: this.stars,
      recommendedStars: this.recommended,
      reason: this.determination!.reason ?? null,
    });
    await this.notify('announcement', 'announcement', [this.dinasEmail()], { cc: [this.provinsiEmail()], stars: this.stars, score: this.provisional! });
  }

  /** Review rounds until the documents pass or the nomination is rejected. Returns false when it ended here. */
  private async administrativeReview(): Promise<boolean> {
    for (;;) {
      this.reviewDecision = null;
      await this.enter('UNDER_REVIEW', 'stage.changed', { round: this.revisionRound });
      if ((await this.waitStage('review', () => this.reviewDecision !== null)) === 'closed') return false;
      const decision = this.reviewDecision!;
      this.cause = decision.actor;
      if (decision.decision === 'approve') {
        // Decided here, once: with the notices together, the dinas hears it passed in the round that tells the assessors.
        this.noticesTogether = patched(PATCH_NOTICES_TOGETHER);
        if (!this.noticesTogether) await this.notify('admin_passed', `review#${this.revisionRound}`, [this.dinasEmail()]);
        return true;
      }
      const exhausted = decision.decision === 'request_changes' && this.revisionRound >= this.rules.documents.revisionRounds;
      if (decision.decision === 'reject' || exhausted) {
        const reason = exhausted ? `revision rounds exhausted (${this.rules.documents.revisionRounds}): ${decision.reason}` : decision.reason;
        await this.enter('ADMIN_REJECTED', 'review.rejected', { reason });
        await this.notify('admin_rejected', 'admin_rejected', [this.dinasEmail()], { cc: [this.provinsiEmail()], reason });
        return false;
      }
      this.revisionRound += 1;
      await this.enter('REVISION_REQUESTED', 'review.changes_requested', { reason: decision.reason, resubmit: this.resubmit, round: this.revisionRound });
      await this.notify('revision_requested', `revision#${this.revisionRound}`, [this.dinasEmail()], { reason: decision.reason });
      if ((await this.waitStage('revision', () => this.missingDocuments().length === 0)) === 'closed') return false;
    }
  }

  /** Assigns assessors, waits for every score sheet, and aggregates. Returns false when the nomination ended here. */
  private async assessment(): Promise<boolean> {
    const together = this.noticesTogether;
    this.assessors = this.pickAssessors();
    this.cause = SYSTEM_ACTOR;
    const entering = () => this.enter('IN_ASSESSMENT', 'stage.changed', { assessors: this.assessors });
    // The approval's mail (its row is the review's, written by the update) goes out with the stage change. Without the
    // patch the awaits stay exactly as they were (see enter()).
    if (together) await Promise.all([this.notify('admin_passed', `review#${this.revisionRound}`, [this.dinasEmail()]), entering()]);
    else await entering();
    const assessorMails = this.assessors.map((id) => {
      const assessor = this.rules.assessment.assessors.find((a) => a.id === id)!;
      return () => this.notify('assessment_assigned', `assigned:${id}`, [assessor.email], { recipientName: assessor.name });
    });
    // Rule added after v1 histories were recorded: the dinas learns when its IKM's assessment starts. Nominations that
    // passed this point before the rule shipped replay without it (test/fixtures/histories/*-v1-*.json).
    const startedMail = () => this.notify('assessment_started', 'assessment_started', [this.dinasEmail()], { deadlineStage: 'assessment', deadline: new Date(this.deadlineOf('assessment')).toISOString() });
    if (together) {
      const sent = assessorMails.map((send) => send());
      if (patched(PATCH_DINAS_TOLD_OF_ASSESSMENT)) sent.push(startedMail());
      await Promise.all(sent);
    } else {
      for (const send of assessorMails) await send();
      if (patched(PATCH_DINAS_TOLD_OF_ASSESSMENT)) await startedMail();
    }
    if ((await this.waitStage('assessment', () => this.sheets.length === this.assessors.length)) === 'closed') return false;
    const stats = this.rules.assessment.normalization ? await db.assessorStats({ cycleId: this.n.cycleId }) : undefined;
    const result = aggregateScores(this.sheets, this.rules.assessment, { normalization: this.rules.assessment.normalization, stats });
    this.provisional = result.provisional;
    this.aspectScores = result.aspects;
    const row = this.record('assessment.aggregated', SYSTEM_ACTOR, { provisionalScore: result.provisional, aspects: result.aspects, perAssessor: result.perAssessor, normalized: !!stats });
    // run() enters the next stage at once; with the patch its row and this one are written in one round.
    if (patched(PATCH_AGGREGATE_WITH_STAGE)) this.rowInFlight = row;
    else await row;
    return true;
  }

  /**
   * Picks `assessorsPerNomination` assessors from other provinces, spread deterministically by a hash of the workflow id
   * so that replays pick the same people and the load spreads across the pool.
   */
  private pickAssessors(): string[] {
    const eligible = this.rules.assessment.assessors.filter((a) => a.province !== this.provinceCode);
    const rank = (id: string) => fnv1a(`${this.workflowId}|${id}`);
    return eligible
      .map((a) => a.id)
      .sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : 1))
      .slice(0, this.rules.assessment.assessorsPerNomination);
  }

  // ── deadlines, reminders, escalation ───────────────────────────────────────────────────────────────────────────────

  private deadlineOf(stage: DeadlineStage): number {
    const cfg = this.rules.deadlines[stage];
    const base = cfg.at ? Date.parse(cfg.at) : this.stageEnteredAt + parseDuration(cfg.within);
    return Math.max(base, this.cycleOverrides[stage] ?? 0, this.nominationOverrides[stage] ?? 0);
  }

  /** The deadline of the stage the nomination is in, from the moment it enters it (state query and projection). */
  private currentDeadline(): { stage: DeadlineStage; at: number } | null {
    const stage = this.closed ? undefined : STAGE_DEADLINE[this.stage];
    return stage ? { stage, at: this.deadlineOf(stage) } : null;
  }

  /** Who must act in a waiting stage, and so receives its reminders. */
  private responsible(stage: DeadlineStage): { key: string; email: string; name?: string }[] {
    switch (stage) {
      case 'attendance':
      case 'documents':
      case 'revision':
        return [{ key: 'dinas', email: this.dinasEmail() }];
      case 'assessment':
        return this.assessors
          .filter((id) => !this.sheets.some((s) => s.assessorId === id))
          .map((id) => {
            const a = this.rules.assessment.assessors.find((x) => x.id === id)!;
            return { key: id, email: a.email, name: a.name };
          });
      default:
        return this.rules.contacts.coordinators.map((email) => ({ key: email, email }));
    }
  }

  /**
   * Waits until `done()` or the nomination closes, sending each reminder once at its offset before the deadline. When the
   * deadline passes, the dinas provinsi gets an escalation and the stage's policy applies. A moved deadline (extension,
   * grace) restarts the timers from the new date.
   */
  private async waitStage(stage: DeadlineStage, done: () => boolean): Promise<WaitResult> {
    const cfg = this.rules.deadlines[stage];
    const offsets = cfg.remindBefore.map(parseDuration).sort((a, b) => b - a);
    const round = stage === 'revision' || stage === 'review' ? this.revisionRound : 0;
    let graceUsed = false;
    for (;;) {
      if (done()) return 'done';
      if (this.closed) return 'closed';
      const deadline = this.deadlineOf(stage);
      const now = Date.now();
      if (now < deadline) {
        // Send the reminders that are due (and not sent for this deadline), then sleep until the next one or the deadline.
        for (const offset of offsets) {
          if (deadline - offset <= now) await this.remind(stage, round, offset, deadline);
        }
        if (done() || this.closed) continue;
        const next = Math.min(deadline, ...offsets.map((o) => deadline - o).filter((t) => t > now));
        const version = this.deadlineVersion;
        await condition(() => done() || this.closed || this.deadlineVersion !== version, Math.max(1, next - now));
        continue;
      }
      // The deadline has passed.
      await this.escalate(stage, round, deadline);
      if (cfg.onMissed === 'grace' && !graceUsed && cfg.grace) {
        graceUsed = true;
        this.nominationOverrides[stage] = deadline + parseDuration(cfg.grace);
        this.deadlineVersion += 1;
        await this.record('deadline.grace', SYSTEM_ACTOR, { deadlineStage: stage, until: new Date(this.nominationOverrides[stage]!).toISOString() });
        await this.notifyResponsible(stage, 'grace_granted', `grace#${round}`, this.nominationOverrides[stage]!);
        continue;
      }
      if (cfg.onMissed === 'hold') {
        this.hold = { stage, since: Date.now() };
        await this.record('deadline.hold', SYSTEM_ACTOR, { deadlineStage: stage });
        await this.notify('on_hold', `hold:${stage}#${round}:${deadline}`, this.rules.contacts.coordinators, { deadlineStage: stage, deadline: new Date(deadline).toISOString() });
        await condition(() => this.hold === null || this.closed || done());
        this.hold = null;
        continue;
      }
      this.cause = SYSTEM_ACTOR;
      await this.enter('DISQUALIFIED', 'deadline.disqualified', { deadlineStage: stage, deadline: new Date(deadline).toISOString() });
      await this.notify('disqualified', 'disqualified', [this.dinasEmail()], { cc: [this.provinsiEmail()], deadlineStage: stage, deadline: new Date(deadline).toISOString() });
      return 'closed';
    }
  }

  private async remind(stage: DeadlineStage, round: number, offset: number, deadline: number): Promise<void> {
    for (const who of this.responsible(stage)) {
      const key = `reminder:${stage}#${round}:${who.key}:${offset}:${deadline}`;
      if (this.reminders.has(key)) continue;
      this.reminders.add(key);
      await this.record('reminder.sent', SYSTEM_ACTOR, { deadlineStage: stage, to: who.email, offsetMs: offset, deadline: new Date(deadline).toISOString() });
      await this.notify('reminder', key, [who.email], { deadlineStage: stage, deadline: new Date(deadline).toISOString(), recipientName: who.name });
    }
  }

  private async escalate(stage: DeadlineStage, round: number, deadline: number): Promise<void> {
    const key = `escalation:${stage}#${round}:${deadline}`;
    if (this.escalations.has(key)) return;
    this.escalations.add(key);
    const to = this.provinsiEmail();
    await this.record('escalation.sent', SYSTEM_ACTOR, { deadlineStage: stage, to, policy: this.rules.deadlines[stage].onMissed, deadline: new Date(deadline).toISOString() });
    await this.notify('escalation', key, [to], { cc: this.rules.contacts.coordinators, deadlineStage: stage, deadline: new Date(deadline).toISOString() });
  }

  private async notifyResponsible(stage: DeadlineStage, template: TemplateName, keyPart: string, deadline: number): Promise<void> {
    for (const who of this.responsible(stage)) {
      await this.notify(template, `${keyPart}:${stage}:${who.key}:${deadline}`, [who.email], { deadlineStage: stage, deadline: new Date(deadline).toISOString() });
    }
  }

  // ── effects ────────────────────────────────────────────────────────────────────────────────────────────────────────

  /** Moves to a stage (unless the nomination already closed), updates search attributes, records it (and tells a cycle
   * that still counts stage reports). */
  private async enter(stage: Stage, type: string, detail: Record<string, unknown> = {}): Promise<void> {
    const earlier = this.rowInFlight;
    this.rowInFlight = null;
    // A nomination closed meanwhile (a withdrawal) still waits for a row in flight: the workflow must not end before it.
    // Without one, nothing more is awaited than before: an extra await moves this coroutine's later commands against an
    // update handler's in the same activation, and recorded histories would no longer replay.
    if (this.closed) {
      if (earlier) await earlier;
      return;
    }
    const from = this.seq === 0 ? null : this.stage;
    this.stage = stage;
    this.stageEnteredAt = Date.now();
    const attrs: SearchAttributeUpdatePair[] = [{ key: StageKey, value: stage }];
    if (stage === 'DETERMINED' || stage === 'NOT_CLASSIFIED') attrs.push({ key: StarsKey, value: this.stars ?? 0 });
    upsertSearchAttributes(attrs);
    const actor = this.cause;
    this.cause = SYSTEM_ACTOR;
    const written = this.record(type, actor, { from, to: stage, ...detail });
    const seq = await (earlier ? Promise.all([written, earlier]).then(([n]) => n) : written);
    // Nominations from before the patch tell the cycle, after the row is written so the cycle's final report (read
    // from Postgres) never lags its counts; a nomination never waits on the cycle, and a finished or missing cycle is
    // not an error here. Newer ones leave the counting to the projection the row above just updated.
    if (patched(PATCH_COUNTS_FROM_PROJECTION)) return;
    getExternalWorkflowHandle(this.input.cycleWorkflowId ?? cycleWorkflowId(this.n.cycleId))
      .signal(stageChangedSignal, { workflowId: this.workflowId, from, to: stage, seq })
      .catch(() => log.debug('cycle workflow not reachable for stage count', { stage }));
  }

  private async record(
    type: string,
    actor: Actor,
    payload: Record<string, unknown>,
    extra: { document?: DocumentRecord; assessment?: { assessorId: string; scores: Record<string, number>; total: number } } = {},
  ): Promise<number> {
    const seq = ++this.seq;
    const at = new Date().toISOString();
    this.timeline.push({ seq, type, stage: this.stage, actor, at, detail: payload });
    await db.recordNominationEvent({
      workflowId: this.workflowId,
      seq,
      type,
      stage: this.stage,
      actor,
      at,
      payload,
      projection: this.projection(),
      document: extra.document,
      assessment: extra.assessment,
    });
    return seq;
  }

  private async notify(
    template: TemplateName,
    keyPart: string,
    to: string[],
    data: NotificationData & { cc?: string[] } = {},
  ): Promise<void> {
    const { cc, ...rest } = data;
    await mail.sendNotification({
      key: `${this.workflowId}|${template}|${keyPart}`,
      workflowId: this.workflowId,
      to,
      cc,
      template,
      data: {
        ikmName: this.n.ikmName,
        sentraName: this.n.sentraName,
        regencyName: this.input.regencyName,
        provinceName: this.input.provinceName,
        commodity: this.n.commodity,
        stage: this.stage,
        timezone: this.rules.timezone,
        cycleName: this.rules.name,
        workflowId: this.workflowId,
        ...rest,
      },
    });
  }

  private dinasEmail(): string {
    return this.n.dinasEmail ?? this.rules.contacts.dinasKabKota.replace('{regency}', this.n.regencyCode);
  }
  private provinsiEmail(): string {
    return this.rules.contacts.dinasProvinsi.replace('{province}', this.provinceCode);
  }

  private requiredDocuments(): string[] {
    return requiredDocumentKinds(this.rules.documents.checklist, this.n.commodity);
  }

  /** Kinds still missing in the current round: the whole checklist at first, the reviewer's list in a revision. */
  private missingDocuments(): string[] {
    const needed = this.revisionRound === 0 ? this.requiredDocuments() : this.resubmit;
    return needed.filter((kind) => !this.documents.some((d) => d.kind === kind && d.round === this.revisionRound));
  }

  private projection(): NominationProjection {
    return {
      cycleId: this.n.cycleId,
      regencyCode: this.n.regencyCode,
      provinceCode: this.provinceCode,
      ikmName: this.n.ikmName,
      sentraName: this.n.sentraName,
      commodity: this.n.commodity,
      product: this.n.product,
      stage: this.stage,
      previousStars: this.n.previousStars?.stars ?? null,
      provisionalScore: this.provisional,
      recommendedStars: this.recommended,
      stars: this.stars,
      scores: this.aspectScores ? { aspects: this.aspectScores, assessors: this.sheets.map((s) => s.assessorId) } : null,
      deadlineAt: (() => {
        const d = this.currentDeadline();
        return d ? new Date(d.at).toISOString() : null;
      })(),
    };
  }

  // ── actor actions: validators (synchronous, refuse with a message) and handlers ────────────────────────────────────

  private requireStage(...stages: Stage[]): void {
    if (!stages.includes(this.stage)) {
      refuse(`nomination ${this.workflowId} is ${this.stage}; this action needs ${stages.join(' or ')}`);
    }
    if (this.hold) refuse(`nomination ${this.workflowId} is on hold after the ${this.hold.stage} deadline; a coordinator must decide first`);
  }

  /** The dinas kabupaten/kota of this nomination's own regency (or a coordinator acting for it). */
  private requireOwnDinas(actor: Actor): void {
    if (actor.role === 'coordinator') return;
    if (actor.role !== 'dinas_kabkota') refuse(`role ${actor.role} may not do this; it is the dinas kabupaten/kota's action`);
    if (actor.region !== this.n.regencyCode) {
      refuse(
        provinceOf(actor.region) !== this.provinceCode
          ? `dinas ${actor.region} is in another province; this nomination belongs to ${this.n.regencyCode}`
          : `dinas ${actor.region} may not act for ${this.n.regencyCode}; only its own dinas kabupaten/kota may`,
      );
    }
  }

  private requireCoordinator(actor: Actor): void {
    if (actor.role !== 'coordinator') refuse(`role ${actor.role} may not do this; only a coordinator may`);
  }

  validateAttend(u: AttendInput): void {
    checkActor(u?.actor);
    this.requireStage('AWAITING_SOCIALIZATION');
    this.requireOwnDinas(u.actor);
    const session = this.rules.sessions.find((s) => s.id === u.sessionId);
    if (!session) refuse(`unknown socialization session ${shown(u.sessionId)}; sessions: ${this.rules.sessions.map((s) => s.id).join(', ')}`);
    if (!session.provinces.includes(this.provinceCode) && !session.acceptsMakeUp) {
      refuse(`session ${session.id} does not cover province ${this.provinceCode} and does not accept make-up attendance`);
    }
  }
  async attend(u: AttendInput): Promise<NominationAnswer> {
    this.attendedSession = u.sessionId;
    const own = this.rules.sessions.find((s) => s.id === u.sessionId)!.provinces.includes(this.provinceCode);
    this.cause = u.actor;
    await this.record('socialization.attended', u.actor, { sessionId: u.sessionId, makeUp: !own });
    return this.answer();
  }

  validateSubmitDocument(u: SubmitDocumentInput): void {
    checkActor(u?.actor);
    this.requireStage('AWAITING_DOCUMENTS', 'REVISION_REQUESTED');
    this.requireOwnDinas(u.actor);
    const required = this.requiredDocuments();
    if (!this.rules.documents.checklist.some((d) => d.kind === u.kind)) {
      refuse(`unknown document kind ${shown(u.kind)}; the checklist has ${this.rules.documents.checklist.map((d) => d.kind).join(', ')}`);
    }
    if (!required.includes(u.kind)) refuse(`document kind ${u.kind} is not required for commodity ${this.n.commodity}`);
    if (this.stage === 'REVISION_REQUESTED' && !this.resubmit.includes(u.kind)) {
      refuse(`the reviewer asked for ${this.resubmit.join(', ')} in this revision round, not ${u.kind}`);
    }
    if (this.documents.some((d) => d.kind === u.kind && d.round === this.revisionRound)) {
      refuse(`document ${u.kind} was already submitted in round ${this.revisionRound}`);
    }
    checkText(u.fileName, 'file name', { max: 255 });
    if (typeof u.checksum !== 'string' || !/^[0-9a-f]{64}$/.test(u.checksum)) refuse('checksum must be the file\'s SHA-256 in lower-case hex (64 characters)');
    // The documents table stores the size as a 32-bit integer; files are scanned PDFs, far below 2 GiB.
    if (!Number.isInteger(u.sizeBytes) || u.sizeBytes <= 0 || u.sizeBytes > 2_147_483_647) refuse('size must be a whole number of bytes from 1 to 2147483647');
  }
  async submitDocument(u: SubmitDocumentInput): Promise<NominationAnswer> {
    const doc: DocumentRecord = { kind: u.kind, fileName: u.fileName, checksum: u.checksum, sizeBytes: u.sizeBytes, round: this.revisionRound, submittedAt: new Date().toISOString() };
    this.documents.push(doc);
    this.cause = u.actor;
    await this.record('document.submitted', u.actor, { kind: u.kind, fileName: u.fileName, checksum: u.checksum, round: doc.round }, { document: doc });
    return this.answer();
  }

  validateReview(u: ReviewInput): void {
    checkActor(u?.actor);
    this.requireStage('UNDER_REVIEW');
    this.requireCoordinator(u.actor);
    if (!['approve', 'request_changes', 'reject'].includes(u.decision)) refuse('decision must be approve, request_changes or reject');
    if (this.reviewDecision) refuse('this review round already has a decision');
    if (u.decision !== 'approve' && (typeof u.reason !== 'string' || u.reason.trim() === '')) refuse(`a reason is required to ${u.decision.replace('_', ' ')}`);
    checkText(u.reason, 'reason', { max: 2000, required: false });
  }
  async review(u: ReviewInput): Promise<NominationAnswer> {
    this.reviewDecision = u;
    this.resubmit = this.requiredDocuments();
    this.reviewNotes.push(`${u.decision}${u.reason ? `: ${u.reason}` : ''}`);
    await this.record(`review.${u.decision}`, u.actor, { decision: u.decision, reason: u.reason ?? null, round: this.revisionRound });
    return this.answer();
  }

  validateScores(u: ScoreInput): void {
    checkActor(u?.actor);
    this.requireStage('IN_ASSESSMENT');
    if (u.actor.role !== 'assessor') refuse(`role ${u.actor.role} may not score; only an assessor may`);
    const profile = this.rules.assessment.assessors.find((a) => a.id === u.actor.id);
    const home = profile?.province ?? provinceOf(u.actor.region);
    if (home === this.provinceCode) refuse(`conflict of interest: assessor ${u.actor.id} is from province ${home}, the nomination's own`);
    if (!this.assessors.includes(u.actor.id)) refuse(`assessor ${u.actor.id} is not assigned to this nomination`);
    if (this.sheets.some((s) => s.assessorId === u.actor.id)) refuse(`assessor ${u.actor.id} has already submitted scores`);
    const problem = validateScoreSheet(u.scores, this.rules.assessment);
    if (problem) refuse(`invalid scores: ${problem}`);
  }
  async submitScores(u: ScoreInput): Promise<NominationAnswer> {
    const sheet = { assessorId: u.actor.id, scores: u.scores };
    this.sheets.push(sheet);
    const total = aggregateScores([sheet], this.rules.assessment, { normalization: false }).provisional;
    this.cause = u.actor;
    await this.record('assessment.scored', u.actor, { total }, { assessment: { assessorId: u.actor.id, scores: u.scores, total } });
    return this.answer();
  }

  validateVerifyField(u: FieldVerificationInput): void {
    checkActor(u?.actor);
    this.requireStage('FIELD_VERIFICATION');
    this.requireCoordinator(u.actor);
    if (typeof u.passed !== 'boolean') refuse('passed must be true or false');
    checkText(u.notes, 'notes', { max: 2000, required: false });
    if (this.fieldVerified !== null) refuse('the field verification is already recorded');
  }
  async verifyField(u: FieldVerificationInput): Promise<NominationAnswer> {
    this.fieldVerified = u.passed;
    await this.record('field.verified', u.actor, { passed: u.passed, notes: u.notes ?? null });
    return this.answer();
  }

  validateDetermine(u: DetermineInput): void {
    checkActor(u?.actor);
    this.requireStage('STAR_RECOMMENDED');
    this.requireCoordinator(u.actor);
    if (this.determination) refuse('the stars are already determined');
    if (u.stars !== undefined && (!Number.isInteger(u.stars) || u.stars < 0 || u.stars > 5)) refuse('stars must be a whole number from 0 to 5');
    checkText(u.reason, 'reason', { max: 2000, required: false });
    if (u.stars !== undefined && u.stars !== this.recommended && (typeof u.reason !== 'string' || u.reason.trim() === '')) {
      refuse(`a reason is required to determine ${u.stars} stars against the recommended ${this.recommended}`);
    }
  }
  async determine(u: DetermineInput): Promise<NominationAnswer> {
    this.determination = u;
    await this.record('stars.decided', u.actor, { stars: u.stars ?? this.recommended, reason: u.reason ?? null });
    await condition(() => this.closed);
    return this.answer();
  }

  validateWithdraw(u: WithdrawInput): void {
    checkActor(u?.actor);
    if (this.closed) refuse(`nomination ${this.workflowId} is already ${this.stage}`);
    if (this.determination) refuse('the stars are being determined; it can no longer be withdrawn');
    this.requireOwnDinas(u.actor);
    if (typeof u.reason !== 'string' || u.reason.trim() === '') refuse('a reason is required to withdraw');
    checkText(u.reason, 'reason', { max: 2000 });
  }
  async withdraw(u: WithdrawInput): Promise<NominationAnswer> {
    this.cause = u.actor;
    await this.enter('WITHDRAWN', 'nomination.withdrawn', { reason: u.reason });
    await this.notify('withdrawn', 'withdrawn', [this.dinasEmail()], { cc: [this.provinsiEmail()], reason: u.reason });
    return this.answer();
  }

  validateExtendDeadline(u: ExtendDeadlineInput): void {
    checkActor(u?.actor);
    this.requireCoordinator(u.actor);
    if (this.closed) refuse(`nomination ${this.workflowId} is already ${this.stage}`);
    if (!DEADLINE_STAGES.includes(u.stage)) refuse(`stage must be one of ${DEADLINE_STAGES.join(', ')}`);
    const until = parseInstant(u.until, 'until');
    if (until <= Date.now()) refuse('the new deadline must be in the future');
    const current = this.currentDeadline();
    if (current?.stage === u.stage && until <= current.at) {
      refuse(`the new deadline must be later than the current one (${new Date(current.at).toISOString()})`);
    }
  }
  async extendDeadline(u: ExtendDeadlineInput): Promise<NominationAnswer> {
    this.nominationOverrides[u.stage] = Date.parse(u.until);
    if (this.hold?.stage === u.stage) this.hold = null;
    this.deadlineVersion += 1;
    await this.record('deadline.extended', u.actor, { deadlineStage: u.stage, until: u.until, scope: 'nomination' });
    if (this.currentDeadline()?.stage === u.stage) await this.notifyResponsible(u.stage, 'deadline_extended', 'extended', Date.parse(u.until));
    return this.answer();
  }

  /** Cycle-wide extensions arrive by signal from the cycle, which has already validated them. */
  async applyCycleDeadline(s: { stage: DeadlineStage; until: string; actor: Actor }): Promise<void> {
    const until = Date.parse(s.until);
    if (this.closed || Number.isNaN(until) || (this.cycleOverrides[s.stage] ?? 0) >= until) return;
    this.cycleOverrides[s.stage] = until;
    if (this.hold?.stage === s.stage) this.hold = null;
    this.deadlineVersion += 1;
    await this.record('deadline.extended', s.actor, { deadlineStage: s.stage, until: s.until, scope: 'cycle' });
    if (this.currentDeadline()?.stage === s.stage) await this.notifyResponsible(s.stage, 'deadline_extended', 'extended', this.deadlineOf(s.stage));
  }

  validateResolveHold(u: ResolveHoldInput): void {
    checkActor(u?.actor);
    this.requireCoordinator(u.actor);
    if (!this.hold) refuse('this nomination is not on hold');
    if (u.decision === 'extend') {
      if (parseInstant(u.until, 'until') <= Date.now()) refuse('the new deadline must be in the future');
    } else if (u.decision !== 'disqualify') refuse('decision must be extend or disqualify');
    checkText(u.reason, 'reason', { max: 2000, required: false });
  }
  async resolveHold(u: ResolveHoldInput): Promise<NominationAnswer> {
    const stage = this.hold!.stage;
    if (u.decision === 'extend') {
      this.nominationOverrides[stage] = Date.parse(u.until!);
      this.deadlineVersion += 1;
      this.hold = null;
      await this.record('hold.extended', u.actor, { deadlineStage: stage, until: u.until, reason: u.reason ?? null });
      await this.notifyResponsible(stage, 'deadline_extended', 'extended', Date.parse(u.until!));
    } else {
      this.hold = null;
      this.cause = u.actor;
      await this.enter('DISQUALIFIED', 'hold.disqualified', { deadlineStage: stage, reason: u.reason ?? null });
      await this.notify('disqualified', 'disqualified', [this.dinasEmail()], { cc: [this.provinsiEmail()], deadlineStage: stage, reason: u.reason });
    }
    return this.answer();
  }

  // ── read side ──────────────────────────────────────────────────────────────────────────────────────────────────────

  view(): NominationView {
    return { ...this.answer(), history: [...this.timeline] };
  }

  answer(): NominationAnswer {
    return {
      workflowId: this.workflowId,
      cycleId: this.n.cycleId,
      ikmName: this.n.ikmName,
      sentraName: this.n.sentraName,
      regencyCode: this.n.regencyCode,
      regencyName: this.input.regencyName,
      provinceCode: this.provinceCode,
      provinceName: this.input.provinceName,
      commodity: this.n.commodity,
      product: this.n.product,
      reevaluation: !!this.n.previousStars,
      previousStars: this.n.previousStars?.stars ?? null,
      stage: this.stage,
      stageEnteredAt: new Date(this.stageEnteredAt).toISOString(),
      deadline: (() => {
        const d = this.currentDeadline();
        return d ? { stage: d.stage, at: new Date(d.at).toISOString() } : null;
      })(),
      hold: this.hold ? { stage: this.hold.stage, since: new Date(this.hold.since).toISOString() } : null,
      attendedSession: this.attendedSession,
      requiredDocuments: this.requiredDocuments(),
      documents: [...this.documents],
      revisionRound: this.revisionRound,
      reviewNotes: [...this.reviewNotes],
      assessors: [...this.assessors],
      scoredBy: this.sheets.map((s) => s.assessorId),
      provisionalScore: this.provisional,
      aspectScores: this.aspectScores,
      fieldVerified: this.fieldVerified,
      recommendedStars: this.recommended,
      stars: this.stars,
      cappedBy: this.cappedBy,
      remindersSent: [...this.reminders],
      escalationsSent: [...this.escalations],
      eventCount: this.seq,
    };
  }

  outcome(): NominationOutcome {
    return { stage: this.stage, stars: this.stars, score: this.provisional };
  }
}

/** 32-bit FNV-1a: a tiny deterministic hash, good enough to spread assessor assignments. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
