/**
 * The cycle-wide forms of `ovop report <cycle> --by funnel|participation|stars`, computed by db/reports.ts (which the
 * HTTP API serves too) and printed as a table, CSV or JSON.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import {
  FUNNEL_STEPS,
  funnelByProvince,
  participation,
  starsByProvinceAndCommodity,
  type FunnelCounts,
} from '../../db/reports';
import type { Outcome } from '../context';
import { commodityLabel, csv, json, regionName, table, type Cell } from '../output';

export type CycleReportBy = 'funnel' | 'participation' | 'stars';
type Format = 'table' | 'csv' | 'json';

interface CycleHeading {
  cycleId: string;
  name: string | null;
  status: string | null;
}

export async function cycleReport(
  db: Kysely<Database>,
  cycle: CycleHeading,
  by: CycleReportBy,
  format: Format,
): Promise<Outcome> {
  const heading = `${cycle.name ?? cycle.cycleId} (${cycle.cycleId}${cycle.status ? `, ${cycle.status.toLowerCase()}` : ''})`;
  if (by === 'funnel') return funnel(db, cycle, heading, format);
  if (by === 'participation') return participationReport(db, cycle, heading, format);
  return stars(db, cycle, heading, format);
}

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

async function funnel(db: Kysely<Database>, cycle: CycleHeading, heading: string, format: Format): Promise<Outcome> {
  const report = await funnelByProvince(db, cycle.cycleId);
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

async function participationReport(
  db: Kysely<Database>,
  cycle: CycleHeading,
  heading: string,
  format: Format,
): Promise<Outcome> {
  const report = await participation(db, cycle.cycleId);
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

async function stars(db: Kysely<Database>, cycle: CycleHeading, heading: string, format: Format): Promise<Outcome> {
  const rows = await starsByProvinceAndCommodity(db, cycle.cycleId);
  const groups = new Map<string, { provinceCode: string; province: string; commodity: string; stars: number[] }>();
  for (const r of rows) {
    const key = `${r.province}|${r.commodity}`;
    const g = groups.get(key) ?? {
      provinceCode: r.province,
      province: regionName(r.province),
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
