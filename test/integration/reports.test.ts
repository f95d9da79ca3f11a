/**
 * `ovop report <cycle> --by funnel|participation|stars` over a real cycle of the demo's config (with the provincial
 * pre-screen and product samples): ten nominations in eight provinces driven by the demo's scripted actors to their
 * ends (Bintang 5, average scores, a pre-screen return and a revision round, a missed attendance, a withdrawal). Each report is checked against what the test computes itself from the `nominations` and
 * `nomination_events` rows and from the idn-area-data catalogue files; CSV output is parsed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveNomination } from '../../demo/actors';
import { demoNominations, type DemoNomination } from '../../demo/nominations';
import { loadCycleConfig } from '../../domain/cycle-config';
import type { CycleConfig } from '../../domain/types';
import { retryOnTaskFailure } from '../../common/update-retry';
import { awardCycle } from '../../workflows/award-cycle.workflow';
import { cycleWorkflowId } from '../../workflows/ids';
import { nominateUpdate } from '../../workflows/messages';
import { startApi, type ApiUnderTest } from '../support/api';
import { cliRunner, REPO_ROOT, type Ovop } from '../support/cli';
import { startHarness, type Harness } from '../support/harness';

const CYCLE = 'uji-laporan';
/** The cycle is driven to its end once; every report below reads it. */
const SLOW = 600_000;

let h: Harness;
/** `ovop report` reads through this API, as the auditor. */
let api: ApiUnderTest;
let ovop: Ovop;
let config: CycleConfig;

/** The idn-area-data catalogue read straight from its CSV files, independently of domain/regions.ts. */
function catalogue() {
  const dir = dirname(createRequire(import.meta.url).resolve('idn-area-data/package.json'));
  const rows = (file: string) =>
    readFileSync(join(dir, 'data', file), 'utf8')
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((l) => l.split(','));
  const provinces = rows('provinces.csv').map(([code]) => code);
  const regencies = rows('regencies.csv').map(([code, province]) => ({ code, province }));
  return { provinces, regencies };
}

/**
 * The demo's driver, started again when an Update meets a workflow task that failed for a moment (a task timing out on
 * the loaded shared machine, retried by the server): the driver reads the state afresh and goes on.
 */
async function drive(workflowId: string, script: DemoNomination['script']) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await driveNomination(h.db, h.client.workflow.getHandle(workflowId), script, config, () => {});
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause;
      if (attempt >= 5 || !/Workflow Task in failed state/.test(`${(err as Error).message} ${cause?.message}`))
        throw err;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

const csvRows = (text: string) => parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];

beforeAll(async () => {
  h = await startHarness('reports');
  api = await startApi(h);
  const cli = cliRunner(h.taskQueue, api);
  ovop = (args, opts) => cli(args, { token: api.tokens.auditor, ...opts });
  config = loadCycleConfig(join(REPO_ROOT, 'config', 'cycle.demo.yaml'));
  config.id = CYCLE;
  // The demo determines by one decree; these scripted actors determine each nomination themselves.
  if (config.award) config.award.determination = 'per-nomination';
  // Only the missed attendance is meant to happen; on a loaded machine the other compressed deadlines could pass too.
  for (const [stage, d] of Object.entries(config.deadlines))
    if (stage !== 'attendance') config.deadlines[stage as keyof CycleConfig['deadlines']] = { ...d, within: '10m' };
});
afterAll(async () => {
  await h?.client.workflow
    .getHandle(cycleWorkflowId(CYCLE))
    .terminate('test over')
    .catch(() => undefined);
  await api?.stop();
  await h?.stop();
});

