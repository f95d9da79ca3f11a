/** The lines that say what an award means, after a determination and in `ovop show`: decree, coaching, packaging. */
import { COACHING_LABELS } from '../domain/award';
import type { NominationAnswer } from '../workflows/messages';

export function awardLines(view: NominationAnswer): string[] {
  const lines: string[] = [];
  if (view.decree)
    lines.push(`decree       ${view.decree.number} of ${view.decree.date}, signed by ${view.decree.signatory.name}`);
  if (view.previousStars !== null && view.stars !== null) lines.push(`previously   Bintang ${view.previousStars}`);
  if (view.coaching) lines.push(`coaching     ${COACHING_LABELS[view.coaching.level]} (${view.coaching.office})`);
  if (view.packagingAllowed !== null && view.stars)
    lines.push(
      `packaging    ${view.packagingAllowed ? 'the star may be printed on packaging' : 'the star may not be printed on packaging'}`,
    );
  if (view.certificate)
    lines.push(`certificate  handed over ${view.certificate.date} by ${view.certificate.handedOverBy}`);
  else if (view.awaitingCertificate) lines.push('certificate  hand-over not yet recorded');
  return lines;
}
