/**
 * The cycle-wide forms of `ovop report <cycle> --by funnel|participation|stars`, as the API serves them
 * (GET /api/cycles/<cycle>/reports/…, computed by db/reports.ts) and printed as a table, CSV or JSON.
 */
import { FUNNEL_STEPS, type funnelByProvince, type participation, type FunnelCounts } from '../../db/reports';
import type { Outcome } from '../context';
import { commodityLabel, csv, json, table, type Cell } from '../output';

export type CycleReportBy = 'funnel' | 'participation' | 'stars';
type Format = 'table' | 'csv' | 'json';

interface CycleHeading {
  cycleId: string;
  name: string | null;
  status: string | null;
}

/** GET of a path under the cycle, e.g. `/reports/funnel`. */
type Read = <T>(path: string) => Promise<T>;
type Headed<T> = Awaited<T> & { name: string; status: string };
interface StarsAnswer {
  cycleId: string;
  name: string;
  status: string;
  stars: { provinceCode: string; province: string; commodity: string; stars: number; count: number }[];
}

export async function cycleReport(read: Read, by: CycleReportBy, format: Format): Promise<Outcome> {
  if (by === 'funnel') {
    const report = await read<Headed<ReturnType<typeof funnelByProvince>>>('/reports/funnel');
    return funnel(report, headingOf(report), format);
  }
  if (by === 'participation') {
    const report = await read<Headed<ReturnType<typeof participation>>>('/reports/participation');
    return participationReport(report, headingOf(report), format);
  }
  const report = await read<StarsAnswer>('/reports/stars');
  return stars(report, headingOf(report), format);
}

function headingOf(r: { cycleId: string; name: string; status: string }): { cycle: CycleHeading; heading: string } {
  const cycle = { cycleId: r.cycleId, name: r.name, status: r.status };
  const heading = `${cycle.name ?? cycle.cycleId} (${cycle.cycleId}${cycle.status ? `, ${cycle.status.toLowerCase()}` : ''})`;
  return { cycle, heading };
}

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

function funnel(
  { name: _n, status: _s, ...report }: Headed<ReturnType<typeof funnelByProvince>>,
  { cycle, heading }: { cycle: CycleHeading; heading: string },
  format: Format,
): Outcome {
  const document = { ...cycle, by: 'funnel', steps: FUNNEL_STEPS, ...report };
  const counts = (c: FunnelCounts) => FUNNEL_STEPS.map((s) => c[s.key]);
  if (format === 'json') return { json: document, text: json(document) };
  if (format === 'csv') {
    return {
      json: document,
      text: csv(
        ['province_code', 'province', ...FUNNEL_STEPS.map((s) => snake(s.key))],
        report.provinces.map((p) => [p.provinceCode, p.province, ...counts(p)]),
      ),
    };
  }
  const rows: Cell[][] = report.provinces.map((p) => [p.province, p.provinceCode, ...counts(p).map(dash)]);
  rows.push(['total', '', ...counts(report.total).map(dash)]);
  const lines = [
    `${heading}: how far the ${report.total.proposed} proposal${report.total.proposed === 1 ? '' : 's'} of each province got`,
    '',
    report.provinces.length > 0
      ? table(['province', 'code', ...FUNNEL_STEPS.map((s) => s.label)], rows)
      : 'No proposals yet.',
    '',
    ...FUNNEL_STEPS.map((s) => `  ${s.label}: ${s.means}`),
  ];
  if (!report.prescreen) lines.push('  (this cycle has no provincial pre-screen: -)');
  return { json: document, text: lines.join('\n') };
}

function participationReport(
  { name: _n, status: _s, ...report }: Headed<ReturnType<typeof participation>>,
  { cycle, heading }: { cycle: CycleHeading; heading: string },
  format: Format,
): Outcome {
  const document = { ...cycle, by: 'participation', ...report };
  if (format === 'json') return { json: document, text: json(document) };
  if (format === 'csv') {
    return {
      json: document,
      text: csv(
        ['province_code', 'province', 'proposals', 'regencies_proposing', 'regencies_total', 'regency_rate'],
        report.byProvince.map((p) => [
          p.provinceCode,
          p.province,
          p.proposals,
          p.regencies.participating,
          p.regencies.total,
          Number(p.regencies.rate.toFixed(4)),
        ]),
      ),
    };
  }
  const { provinces: pr, regencies: rg } = report;
  return {
    json: document,
    text: [
      `${heading}: ${report.proposals} proposal${report.proposals === 1 ? '' : 's'}`,
      `  provinces       ${pr.participating} of ${pr.total} proposed (${percent(pr.rate)})`,
      `  kabupaten/kota  ${rg.participating} of ${rg.total} proposed (${percent(rg.rate)})`,
      '',
      table(
        ['province', 'code', 'proposals', 'kab/kota proposing', 'of', 'rate'],
        report.byProvince.map((p) => [
          p.province,
          p.provinceCode,
          p.proposals,
          p.regencies.participating,
          p.regencies.total,
          percent(p.regencies.rate),
        ]),
      ),
    ].join('\n'),
  };
}

function stars(
  answer: StarsAnswer,
  { cycle, heading }: { cycle: CycleHeading; heading: string },
  format: Format,
): Outcome {
  const groups = new Map<string, { provinceCode: string; province: string; commodity: string; stars: number[] }>();
  for (const r of answer.stars) {
    const key = `${r.provinceCode}|${r.commodity}`;
    const g = groups.get(key) ?? {
      provinceCode: r.provinceCode,
      province: r.province,
      commodity: r.commodity,
      stars: [0, 0, 0, 0, 0, 0],
    };
    g.stars[r.stars] += r.count;
    groups.set(key, g);
  }
  const starred = [...groups.values()].map((g) => ({
    provinceCode: g.provinceCode,
    province: g.province,
    commodity: g.commodity,
    bintang5: g.stars[5],
    bintang4: g.stars[4],
    bintang3: g.stars[3],
    bintang2: g.stars[2],
    bintang1: g.stars[1],
    total: g.stars.reduce((t, n) => t + n, 0),
  }));
  const document = { ...cycle, by: 'stars', starred };
  const cells = starred.map((s) => [s.bintang5, s.bintang4, s.bintang3, s.bintang2, s.bintang1, s.total]);
  if (format === 'json') return { json: document, text: json(document) };
  if (format === 'csv') {
    return {
      json: document,
      text: csv(
        [
          'province_code',
          'province',
          'commodity',
          'bintang_5',
          'bintang_4',
          'bintang_3',
          'bintang_2',
          'bintang_1',
          'total',
        ],
        starred.map((s, i) => [s.provinceCode, s.province, s.commodity, ...cells[i]]),
      ),
    };
  }
  return {
    json: document,
    text: [
      `${heading}: determined stars by province and commodity group (B5 = Bintang 5)`,
      '',
      starred.length > 0
        ? table(
            ['province', 'code', 'commodity', 'B5', 'B4', 'B3', 'B2', 'B1', 'total'],
            starred.map((s, i) => [s.province, s.provinceCode, commodityLabel(s.commodity), ...cells[i]]),
          )
        : 'No stars determined yet.',
    ].join('\n'),
  };
}

const dash = (n: number | null): Cell => n ?? '-';
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