describe('ovop report', () => {
  it(
    'drives a cycle to its end',
    async () => {
      const cycle = await h.client.workflow.start(awardCycle, {
        workflowId: cycleWorkflowId(CYCLE),
        taskQueue: h.taskQueue,
        args: [{ config, reconcileEvery: '2s' }],
      });
      const demo = demoNominations();
      const pick = (name: string) => demo.find((d) => d.input.ikmName === name)!;
      const nominations: DemoNomination[] = [
        ...demo.slice(0, 4), // the four Bintang 5 of the 2020 article: 32.05, 13.04, 34.71, 52.01
        pick('Gerabah Dinoyo Malang'), // average
        pick('Anyaman Bambu Tegallalang'), // a revision round
        pick('Gerabah Tangerang Bumi Asri'), // misses its attendance
        pick('Keripik Pisang Lampung Jaya'), // withdrawn
        pick('Kopi Java Preanger Bandung'), // a second kabupaten/kota of Jawa Barat
        // A second IKM of Kab. Garut: its kabupaten counts once in the participation.
        {
          script: 'average',
          input: { ...demo[0].input, ikmName: 'Dodol Picnic', sentraName: 'Sentra Dodol Picnic', product: 'Dodol' },
        },
      ];
      const ends = await Promise.all(
        nominations.map(async ({ input, script }) => {
          const dinas = {
            role: 'dinas_kabkota' as const,
            id: `disperin-${input.regencyCode}`,
            region: input.regencyCode,
          };
          const { workflowId } = await retryOnTaskFailure(() =>
            cycle.executeUpdate(nominateUpdate, { args: [{ ...input, cycleId: CYCLE, nominatedBy: dinas }] }),
          );
          return (await drive(workflowId, script)).stage;
        }),
      );
      expect(ends).toContain('DETERMINED');
      expect(ends).toContain('WITHDRAWN');
      expect(ends).toContain('DISQUALIFIED');
    },
    SLOW,
  );

  it(
    'counts the funnel per province as the nominations and their events say, as JSON, a table and CSV',
    async () => {
      const nominations = await h.db
        .selectFrom('nominations')
        .select(['workflow_id', 'province_code', 'stage', 'stars'])
        .where('cycle_id', '=', CYCLE)
        .execute();
      const events = await h.db
        .selectFrom('nomination_events')
        .select(['workflow_id', 'type', 'stage'])
        .where(
          'workflow_id',
          'in',
          nominations.map((n) => n.workflow_id),
        )
        .execute();
      const reached = (id: string, stages: string[]) =>
        events.some((e) => e.workflow_id === id && stages.includes(e.stage));
      const expected = new Map<string, Record<string, number | string | null>>();
      for (const n of nominations) {
        const row = expected.get(n.province_code) ?? {
          provinceCode: n.province_code,
          proposed: 0,
          prescreenPassed: 0,
          adminPassed: 0,
          assessed: 0,
          starred: 0,
        };
        (row.proposed as number)++;
        if (events.some((e) => e.workflow_id === n.workflow_id && e.type === 'prescreen.pass'))
          (row.prescreenPassed as number)++;
        if (reached(n.workflow_id, ['IN_ASSESSMENT'])) (row.adminPassed as number)++;
        if (reached(n.workflow_id, ['FIELD_VERIFICATION', 'STAR_RECOMMENDED'])) (row.assessed as number)++;
        if (n.stage === 'DETERMINED' && (n.stars ?? 0) > 0) (row.starred as number)++;
        expected.set(n.province_code, row);
      }
      const byCode = [...expected.values()].sort((a, b) =>
        String(a.provinceCode).localeCompare(String(b.provinceCode)),
      );

      const [asJson, asTable, asCsv] = [
        await ovop(['--json', 'report', CYCLE, '--by', 'funnel']),
        await ovop(['report', CYCLE, '--by', 'funnel']),
        await ovop(['report', CYCLE, '--by', 'funnel', '--format', 'csv']),
      ];
      expect(asJson.code, asJson.stderr).toBe(0);
      const report = asJson.json();
      expect(report).toMatchObject({ cycleId: CYCLE, by: 'funnel', prescreen: true });
      expect(report.provinces.map(({ province: _, ...counts }: Record<string, unknown>) => counts)).toEqual(byCode);
      // The cycle is not trivial: every step loses someone, and Jawa Barat proposed three.
      expect(report.total).toEqual({
        proposed: 10,
        prescreenPassed: byCode.reduce((t, r) => t + (r.prescreenPassed as number), 0),
        adminPassed: byCode.reduce((t, r) => t + (r.adminPassed as number), 0),
        assessed: byCode.reduce((t, r) => t + (r.assessed as number), 0),
        starred: byCode.reduce((t, r) => t + (r.starred as number), 0),
      });
      // The missed attendance and the withdrawal never reach the pre-screen.
      expect(report.total.prescreenPassed).toBeLessThanOrEqual(8);
      expect(report.total.adminPassed).toBeLessThanOrEqual(report.total.prescreenPassed);
      expect(report.total.adminPassed).toBeGreaterThan(0);
      expect(report.total.starred).toBeGreaterThanOrEqual(4);
      expect(report.provinces.find((p: { provinceCode: string }) => p.provinceCode === '32')).toMatchObject({
        province: 'Jawa Barat',
        proposed: 3,
      });

      expect(asTable.code, asTable.stderr).toBe(0);
      expect(asTable.stdout).toMatch(/^province +code +proposed +passed pre-screen +passed admin +assessed +starred$/m);
      const jabar = byCode.find((r) => r.provinceCode === '32')!;
      expect(asTable.stdout).toMatch(
        new RegExp(
          `^Jawa Barat +32 +3 +${jabar.prescreenPassed} +${jabar.adminPassed} +${jabar.assessed} +${jabar.starred}$`,
          'm',
        ),
      );
      expect(asTable.stdout).toMatch(
        new RegExp(`^total +10 +${report.total.prescreenPassed} +${report.total.adminPassed} `, 'm'),
      );

      expect(asCsv.code, asCsv.stderr).toBe(0);
      expect(csvRows(asCsv.stdout)).toEqual(
        report.provinces.map((p: Record<string, unknown>) => ({
          province_code: p.provinceCode,
          province: p.province,
          proposed: String(p.proposed),
          prescreen_passed: String(p.prescreenPassed),
          admin_passed: String(p.adminPassed),
          assessed: String(p.assessed),
          starred: String(p.starred),
        })),
      );
    },
    SLOW,
  );

  it(
    'rates the participation of provinces and kabupaten/kota against the catalogue: 38 provinces, 514 kabupaten/kota',
    async () => {
      const { provinces, regencies } = catalogue();
      expect([provinces.length, regencies.length]).toEqual([38, 514]);
      const rows = await h.db
        .selectFrom('nominations')
        .select(['province_code', 'regency_code'])
        .where('cycle_id', '=', CYCLE)
        .execute();
      const proposingProvinces = new Set(rows.map((r) => r.province_code));
      const proposingRegencies = new Set(rows.map((r) => r.regency_code));

      const [asJson, asCsv, asTable] = [
        await ovop(['--json', 'report', CYCLE, '--by', 'participation']),
        await ovop(['report', CYCLE, '--by', 'participation', '--format', 'csv']),
        await ovop(['report', CYCLE, '--by', 'participation']),
      ];
      expect(asJson.code, asJson.stderr).toBe(0);
      const report = asJson.json();
      expect(report.proposals).toBe(10);
      expect(report.provinces).toEqual({ participating: 8, total: 38, rate: 8 / 38 });
      expect(proposingProvinces.size).toBe(8);
      // Kab. Garut proposed two IKM and counts once.
      expect(report.regencies).toEqual({
        participating: proposingRegencies.size,
        total: 514,
        rate: proposingRegencies.size / 514,
      });
      expect(proposingRegencies.size).toBe(9);

      const perProvince = csvRows(asCsv.stdout);
      expect(perProvince).toHaveLength(38);
      for (const code of provinces) {
        const row = perProvince.find((r) => r.province_code === code)!;
        const total = regencies.filter((r) => r.province === code).length;
        const proposing = [...proposingRegencies].filter((r) => r.startsWith(`${code}.`)).length;
        expect(row, code).toMatchObject({
          proposals: String(rows.filter((r) => r.province_code === code).length),
          regencies_proposing: String(proposing),
          regencies_total: String(total),
          regency_rate: String(Number((proposing / total).toFixed(4))),
        });
      }
      expect(perProvince.find((r) => r.province_code === '32')).toMatchObject({
        province: 'Jawa Barat',
        regencies_proposing: '2',
        regencies_total: '27',
      });
      expect(asTable.stdout).toContain('provinces       8 of 38 proposed (21.1%)');
      expect(asTable.stdout).toContain('kabupaten/kota  9 of 514 proposed (1.8%)');
    },
    SLOW,
  );

  it(
    'lists the determined stars by province and commodity, and keeps the older forms and their refusals',
    async () => {
      const starred = await h.db
        .selectFrom('nominations')
        .select(['province_code', 'commodity', 'stars'])
        .where('cycle_id', '=', CYCLE)
        .where('stage', '=', 'DETERMINED')
        .where('stars', '>', 0)
        .execute();
      const [asCsv, byProvince, unknownBy, noCycle] = [
        await ovop(['report', CYCLE, '--by', 'stars', '--format', 'csv']),
        await ovop(['--json', 'report', CYCLE]),
        await ovop(['report', CYCLE, '--by', 'kecamatan']),
        await ovop(['report', 'tidak-ada', '--by', 'funnel']),
      ];
      expect(asCsv.code, asCsv.stderr).toBe(0);
      const rows = csvRows(asCsv.stdout);
      const expected = new Map<string, number[]>();
      for (const s of starred) {
        const key = `${s.province_code}|${s.commodity}`;
        const counts = expected.get(key) ?? [0, 0, 0, 0, 0, 0];
        counts[s.stars!]++;
        expected.set(key, counts);
      }
      expect(rows).toHaveLength(expected.size);
      for (const r of rows) {
        const counts = expected.get(`${r.province_code}|${r.commodity}`)!;
        expect([r.bintang_5, r.bintang_4, r.bintang_3, r.bintang_2, r.bintang_1, r.total].map(Number)).toEqual([
          counts[5],
          counts[4],
          counts[3],
          counts[2],
          counts[1],
          counts.reduce((t, n) => t + n, 0),
        ]);
      }
      expect(rows.find((r) => r.province_code === '13')).toMatchObject({ commodity: 'kain_tenun', bintang_5: '1' });

      expect(byProvince.code, byProvince.stderr).toBe(0);
      expect(byProvince.json()).toMatchObject({ by: 'province', nominations: 10 });
      expect(unknownBy.code).toBe(2);
      expect(noCycle.code).toBe(1);
      expect(noCycle.stderr).toContain('no cycle tidak-ada');
    },
    SLOW,
  );
});
