/**
 * The lifecycle of one nomination, one stage after another, each waiting with its deadline (deadline-clock.ts): intake,
 * socialization, documents, administrative review with its revision rounds, assessment, field verification, the star
 * recommendation and the coordinator's determination. Actor actions change the state by Update (nomination-actions.ts);
 * this loop waits on that state and moves on.
 */
import { patched } from '@temporalio/workflow';
import { recommendStars, requiresFieldVerification } from '../domain/scoring';
import { type AwardConfig, type Stage } from '../domain/types';
import { assessNomination } from './assessment-stage';
import { determineAndFollowUp } from './award-follow-up';
import { administrativeReview, productSamples, provincialPrescreen } from './document-stages';
import { fieldVisit } from './field-visit-stage';
import { lapseUnapproved } from './four-eyes';
import { reaches, type ResumePoint } from './nomination-chain';
import { dinasEmail, missingDocuments, nominee, provinsiEmail } from './nomination-state';
import { AWARD_FOLLOW_UP, FIELD_VISITS, PRODUCT_SAMPLES, PROVINCIAL_PRESCREEN } from './patches';
import type { StageContext } from './stage-context';

export class NominationLifecycle {
  constructor(private readonly ctx: StageContext) {}

  /** Runs the life from `from`: the start, or the stage boundary where the previous run of the chain stopped. */
  async run(from: ResumePoint = 'start'): Promise<void> {
    const ctx = this.ctx;
    const { s, fx, clock, chain } = ctx;
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
        if (!(await provincialPrescreen(ctx))) return;
      }
      if (s.input.rules.samples?.required && patched(PRODUCT_SAMPLES)) {
        if (!(await productSamples(ctx))) return;
      }
    }
    if (reaches(from, 'review')) {
      if (!(await administrativeReview(ctx, resumed('review')))) return;
      if (chain.switchesAtBoundaries()) await chain.continueAt('assessment');
    }
    const score = () => s.provisional!;
    let award: AwardConfig | null;
    if (reaches(from, 'assessment')) {
      if (!(await assessNomination(ctx))) return;
      const visits = s.input.rules.fieldVisit;
      if (visits && patched(FIELD_VISITS)) {
        if (visits.appliesTo === 'all' || requiresFieldVerification(score(), assessment.fieldVerificationThreshold)) {
          if (!(await fieldVisit(ctx, score()))) return;
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
      await determineAndFollowUp(ctx, award, score());
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
}
