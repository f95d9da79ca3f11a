/**
 * The determination with what follows a star (r4, behind AWARD_FOLLOW_UP): coaching by level, the packaging rule, and
 * the wait for the certificate hand-over.
 */
import { condition } from '@temporalio/workflow';
import { coachingLevelOf, mayPrintOnPackaging, starChange } from '../domain/award';
import { parseDuration } from '../domain/duration';
import { type AwardConfig, SYSTEM_ACTOR } from '../domain/types';
import { coachingOffice, dinasEmail, nominee, provinsiEmail } from './nomination-state';
import type { StageContext } from './stage-context';

/**
 * The determination with what follows it (r4, behind AWARD_FOLLOW_UP): the coaching level and its office, recorded
 * beside the stars (and beside the previous star of a re-evaluated IKM); the announcement, which says whether the
 * star may go on packaging, and the coaching office's mail in one round; then, when the cycle asks for it, the wait
 * for the certificate hand-over.
 */
export async function determineAndFollowUp(ctx: StageContext, award: AwardConfig, score: number): Promise<void> {
  const { s, fx } = ctx;
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
