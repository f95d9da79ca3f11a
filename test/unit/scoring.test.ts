import { describe, expect, it } from 'vitest';
import {
  aggregateScores,
  computeAssessorStats,
  recommendStars,
  requiresFieldVerification,
  scoreSheet,
  validateScoreSheet,
  type AssessorScoreSheet,
  type CriterionScores,
} from '../../domain/scoring';
import type { CycleConfig } from '../../domain/types';

// Aspects A 40 / B 30 / C 30, items scored 1..3 (1 → 0, 2 → 50, 3 → 100 on the 0–100 scale).
const assessment: CycleConfig['assessment'] = {
  assessorsPerNomination: 2,
  scale: { min: 1, max: 3 },
  normalization: true,
  fieldVerificationThreshold: 70,
  assessors: [],
  aspects: [
    {
      id: 'A',
      label: 'Produksi dan pengembangan masyarakat',
      weight: 40,
      criteria: [
        { id: 'A1', label: 'Kapasitas produksi', weight: 2 },
        { id: 'A2', label: 'Bahan baku lokal', weight: 1 },
        { id: 'A3', label: 'Pemberdayaan sentra', weight: 1 },
      ],
    },
    {
      id: 'B',
      label: 'Manajemen, pemasaran dan sejarah produk',
      weight: 30,
      criteria: [
        { id: 'B1', label: 'Manajemen usaha', weight: 1 },
        { id: 'B2', label: 'Pemasaran', weight: 1 },
        { id: 'B3', label: 'Sejarah produk', weight: 1 },
      ],
    },
    {
      id: 'C',
      label: 'Jenis, mutu dan peluang pasar produk',
      weight: 30,
      criteria: [
        { id: 'C1', label: 'Jenis produk', weight: 1 },
        { id: 'C2', label: 'Mutu produk', weight: 2 },
        { id: 'C3', label: 'Peluang pasar', weight: 1 },
      ],
    },
  ],
};

const stars: CycleConfig['stars'] = {
  thresholds: { 5: 85, 4: 70, 3: 55, 2: 40, 1: 25 },
  gates: [
    { fromStars: 1, documents: ['legalitas'] },
    { fromStars: 4, fieldVerified: true },
    { fromStars: 5, minAspectScore: { C: 60 } },
  ],
};

/** A sheet with the same item score on every criterion of an aspect: uniform(a, b, c). */
function uniform(assessorId: string, a: number, b: number, c: number): AssessorScoreSheet {
  const scores: CriterionScores = {};
  for (const aspect of assessment.aspects) {
    const v = aspect.id === 'A' ? a : aspect.id === 'B' ? b : c;
    for (const criterion of aspect.criteria) scores[criterion.id] = v;
  }
  return { assessorId, scores };
}

const validScores = (): CriterionScores => ({ A1: 3, A2: 2, A3: 1, B1: 2, B2: 3, B3: 3, C1: 1, C2: 3, C3: 2 });

describe('validateScoreSheet', () => {
  it('accepts a complete sheet of integers within scale', () => {
    expect(validateScoreSheet(validScores(), assessment)).toBeNull();
  });

  it.each([
    ['missing criterion', (s: Record<string, unknown>) => delete s.C3, 'criterion C3 is missing'],
    ['unknown criterion', (s: Record<string, unknown>) => (s.Z9 = 2), 'unknown criterion Z9'],
    [
      'above scale',
      (s: Record<string, unknown>) => (s.A1 = 4),
      'score for A1 must be an integer between 1 and 3, got 4',
    ],
    [
      'below scale',
      (s: Record<string, unknown>) => (s.B2 = 0),
      'score for B2 must be an integer between 1 and 3, got 0',
    ],
    [
      'non-integer',
      (s: Record<string, unknown>) => (s.C2 = 2.5),
      'score for C2 must be an integer between 1 and 3, got 2.5',
    ],
    [
      'string',
      (s: Record<string, unknown>) => (s.A2 = '3'),
      'score for A2 must be an integer between 1 and 3, got "3"',
    ],
    [
      'NaN',
      (s: Record<string, unknown>) => (s.A3 = Number.NaN),
      'score for A3 must be an integer between 1 and 3, got NaN',
    ],
  ])('%s', (_name, mutate, message) => {
    const sheet: Record<string, unknown> = validScores();
    mutate(sheet);
    expect(validateScoreSheet(sheet, assessment)).toBe(message);
  });

  it('names every problem at once', () => {
    const sheet: Record<string, unknown> = validScores();
    delete sheet.A1;
    sheet.B1 = 5;
    sheet.X1 = 1;
    expect(validateScoreSheet(sheet, assessment)).toBe(
      'criterion A1 is missing; score for B1 must be an integer between 1 and 3, got 5; unknown criterion X1',
    );
  });

  it.each([null, undefined, 3, 'A1=3', [3, 2, 1]])('refuses a non-object sheet %j', (sheet) => {
    expect(validateScoreSheet(sheet, assessment)).toMatch(/must be an object/);
  });
});

