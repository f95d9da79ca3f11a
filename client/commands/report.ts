/**
 * `ovop report <cycle> [--by province|commodity] [--format table|csv|json]`: the stars of a cycle per province or
 * commodity group, as the API reads them from the PostgreSQL projection (coordinators, auditors, and a dinas provinsi
 * for its own province), and the starred IKM listed the way the ministry announces them
 * ("Bintang 5: PT. Tama Cokelat Indonesia dari Kab. Garut, Jawa Barat — cokelat dodol, makanan & minuman").
 * `--by funnel|participation|stars` are the cycle-wide reports of report-views.ts.
 */
import type { StarsReport } from '../../api/stars-report';
import { cyclePath } from '../api-client';
import type { Context, Outcome } from '../context';
import { parseCycleId } from '../ids';
import { commodityLabel, csv, json, table } from '../output';
import { cycleReport, type CycleReportBy } from './report-views';

export const REPORTS = ['province', 'commodity', 'funnel', 'participation', 'stars'] as const;
export type ReportBy = (typeof REPORTS)[number];
export type ReportFormat = 'table' | 'csv' | 'json';

export async function report(
  ctx: Context,
  cycleArg: string,
  opts: { by: ReportBy; format?: ReportFormat },
): Promise<Outcome> {
  const cycleId = parseCycleId(cycleArg);
  ctx.subject = { kind: 'cycle', id: cycleId };
  const format: ReportFormat = ctx.json ? 'json' : (opts.format ?? 'table');
  const api = ctx.api();
  if (opts.by !== 'province' && opts.by !== 'commodity')
    return cycleReport((path) => api.request('GET', cyclePath(cycleId, path)), opts.by satisfies CycleReportBy, format);
  const by = opts.by;
  const document = await api.request<StarsReport>('GET', cyclePath(cycleId, `/reports/stars-by-${by}`));
  const { groups: summary, starred } = document;
  const count = document.nominations;
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
    `${document.name ?? cycleId} (${cycleId}${document.status ? `, ${document.status.toLowerCase()}` : ''}): ${count} nomination${count === 1 ? '' : 's'}, by ${by} (B5 = Bintang 5)`,
    '',
  ];
  lines.push(count > 0 ? table(headers, cells) : 'No nominations yet.');
  if (starred.length > 0) {
    lines.push('', 'Starred IKM:');
    for (const s of starred) {
      lines.push(
        `  Bintang ${s.stars}: ${s.ikmName} dari ${s.regency}, ${s.province} — ${s.product}, ${commodityLabel(s.commodity)}`,
      );
    }
  } else if (count > 0) {
    lines.push('', 'No stars determined yet.');
  }
  return { json: document, text: lines.join('\n') };
}
