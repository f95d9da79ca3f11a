/**
 * `ovop report <cycle> [--by province|commodity] [--format table|csv|json]`: the stars of a cycle per province or
 * commodity group, read from the PostgreSQL projection, and the starred IKM listed the way the ministry announces them
 * ("Bintang 5: PT. Tama Cokelat Indonesia dari Kab. Garut, Jawa Barat — cokelat dodol, makanan & minuman").
 * `--by funnel|participation|stars` are the cycle-wide reports of report-views.ts.
 */
import { isTerminal, type Stage } from '../../domain/types';
import type { Context, Outcome } from '../context';
import { refused } from '../errors';
import { parseCycleId } from '../ids';
import { commodityLabel, csv, json, regionName, table } from '../output';
import { cycleReport, type CycleReportBy } from './report-views';

export const REPORTS = ['province', 'commodity', 'funnel', 'participation', 'stars'] as const;
export type ReportBy = (typeof REPORTS)[number];
export type ReportFormat = 'table' | 'csv' | 'json';

export interface ReportGroup {
  code: string;
  name: string;
  stars: Record<'5' | '4' | '3' | '2' | '1', number>;
  notClassified: number;
  inProgress: number;
  closedWithoutStars: number;
  total: number;
}

export interface StarredIkm {
  stars: number;
  ikmName: string;
  regencyCode: string;
  regency: string;
  provinceCode: string;
  province: string;
  commodity: string;
  product: string;
  score: number | null;
  workflowId: string;
}

export async function report(
  ctx: Context,
  cycleArg: string,
  opts: { by: ReportBy; format?: ReportFormat },
): Promise<Outcome> {
  const cycleId = parseCycleId(cycleArg);
  const format: ReportFormat = ctx.json ? 'json' : (opts.format ?? 'table');
  const db = await ctx.db('ovop report');
  const [cycle, rows] = await Promise.all([
    db.selectFrom('cycles').select(['id', 'name', 'status']).where('id', '=', cycleId).executeTakeFirst(),
    db
      .selectFrom('nominations')
      .select([
        'workflow_id',
        'province_code',
        'regency_code',
        'ikm_name',
        'commodity',
        'product',
        'stage',
        'stars',
        'provisional_score',
      ])
      .where('cycle_id', '=', cycleId)
      .orderBy('workflow_id')
      .execute(),
  ]);
  if (!cycle && rows.length === 0) throw refused(`no cycle ${cycleId} in PostgreSQL (no cycle row and no nominations)`);
  if (opts.by !== 'province' && opts.by !== 'commodity') {
    const heading = { cycleId, name: cycle?.name ?? null, status: cycle?.status ?? null };
    return cycleReport(db, heading, opts.by satisfies CycleReportBy, format);
  }
  const by = opts.by;

  const groups = new Map<string, ReportGroup>();
  for (const r of rows) {
    const code = by === 'province' ? r.province_code : r.commodity;
    const name = by === 'province' ? regionName(code) : commodityLabel(code);
    const g = groups.get(code) ?? {
      code,
      name,
      stars: { 5: 0, 4: 0, 3: 0, 2: 0, 1: 0 },
      notClassified: 0,
      inProgress: 0,
      closedWithoutStars: 0,
      total: 0,
    };
    g.total += 1;
    if (r.stage === 'DETERMINED' && r.stars && r.stars >= 1 && r.stars <= 5) g.stars[String(r.stars) as '5'] += 1;
    else if (r.stage === 'NOT_CLASSIFIED') g.notClassified += 1;
    else if (!isTerminal(r.stage as Stage)) g.inProgress += 1;
    else g.closedWithoutStars += 1;
    groups.set(code, g);
  }
  const summary = [...groups.values()].sort((a, b) => a.code.localeCompare(b.code));
  const starred: StarredIkm[] = rows
    .filter((r) => r.stage === 'DETERMINED' && (r.stars ?? 0) > 0)
    .map((r) => ({
      stars: r.stars!,
      ikmName: r.ikm_name,
      regencyCode: r.regency_code,
      regency: regionName(r.regency_code),
      provinceCode: r.province_code,
      province: regionName(r.province_code),
      commodity: r.commodity,
      product: r.product,
      score: r.provisional_score,
      workflowId: r.workflow_id,
    }))
    .sort(
      (a, b) =>
        b.stars - a.stars ||
        (by === 'province' ? a.provinceCode.localeCompare(b.provinceCode) : a.commodity.localeCompare(b.commodity)) ||
        a.ikmName.localeCompare(b.ikmName),
    );

  const document = {
    cycleId,
    name: cycle?.name ?? null,
    status: cycle?.status ?? null,
    by: by,
    nominations: rows.length,
    groups: summary,
    starred,
  };
  const headers = [
    by,
    'code',
    'B5',
    'B4',
    'B3',
    'B2',
    'B1',
    'not classified',
    'in progress',
    'closed without stars',
    'total',
  ];
  const cells = summary.map((g) => [
    g.name,
    g.code,
    g.stars[5],
    g.stars[4],
    g.stars[3],
    g.stars[2],
    g.stars[1],
    g.notClassified,
    g.inProgress,
    g.closedWithoutStars,
    g.total,
  ]);

  if (format === 'json') return { json: document, text: json(document) };
  if (format === 'csv') {
    const csvHeaders = [
      `${by}_code`,
      by,
      'bintang_5',
      'bintang_4',
      'bintang_3',
      'bintang_2',
      'bintang_1',
      'not_classified',
      'in_progress',
      'closed_without_stars',
      'total',
    ];
    return {
      json: document,
      text: csv(
        csvHeaders,
        cells.map(([name, code, ...rest]) => [code, name, ...rest]),
      ),
    };
  }
  const lines = [
    `${cycle?.name ?? cycleId} (${cycleId}${cycle?.status ? `, ${cycle.status.toLowerCase()}` : ''}): ${rows.length} nomination${rows.length === 1 ? '' : 's'}, by ${by} (B5 = Bintang 5)`,
    '',
  ];
  lines.push(rows.length > 0 ? table(headers, cells) : 'No nominations yet.');
  if (starred.length > 0) {
    lines.push('', 'Starred IKM:');
    for (const s of starred) {
      lines.push(
        `  Bintang ${s.stars}: ${s.ikmName} dari ${s.regency}, ${s.province} — ${s.product}, ${commodityLabel(s.commodity)}`,
      );
    }
  } else if (rows.length > 0) {
    lines.push('', 'No stars determined yet.');
  }
  return { json: document, text: lines.join('\n') };
}
