/**
 * The award as it is determined and followed up (issue #17, items 5–6): the cycle's star cap, the decree that
 * determines a cycle's recommendations together (and not twice), the coaching office told by mail, the packaging line
 * in the announcement, a curation list built and exported, the certificate hand-over, and a re-evaluation that lowers
 * a star with the previous one kept beside it.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  coordinator,
  dinasOf,
  nominationInput,
  scoresFor,
  sha256,
  startNominationDirectly,
  testConfig,
  workflowInput,
} from '../../bench/drivers';
import { provinceOf } from '../../domain/region-codes';
import type { Actor, CycleConfig, NominationInput } from '../../domain/types';
import { mailFor, type ReceivedMail } from '../../embedded/mailbox';
import { cycleWorkflowId } from '../../workflows/ids';
import {
  attendSocializationUpdate,
  cycleStateQuery,
  determineStarsUpdate,
  nominateUpdate,
  nominationStateQuery,
  reviewDocumentsUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
  verifyFieldUpdate,
  withdrawUpdate,
  type NominationView,
} from '../../workflows/messages';
import { startApi, userWithToken, type ApiUnderTest } from '../support/api';
import { cliRunner, type Ovop } from '../support/cli';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { acceptedUpdates } from '../support/history-wait';

let h: Harness;
/** The CLI's actor commands go through this API, each as the user of its token. */
let api: ApiUnderTest;
let ovop: Ovop;
let asCoordinator: { token: string };
let asGarut: { token: string };
let asBandung: { token: string };
beforeAll(async () => {
  h = await startHarness('award');
  api = await startApi(h);
  ovop = cliRunner(h.taskQueue, api);
  asCoordinator = { token: api.tokens.coordinator };
  asGarut = { token: api.tokens.garut };
  asBandung = {
    token: await userWithToken(h, {
      id: 'disperin-32.04',
      name: 'Disperin Kab. Bandung',
      email: 'disperin.bandung@example.id',
      role: 'dinas_kabkota',
      region: '32.04',
    }),
  };
});
afterAll(async () => {
  await api?.stop();
  await h?.stop();
});

const MINISTRY = 'pembinaan.ikma@ovop.kemenperin.example';
const today = () => new Date().toISOString().slice(0, 10);

async function stageOf(handle: WorkflowHandle, stage: string): Promise<NominationView> {
  return waitFor(
    async () => {
      const s = await handle.query(nominationStateQuery);
      return s.stage === stage && s;
    },
    { what: `stage ${stage}` },
  );
}

async function mailUntil(workflowId: string, template: string): Promise<ReceivedMail> {
  return waitFor(async () => (await mailFor(h.mailDir, workflowId)).find((m) => m.template === template), {
    what: `${template} mail of ${workflowId}`,
    timeoutMs: 15_000,
  });
}

const events = (workflowId: string) =>
  h.db
    .selectFrom('nomination_events')
    .select(['seq', 'type', 'actor_role', 'payload'])
    .where('workflow_id', '=', workflowId)
    .orderBy('seq')
    .execute();

const row = (workflowId: string) =>
  h.db.selectFrom('nominations').selectAll().where('workflow_id', '=', workflowId).executeTakeFirstOrThrow();

/** Attends, submits every required document, has them approved and every assessor score `value`; with a field visit
 * when the score calls for one, passed or not. Ends at STAR_RECOMMENDED. */
