/**
 * Scoring of OVOP assessments: validation of one assessor's score sheet, the weighted 0–100 score of a sheet,
 * aggregation over assessors (optionally normalized per assessor), and the star recommendation with its hard gates.
 *
 * WORKFLOW-SAFE: imported by Temporal workflow code. No Node built-ins, no I/O, no Date, no randomness; every function
 * is pure and deterministic, so a replay computes exactly what the original run computed.
 */
import { shown } from './text';
import type { CycleConfig } from './types';

type Assessment = CycleConfig['assessment'];
type Stars = CycleConfig['stars'];

/** One assessor's item scores for one nomination, keyed by criterion id (e.g. `A1`). */
export type CriterionScores = Record<string /* criterion id */, number>;

export interface AssessorScoreSheet {
  assessorId: string;
  scores: CriterionScores;
}

export type StarLevel = 0 | 1 | 2 | 3 | 4 | 5;

/** Mean, sample standard deviation and count of the TOTAL scores (0–100) one assessor gave across the cycle. */
export type AssessorStats = Record<string /* assessor id */, { mean: number; sd: number; n: number }>;

// ---------------------------------------------------------------------------------------------------------------------
// helpers

/** Rounds to 2 decimals. `toPrecision(12)` first removes binary noise such as 1.005 * 100 = 100.49999999999999. */
function round2(x: number): number {
  return Math.round(Number((x * 100).toPrecision(12))) / 100;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** Weighted mean; falls back to the plain mean when all weights are zero (a misconfiguration we do not want to turn
 * into NaN inside a workflow). */
function weightedMean(items: { value: number; weight: number }[]): number {
  if (items.length === 0) return 0;
  const totalWeight = items.reduce((s, it) => s + it.weight, 0);
  if (totalWeight === 0) return items.reduce((s, it) => s + it.value, 0) / items.length;
  return items.reduce((s, it) => s + it.value * it.weight, 0) / totalWeight;
}

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** `52.5` → `52,5` (Indonesian decimal comma) for the Bahasa Indonesia gate reasons. */
function formatId(x: number): string {
  return String(round2(x)).replace('.', ',');
}

// ---------------------------------------------------------------------------------------------------------------------
// validation

/**
 * Checks one assessor's score sheet against the cycle's assessment config. Returns null when the sheet holds exactly
 * every criterion of every aspect, each an integer within `scale.min..scale.max`; otherwise a message naming every
 * problem found (joined with `; `), e.g. `criterion C3 is missing; unknown criterion Z9`.
 */
export function validateScoreSheet(scores: unknown, assessment: Assessment): string | null {
  if (typeof scores !== 'object' || scores === null || Array.isArray(scores)) {
    return 'scores must be an object mapping criterion ids to integer scores';
  }
  const { min, max } = assessment.scale;
  const sheet = scores as Record<string, unknown>;
  const problems: string[] = [];
  const known = new Set<string>();

  for (const aspect of assessment.aspects) {
    for (const criterion of aspect.criteria) {
      known.add(criterion.id);
      if (!hasOwn(sheet, criterion.id) || sheet[criterion.id] === undefined) {
        problems.push(`criterion ${criterion.id} is missing`);
        continue;
      }
      const value = sheet[criterion.id];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        const got = typeof value === 'number' ? String(value) : shown(value);
        problems.push(`score for ${criterion.id} must be an integer between ${min} and ${max}, got ${got}`);
      }
    }
  }
  for (const key of Object.keys(sheet)) {
    if (!known.has(key)) problems.push(`unknown criterion ${key}`);
  }
  return problems.length === 0 ? null : problems.join('; ');
}

// ---------------------------------------------------------------------------------------------------------------------
// one sheet

/** Unrounded scores of one sheet; rounding happens only on final outputs. */
function scoreSheetRaw(
  scores: CriterionScores,
  assessment: Assessment,
): { total: number; aspects: Record<string, number> } {
  const problem = validateScoreSheet(scores, assessment);
  if (problem !== null) throw new Error(`invalid score sheet: ${problem}`);
  const { min, max } = assessment.scale;
  if (!(max > min)) throw new Error(`invalid assessment scale ${min}..${max}: max must exceed min`);

  const aspects: Record<string, number> = {};
  for (const aspect of assessment.aspects) {
    aspects[aspect.id] = weightedMean(
      aspect.criteria.map((c) => ({ value: ((scores[c.id] - min) / (max - min)) * 100, weight: c.weight })),
    );
  }
  const total = weightedMean(assessment.aspects.map((a) => ({ value: aspects[a.id], weight: a.weight })));
  return { total, aspects };
}

