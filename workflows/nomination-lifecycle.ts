/**
 * The lifecycle of one nomination, one stage after another, each waiting with its deadline (deadline-clock.ts): intake,
 * socialization, documents, administrative review with its revision rounds, assessment, field verification, the star
 * recommendation and the coordinator's determination. Actor actions change the state by Update (nomination-actions.ts);
 * this loop waits on that state and moves on.
 */
import { condition, patched } from '@temporalio/workflow';
import { coachingLevelOf, mayPrintOnPackaging, starChange } from '../domain/award';
import { parseDuration } from '../domain/duration';
import { drawPanel, fnv1a } from '../domain/panel';
import { aggregateScores, recommendStars, requiresFieldVerification } from '../domain/scoring';
import { type AwardConfig, type Stage, SYSTEM_ACTOR } from '../domain/types';
import { type DeadlineClock, deadlineOf } from './deadline-clock';
import { type NominationChain, reaches, type ResumePoint } from './nomination-chain';
import type { NominationEffects } from './nomination-effects';
import {
  assessorProfile,
  coachingOffice,
  dinasEmail,
  isClosed,
  missingDocuments,
  nationalRevisions,
  nominee,
  type NominationState,
  outstandingEvidence,
  provinceCodeOf,
  provinsiEmail,
} from './nomination-state';
import {
  AWARD_FOLLOW_UP,
  BLIND_FIELD_VISIT_MAILS,
  DINAS_TOLD_OF_ASSESSMENT,
  FIELD_VISITS,
  PANELS_BY_COMMODITY,
  PRODUCT_SAMPLES,
  PROVINCIAL_PRESCREEN,
  RANDOM_PANEL_DRAW,
  STATS_AFTER_LAST_SHEET,
} from './patches';
import { drawAssessors, drawRecord } from './panel-assignment';
import { lapseUnapproved } from './four-eyes';

export class NominationLifecycle {
  constructor(
    private readonly s: NominationState,
    private readonly fx: NominationEffects,
    private readonly clock: DeadlineClock,
    private readonly chain: NominationChain,
  ) {}