async function toRecommendation(
  config: CycleConfig,
  handle: WorkflowHandle,
  opts: { value: number; fieldPassed?: boolean },
): Promise<NominationView> {
  let s = await handle.query(nominationStateQuery);
  const dinas = dinasOf(s.regencyCode);
  if (!s.reevaluation) {
    s = await stageOf(handle, 'AWAITING_SOCIALIZATION');
    const session = config.sessions.find((x) => x.provinces.includes(provinceOf(s.regencyCode)))!;
    await handle.executeUpdate(attendSocializationUpdate, { args: [{ actor: dinas, sessionId: session.id }] });
  }
  s = await stageOf(handle, 'AWAITING_DOCUMENTS');
  for (const kind of s.requiredDocuments) {
    await handle.executeUpdate(submitDocumentUpdate, {
      args: [{ actor: dinas, kind, fileName: `${kind}.pdf`, checksum: sha256(kind), sizeBytes: 4096 }],
    });
  }
  await stageOf(handle, 'UNDER_REVIEW');
  await handle.executeUpdate(reviewDocumentsUpdate, { args: [{ actor: coordinator, decision: 'approve' }] });
  s = await stageOf(handle, 'IN_ASSESSMENT');
  for (const id of s.assessors) {
    const actor: Actor = {
      role: 'assessor',
      id,
      region: config.assessment.assessors.find((a) => a.id === id)!.province,
    };
    await handle.executeUpdate(submitScoresUpdate, { args: [{ actor, scores: scoresFor(config, opts.value) }] });
  }
  s = await waitFor(
    async () => {
      const v = await handle.query(nominationStateQuery);
      return ['FIELD_VERIFICATION', 'STAR_RECOMMENDED'].includes(v.stage) && v;
    },
    { what: 'the end of the assessment' },
  );
  if (s.stage === 'FIELD_VERIFICATION') {
    await handle.executeUpdate(verifyFieldUpdate, { args: [{ actor: coordinator, passed: opts.fieldPassed ?? true }] });
  }
  return stageOf(handle, 'STAR_RECOMMENDED');
}

async function startNomination(config: CycleConfig, over: Partial<NominationInput> & { ikmName: string }) {
  const n = nominationInput(config, { regencyCode: '32.05', ...over });
  return startNominationDirectly(h, h.taskQueue, workflowInput(config, n));
}

describe("the cycle's star cap", () => {
  it('caps a Bintang 5 score at the cap with the reason, and refuses a determination above it: exit 1, no event, no row', async () => {
    const config = testConfig('uji-batas-bintang', { mutate: (c) => (c.award!.maxStars = 3) });
    const { handle, workflowId } = await startNomination(config, { ikmName: 'Tenun Batas Tiga' });
    const recommended = await toRecommendation(config, handle, { value: 3 });
    expect(recommended).toMatchObject({ provisionalScore: 100, recommendedStars: 3 });
    expect(recommended.cappedBy).toContainEqual({ fromStars: 4, reason: 'batas siklus ini paling tinggi Bintang 3' });
    const before = await events(workflowId);

    const cli = await ovop(['determine', workflowId, '--stars', '4', '--reason', 'Unggul sekali'], asCoordinator);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(
      'ovop: Bintang 4 is above the maximum of cycle uji-batas-bintang: it determines at most Bintang 3',
    );
    const refusal = await handle
      .executeUpdate(determineStarsUpdate, { args: [{ actor: coordinator, stars: 5, reason: 'Unggul' }] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refusal as WorkflowUpdateFailedError).cause?.message).toBe(
      'Bintang 5 is above the maximum of cycle uji-batas-bintang: it determines at most Bintang 3',
    );

    // A refused update leaves nothing: no history event, no event row, the projection as it was.
    expect(await acceptedUpdates(h.client, workflowId, 'determineStars')).toBe(0);
    expect(await events(workflowId)).toEqual(before);
    expect(await row(workflowId)).toMatchObject({ stage: 'STAR_RECOMMENDED', stars: null, recommended_stars: 3 });

    const determined = await handle.executeUpdate(determineStarsUpdate, { args: [{ actor: coordinator }] });
    expect(determined).toMatchObject({ stage: 'DETERMINED', stars: 3 });
  });
});