/**
 * Scores one sheet on 0–100: each aspect is the criterion-weighted mean of its criteria, each mapped linearly from
 * `scale.min..scale.max` to 0–100; the total is the aspect-weighted mean of the aspect scores. Outputs are rounded to 2
 * decimals (only at the end). Throws on an invalid sheet: callers validate first with `validateScoreSheet`.
 */
export function scoreSheet(
  sheet: AssessorScoreSheet,
  assessment: Assessment,
): { total: number; aspects: Record<string, number> } {
  const raw = scoreSheetRaw(sheet.scores, assessment);
  const aspects: Record<string, number> = {};
  for (const [id, v] of Object.entries(raw.aspects)) aspects[id] = round2(v);
  return { total: round2(raw.total), aspects };
}

// ---------------------------------------------------------------------------------------------------------------------
// assessor statistics and aggregation

/**
 * Per-assessor mean, sample standard deviation (n - 1; 0 when n < 2) and count of the TOTAL scores each assessor gave
 * across the cycle. Values are kept unrounded: they feed the normalization.
 */
export function computeAssessorStats(rows: { assessorId: string; total: number }[]): AssessorStats {
  const byAssessor = new Map<string, number[]>();
  for (const row of rows) {
    const list = byAssessor.get(row.assessorId);
    if (list) list.push(row.total);
    else byAssessor.set(row.assessorId, [row.total]);
  }
  const stats: AssessorStats = {};
  for (const [assessorId, totals] of byAssessor) {
    const n = totals.length;
    const m = mean(totals);
    const sd = n < 2 ? 0 : Math.sqrt(totals.reduce((s, t) => s + (t - m) ** 2, 0) / (n - 1));
    stats[assessorId] = { mean: m, sd, n };
  }
  return stats;
}

/**
 * Mean and sample standard deviation of all rows behind `stats`, reconstructed from the per-assessor summaries
 * (within-assessor plus between-assessor sums of squares), so it equals the sd of the pooled rows.
 */
function pooled(stats: AssessorStats): { mean: number; sd: number; n: number } {
  const groups = Object.values(stats);
  const n = groups.reduce((s, g) => s + g.n, 0);
  if (n === 0) return { mean: 0, sd: 0, n: 0 };
  const m = groups.reduce((s, g) => s + g.n * g.mean, 0) / n;
  if (n < 2) return { mean: m, sd: 0, n };
  const ss = groups.reduce((s, g) => s + Math.max(0, g.n - 1) * g.sd ** 2 + g.n * (g.mean - m) ** 2, 0);
  return { mean: m, sd: Math.sqrt(ss / (n - 1)), n };
}

/**
 * Aggregates the sheets of one nomination (at least one; one per assessor) into its provisional score.
 *
 * - `perAssessor`: each assessor's total, normalized when `opts.normalization` is on.
 * - `provisional`: the mean of `perAssessor`.
 * - `aspects`: the plain mean of the assessors' aspect scores. Normalization applies to TOTALS ONLY: the stats describe
 *   how harsh or lenient an assessor is on the total, and re-scaling each aspect with them would let aspect scores drift
 *   out of their 0–100 meaning (and out of the aspect minimums of the star gates) in ways nobody can explain.
 *
 * Normalization: an assessor's total is z-scored against that assessor's own stats, z = (total - mean) / sd, and mapped
 * back onto the pooled distribution of all rows behind `opts.stats`: pooled mean + z * pooled sd, clamped to 0..100.
 * `opts.stats` should be computed over the whole cycle's totals (including these sheets). An assessor with no stats,
 * with n < 2, or with sd === 0 is left unnormalized: with a single total there is no spread to measure, and with zero
 * spread z is a division by zero; in both cases we cannot tell a harsh assessor from nominations that really are equal,
 * so the raw total is the most honest value.
 */
