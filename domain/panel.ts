/**
 * The assessment panel of a nomination: drawn from the cycle's assessor pool, from those who may assess its commodity
 * group and are not of its own province (conflict of interest), mixing affiliations (ministry, standardisation
 * institutes, the coordinating ministry, associations, academics) before taking a second of one kind.
 *
 * WORKFLOW-SAFE: pure and deterministic, so that a replay draws the same panel.
 */
import { COMMODITIES, type AssessorProfile, type Commodity, type CycleConfig } from './types';

/** Whether an assessor may assess this commodity group; a profile without groups (cycles before r4) may assess all. */
export function mayAssess(a: AssessorProfile, commodity: string): boolean {
  return a.commodities === undefined || a.commodities === 'all' || a.commodities.includes(commodity as Commodity);
}

/** The assessors who may sit on the panel of a nomination of this province and commodity. */
export function eligibleAssessors(pool: AssessorProfile[], province: string, commodity: string): AssessorProfile[] {
  return pool.filter((a) => a.province !== province && mayAssess(a, commodity));
}

/**
 * Draws up to `size` eligible assessors. The order is a hash of `seed` (the workflow id) and each assessor's id, so that
 * the load spreads across the pool and a replay draws the same people; an affiliation already on the panel waits until
 * every other affiliation among the eligible has a seat.
 */
export function drawPanel(opts: {
  pool: AssessorProfile[];
  province: string;
  commodity: string;
  size: number;
  seed: string;
}): string[] {
  const rank = (id: string) => fnv1a(`${opts.seed}|${id}`);
  const ranked = eligibleAssessors(opts.pool, opts.province, opts.commodity).sort(
    (x, y) => rank(x.id) - rank(y.id) || (x.id < y.id ? -1 : 1),
  );
  return mixAffiliations(ranked, opts.size);
}

/**
 * Draws up to `size` eligible assessors not in `exclude` (declared conflicts, those reassigned away, the panel already
 * seated), in an order shuffled by `random`: in a workflow the SDK's seeded Math.random, so the draw depends on nothing
 * a nominator types and a replay draws the same people. Affiliations mix as in drawPanel, counting `seated` too.
 */
export function drawPanelAtRandom(opts: {
  pool: AssessorProfile[];
  province: string;
  commodity: string;
  size: number;
  exclude: readonly string[];
  seated?: readonly AssessorProfile[];
  random: () => number;
}): string[] {
  const order = eligibleAssessors(opts.pool, opts.province, opts.commodity).filter((a) => !opts.exclude.includes(a.id));
  // Fisher–Yates: every order equally likely.
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(opts.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return mixAffiliations(order, opts.size, opts.seated);
}

/** The first `size` of `ranked`, an affiliation already seated waiting until every other among them has a seat. */
function mixAffiliations(ranked: AssessorProfile[], size: number, seated: readonly AssessorProfile[] = []): string[] {
  const seats = new Map<string, number>();
  for (const a of seated) seats.set(a.affiliation ?? '', seatsOf(seats, a) + 1);
  const panel: string[] = [];
  while (panel.length < size && panel.length < ranked.length) {
    const next = ranked
      .filter((a) => !panel.includes(a.id))
      .reduce((best, a) => (seatsOf(seats, a) < seatsOf(seats, best) ? a : best));
    panel.push(next.id);
    seats.set(next.affiliation ?? '', seatsOf(seats, next) + 1);
  }
  return panel;
}

const seatsOf = (seats: Map<string, number>, a: AssessorProfile) => seats.get(a.affiliation ?? '') ?? 0;

export interface PanelShortfall {
  commodity: Commodity;
  /** Provinces covered by a session whose nominations of this commodity would get a short panel. */
  provinces: { code: string; eligible: number }[];
}

/** Every covered province and commodity group for which fewer assessors are eligible than a panel needs. */
export function panelShortfalls(config: Pick<CycleConfig, 'assessment' | 'sessions'>): PanelShortfall[] {
  const needed = config.assessment.assessorsPerNomination;
  const covered = [...new Set(config.sessions.flatMap((s) => s.provinces))].sort();
  return COMMODITIES.map((commodity) => ({
    commodity,
    provinces: covered
      .map((code) => ({ code, eligible: eligibleAssessors(config.assessment.assessors, code, commodity).length }))
      .filter((p) => p.eligible < needed),
  })).filter((s) => s.provinces.length > 0);
}

/** "panels short of 2 assessors: kain_tenun: 32 Jawa Barat (1 eligible); …", or null when every panel fills. */
export function describeShortfalls(
  shortfalls: PanelShortfall[],
  needed: number,
  nameOf: (code: string) => string,
): string | null {
  if (shortfalls.length === 0) return null;
  const groups = shortfalls.map(
    (s) =>
      `${s.commodity}: ${s.provinces.map((p) => `${p.code} ${nameOf(p.code)} (${p.eligible} eligible)`).join(', ')}`,
  );
  return (
    `too few assessors for a panel of ${needed} (not of the nomination's province, and matching its commodity) ` +
    `for ${groups.join('; ')}`
  );
}

/** 32-bit FNV-1a: a tiny deterministic hash, good enough to spread assessor assignments. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