describe('scoreSheet', () => {
  it('computes the hand-worked example', () => {
    // Items 1..3 map to 0 / 50 / 100.
    // A (criterion weights 2,1,1): A1=3 → 100, A2=2 → 50, A3=1 → 0   → (2·100 + 50 + 0) / 4 = 62.5
    // B (weights 1,1,1):           B1=2 → 50,  B2=3 → 100, B3=3 → 100 → (50 + 100 + 100) / 3 = 83.333…
    // C (weights 1,2,1):           C1=1 → 0,   C2=3 → 100, C3=2 → 50  → (0 + 2·100 + 50) / 4 = 62.5
    // total (aspect weights 40/30/30) = (40·62.5 + 30·83.333… + 30·62.5) / 100 = (2500 + 2500 + 1875) / 100 = 68.75
    // (rounding B to 83.33 first would give 68.749 → the total is computed unrounded and rounded once at the end).
    expect(scoreSheet({ assessorId: 'p1', scores: validScores() }, assessment)).toEqual({
      total: 68.75,
      aspects: { A: 62.5, B: 83.33, C: 62.5 },
    });
  });

  it.each([
    [1, 0],
    [2, 50],
    [3, 100],
  ])('a sheet of all %i scores %i', (v, total) => {
    expect(scoreSheet(uniform('p1', v, v, v), assessment)).toEqual({
      total,
      aspects: { A: total, B: total, C: total },
    });
  });

  it('throws on an invalid sheet', () => {
    const scores = validScores();
    scores.A1 = 7;
    expect(() => scoreSheet({ assessorId: 'p1', scores }, assessment)).toThrow(/A1 must be an integer/);
  });
});

describe('recommendStars — thresholds 85/70/55/40/25', () => {
  const noGates: CycleConfig['stars'] = { thresholds: stars.thresholds, gates: [] };
  it.each([
    [100, 5],
    [85, 5],
    [84.99, 4],
    [70, 4],
    [69.99, 3],
    [55, 3],
    [54.99, 2],
    [40, 2],
    [39.99, 1],
    [25, 1],
    [24.99, 0],
    [0, 0],
  ])('score %d → %i stars', (score, expected) => {
    const r = recommendStars({ score, aspects: {}, submittedDocuments: [], fieldVerified: null }, noGates);
    expect(r).toEqual({ stars: expected, byThreshold: expected, cappedBy: [] });
  });
});

