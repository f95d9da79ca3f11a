/**
 * Real Kemendagri regency codes for the bench's nominations, spread round-robin over the provinces that the cycle's
 * socialization sessions cover (a nomination from an uncovered province is refused by the cycle's validator).
 */
import { provinceOf } from '../../domain/region-codes';
import { loadRegions } from '../../domain/regions';
import type { CycleConfig } from '../../domain/types';

export function regencyCodesFor(config: CycleConfig, count: number): string[] {
  const covered = new Set(config.sessions.flatMap((s) => s.provinces));
  const byProvince = new Map<string, string[]>();
  for (const code of Object.keys(loadRegions().regencies).sort()) {
    const p = provinceOf(code);
    if (!covered.has(p)) continue;
    let list = byProvince.get(p);
    if (!list) byProvince.set(p, (list = []));
    list.push(code);
  }
  const provinces = [...byProvince.keys()].sort();
  if (provinces.length === 0) throw new Error('no regency of a province covered by a socialization session');
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const p = provinces[i % provinces.length];
    const list = byProvince.get(p)!;
    out.push(list[Math.floor(i / provinces.length) % list.length]);
  }
  return out;
}
