/**
 * Panels and field visits (issue 17, item 4): panels drawn from the assessors matching the nomination's commodity and
 * never of its province; a pool too small reported by `ovop cycle check` and handled by the workflow without a failed
 * task; a field visit's scheduling mail, its reminder, the evidence recorded on site and its effect on the stars; and
 * the refusals around them. Judged from the event log, the rows, the mail the SMTP server received and the CLI.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { simpleParser } from 'mailparser';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinator, dinasOf, scoresFor, settled, testConfig } from '../../bench/drivers';
import { eligibleAssessors } from '../../domain/panel';
import type { Actor, Commodity, CycleConfig } from '../../domain/types';
import { mailFor } from '../../embedded/mailbox';
import {
  nominationStateQuery,
  recordFieldEvidenceUpdate,
  resolveHoldUpdate,
  scheduleFieldVisitUpdate,
  submitScoresUpdate,
  verifyFieldUpdate,
  type NominationView,
} from '../../workflows/messages';
import { startApi, type ApiUnderTest } from '../support/api';
import { cliRunner, REPO_ROOT, type Ovop } from '../support/cli';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { toAssessment as driveToAssessment } from '../support/to-assessment';

let h: Harness;
/** The CLI's actor commands go through this API, each as the user of its token. */
let api: ApiUnderTest;
let ovop: Ovop;
let dir: string;
beforeAll(async () => {
  h = await startHarness('panel-field-visit');
  api = await startApi(h);
  ovop = cliRunner(h.taskQueue, api);
  dir = mkdtempSync(join(tmpdir(), 'ovop-panel-'));
});
afterAll(async () => {
  await api?.stop();
  await h?.stop();
});

/** Waits for the stage in the projection — written once the workflow has committed the stage, unlike a query that
 * may run ahead of events the workflow has not processed — and answers the workflow's view from then. */
async function stageOf(handle: WorkflowHandle, stage: string): Promise<NominationView> {
  await waitFor(
    async () => {
      const row = await h.db
        .selectFrom('nominations')
        .select('stage')
        .where('workflow_id', '=', handle.workflowId)
        .executeTakeFirst();
      return row?.stage === stage;
    },
    { what: `stage ${stage} in the projection`, timeoutMs: 90_000 },
  );
  return handle.query(nominationStateQuery);
}

/** Starts a nomination directly and drives it through attendance, documents and the review to IN_ASSESSMENT. */
const toAssessment = (config: CycleConfig, regencyCode: string, ikmName: string, commodity: Commodity) =>
  driveToAssessment(h, config, { regencyCode, ikmName, commodity });

/** Every assigned assessor scores every criterion `score` (3 gives 100, 2 gives 50). */
async function scoreAll(config: CycleConfig, handle: WorkflowHandle, score: number) {
  const s = await handle.query(nominationStateQuery);
  for (const id of s.assessors) {
    const region = config.assessment.assessors.find((a) => a.id === id)!.province;
    await handle.executeUpdate(submitScoresUpdate, {
      args: [{ actor: { role: 'assessor', id, region }, scores: scoresFor(config, score) }],
    });
  }
}

const eventsOf = (workflowId: string, type?: string) => {
  let q = h.db.selectFrom('nomination_events').selectAll().where('workflow_id', '=', workflowId);
  if (type) q = q.where('type', '=', type);
  return q.orderBy('seq').execute();
};