describe('recommendStars — gates', () => {
  const highAspects = { A: 90, B: 90, C: 90 };

  it.each([
    {
      name: 'all gates pass',
      input: { score: 90, aspects: highAspects, submittedDocuments: ['legalitas'], fieldVerified: true },
      stars: 5,
      cappedBy: [],
    },
    {
      name: 'legality missing → not classified',
      input: { score: 90, aspects: highAspects, submittedDocuments: ['izin_edar'], fieldVerified: true },
      stars: 0,
      cappedBy: [{ fromStars: 1, reason: 'dokumen legalitas belum ada' }],
    },
    {
      name: 'field verification not done for a 90 → 3 stars',
      input: { score: 90, aspects: highAspects, submittedDocuments: ['legalitas'], fieldVerified: null },
      stars: 3,
      cappedBy: [{ fromStars: 4, reason: 'verifikasi lapangan belum dilakukan' }],
    },
    {
      name: 'field verification failed for a 90 → 3 stars',
      input: { score: 90, aspects: highAspects, submittedDocuments: ['legalitas'], fieldVerified: false },
      stars: 3,
      cappedBy: [{ fromStars: 4, reason: 'verifikasi lapangan belum lulus' }],
    },
    {
      name: 'aspect C below its minimum → 4 stars',
      input: { score: 90, aspects: { A: 100, B: 100, C: 52 }, submittedDocuments: ['legalitas'], fieldVerified: true },
      stars: 4,
      cappedBy: [{ fromStars: 5, reason: 'nilai aspek C 52 di bawah 60' }],
    },
    {
      name: 'aspect and verification both fail → caps chain down to 3',
      input: {
        score: 90,
        aspects: { A: 100, B: 100, C: 52.5 },
        submittedDocuments: ['legalitas'],
        fieldVerified: null,
      },
      stars: 3,
      cappedBy: [
        { fromStars: 5, reason: 'nilai aspek C 52,5 di bawah 60' },
        { fromStars: 4, reason: 'verifikasi lapangan belum dilakukan' },
      ],
    },
    {
      name: 'a gate above the level does not apply',
      input: { score: 60, aspects: { A: 60, B: 60, C: 40 }, submittedDocuments: ['legalitas'], fieldVerified: null },
      stars: 3,
      cappedBy: [],
    },
  ])('$name', ({ input, stars: expected, cappedBy }) => {
    const r = recommendStars(input, stars);
    expect(r.byThreshold).toBe(input.score >= 85 ? 5 : 3);
    expect(r.stars).toBe(expected);
    expect(r.cappedBy).toEqual(cappedBy);
  });

  it('applies gates until stable regardless of their order in config', () => {
    const shuffled: CycleConfig['stars'] = {
      thresholds: stars.thresholds,
      gates: [
        { fromStars: 3, minAspectScore: { A: 70 } },
        { fromStars: 5, documents: ['sertifikat_halal', 'uji_lab'] },
        { fromStars: 4, fieldVerified: true },
      ],
    };
    const r = recommendStars(
      {
        score: 88,
        aspects: { A: 65, B: 90, C: 90 },
        submittedDocuments: ['legalitas', 'uji_lab'],
        fieldVerified: true,
      },
      shuffled,
    );
    expect(r.stars).toBe(2);
    expect(r.cappedBy).toEqual([
      { fromStars: 5, reason: 'dokumen sertifikat_halal belum ada' },
      { fromStars: 3, reason: 'nilai aspek A 65 di bawah 70' },
    ]);
  });

  it('a missing aspect score fails a minimum', () => {
    const r = recommendStars({ score: 90, aspects: {}, submittedDocuments: ['legalitas'], fieldVerified: true }, stars);
    expect(r.stars).toBe(4);
    expect(r.cappedBy).toEqual([{ fromStars: 5, reason: 'nilai aspek C belum ada' }]);
  });
});

