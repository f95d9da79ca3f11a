import { describe, expect, it } from 'vitest';
import { coachingLevelOf, DEFAULT_COACHING, mayPrintOnPackaging, starChange } from '../../domain/award';
import type { AwardConfig } from '../../domain/types';

const award: AwardConfig = {
  maxStars: 3,
  determination: 'decree',
  packagingFromStars: 3,
  coaching: { byStars: DEFAULT_COACHING },
};

describe('what a determined star means', () => {
  it.each([
    [5, 'kementerian'],
    [4, 'kementerian'],
    [3, 'provinsi'],
    [2, 'kabupaten_kota'],
    [1, 'kabupaten_kota'],
    [0, null],
  ] as const)('Bintang %i is coached by %s', (stars, level) => {
    expect(coachingLevelOf(award, stars)).toBe(level);
  });

  it('follows the configured coaching map', () => {
    const byProvince = { ...award, coaching: { byStars: { ...DEFAULT_COACHING, 2: 'provinsi' as const } } };
    expect(coachingLevelOf(byProvince, 2)).toBe('provinsi');
  });

  it('lets Bintang 3 and above print the star on packaging, from the configured level', () => {
    expect([0, 1, 2, 3, 4, 5].map((s) => mayPrintOnPackaging(award, s))).toEqual([
      false,
      false,
      false,
      true,
      true,
      true,
    ]);
    expect(mayPrintOnPackaging({ ...award, packagingFromStars: 4 }, 3)).toBe(false);
  });

  it('says how a re-evaluated star moved, and nothing for a first nomination', () => {
    expect([starChange(4, 2), starChange(2, 4), starChange(3, 3), starChange(null, 3)]).toEqual([
      'down',
      'up',
      'same',
      null,
    ]);
  });
});