/** Sends an update that must be refused with `message`: no history event, no event row. */
async function expectRefused<Arg>(
  handle: WorkflowHandle,
  workflowId: string,
  update: UpdateDefinition<unknown, [Arg]>,
  arg: Arg,
  message: string,
): Promise<void> {
  const before = await settled(handle);
  const rows = (await eventsOf(workflowId)).length;
  const error = await handle.executeUpdate(update, { args: [arg] }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a refusal: ${message}`).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((error as WorkflowUpdateFailedError).cause?.message).toBe(message);
  expect((await handle.fetchHistory()).events?.length).toBe(before);
  expect(await eventsOf(workflowId)).toHaveLength(rows);
}

const assessorActor = (config: CycleConfig, id: string): Actor => ({
  role: 'assessor',
  id,
  region: config.assessment.assessors.find((a) => a.id === id)!.province,
});

describe('the assessment panel', () => {
  it('draws every panel from assessors matching its commodity, never of its province, over 25 nominations', async () => {
    const config = testConfig('uji-panel-komoditas');
    const regencies = ['32.05', '34.71', '73.71', '12.71', '91.03'];
    const commodities: Commodity[] = ['makanan_minuman', 'kain_tenun', 'kain_batik', 'anyaman', 'gerabah'];
    const started = await Promise.all(
      regencies.flatMap((regencyCode) =>
        commodities.map(async (commodity) => ({
          commodity,
          regencyCode,
          ...(await toAssessment(config, regencyCode, `Panel ${commodity} ${regencyCode}`, commodity)),
        })),
      ),
    );
    let restricted = 0;
    for (const { workflowId, handle, commodity, regencyCode } of started) {
      await settled(handle, 60_000);
      const province = regencyCode.slice(0, 2);
      const [entered] = (await eventsOf(workflowId, 'stage.changed')).filter(
        (e) => (e.payload as { to: string }).to === 'IN_ASSESSMENT',
      );
      const panel = (entered.payload as { assessors: string[] }).assessors;
      const eligible = eligibleAssessors(config.assessment.assessors, province, commodity);
      const profiles = panel.map((id) => config.assessment.assessors.find((a) => a.id === id)!);
      expect.soft(panel, workflowId).toHaveLength(2);
      for (const a of profiles) {
        expect.soft(a.province, `${workflowId}: ${a.id}`).not.toBe(province);
        expect.soft(a.commodities === 'all' || a.commodities!.includes(commodity), `${workflowId}: ${a.id}`).toBe(true);
      }
      // Affiliations mix: two of one kind only when the eligible are all of that kind.
      if (new Set(eligible.map((a) => a.affiliation)).size > 1)
        expect.soft(new Set(profiles.map((a) => a.affiliation)).size, workflowId).toBe(2);
      if (eligible.length < config.assessment.assessors.length - 1) restricted += 1;
      const mailed = (await mailFor(h.mailDir, workflowId)).filter((m) => m.template === 'assessment_assigned');
      expect.soft(mailed.flatMap((m) => m.to).sort(), workflowId).toEqual(profiles.map((a) => a.email).sort());
    }
    // The commodity rule really narrowed most panels' pools (it is not the province rule alone).
    expect(restricted).toBeGreaterThanOrEqual(20);
  });

  it('reports a short pool in `ovop cycle check`, and the workflow escalates a short panel and holds an empty one', async () => {
    // Batik assessors: Budi (32) and Siti (34) only; gerabah: nobody.
    const shortPool = (c: CycleConfig) => {
      c.assessment.assessors = c.assessment.assessors
        .filter((a) => ['penilai-budi', 'penilai-siti'].includes(a.id))
        .map((a) => ({ ...a, commodities: ['kain_batik' as const] }));
    };
    const file = join(dir, 'short.yaml');
    const yaml = YAML.parse(readFileSync(join(REPO_ROOT, 'config/cycle.demo.yaml'), 'utf8'));
    yaml.assessment.assessors = yaml.assessment.assessors
      .filter((a: { id: string }) => ['penilai-budi', 'penilai-siti'].includes(a.id))
      .map((a: object) => ({ ...a, commodities: ['kain_batik'] }));
    writeFileSync(file, YAML.stringify(yaml));
    const [text, json] = await Promise.all([
      ovop(['cycle', 'check', '--config', file]),
      ovop(['--json', 'cycle', 'check', '--config', file]),
    ]);
    expect(text.code).toBe(0);
    expect(text.stderr).toContain('ovop: warning: too few assessors for a panel of 2');
    expect(text.stdout).toMatch(/Panels short of 2 eligible assessors:/);
    expect(text.stdout).toMatch(/ {2}kain_batik: .*32 Jawa Barat \(1\).*34 Daerah Istimewa Yogyakarta \(1\)/);
    expect(text.stdout).toMatch(/ {2}gerabah: 11 Aceh \(0\)/);
    const shortfalls = json.json().panels.shortfalls as { commodity: string; provinces: { code: string }[] }[];
    expect(shortfalls.map((s) => s.commodity)).toEqual([
      'makanan_minuman',
      'kain_tenun',
      'kain_batik',
      'anyaman',
      'gerabah',
    ]);
    const batik = shortfalls.find((s) => s.commodity === 'kain_batik')!;
    expect(batik.provinces.map((p) => p.code)).toEqual(['32', '34']);
    // With requireFullPanels the same pool is refused, a message per field.
    writeFileSync(file, YAML.stringify({ ...yaml, assessment: { ...yaml.assessment, requireFullPanels: true } }));
    const strict = await ovop(['cycle', 'check', '--config', file]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/assessment\.assessors: too few assessors .*requireFullPanels is on/);

    const config = testConfig('uji-panel-kurang', { mutate: shortPool });
    const [short, empty] = await Promise.all([
      toAssessment(config, '32.05', 'Batik Garut Kurang', 'kain_batik'),
      toAssessment(config, '34.71', 'Gerabah Yogya Kosong', 'gerabah'),
    ]);

    // A short panel goes ahead with the one eligible assessor, and the coordinators hear of it.
    await settled(short.handle, 60_000);
    const [shortEvent] = await eventsOf(short.workflowId, 'assessment.panel_short');
    expect(shortEvent.payload).toEqual({
      needed: 2,
      drawn: 1,
      commodity: 'kain_batik',
      province: '32',
      held: false,
    });
    const shortMail = (await mailFor(h.mailDir, short.workflowId)).filter((m) => m.template === 'panel_short');
    expect(shortMail).toHaveLength(1);
    expect(shortMail[0].to).toEqual(config.contacts.coordinators);
    expect(shortMail[0].text).toContain('Hanya 1 dari 2 penilai');
    await scoreAll(config, short.handle, 3);
    await stageOf(short.handle, 'FIELD_VERIFICATION');

    // An empty panel holds the nomination: no task fails, more time is refused, a disqualification ends it.
    const held = await waitFor(async () => {
      const s = await empty.handle.query(nominationStateQuery);
      return s.hold && s;
    });
    expect(held).toMatchObject({
      stage: 'IN_ASSESSMENT',
      assessors: [],
      hold: { stage: 'assessment', reason: 'no_panel' },
    });
    await settled(empty.handle, 60_000);
    const [emptyEvent] = await eventsOf(empty.workflowId, 'assessment.panel_short');
    expect(emptyEvent.payload).toMatchObject({ needed: 2, drawn: 0, commodity: 'gerabah', held: true });
    const emptyMail = (await mailFor(h.mailDir, empty.workflowId)).filter((m) => m.template === 'panel_short');
    expect(emptyMail.map((m) => m.to)).toEqual([config.contacts.coordinators]);
    expect(emptyMail[0].text).toContain('Usulan ditahan');
    await expectRefused(
      empty.handle,
      empty.workflowId,
      resolveHoldUpdate,
      { actor: coordinator, decision: 'extend', until: new Date(Date.now() + 3_600_000).toISOString() },
      'no assessor in the pool may assess gerabah from outside province 34, so more time draws no panel; ' +
        'disqualify it, or its dinas withdraws it',
    );
    const ended = await empty.handle.executeUpdate(resolveHoldUpdate, {
      args: [{ actor: coordinator, decision: 'disqualify', reason: 'Tidak ada penilai gerabah' }],
    });
    expect(ended.stage).toBe('DISQUALIFIED');
    expect(await empty.handle.result()).toMatchObject({ stage: 'DISQUALIFIED' });
  });
});

describe('field visits', () => {
  const visitConfig = (id: string, appliesTo: 'all' | 'threshold', remindBefore: string) =>
    testConfig(id, {
      fieldVisits: true,
      mutate: (c) => {
        c.fieldVisit!.appliesTo = appliesTo;
        c.fieldVisit!.remindBefore = [remindBefore];
      },
    });

  it('schedules a visit with its mail and reminder, records the evidence, and a failed visit caps the stars', async () => {
    const config = visitConfig('uji-kunjungan', 'threshold', '4s');
    const { handle, workflowId } = await toAssessment(config, '32.05', 'Tenun Garut Kunjungan', 'kain_tenun');
    const s = await handle.query(nominationStateQuery);
    const [scorer] = s.assessors;

    // Wrong stage: evidence and a schedule while the nomination is still being assessed.
    await expectRefused(
      handle,
      workflowId,
      scheduleFieldVisitUpdate,
      { actor: coordinator, date: new Date(Date.now() + 60_000).toISOString(), team: ['penilai-andi', 'penilai-rina'] },
      `nomination ${workflowId} is IN_ASSESSMENT; this action needs FIELD_VERIFICATION`,
    );
    await scoreAll(config, handle, 3);
    await stageOf(handle, 'FIELD_VERIFICATION');
    await expectRefused(
      handle,
      workflowId,
      recordFieldEvidenceUpdate,
      { actor: assessorActor(config, scorer), items: [{ item: 'org_chart', found: true }] },
      'no field visit is scheduled yet; a coordinator schedules it first',
    );
    await expectRefused(
      handle,
      workflowId,
      verifyFieldUpdate,
      { actor: coordinator, passed: true },
      'this cycle verifies in the field by a visit: a coordinator schedules it (field-visit schedule) and its team ' +
        'records the evidence against the checklist (field-visit evidence)',
    );
    const date = new Date(Date.now() + 15_000).toISOString();
    const team = ['penilai-andi', 'penilai-rina', 'penilai-siti'];
    await expectRefused(
      handle,
      workflowId,
      scheduleFieldVisitUpdate,
      { actor: dinasOf('32.05'), date, team },
      'role dinas_kabkota may not do this; only a coordinator may',
    );
    await expectRefused(
      handle,
      workflowId,
      scheduleFieldVisitUpdate,
      { actor: coordinator, date, team: ['penilai-andi', 'penilai-budi'] },
      "conflict of interest: assessor penilai-budi is from province 32, the nomination's own",
    );

    const scheduled = await handle.executeUpdate(scheduleFieldVisitUpdate, {
      args: [{ actor: coordinator, date, team, facilitator: 'Asep Sunandar' }],
    });
    expect(scheduled.fieldVisit).toMatchObject({ date, team, facilitator: 'Asep Sunandar', passed: null });
    const row = await waitFor(() =>
      h.db.selectFrom('field_visits').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst(),
    );
    expect({ ...row, visit_date: row.visit_date.toISOString() }).toMatchObject({
      visit_date: date,
      team,
      facilitator: 'Asep Sunandar',
      scheduled_by: `coordinator:${coordinator.id}`,
      passed: null,
    });
    const scheduleMails = () =>
      mailFor(h.mailDir, workflowId).then((all) => all.filter((m) => m.template === 'field_visit_scheduled'));
    const [scheduleMail, teamMail] = await waitFor(async () => {
      const both = await scheduleMails();
      return both.length === 2 && [...both].sort((a, b) => a.key.length - b.key.length);
    });
    const profiles = team.map((id) => config.assessment.assessors.find((a) => a.id === id)!);
    // Blind assessment: the dinas hears the date and what to prepare, never who comes; the team is told apart.
    expect(scheduleMail.to).toEqual(['disperin.32.05@daerah.example']);
    expect(scheduleMail.cc).toEqual(['disperin.32@daerah.example']);
    expect(scheduleMail.text).toContain('Pendamping dari kabupaten/kota: Asep Sunandar');
    expect(scheduleMail.text).toContain('  - Pembukuan keuangan');
    for (const a of profiles) expect(scheduleMail.text).not.toContain(a.name);
    expect(teamMail.to).toEqual(profiles.map((a) => a.email));
    expect(teamMail.text).toContain(`Tim: ${profiles.map((a) => a.name).join(', ')}`);

    // Before the date the team cannot have found anything on site; the reminder reaches the dinas before it.
    await expectRefused(
      handle,
      workflowId,
      recordFieldEvidenceUpdate,
      { actor: assessorActor(config, 'penilai-andi'), items: [{ item: 'org_chart', found: true }] },
      `the field visit is on ${date}; evidence is recorded on site, from that time`,
    );
    const reminder = await waitFor(
      async () => (await mailFor(h.mailDir, workflowId)).find((m) => m.template === 'field_visit_reminder'),
      { what: 'the visit reminder', timeoutMs: 30_000 },
    );
    expect(reminder.to).toEqual(['disperin.32.05@daerah.example']);
    for (const a of profiles) expect(reminder.text).not.toContain(a.name);
    const sent = (await simpleParser(readFileSync(join(h.mailDir, reminder.file)))).date!.getTime();
    expect(sent).toBeLessThan(Date.parse(date));
    expect(sent).toBeGreaterThanOrEqual(Date.parse(date) - 4_000 - 1_000);
    await waitFor(async () => Date.now() > Date.parse(date) && true, { timeoutMs: 30_000 });

    // Refusals on site: the dinas, an assessor not on the team, an unknown item.
    const andi = assessorActor(config, 'penilai-andi');
    await expectRefused(
      handle,
      workflowId,
      recordFieldEvidenceUpdate,
      { actor: dinasOf('32.05'), items: [{ item: 'org_chart', found: true }] },
      'role dinas_kabkota may not record field evidence; only a member of the visit team may',
    );
    await expectRefused(
      handle,
      workflowId,
      recordFieldEvidenceUpdate,
      { actor: assessorActor(config, 'penilai-made'), items: [{ item: 'org_chart', found: true }] },
      'assessor penilai-made is not on the field visit team (penilai-andi, penilai-rina, penilai-siti)',
    );
    await expectRefused(
      handle,
      workflowId,
      recordFieldEvidenceUpdate,
      { actor: andi, items: [{ item: 'laporan_pajak', found: true }] },
      'unknown checklist item "laporan_pajak"; the checklist has org_chart, sop, bookkeeping, sales_records, community_activities',
    );

    // The organisation chart, with a photo, through the CLI; the rest by the team, bookkeeping (required) not found.
    const photo = join(dir, 'struktur-organisasi.jpg');
    writeFileSync(photo, 'foto struktur organisasi sentra tenun');
    const cli = await ovop(
      [
        'field-visit',
        'evidence',
        workflowId,
        '--item',
        'org_chart',
        '--found',
        '--note',
        'Terpasang di kantor sentra',
        '--file',
        photo,
      ],
      { token: api.tokens.andi },
    );
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('org_chart found at Tenun Garut Kunjungan (1 file).');
    expect(cli.stdout).toContain('still to record sop, bookkeeping, sales_records, community_activities');
    await handle.executeUpdate(recordFieldEvidenceUpdate, {
      args: [
        {
          actor: assessorActor(config, 'penilai-rina'),
          items: [
            { item: 'sop', found: true },
            { item: 'bookkeeping', found: false, note: 'Tidak ada pembukuan tertulis' },
            { item: 'sales_records', found: true },
            { item: 'community_activities', found: true, note: 'Pelatihan tenun bagi pemuda desa' },
          ],
        },
      ],
    });
    await expectRefused(
      handle,
      workflowId,
      recordFieldEvidenceUpdate,
      { actor: andi, items: [{ item: 'sop', found: true }] },
      `nomination ${workflowId} is STAR_RECOMMENDED; this action needs FIELD_VERIFICATION`,
    );

    const recommended = await stageOf(handle, 'STAR_RECOMMENDED');
    expect(recommended).toMatchObject({
      provisionalScore: 100,
      fieldVerified: false,
      recommendedStars: 3,
      cappedBy: [{ fromStars: 4, reason: 'verifikasi lapangan belum lulus' }],
    });
    const evidence = await h.db
      .selectFrom('field_evidence')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .orderBy('item')
      .execute();
    expect(evidence.map((e) => [e.item, e.found, e.recorded_by])).toEqual([
      ['bookkeeping', false, 'assessor:penilai-rina'],
      ['community_activities', true, 'assessor:penilai-rina'],
      ['org_chart', true, 'assessor:penilai-andi'],
      ['sales_records', true, 'assessor:penilai-rina'],
      ['sop', true, 'assessor:penilai-rina'],
    ]);
    const chart = evidence.find((e) => e.item === 'org_chart')!;
    const content = readFileSync(photo);
    const checksum = createHash('sha256').update(content).digest('hex');
    expect(chart.note).toBe('Terpasang di kantor sentra');
    expect(chart.files).toEqual([
      { id: `sha256-${checksum.slice(0, 16)}`, name: 'struktur-organisasi.jpg', checksum, sizeBytes: content.length },
    ]);
    const [verified] = await eventsOf(workflowId, 'field.verified');
    expect(verified.payload).toEqual({ passed: false, found: 4, minFound: 4, missingRequired: ['bookkeeping'] });
    expect(await eventsOf(workflowId, 'field_visit.evidence')).toHaveLength(2);
    const decided = await h.db
      .selectFrom('field_visits')
      .select(['passed', 'items_found'])
      .where('workflow_id', '=', workflowId)
      .executeTakeFirstOrThrow();
    expect(decided).toEqual({ passed: false, items_found: 4 });
  });

  it('visits every assessed nomination when appliesTo is all, and a visit that finds everything keeps the stars', async () => {
    const config = visitConfig('uji-kunjungan-semua', 'all', '30s');
    const { handle, workflowId } = await toAssessment(config, '52.01', 'Gerabah Banyumulek Semua', 'gerabah');
    await scoreAll(config, handle, 2);
    // 50 is below the threshold of 70: without `all` it would go straight to its stars.
    const field = await stageOf(handle, 'FIELD_VERIFICATION');
    expect(field.provisionalScore).toBe(50);
    // Scheduled through the CLI by a coordinator; an assessor may not, and a malformed command is a usage error.
    const first = new Date(Date.now() + 10 * 60_000).toISOString();
    const args = ['field-visit', 'schedule', workflowId, '--date', first, '--team', 'penilai-budi,penilai-rina'];
    const [byAssessor, usage] = await Promise.all([
      ovop(args, { token: api.tokens.budi }),
      ovop(['field-visit', 'evidence', workflowId, '--item', 'sop', '--found', '--not-found'], {
        token: api.tokens.budi,
      }),
    ]);
    expect([byAssessor.code, byAssessor.stderr.trim()]).toEqual([
      1,
      'ovop: role assessor may not schedule a field visit; only a coordinator may',
    ]);
    expect(await eventsOf(workflowId, 'field_visit.scheduled')).toEqual([]);
    expect([usage.code, usage.stderr.trim()]).toEqual([2, 'ovop: give one result: --found or --not-found']);
    const cli = await ovop(args, { token: api.tokens.coordinator });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('Field visit to Gerabah Banyumulek Semua scheduled for');
    expect(cli.stdout).toContain('team         penilai-budi, penilai-rina');
    // The team can come sooner: the coordinator moves the visit, and the dinas is told the new date.
    const date = new Date(Date.now() + 6_000).toISOString();
    const moved = await handle.executeUpdate(scheduleFieldVisitUpdate, {
      args: [{ actor: coordinator, date, team: ['penilai-budi', 'penilai-rina'] }],
    });
    expect(moved.fieldVisit?.date).toBe(date);
    const [, rescheduled] = await eventsOf(workflowId, 'field_visit.scheduled');
    expect(rescheduled.payload).toMatchObject({ visitDate: date, rescheduled: true });
    await waitFor(async () => Date.now() > Date.parse(date) && true, { timeoutMs: 30_000 });
    await handle.executeUpdate(recordFieldEvidenceUpdate, {
      args: [
        {
          actor: assessorActor(config, 'penilai-budi'),
          items: config.fieldVisit!.checklist.map((i) => ({ item: i.id, found: true })),
        },
      ],
    });
    const recommended = await stageOf(handle, 'STAR_RECOMMENDED');
    expect(recommended).toMatchObject({ fieldVerified: true, recommendedStars: 2, cappedBy: [] });
    // The first date's 30 s reminder never came due; the moved date's would fall before its scheduling mail: none.
    const mail = await mailFor(h.mailDir, workflowId);
    expect(mail.filter((m) => m.template === 'field_visit_reminder')).toEqual([]);
    // Two schedulings, each one mail to the dinas and one to the team.
    expect(mail.filter((m) => m.template === 'field_visit_scheduled')).toHaveLength(4);
    const row = await h.db
      .selectFrom('field_visits')
      .select(['visit_date', 'passed'])
      .where('workflow_id', '=', workflowId)
      .executeTakeFirstOrThrow();
    expect({ date: row.visit_date.toISOString(), passed: row.passed }).toEqual({ date, passed: true });
    const [verified] = await eventsOf(workflowId, 'field.verified');
    expect(verified.payload).toEqual({ passed: true, found: 5, minFound: 4, missingRequired: [] });
  });
});