  /** Runs the life from `from`: the start, or the stage boundary where the previous run of the chain stopped. */
  async run(from: ResumePoint = 'start'): Promise<void> {
    const { s, fx, clock, chain } = this;
    const n = nominee(s);
    const { assessment, contacts, stars } = s.input.rules;
    if (from === 'start') {
      s.cause = n.nominatedBy;
      await fx.enter('IDENTIFIED', 'nomination.identified', {
        sentraSize: n.sentraSize,
        previousStars: n.previousStars ?? null,
      });
      // Re-evaluations of IKM starred in an earlier cycle skip socialization: their dinas has been through it.
      const firstWait: Stage = n.previousStars ? 'AWAITING_DOCUMENTS' : 'AWAITING_SOCIALIZATION';
      await Promise.all([
        fx.notify('intake_accepted', 'intake', [dinasEmail(s)], { cc: [provinsiEmail(s)] }),
        fx.enter(firstWait, 'stage.changed'),
      ]);

      if (firstWait === 'AWAITING_SOCIALIZATION') {
        if ((await clock.waitStage('attendance', () => s.attendedSession !== null)) === 'closed') return;
        await fx.enter('AWAITING_DOCUMENTS', 'stage.changed');
        if (chain.switchesAtBoundaries()) await chain.continueAt('documents');
      }
    }
    // A continued run resumes the wait its stage began in the last run, from the moment it began.
    const resumed = (point: ResumePoint) => (from === point ? s.stageEnteredAt : undefined);
    if (reaches(from, 'documents')) {
      const docs = await clock.waitStage('documents', () => missingDocuments(s).length === 0, resumed('documents'));
      if (docs === 'closed') return;
      // Steps a cycle's config adds (issue 17); histories without them never reach the patch markers.
      if (s.input.rules.prescreen?.enabled && patched(PROVINCIAL_PRESCREEN)) {
        if (!(await this.provincialPrescreen())) return;
      }
      if (s.input.rules.samples?.required && patched(PRODUCT_SAMPLES)) {
        if (!(await this.productSamples())) return;
      }
    }
    if (reaches(from, 'review')) {
      if (!(await this.administrativeReview(resumed('review')))) return;
      if (chain.switchesAtBoundaries()) await chain.continueAt('assessment');
    }
    const score = () => s.provisional!;
    let award: AwardConfig | null;
    if (reaches(from, 'assessment')) {
      if (!(await this.assessment())) return;
      const visits = s.input.rules.fieldVisit;
      if (visits && patched(FIELD_VISITS)) {
        if (visits.appliesTo === 'all' || requiresFieldVerification(score(), assessment.fieldVerificationThreshold)) {
          if (!(await this.fieldVisit(score()))) return;
        }
      } else if (requiresFieldVerification(score(), assessment.fieldVerificationThreshold)) {
        await fx.enter('FIELD_VERIFICATION', 'stage.changed', { provisionalScore: score() });
        await fx.notify('field_verification', 'field', contacts.coordinators, { score: score() });
        if ((await clock.waitStage('fieldVerification', () => s.fieldVerified !== null)) === 'closed') return;
      }
      const submittedDocuments = s.documents.map((d) => d.kind);
      const recommendation = recommendStars(
        { score: score(), aspects: s.aspectScores!, submittedDocuments, fieldVerified: s.fieldVerified },
        stars,
      );
      s.recommended = recommendation.stars;
      s.cappedBy = recommendation.cappedBy;
      // A rule added in r4: the cycle's star cap (2024 recommended only Bintang 1–3). A recommendation above it is
      // capped at it, with the reason beside the gates', so the decree that follows never carries a star the cycle may
      // not give.
      award = s.input.rules.award && patched(AWARD_FOLLOW_UP) ? s.input.rules.award : null;
      if (award && s.recommended > award.maxStars) {
        s.cappedBy = [
          ...s.cappedBy,
          { fromStars: award.maxStars + 1, reason: `batas siklus ini paling tinggi Bintang ${award.maxStars}` },
        ];
        s.recommended = award.maxStars;
      }
      await fx.enter('STAR_RECOMMENDED', 'stage.changed', {
        recommendedStars: s.recommended,
        byThreshold: recommendation.byThreshold,
        cappedBy: s.cappedBy,
      });
      await fx.notify('star_recommended', 'recommended', contacts.coordinators, {
        stars: s.recommended,
        score: score(),
      });
      if (chain.switchesAtBoundaries()) await chain.continueAt('determination');
    } else {
      // The run that waits for the determination starts on code that has the award's follow-up.
      award = s.input.rules.award && patched(AWARD_FOLLOW_UP) ? s.input.rules.award : null;
    }
    // A determination awaiting a second coordinator lapses beside the stage's own deadline (four-eyes.ts).
    const [decided] = await Promise.all([
      clock.waitStage('determination', () => s.determination !== null, resumed('determination')),
      lapseUnapproved(s, fx),
    ]);
    if (decided === 'closed') return;

    const determination = s.determination!;
    s.stars = determination.stars ?? s.recommended!;
    s.cause = determination.actor;
    if (award) {
      await this.determineAndFollowUp(award, score());
      return;
    }
    await fx.enter(s.stars > 0 ? 'DETERMINED' : 'NOT_CLASSIFIED', 'stars.determined', {
      stars: s.stars,
      recommendedStars: s.recommended,
      reason: determination.reason ?? null,
    });
    await fx.notify('announcement', 'announcement', [dinasEmail(s)], {
      cc: [provinsiEmail(s)],
      stars: s.stars,
      score: score(),
    });
  }