describe('the decree', () => {
  it('determines every recommended nomination of the cycle once: decree row, events, coaching mails to the right offices, packaging lines; a retry determines nothing twice', async () => {
    const config = testConfig('uji-keputusan', {
      mutate: (c) => {
        c.intakeWindow = '12s'; // four nominations get in on a loaded machine
        c.award!.determination = 'decree';
      },
    });
    const cycleId = cycleWorkflowId(config.id);
    const cycle = await h.client.workflow.start('awardCycle', {
      workflowId: cycleId,
      taskQueue: h.taskQueue,
      args: [{ config, reconcileEvery: '1s' }],
    });
    const plans = [
      { regencyCode: '32.05', ikmName: 'Dodol Bintang Lima', value: 3, fieldPassed: true, stars: 5 },
      { regencyCode: '13.04', ikmName: 'Songket Bintang Tiga', value: 3, fieldPassed: false, stars: 3 },
      { regencyCode: '52.01', ikmName: 'Gerabah Bintang Dua', value: 2, fieldPassed: true, stars: 2 },
    ];
    const ids = await Promise.all(
      plans.map(async (p) => {
        const { workflowId } = await cycle.executeUpdate(nominateUpdate, {
          args: [{ ...nominationInput(config, p), nominatedBy: dinasOf(p.regencyCode) }],
        });
        return workflowId;
      }),
    );
    // A fourth nomination is still waiting for its session: it keeps the cycle open until the end of the test.
    const { workflowId: waiting } = await cycle.executeUpdate(nominateUpdate, {
      args: [{ ...nominationInput(config, { regencyCode: '34.71', ikmName: 'Batik Masih Menunggu' }) }],
    });
    await Promise.all(
      plans.map((p, i) =>
        toRecommendation(config, h.client.workflow.getHandle(ids[i]), { value: p.value, fieldPassed: p.fieldPassed }),
      ),
    );
    // Intake has closed and three nominations are recommended; a decree cycle waits for its decree.
    await waitFor(async () => {
      const v = await cycle.query(cycleStateQuery);
      return !v.intakeOpen && v.counts.STAR_RECOMMENDED === 3 && v;
    });
    expect((await cycle.query(cycleStateQuery)).finalized).toBe(false);

    const args = [
      'cycle',
      'decree',
      config.id,
      '--number',
      'KEP-77/IKMA/2027',
      '--date',
      today(),
      '--signatory',
      'minister',
      '--signed-by',
      'Menteri Perindustrian',
    ];
    const byDinas = await ovop(args, asGarut);
    expect(byDinas.code).toBe(1);
    expect(byDinas.stderr).toContain('role dinas_kabkota may not record a decree; only a coordinator may');
    expect(await h.db.selectFrom('decrees').selectAll().where('cycle_id', '=', config.id).execute()).toEqual([]);
    expect(await acceptedUpdates(h.client, cycleWorkflowId(config.id), 'issueDecree')).toBe(0);

    const first = await ovop(['--json', ...args], { ...asCoordinator, timeoutMs: 120_000 });
    expect(first.code, first.stderr).toBe(0);
    const outcome = first.json();
    expect(outcome.alreadyRecorded).toBe(false);
    expect(outcome.skipped).toEqual([]);
    expect(
      outcome.determined.map((d: { workflowId: string; stars: number }) => [d.workflowId, d.stars]).sort(),
    ).toEqual(ids.map((id, i) => [id, plans[i].stars]).sort());

    expect(await h.db.selectFrom('decrees').selectAll().where('cycle_id', '=', config.id).execute()).toMatchObject([
      {
        number: 'KEP-77/IKMA/2027',
        decree_date: today(),
        signatory_office: 'minister',
        signatory_name: 'Menteri Perindustrian',
        issued_by: 'coordinator:koordinator-ikma',
      },
    ]);
    const covered = await h.db
      .selectFrom('decree_nominations')
      .select(['workflow_id', 'stars', 'status'])
      .where('cycle_id', '=', config.id)
      .orderBy('workflow_id')
      .execute();
    expect(covered).toEqual(
      ids
        .map((id, i) => ({ workflow_id: id, stars: plans[i].stars, status: 'determined' }))
        .sort((a, b) => a.workflow_id.localeCompare(b.workflow_id)),
    );

    const offices = [MINISTRY, 'disperin.13@daerah.example', 'disperin.52.01@daerah.example'];
    // Started by the cycle, the nominations name the offices by reference (rules by reference, issue #16 item 4): so
    // does the event, in PostgreSQL as in the history; the row and the mail have the addresses.
    const officeRefs = ['ref:ministry', 'ref:provinsi:13', 'ref:dinas'];
    const levels = ['kementerian', 'provinsi', 'kabupaten_kota'];
    const eventCounts: number[] = [];
    for (const [i, id] of ids.entries()) {
      const { stars } = plans[i];
      await h.client.workflow.getHandle(id).result();
      expect(await row(id)).toMatchObject({
        stage: 'DETERMINED',
        stars,
        decree_number: 'KEP-77/IKMA/2027',
        coaching_level: levels[i],
        coaching_office: offices[i],
      });
      const log = await events(id);
      eventCounts.push(log.length);
      expect(log.filter((e) => e.type === 'stars.decided')).toMatchObject([
        { actor_role: 'coordinator', payload: { stars, decree: { number: 'KEP-77/IKMA/2027' } } },
      ]);
      expect(log.find((e) => e.type === 'stars.determined')!.payload).toMatchObject({
        stars,
        decree: { number: 'KEP-77/IKMA/2027', signatory: { office: 'minister', name: 'Menteri Perindustrian' } },
        coaching: { level: levels[i], office: officeRefs[i] },
        packagingAllowed: stars >= 3,
      });

      const coaching = await mailUntil(id, 'coaching_assigned');
      expect(coaching.to).toEqual([offices[i]]);
      expect(coaching.subject).toBe(`[OVOP] Pembinaan IKM Bintang ${stars}: ${plans[i].ikmName}`);
      const announcement = await mailUntil(id, 'announcement');
      expect(announcement.text).toContain(
        `Dasar penetapan: Keputusan Menteri Perindustrian Nomor KEP-77/IKMA/2027 tanggal ${today()}`,
      );
      expect(announcement.text).toContain(
        stars >= 3
          ? `Bintang ${stars} boleh dicantumkan pada kemasan produk.`
          : `Bintang ${stars} belum boleh dicantumkan pada kemasan produk (mulai Bintang 3).`,
      );
    }
    const decreeMail = await mailUntil(cycleId, 'decree_recorded');
    expect(decreeMail.to).toEqual(['ditjen-ikma@ovop.kemenperin.example']);
    expect(decreeMail.text).toContain('Songket Bintang Tiga: Bintang 3');

    // The same decree again determines nothing twice: the same record, no new event, no second mail.
    const again = await ovop(['--json', ...args], asCoordinator);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json()).toMatchObject({ alreadyRecorded: true, determined: outcome.determined, skipped: [] });
    for (const [i, id] of ids.entries()) expect((await events(id)).length).toBe(eventCounts[i]);
    expect((await mailFor(h.mailDir, cycleId)).filter((m) => m.template === 'decree_recorded')).toHaveLength(1);
    // Another decree under a number already recorded is refused, and changes nothing.
    const conflicting = await ovop(
      [...args.slice(0, 6), '2027-01-02', '--signatory', 'director_general', '--signed-by', 'Dirjen IKMA'],
      asCoordinator,
    );
    expect(conflicting.code).toBe(1);
    expect(conflicting.stderr).toContain('decree KEP-77/IKMA/2027 is already recorded');
    expect(await h.db.selectFrom('decrees').select('number').where('cycle_id', '=', config.id).execute()).toHaveLength(
      1,
    );

    // With the decree applied and the last nomination withdrawn nothing waits: the cycle finalizes.
    await h.client.workflow
      .getHandle(waiting)
      .executeUpdate(withdrawUpdate, { args: [{ actor: dinasOf('34.71'), reason: 'Ikut siklus berikutnya' }] });
    const final = await cycle.result();
    expect(final).toMatchObject({ finalized: true, decrees: [{ number: 'KEP-77/IKMA/2027', determined: 3 }] });

    // Curation: the Bintang 2–3 IKM selected for export readiness, stored and exported as CSV.
    const build = ['curation', 'build', config.id, '--name', 'go-global', '--stars', '2,3'];
    const refused = await ovop(build, asGarut);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('role dinas_kabkota may not build a curation list; only a coordinator may');
    expect(await h.db.selectFrom('curation_lists').selectAll().where('cycle_id', '=', config.id).execute()).toEqual([]);
    const built = await ovop(['--json', ...build], asCoordinator);
    expect(built.code, built.stderr).toBe(0);
    expect(built.json()).toMatchObject({ created: true, criteria: { stars: [2, 3] } });
    const members = await h.db
      .selectFrom('curation_list_members')
      .select(['workflow_id', 'stars'])
      .where('cycle_id', '=', config.id)
      .where('list_name', '=', 'go-global')
      .orderBy('stars', 'desc')
      .execute();
    expect(members).toEqual([
      { workflow_id: ids[1], stars: 3 },
      { workflow_id: ids[2], stars: 2 },
    ]);
    const out = join(mkdtempSync(join(tmpdir(), 'ovop-curation-')), 'go-global.csv');
    const [exported, byDinasExport] = await Promise.all([
      ovop(['curation', 'export', config.id, 'go-global', '--out', out], { token: api.tokens.auditor }),
      ovop(['curation', 'export', config.id, 'go-global'], asGarut),
    ]);
    expect(byDinasExport.code).toBe(1);
    expect(byDinasExport.stderr).toContain('role dinas_kabkota may not read a curation list');
    expect(exported.code, exported.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('workflow_id,ikm_name,regency_code,regency,province_code,province,commodity,stars,score');
    expect(lines.slice(1)).toEqual([
      `${ids[1]},Songket Bintang Tiga,13.04,Kab. Tanah Datar,13,Sumatera Barat,kain_tenun,3,100`,
      `${ids[2]},Gerabah Bintang Dua,52.01,Kab. Lombok Barat,52,Nusa Tenggara Barat,kain_tenun,2,50`,
    ]);
  });
});