describe('aggregateScores', () => {
  it('is the plain mean over assessors without normalization', () => {
    // p1: the worked example (68.75; A 62.5, B 83.33…, C 62.5); p2: all 3 → 100 everywhere.
    const r = aggregateScores([{ assessorId: 'p1', scores: validScores() }, uniform('p2', 3, 3, 3)], assessment, {
      normalization: false,
    });
    expect(r).toEqual({
      provisional: 84.38, // (68.75 + 100) / 2 = 84.375
      aspects: { A: 81.25, B: 91.67, C: 81.25 },
      perAssessor: { p1: 68.75, p2: 100 },
    });
  });

  // Four nominations scored by a harsh assessor (H) and a lenient one (L) who rank them identically; L is 50 points
  // higher on every one. uniform(a, b, c) totals: 0.4·f(a) + 0.3·f(b) + 0.3·f(c) with f(1, 2, 3) = 0, 50, 100.
  const nominations = [
    { H: uniform('H', 1, 1, 1), L: uniform('L', 2, 2, 2) }, // H 0,  L 50
    { H: uniform('H', 2, 1, 1), L: uniform('L', 3, 2, 2) }, // H 20, L 70
    { H: uniform('H', 2, 2, 1), L: uniform('L', 3, 3, 2) }, // H 35, L 85
    { H: uniform('H', 2, 2, 2), L: uniform('L', 3, 3, 3) }, // H 50, L 100
  ];
  const rows = nominations.flatMap((n) => [
    { assessorId: 'H', total: scoreSheet(n.H, assessment).total },
    { assessorId: 'L', total: scoreSheet(n.L, assessment).total },
  ]);
  const stats = computeAssessorStats(rows);
  const meanOf = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

  it('computes per-assessor mean, sample sd and n', () => {
    expect(rows.map((r) => r.total)).toEqual([0, 50, 20, 70, 35, 85, 50, 100]);
    // H: mean 26.25; squared deviations 689.0625 + 39.0625 + 76.5625 + 564.0625 = 1368.75; / 3 = 456.25
    expect(stats.H.mean).toBeCloseTo(26.25, 10);
    expect(stats.H.sd).toBeCloseTo(Math.sqrt(456.25), 10);
    expect(stats.H.n).toBe(4);
    expect(stats.L.mean).toBeCloseTo(76.25, 10);
    expect(stats.L.sd).toBeCloseTo(stats.H.sd, 10);
  });

  it('z-scoring brings a harsh and a lenient assessor together', () => {
    const raw = nominations.map((n) => aggregateScores([n.H, n.L], assessment, { normalization: false, stats }));
    const norm = nominations.map((n) => aggregateScores([n.H, n.L], assessment, { normalization: true, stats }));

    const rawGap = meanOf(raw.map((r) => r.perAssessor.L)) - meanOf(raw.map((r) => r.perAssessor.H));
    expect(rawGap).toBeCloseTo(50, 10);

    const hMean = meanOf(norm.map((r) => r.perAssessor.H));
    const lMean = meanOf(norm.map((r) => r.perAssessor.L));
    expect(Math.abs(lMean - hMean)).toBeLessThan(0.01);
    // Both land on the pooled mean of all eight totals: (0+20+35+50+50+70+85+100) / 8 = 51.25.
    expect(hMean).toBeCloseTo(51.25, 1);
    expect(lMean).toBeCloseTo(51.25, 1);
    for (const r of norm) expect(r.perAssessor.H).toBeCloseTo(r.perAssessor.L, 2);

    // Pooled sd = sqrt((within 2·1368.75 + between 8·25²) / 7) = sqrt(7737.5 / 7); first nomination:
    // z = (0 − 26.25) / sqrt(456.25), mapped to 51.25 + z · pooled sd.
    const expected = 51.25 + ((0 - 26.25) / Math.sqrt(456.25)) * Math.sqrt(7737.5 / 7);
    expect(norm[0].perAssessor.H).toBeCloseTo(expected, 2);
    expect(norm[0].provisional).toBeCloseTo(expected, 2);

    // Normalization touches totals only: aspect scores stay plain means of the raw sheets.
    expect(norm[0].aspects).toEqual(raw[0].aspects);
    expect(norm[0].aspects).toEqual({ A: 25, B: 25, C: 25 });
  });

  it('leaves an assessor with n < 2, sd 0 or no stats unnormalized', () => {
    const all = computeAssessorStats([
      ...rows,
      { assessorId: 'once', total: 50 },
      { assessorId: 'flat', total: 35 },
      { assessorId: 'flat', total: 35 },
    ]);
    expect(all.once).toEqual({ mean: 50, sd: 0, n: 1 });
    expect(all.flat).toEqual({ mean: 35, sd: 0, n: 2 });
    const r = aggregateScores(
      [uniform('once', 2, 2, 2), uniform('flat', 2, 2, 1), uniform('stranger', 3, 3, 3)],
      assessment,
      { normalization: true, stats: all },
    );
    expect(r.perAssessor).toEqual({ once: 50, flat: 35, stranger: 100 });
    expect(r.provisional).toBeCloseTo((50 + 35 + 100) / 3, 2);
  });

  it('clamps normalized totals to 0..100', () => {
    const r = aggregateScores([uniform('X', 3, 3, 3)], assessment, {
      normalization: true,
      stats: { X: { mean: 50, sd: 1, n: 5 }, Y: { mean: 50, sd: 30, n: 5 } },
    });
    expect(r.perAssessor.X).toBe(100);
  });

  it('refuses an empty or duplicated set of sheets', () => {
    expect(() => aggregateScores([], assessment, { normalization: false })).toThrow(/at least one/);
    expect(() =>
      aggregateScores([uniform('p', 2, 2, 2), uniform('p', 3, 3, 3)], assessment, { normalization: false }),
    ).toThrow(/more than one/);
  });

  it('feeds the star recommendation end to end', () => {
    // p1 worked example 68.75 and p2 100 → 84.375 → 84.38: Bintang 4 by threshold; the fromStars 4 gate needs a
    // field verification, which is required because 84.38 ≥ the 70 threshold.
    const agg = aggregateScores([{ assessorId: 'p1', scores: validScores() }, uniform('p2', 3, 3, 3)], assessment, {
      normalization: false,
    });
    expect(requiresFieldVerification(agg.provisional, assessment.fieldVerificationThreshold)).toBe(true);
    const base = { score: agg.provisional, aspects: agg.aspects, submittedDocuments: ['legalitas'] };
    expect(recommendStars({ ...base, fieldVerified: null }, stars).stars).toBe(3);
    expect(recommendStars({ ...base, fieldVerified: true }, stars).stars).toBe(4);
  });
});

describe('requiresFieldVerification', () => {
  it.each([
    [70, 70, true],
    [69.99, 70, false],
    [90, 70, true],
  ])('score %d with threshold %d → %s', (score, threshold, expected) => {
    expect(requiresFieldVerification(score, threshold)).toBe(expected);
  });
});
