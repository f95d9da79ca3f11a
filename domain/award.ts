/**
 * What the award means once the stars are known: the cycle's star cap, who coaches a starred IKM, whether it may print
 * its star on its packaging, and how a re-evaluated star moved. Pure functions of the cycle's `award` config; workflow-safe.
 */
import type { AwardConfig, CoachingLevel, DecreeSignatory } from './types';

/** Bintang 4–5 by the ministry, 3 by the province, 1–2 by the kabupaten/kota (DESIGN.md; config may change it). */
export const DEFAULT_COACHING: AwardConfig['coaching']['byStars'] = {
  '1': 'kabupaten_kota',
  '2': 'kabupaten_kota',
  '3': 'provinsi',
  '4': 'kementerian',
  '5': 'kementerian',
};

/** How long a determination above the recommendation waits for a second coordinator when the cycle says nothing. */
export const DEFAULT_SECOND_APPROVAL = '7d';

/** Whether determining `stars` needs a second coordinator (four eyes): above the recommendation, which a failed hard
 * gate or the cycle's cap already holds down, so every override of a gate is above it too. */
export const needsSecondApproval = (stars: number, recommended: number): boolean => stars > recommended;

export const COACHING_LABELS: Record<CoachingLevel, string> = {
  kementerian: 'Kementerian Perindustrian (Ditjen IKMA)',
  provinsi: 'dinas perindustrian provinsi',
  kabupaten_kota: 'dinas perindustrian kabupaten/kota',
};

export const SIGNATORY_LABELS: Record<DecreeSignatory, string> = {
  minister: 'Menteri Perindustrian',
  director_general: 'Direktur Jenderal Industri Kecil, Menengah dan Aneka',
};

/** The coaching level of a determined star level; none below Bintang 1. */
export function coachingLevelOf(award: AwardConfig, stars: number): CoachingLevel | null {
  if (!Number.isInteger(stars) || stars < 1 || stars > 5) return null;
  return award.coaching.byStars[String(stars) as keyof AwardConfig['coaching']['byStars']];
}

/** Whether a star level may be printed on the IKM's packaging. */
export function mayPrintOnPackaging(award: AwardConfig, stars: number): boolean {
  return stars >= 1 && stars >= award.packagingFromStars;
}

/** How a re-evaluated IKM's star moved against the one it held; null for a first nomination. */
export function starChange(previous: number | null | undefined, now: number): 'up' | 'down' | 'same' | null {
  if (previous === null || previous === undefined) return null;
  return now > previous ? 'up' : now < previous ? 'down' : 'same';
}
