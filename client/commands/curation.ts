/**
 * `ovop curation build <cycle> --name N [--stars 2,3] [--commodity …] [--province …] [--min-score S]` and
 * `ovop curation export <cycle> <name> [--out file.csv]`: coordinators select IKM from a cycle's results into a named
 * list for a follow-up programme (e.g. `--name go-global-2027 --stars 2,3` for OVOP Go Global's export readiness),
 * stored in PostgreSQL, and export it as CSV, through the API (api/routes/curation.ts).
 */
import { writeFileSync } from 'node:fs';
import { type CurationCriteria, type CurationList, describeCriteria } from '../../db/curation';
import { loadRegions } from '../../domain/regions';
import { COMMODITIES } from '../../domain/types';
import type { Context, Outcome } from '../context';
import { cyclePath } from '../api-client';
import { usage } from '../errors';
import { parseCycleId } from '../ids';
import { commodityLabel, csv, regionName, table } from '../output';

export interface CurationBuildOptions {
  name: string;
  stars?: string;
  commodity?: string;
  province?: string;
  minScore?: string;
}

const list = (text: string | undefined) =>
  (text ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function parseCriteria(opts: CurationBuildOptions): CurationCriteria {
  const starsText = list(opts.stars ?? '1,2,3,4,5');
  if (starsText.length === 0 || starsText.some((s) => !/^[1-5]$/.test(s)))
    throw usage(`--stars ${opts.stars} must list star levels 1 to 5, e.g. --stars 2,3`);
  const commodities = list(opts.commodity);
  const unknown = commodities.filter((c) => !(COMMODITIES as readonly string[]).includes(c));
  if (unknown.length) throw usage(`--commodity ${unknown.join(', ')}: commodity groups are ${COMMODITIES.join(', ')}`);
  const provinces = list(opts.province);
  const known = loadRegions().provinces;
  const strange = provinces.filter((p) => !Object.hasOwn(known, p));
  if (strange.length) throw usage(`--province ${strange.join(', ')}: not Kemendagri province codes (e.g. 32)`);
  let minScore: number | null = null;
  if (opts.minScore !== undefined) {
    minScore = Number(opts.minScore);
    if (!Number.isFinite(minScore) || minScore < 0 || minScore > 100)
      throw usage(`--min-score ${opts.minScore} must be a score from 0 to 100`);
  }
  return {
    stars: [...new Set(starsText.map(Number))].sort((a, b) => a - b),
    commodities: [...new Set(commodities)].sort(),
    provinces: [...new Set(provinces)].sort(),
    minScore,
  };
}

export async function curationBuild(ctx: Context, cycleArg: string, opts: CurationBuildOptions): Promise<Outcome> {
  const cycleId = parseCycleId(cycleArg);
  const name = opts.name.trim();
  if (!/^[a-z0-9-]+$/.test(name)) throw usage(`--name ${opts.name} must be a slug, e.g. go-global-2027`);
  const criteria = parseCriteria(opts);
  ctx.subject = { kind: 'cycle', id: cycleId };
  const built = await ctx
    .api()
    .request<CurationList & { created: boolean }>('POST', cyclePath(cycleId, '/curation-lists'), {
      json: {
        name,
        stars: criteria.stars,
        ...(criteria.commodities.length ? { commodities: criteria.commodities } : {}),
        ...(criteria.provinces.length ? { provinces: criteria.provinces } : {}),
        ...(criteria.minScore !== null ? { minScore: criteria.minScore } : {}),
      },
    });
  const head = built.created
    ? `Curation list ${name} of cycle ${cycleId}: ${built.members.length} IKM (${describeCriteria(built.criteria)}).`
    : `Curation list ${name} of cycle ${cycleId} was already built (${built.builtAt}); it is unchanged: ${built.members.length} IKM.`;
  return { json: built, text: [head, '', membersTable(built)].join('\n') };
}

export async function curationExport(
  ctx: Context,
  cycleArg: string,
  name: string,
  opts: { out?: string },
): Promise<Outcome> {
  const cycleId = parseCycleId(cycleArg);
  ctx.subject = { kind: 'cycle', id: cycleId };
  const stored = await ctx
    .api()
    .request<CurationList>('GET', cyclePath(cycleId, `/curation-lists/${encodeURIComponent(name.trim())}`));
  const text = toCsv(stored);
  if (opts.out) {
    writeFileSync(opts.out, `${text}\n`);
    return { json: stored, text: `Wrote ${stored.members.length} IKM of curation list ${name} to ${opts.out}.` };
  }
  return { json: stored, text };
}

function toCsv(l: CurationList): string {
  return csv(
    ['workflow_id', 'ikm_name', 'regency_code', 'regency', 'province_code', 'province', 'commodity', 'stars', 'score'],
    l.members.map((m) => [
      m.workflowId,
      m.ikmName,
      m.regencyCode,
      regionName(m.regencyCode),
      m.provinceCode,
      regionName(m.provinceCode),
      m.commodity,
      m.stars,
      m.score,
    ]),
  );
}

function membersTable(l: CurationList): string {
  if (l.members.length === 0) return 'No determined IKM meets the criteria.';
  return table(
    ['Bintang', 'IKM', 'kabupaten/kota', 'commodity', 'score'],
    l.members.map((m) => [m.stars, m.ikmName, regionName(m.regencyCode), commodityLabel(m.commodity), m.score]),
  );
}