  /**
   * The dinas provinsi's pre-screen, in rounds: it passes the proposal on to the national selection, returns it to its
   * dinas kabupaten/kota to complete what it lists (a new document round, screened again), or rejects it. Returns false
   * when the nomination ended here.
   */
  private async provincialPrescreen(): Promise<boolean> {
    const { s, fx, clock } = this;
    for (;;) {
      s.prescreenDecision = null;
      await fx.enter('PROVINCIAL_PRESCREEN', 'stage.changed', { round: s.revisionRound });
      await fx.notify('prescreen_requested', `prescreen#${s.revisionRound}`, [provinsiEmail(s)], {
        deadlineStage: 'prescreen',
        deadline: new Date(deadlineOf(s, 'prescreen')).toISOString(),
      });
      if ((await clock.waitStage('prescreen', () => s.prescreenDecision !== null)) === 'closed') return false;
      const decision = s.prescreenDecision!;
      s.cause = decision.actor;
      const cc = [provinsiEmail(s)];
      if (decision.decision === 'pass') {
        await fx.notify('prescreen_passed', `prescreen_passed#${s.revisionRound}`, [dinasEmail(s)], { cc });
        return true;
      }
      if (decision.decision === 'reject') {
        await fx.enter('PRESCREEN_REJECTED', 'prescreen.rejected', { reason: decision.reason });
        await fx.notify('prescreen_rejected', 'prescreen_rejected', [dinasEmail(s)], { cc, reason: decision.reason });
        return false;
      }
      // A return opens a document round of its own, so the completed documents sit beside the first ones.
      s.revisionRound += 1;
      s.prescreenReturns += 1;
      s.resubmit = [...decision.missing!];
      await fx.enter('PRESCREEN_RETURNED', 'prescreen.returned', {
        reason: decision.reason,
        missing: s.resubmit,
        round: s.revisionRound,
      });
      await fx.notify('prescreen_returned', `prescreen_returned#${s.revisionRound}`, [dinasEmail(s)], {
        cc,
        reason: decision.reason,
        missing: s.resubmit.map((kind) => documentLabel(s, kind)).join('; '),
        deadlineStage: 'prescreenCompletion',
        deadline: new Date(deadlineOf(s, 'prescreenCompletion')).toISOString(),
      });
      if ((await clock.waitStage('prescreenCompletion', () => missingDocuments(s).length === 0)) === 'closed')
        return false;
    }
  }

  /** Waits for the coordinator to record the receipt of the product samples. Returns false when it ended here. */
  private async productSamples(): Promise<boolean> {
    const { s, fx, clock } = this;
    await fx.enter('AWAITING_SAMPLES', 'stage.changed');
    await fx.notify('samples_requested', 'samples_requested', [dinasEmail(s)], {
      deadlineStage: 'samples',
      deadline: new Date(deadlineOf(s, 'samples')).toISOString(),
    });
    return (await clock.waitStage('samples', () => s.sampleReceipt !== null)) === 'done';
  }

  /**
   * The determination with what follows it (r4, behind AWARD_FOLLOW_UP): the coaching level and its office, recorded
   * beside the stars (and beside the previous star of a re-evaluated IKM); the announcement, which says whether the
   * star may go on packaging, and the coaching office's mail in one round; then, when the cycle asks for it, the wait
   * for the certificate hand-over.
   */
  private async determineAndFollowUp(award: AwardConfig, score: number): Promise<void> {
    const { s, fx } = this;
    const stars = s.stars!;
    const determination = s.determination!;
    const level = coachingLevelOf(award, stars);
    s.coaching = level ? { level, office: coachingOffice(s, level) } : null;
    s.packagingAllowed = mayPrintOnPackaging(award, stars);
    // Set with the stage, so the determination's answer already says a hand-over is awaited.
    s.awaitingCertificate = !!award.certificateHandover && stars > 0;
    const previousStars = nominee(s).previousStars?.stars ?? null;
    await fx.enter(stars > 0 ? 'DETERMINED' : 'NOT_CLASSIFIED', 'stars.determined', {
      stars,
      recommendedStars: s.recommended,
      reason: determination.reason ?? null,
      decree: determination.decree ?? null,
      previousStars,
      change: starChange(previousStars, stars),
      coaching: s.coaching,
      packagingAllowed: s.packagingAllowed,
    });
    const told = { stars, score, previousStars: previousStars ?? undefined, decree: determination.decree };
    const mails = [
      fx.notify('announcement', 'announcement', [dinasEmail(s)], {
        ...told,
        cc: [provinsiEmail(s)],
        packagingAllowed: s.packagingAllowed,
        packagingFromStars: award.packagingFromStars,
        coachingLevel: s.coaching?.level,
      }),
    ];
    if (s.coaching) {
      mails.push(
        fx.notify('coaching_assigned', 'coaching', [s.coaching.office], { ...told, coachingLevel: s.coaching.level }),
      );
    }
    await Promise.all(mails);

    if (!award.certificateHandover || !s.awaitingCertificate) return;
    const within = parseDuration(award.certificateHandover.within);
    const recorded = await condition(() => s.certificate !== null, within);
    s.awaitingCertificate = false;
    if (!recorded)
      await fx.record('certificate.not_recorded', SYSTEM_ACTOR, { within: award.certificateHandover.within });
  }

