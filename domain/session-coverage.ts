/**
 * Which socialization sessions cover each province, and which provinces no session covers, grouped by island group:
 * socialization is held per island group, and a schedule may leave provinces out. Pure (workflow-safe).
 */
import type { CycleConfig } from './types';

export const ISLAND_GROUPS = [
  'Sumatera',
  'Jawa',
  'Bali dan Nusa Tenggara',
  'Kalimantan',
  'Sulawesi',
  'Maluku',
  'Papua',
] as const;
export type IslandGroup = (typeof ISLAND_GROUPS)[number];

/** The island group of a province, from the first digit of its Kemendagri code (11–21 Sumatera … 91–96 Papua). */
export function islandGroupOf(provinceCode: string): IslandGroup {
  switch (provinceCode[0]) {
    case '1':
    case '2':
      return 'Sumatera';
    case '3':
      return 'Jawa';
    case '5':
      return 'Bali dan Nusa Tenggara';
    case '6':
      return 'Kalimantan';
    case '7':
      return 'Sulawesi';
    case '8':
      return 'Maluku';
    default:
      return 'Papua';
  }
}

export interface ProvinceCoverage {
  code: string;
  name: string;
  islandGroup: IslandGroup;
  /** Ids of the sessions whose provinces include this one; empty when none does. */
  sessions: string[];
}

export interface SessionCoverage {
  provinces: ProvinceCoverage[];
  /** Provinces no session covers, by island group (groups with none left out). */
  uncovered: { islandGroup: IslandGroup; provinces: { code: string; name: string }[] }[];
}

export function sessionCoverage(config: Pick<CycleConfig, 'sessions' | 'provinces'>): SessionCoverage {
  const provinces = Object.keys(config.provinces)
    .sort()
    .map((code) => ({
      code,
      name: config.provinces[code],
      islandGroup: islandGroupOf(code),
      sessions: config.sessions.filter((s) => s.provinces.includes(code)).map((s) => s.id),
    }));
  const uncovered = ISLAND_GROUPS.map((islandGroup) => ({
    islandGroup,
    provinces: provinces
      .filter((p) => p.islandGroup === islandGroup && p.sessions.length === 0)
      .map(({ code, name }) => ({ code, name })),
  })).filter((g) => g.provinces.length > 0);
  return { provinces, uncovered };
}

/** "no session covers 3 provinces: Papua: 91 Papua, 92 Papua Barat; Maluku: 81 Maluku", or null when all are. */
export function describeGaps(coverage: SessionCoverage): string | null {
  const count = coverage.uncovered.reduce((n, g) => n + g.provinces.length, 0);
  if (count === 0) return null;
  const groups = coverage.uncovered.map(
    (g) => `${g.islandGroup}: ${g.provinces.map((p) => `${p.code} ${p.name}`).join(', ')}`,
  );
  return `no session covers ${count} province${count === 1 ? '' : 's'}: ${groups.join('; ')}`;
}