describe('a re-evaluation and the certificate hand-over', () => {
  it('lowers a Bintang 4 to Bintang 2 beside the previous star, and waits for the certificate, recorded once by its own dinas', async () => {
    const config = testConfig('uji-sertifikat', {
      mutate: (c) => (c.award!.certificateHandover = { within: '10m' }),
    });
    const { handle, workflowId } = await startNomination(config, {
      ikmName: 'Tenun Turun Bintang',
      previousStars: { cycleId: 'ovop-2025', stars: 4 },
    });
    await toRecommendation(config, handle, { value: 2 });
    const determined = await handle.executeUpdate(determineStarsUpdate, { args: [{ actor: coordinator }] });
    expect(determined).toMatchObject({
      stage: 'DETERMINED',
      stars: 2,
      previousStars: 4,
      coaching: { level: 'kabupaten_kota', office: 'disperin.32.05@daerah.example' },
      packagingAllowed: false,
      awaitingCertificate: true,
      certificate: null,
    });
    expect(await waitFor(async () => (await row(workflowId)).stars === 2 && row(workflowId))).toMatchObject({
      stage: 'DETERMINED',
      stars: 2,
      previous_stars: 4,
    });
    const log = await events(workflowId);
    expect(log.find((e) => e.type === 'stars.determined')!.payload).toMatchObject({
      stars: 2,
      previousStars: 4,
      change: 'down',
    });
    const announcement = await mailUntil(workflowId, 'announcement');
    expect(announcement.text).toContain('Hasil evaluasi ulang: Bintang sebelumnya 4, kini Bintang 2 (turun).');

    // The determined nomination is still open for its certificate; a wrong actor or date is refused without a trace.
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const countBefore = (await events(workflowId)).length;
    const attempt = (as: { token: string }, date: string) =>
      ovop(['certificate', workflowId, '--date', date, '--by', 'Bupati Garut'], as);
    const other = await attempt(asBandung, today());
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`nomination ${workflowId} belongs to kabupaten/kota 32.05; you act for 32.04`);
    const future = await attempt(asGarut, '2999-01-01');
    expect(future.code).toBe(1);
    expect(future.stderr).toContain('the hand-over date 2999-01-01 is in the future');
    expect((await events(workflowId)).length).toBe(countBefore);

    const recorded = await ovop(
      ['--json', 'certificate', workflowId, '--date', today(), '--by', 'Bupati Garut'],
      asGarut,
    );
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(recorded.json()).toMatchObject({
      certificate: { date: today(), handedOverBy: 'Bupati Garut', recordedBy: 'dinas_kabkota:disperin-32.05' },
    });
    expect(await handle.result()).toEqual({ stage: 'DETERMINED', stars: 2, score: 50 });
    expect(await row(workflowId)).toMatchObject({ certificate_date: today(), certificate_by: 'Bupati Garut' });
    expect((await events(workflowId)).at(-1)).toMatchObject({
      type: 'certificate.handed_over',
      actor_role: 'dinas_kabkota',
      payload: { date: today(), handedOverBy: 'Bupati Garut' },
    });
    const second = await attempt(asGarut, today());
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('is closed');
  });
});