  /** Review rounds until the documents pass or the nomination is rejected. Returns false when it ended here. */
  private async administrativeReview(resumedSince?: number): Promise<boolean> {
    const { s, fx, clock, chain } = this;
    const rounds = s.input.rules.documents.revisionRounds;
    let since = resumedSince;
    for (let first = true; ; first = false) {
      // A run continued here is already in its first round's UNDER_REVIEW (short runs: nomination-chain.ts).
      if (since === undefined) {
        s.reviewDecision = null;
        await fx.enter('UNDER_REVIEW', 'stage.changed', { round: s.revisionRound });
        if (first && chain.switchesAtBoundaries()) await chain.continueAt('review');
      }
      const wait = await clock.waitStage('review', () => s.reviewDecision !== null, since);
      since = undefined;
      if (wait === 'closed') return false;
      const decision = s.reviewDecision!;
      s.cause = decision.actor;
      // The dinas hears that it passed together with the assessors' assignment (see assessment()).
      if (decision.decision === 'approve') return true;
      // Rounds the pre-screen opened do not count against the national revision rounds.
      const exhausted = decision.decision === 'request_changes' && nationalRevisions(s) >= rounds;
      if (decision.decision === 'reject' || exhausted) {
        const reason = exhausted ? `revision rounds exhausted (${rounds}): ${decision.reason}` : decision.reason;
        await fx.enter('ADMIN_REJECTED', 'review.rejected', { reason });
        await fx.notify('admin_rejected', 'admin_rejected', [dinasEmail(s)], { cc: [provinsiEmail(s)], reason });
        return false;
      }
      s.revisionRound += 1;
      await fx.enter('REVISION_REQUESTED', 'review.changes_requested', {
        reason: decision.reason,
        resubmit: s.resubmit,
        round: s.revisionRound,
      });
      await fx.notify('revision_requested', `revision#${s.revisionRound}`, [dinasEmail(s)], {
        reason: decision.reason,
      });
      if ((await clock.waitStage('revision', () => missingDocuments(s).length === 0)) === 'closed') return false;
    }
  }

  /** Assigns assessors, waits for every score sheet, and aggregates. Returns false when the nomination ended here. */
  private async assessment(): Promise<boolean> {
    const { s, fx, clock } = this;
    const rules = s.input.rules.assessment;
    const panels = patched(PANELS_BY_COMMODITY);
    // Histories from before the random draw replay the hash of the workflow id they drew by (panel-assignment.ts).
    const random = panels && patched(RANDOM_PANEL_DRAW);
    s.assessors = random
      ? drawAssessors(s, rules.assessorsPerNomination)
      : panels
        ? drawPanel({
            pool: rules.assessors,
            province: provinceCodeOf(s),
            commodity: nominee(s).commodity,
            size: rules.assessorsPerNomination,
            seed: s.workflowId,
          })
        : this.pickAssessors();
    s.cause = SYSTEM_ACTOR;
    // The mails of one moment go out in one round of activities: each awaited round costs a workflow task.
    await Promise.all([
      fx.notify('admin_passed', `review#${s.revisionRound}`, [dinasEmail(s)]),
      fx.enter('IN_ASSESSMENT', 'stage.changed', { assessors: s.assessors, ...(random && { draw: drawRecord(s) }) }),
    ]);
    if (panels && s.assessors.length < rules.assessorsPerNomination && !(await this.shortPanel())) return false;
    const sent = s.assessors.map((id) => {
      const assessor = rules.assessors.find((a) => a.id === id)!;
      return fx.notify('assessment_assigned', `assigned:${id}`, [assessor.email], { recipientName: assessor.name });
    });
    // A rule added after release r1: nominations that passed this point before it replay without the mail
    // (test/fixtures/histories/nomination-r1-*.json).
    if (patched(DINAS_TOLD_OF_ASSESSMENT)) {
      const deadline = new Date(deadlineOf(s, 'assessment')).toISOString();
      sent.push(
        fx.notify('assessment_started', 'assessment_started', [dinasEmail(s)], {
          deadlineStage: 'assessment',
          deadline,
        }),
      );
    }
    await Promise.all(sent);
    if ((await clock.waitStage('assessment', () => s.sheets.length === s.assessors.length)) === 'closed') return false;

    // The statistics must count this nomination's last sheet too, whose row its update may still be writing.
    if (rules.normalization && patched(STATS_AFTER_LAST_SHEET))
      await condition(() => s.sheetsWritten === s.sheets.length);
    const stats = rules.normalization ? await fx.assessorStats(nominee(s).cycleId) : undefined;
    const result = aggregateScores(s.sheets, rules, { normalization: rules.normalization, stats });
    s.provisional = result.provisional;
    s.aspectScores = result.aspects;
    // run() enters the next stage at once; this row is written in the same round as that stage's.
    fx.recordWithNextStage('assessment.aggregated', SYSTEM_ACTOR, {
      provisionalScore: result.provisional,
      aspects: result.aspects,
      perAssessor: result.perAssessor,
      normalized: !!stats,
    });
    return true;
  }