export function aggregateScores(
  sheets: AssessorScoreSheet[],
  assessment: Assessment,
  opts: { normalization: boolean; stats?: AssessorStats },
): { provisional: number; aspects: Record<string, number>; perAssessor: Record<string, number> } {
  if (sheets.length === 0) throw new Error('aggregateScores needs at least one score sheet');

  const pool = opts.normalization && opts.stats ? pooled(opts.stats) : null;
  const perAssessorRaw = new Map<string, number>();
  const aspectValues: Record<string, number[]> = {};
  for (const aspect of assessment.aspects) aspectValues[aspect.id] = [];

  for (const sheet of sheets) {
    if (perAssessorRaw.has(sheet.assessorId))
      throw new Error(`assessor ${sheet.assessorId} has more than one score sheet`);
    const raw = scoreSheetRaw(sheet.scores, assessment);
    let total = raw.total;
    const own = opts.stats?.[sheet.assessorId];
    if (pool && own && own.n >= 2 && own.sd > 0) {
      const z = (total - own.mean) / own.sd;
      total = clamp(pool.mean + z * pool.sd, 0, 100);
    }
    perAssessorRaw.set(sheet.assessorId, total);
    for (const aspect of assessment.aspects) aspectValues[aspect.id].push(raw.aspects[aspect.id]);
  }

  const perAssessor: Record<string, number> = {};
  for (const [id, total] of perAssessorRaw) perAssessor[id] = round2(total);
  const aspects: Record<string, number> = {};
  for (const [id, values] of Object.entries(aspectValues)) aspects[id] = round2(mean(values));
  return { provisional: round2(mean([...perAssessorRaw.values()])), aspects, perAssessor };
}

// ---------------------------------------------------------------------------------------------------------------------
// stars

/** Why a gate failed, in Bahasa Indonesia; empty when every condition of the gate holds. */
function gateFailures(
  gate: Stars['gates'][number],
  input: { aspects: Record<string, number>; submittedDocuments: string[]; fieldVerified: boolean | null },
): string[] {
  const reasons: string[] = [];
  for (const kind of gate.documents ?? []) {
    if (!input.submittedDocuments.includes(kind)) reasons.push(`dokumen ${kind} belum ada`);
  }
  if (gate.fieldVerified === true && input.fieldVerified !== true) {
    reasons.push(
      input.fieldVerified === false ? 'verifikasi lapangan belum lulus' : 'verifikasi lapangan belum dilakukan',
    );
  }
  for (const [aspectId, minimum] of Object.entries(gate.minAspectScore ?? {})) {
    const value = input.aspects[aspectId];
    if (typeof value !== 'number' || Number.isNaN(value)) reasons.push(`nilai aspek ${aspectId} belum ada`);
    else if (value < minimum) reasons.push(`nilai aspek ${aspectId} ${formatId(value)} di bawah ${formatId(minimum)}`);
  }
  return reasons;
}

/**
 * Recommends stars: `byThreshold` is the highest level whose threshold the score reaches (0 = not classified). Then
 * every gate whose `fromStars` is at or below the current level and whose conditions fail caps the stars at
 * `fromStars - 1`; gates are applied from the highest `fromStars` down, repeatedly, until nothing changes. `cappedBy`
 * holds one entry per failed condition of each gate that capped, with the reason in Bahasa Indonesia.
 */
export function recommendStars(
  input: {
    score: number;
    aspects: Record<string, number>;
    submittedDocuments: string[];
    fieldVerified: boolean | null;
  },
  stars: Stars,
): { stars: StarLevel; byThreshold: number; cappedBy: { fromStars: number; reason: string }[] } {
  let byThreshold: StarLevel = 0;
  for (const level of [5, 4, 3, 2, 1] as const) {
    const threshold = stars.thresholds[String(level) as '1' | '2' | '3' | '4' | '5'];
    if (typeof threshold === 'number' && input.score >= threshold) {
      byThreshold = level;
      break;
    }
  }

  const gates = [...stars.gates].sort((a, b) => b.fromStars - a.fromStars);
  const cappedBy: { fromStars: number; reason: string }[] = [];
  let current: number = byThreshold;
  let changed = true;
  while (changed) {
    changed = false;
    for (const gate of gates) {
      if (gate.fromStars > current) continue;
      const reasons = gateFailures(gate, input);
      if (reasons.length === 0) continue;
      const capped = Math.max(0, Math.min(current, gate.fromStars - 1));
      if (capped < current) {
        current = capped;
        changed = true;
        for (const reason of reasons) cappedBy.push({ fromStars: gate.fromStars, reason });
      }
    }
  }
  return { stars: current as StarLevel, byThreshold, cappedBy };
}

/** Field verification is required when the provisional score reaches the configured threshold. */
export function requiresFieldVerification(score: number, threshold: number): boolean {
  return score >= threshold;
}