  /**
   * A panel short of its size: the coordinators hear of it, and the assessment goes on with those drawn. With nobody
   * drawn the nomination is held (there is nobody to score it) until a coordinator disqualifies it or its dinas
   * withdraws it. Returns false when the nomination ended here.
   */
  private async shortPanel(): Promise<boolean> {
    const { s, fx } = this;
    const needed = s.input.rules.assessment.assessorsPerNomination;
    const drawn = s.assessors.length;
    const held = drawn === 0;
    const { commodity } = nominee(s);
    const province = provinceCodeOf(s);
    await fx.record('assessment.panel_short', SYSTEM_ACTOR, { needed, drawn, commodity, province, held });
    const reason =
      `Hanya ${drawn} dari ${needed} penilai yang memenuhi syarat (bukan dari provinsi ${province} dan berwenang ` +
      `menilai ${commodity}). ` +
      (held
        ? 'Usulan ditahan: tidak ada penilai yang dapat menilai; koordinator dapat mendiskualifikasi.'
        : 'Penilaian berjalan dengan penilai yang ada.');
    await fx.notify('panel_short', 'panel_short', s.input.rules.contacts.coordinators, { reason });
    if (!held) return true;
    s.hold = { stage: 'assessment', since: Date.now(), reason: 'no_panel' };
    await condition(() => s.hold === null || isClosed(s));
    return !isClosed(s);
  }

  /**
   * The field visit: a coordinator schedules it (the dinas hears the date, and is reminded before it), the team records
   * on site what it found against the checklist, and once every item is recorded the visit passes when the required
   * items and at least `minFound` were found. Returns false when the nomination ended here.
   */
  private async fieldVisit(score: number): Promise<boolean> {
    const { s, fx, clock } = this;
    const cfg = s.input.rules.fieldVisit!;
    await fx.enter('FIELD_VERIFICATION', 'stage.changed', { provisionalScore: score, fieldVisit: true });
    await fx.notify('field_verification', 'field', s.input.rules.contacts.coordinators, { score });
    const recorded = () => s.fieldVisit !== null && outstandingEvidence(s).length === 0;
    const [wait] = await Promise.all([clock.waitStage('fieldVerification', recorded), this.visitReminders(recorded)]);
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
  private async visitReminders(done: () => boolean): Promise<void> {
    const { s, fx } = this;
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
        const team = patched(BLIND_FIELD_VISIT_MAILS)
          ? undefined
          : visit.team.map((id) => assessorProfile(s, id)!.name);
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

  /**
   * Picks `assessorsPerNomination` assessors from other provinces, spread deterministically by a hash of the workflow id
   * so that replays pick the same people and the load spreads across the pool.
   */
  private pickAssessors(): string[] {
    const { assessors, assessorsPerNomination } = this.s.input.rules.assessment;
    const province = provinceCodeOf(this.s);
    const rank = (id: string) => fnv1a(`${this.s.workflowId}|${id}`);
    return assessors
      .filter((a) => a.province !== province)
      .map((a) => a.id)
      .sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : 1))
      .slice(0, assessorsPerNomination);
  }
}

/** A document kind as people read it in mail: its checklist label, with the kind for reference. */
function documentLabel(s: NominationState, kind: string): string {
  const entry = s.input.rules.documents.checklist.find((d) => d.kind === kind);
  return entry ? `${entry.label} (${kind})` : kind;
}
