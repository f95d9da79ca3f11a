/**
 * The fuzz suite's integrity attacks (#15 item 8), beside the generated invalid inputs of fuzz.test.ts and its direct
 * statements on the event log: what a nominator, a coordinator or anyone holding a file would try to get a better
 * result than the record allows. Each attack is judged by its real effect — the HTTP status and message, the CLI's exit
 * code and output, the rows of PostgreSQL, the workflow's history — and each refusal by the proof that nothing was
 * written. The attacks come from bench/fuzz/integrity-attacks.ts (seeded), the same as `npm run fuzz` would send.
 *
 * - IKM name spellings: every spelling of one name in one kabupaten/kota is the same IKM (refused through the API and
 *   the CSV), and the panel is read from the recorded draw: a history replays to the same panel under the workflow id
 *   of any spelling and of the same name in another cycle, where a hash of the id would have given other panels.
 * - Forged previous-stars claims (a re-evaluation skips socialization): refused 409 through the API and row by row
 *   through the CSV, naming what was searched; no row, no event, no intake record, no workflow.
 * - Overrides without a second coordinator: stars above the recommendation or above a gate's cap wait, undetermined;
 *   the requester approving their own is refused; nothing is determined in the projection.
 * - Edited exports: one byte changed in a signed `ovop audit export` bundle is refused by `audit replay --file` (exit 1)
 *   before anything is replayed.
 */
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  coordinator,
  editedBundles,
  forgedClaims,
  type ForgedClaim,
  nameSpellings,
  nearSpellings,
  scoresFor,
  settled,
  testConfig,
} from '../../bench/drivers';
import { fetchRunChain } from '../../client/run-chain';
import { retryOnTaskFailure } from '../../common/update-retry';
import { drawPanel } from '../../domain/panel';
import type { Actor, CycleConfig } from '../../domain/types';
import { ikmSlug, nominationWorkflowId } from '../../workflows/ids';
import { submitScoresUpdate, verifyFieldUpdate } from '../../workflows/messages';
import { call, nominationPath, openCycle, startApi, type ApiUnderTest } from '../support/api';
import { cliRunner, type Ovop } from '../support/cli';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { acceptedUpdates } from '../support/history-wait';
import { panelProbeBundle, panelsOnReplay } from '../support/panel-replay';
import { seedNominations } from '../support/projection';
import { toAssessment } from '../support/to-assessment';

const SEED = 20261202;
const REGENCY = '32.05';
/** Anyaman of Garut: four eligible assessors, so that panels can differ. */
const withApproval = (id: string) =>
  testConfig(id, {
    mutate: (c) => {
      c.intakeWindow = '3h';
      c.assessment.assessorsPerNomination = 2;
      c.award!.secondApproval = { within: '1h' };
    },
  });
const config = withApproval('uji-fuzz-serangan');
const other = withApproval('uji-fuzz-serangan-lain');
const EARLIER = 'uji-fuzz-serangan-lama';

let h: Harness;
let api: ApiUnderTest;
let ovop: Ovop;
let dir: string;
beforeAll(async () => {
  h = await startHarness('fuzz-integrity');
  api = await startApi(h);
  ovop = cliRunner(h.taskQueue, api);
  dir = mkdtempSync(join(tmpdir(), 'ovop-fuzz-attack-'));
  await openCycle(api, config);
});
afterAll(async () => {
  await api?.stop();
  await h?.stop();
});

const send = <T>(fn: () => Promise<T>) => retryOnTaskFailure(fn);
const row = (workflowId: string) =>
  h.db.selectFrom('nominations').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
const events = (workflowId: string) =>
  h.db
    .selectFrom('nomination_events')
    .select(['seq', 'type', 'actor_id', 'payload'])
    .where('workflow_id', '=', workflowId)
    .orderBy('seq')
    .execute();
const stageIs = (workflowId: string, stages: string[]) =>
  waitFor(async () => stages.includes((await row(workflowId))?.stage ?? ''), {
    what: `${workflowId} in ${stages.join(' or ')}`,
    timeoutMs: 90_000,
  });
const assessorActor = (id: string): Actor => ({
  role: 'assessor',
  id,
  region: config.assessment.assessors.find((a) => a.id === id)!.province,
});
/** Rows of one workflow id in every table a nomination writes at its start. */
async function rowsOf(workflowId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['nominations', 'nomination_events', 'nomination_intake', 'sentra_claims'] as const)
    out[table] = (
      await h.db.selectFrom(table).select('workflow_id').where('workflow_id', '=', workflowId).execute()
    ).length;
  return out;
}
const NO_ROWS = { nominations: 0, nomination_events: 0, nomination_intake: 0, sentra_claims: 0 };
/** Update requests the cycle accepted into its history: a refusal before sending adds none. */
const cycleUpdates = () => acceptedUpdates(h.client, `ovop/${config.id}/cycle`);

/** Started directly, attended, documents in and approved, scored `value` by its panel: STAR_RECOMMENDED. */
async function toRecommendation(cfg: CycleConfig, ikmName: string, value: number, fieldPassed: boolean) {
  const { handle, workflowId } = await toAssessment(h, cfg, { regencyCode: REGENCY, ikmName, commodity: 'anyaman' });
  const entered = (await events(workflowId))
    .map((e) => e.payload as { to?: string; assessors?: string[] })
    .find((p) => p.to === 'IN_ASSESSMENT')!;
  for (const id of entered.assessors!)
    await send(() =>
      handle.executeUpdate(submitScoresUpdate, { args: [{ actor: assessorActor(id), scores: scoresFor(cfg, value) }] }),
    );
  await stageIs(workflowId, ['FIELD_VERIFICATION', 'STAR_RECOMMENDED']);
  if ((await row(workflowId))?.stage === 'FIELD_VERIFICATION')
    await send(() => handle.executeUpdate(verifyFieldUpdate, { args: [{ actor: coordinator, passed: fieldPassed }] }));
  await stageIs(workflowId, ['STAR_RECOMMENDED']);
  return { handle, workflowId, panel: entered.assessors! };
}

// One IKM name, the same in two cycles: a modest score (Bintang 2 recommended), and full marks with a failed field
// verification (capped at Bintang 3 by the gate from Bintang 4). Both are the targets of the attacks below.
const NAME = 'Anyaman Pandan Sasaran';
let modest: Awaited<ReturnType<typeof toRecommendation>>;
let capped: Awaited<ReturnType<typeof toRecommendation>>;
beforeAll(async () => {
  [modest, capped] = await Promise.all([
    toRecommendation(config, NAME, 2, true),
    toRecommendation(other, NAME, 3, false),
  ]);
}, 240_000);

describe('IKM name spellings to steer the assignment', () => {
  const spellings = nameSpellings('Anyaman Mendong Kembar', { seed: SEED });
  const workflowId = nominationWorkflowId(config.id, REGENCY, spellings[0].name);

  it(`refuses ${spellings.length - 1} other spellings of a nominated IKM through the API: the same IKM, nothing written`, async () => {
    const body = (ikmName: string) => ({
      regencyCode: REGENCY,
      ikmName,
      sentraName: `Sentra ${ikmName}`,
      commodity: 'anyaman',
      product: 'Tikar mendong',
      sentraSize: 12,
    });
    const first = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
      token: api.tokens.garut,
      body: body(spellings[0].name),
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.workflowId).toBe(workflowId);
    // Judged once the first spelling's nomination is quiet: waiting for its session, its start written.
    await stageIs(workflowId, ['AWAITING_SOCIALIZATION']);
    await settled(h.client.workflow.getHandle(workflowId));
    const updates = await cycleUpdates();
    const before = await rowsOf(workflowId);

    for (const s of spellings.slice(1)) {
      expect(ikmSlug(s.name), s.what).toBe(ikmSlug(spellings[0].name));
      const r = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
        token: api.tokens.garut,
        body: body(s.name),
      });
      expect(r.status, `${s.what}: ${JSON.stringify(r.body)}`).toBe(409);
      // The API trims the name it answers with.
      expect(r.body.message, s.what).toBe(
        `${s.name.trim()} of ${REGENCY} is already nominated in cycle ${config.id} (${workflowId})`,
      );
    }
    expect(await cycleUpdates()).toBe(updates);
    expect(await rowsOf(workflowId)).toEqual(before);
    const inCycle = await h.db.selectFrom('nominations').select('ikm_name').where('cycle_id', '=', config.id).execute();
    expect(inCycle.filter((r) => ikmSlug(r.ikm_name) === ikmSlug(spellings[0].name))).toEqual([
      { ikm_name: spellings[0].name },
    ]);
  });

  it('refuses the spellings row by row through the CSV (ovop nominate, exit 1): nothing created', async () => {
    const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
    const lines = spellings
      .slice(1)
      .map((s, i) => [REGENCY, s.name, `Sentra Mendong ${i}`, 'anyaman', 'Tikar mendong', '12'].map(quote).join(','));
    const file = join(dir, 'spellings.csv');
    writeFileSync(file, `regency_code,ikm_name,sentra_name,commodity,product,sentra_size\n${lines.join('\n')}\n`);
    const before = await rowsOf(workflowId);
    const out = await ovop(['--json', 'nominate', '--cycle', config.id, '--file', file], { token: api.tokens.garut });
    expect(out.code, out.stdout + out.stderr).toBe(1);
    const report = out.json<{
      created: number;
      unchanged: number;
      refused: number;
      rows: { row: number; status: string; note?: string }[];
      refusals: { row: number; field: string; reason: string }[];
    }>();
    // The first row is the IKM already nominated (unchanged); every later one is the same IKM as that row, but for
    // a name in fullwidth letters, which the CSV's own check refuses first (it is the same IKM through the API).
    const csvRows = spellings.slice(1).map((sp, i) => ({ ...sp, row: i + 2, fullwidth: !/[A-Za-z0-9]/.test(sp.name) }));
    const first = csvRows.find((r) => !r.fullwidth)!;
    expect(report.created).toBe(0);
    expect(report.unchanged).toBe(1);
    expect(report.rows.find((r) => r.row === first.row)).toMatchObject({
      status: 'unchanged',
      note: 'already nominated',
    });
    expect(report.refused).toBe(csvRows.length - 1);
    for (const r of csvRows.filter((x) => x !== first))
      expect(
        report.refusals.filter((x) => x.row === r.row),
        r.what,
      ).toEqual([
        r.fullwidth
          ? { row: r.row, field: 'ikm_name', reason: 'must contain a letter or digit' }
          : { row: r.row, field: 'ikm_name', reason: `the same IKM of ${REGENCY} is already on row ${first.row}` },
      ]);
    expect(await rowsOf(workflowId)).toEqual(before);
  });

  it('draws the panel from the recorded history: replayed under any spelling, or the same name in another cycle, the same panels', async () => {
    const ids = [
      modest.workflowId,
      capped.workflowId,
      ...nearSpellings(NAME).map((s) => nominationWorkflowId(config.id, REGENCY, s.name)),
      ...['2025', '2026', '2027', 'ulang'].map((y) => nominationWorkflowId(`ovop-${y}`, REGENCY, NAME)),
    ];
    // A hash of the id, the old rule, gives these ids different panels: the name (and cycle) steered it.
    const hashed = new Set(
      ids.map((id) =>
        drawPanel({ pool: config.assessment.assessors, province: '32', commodity: 'anyaman', size: 2, seed: id })
          .sort()
          .join(),
      ),
    );
    expect(hashed.size).toBeGreaterThan(1);

    const bundle = await panelProbeBundle();
    for (const target of [modest, capped]) {
      // The panels the event log recorded, in order (the draw at IN_ASSESSMENT), over every run of the chain.
      const recorded = (await events(target.workflowId))
        .map((e) => (e.payload as { assessors?: string[] }).assessors)
        .filter((a): a is string[] => Array.isArray(a));
      expect(recorded[0]).toEqual(target.panel);
      // Under its own id every run of the chain replays; the runs that record a panel are then replayed under the others.
      const runs = [];
      const own: string[][] = [];
      for (const run of await fetchRunChain(h.client, target.workflowId)) {
        const panels = await panelsOnReplay(bundle, run.history, target.workflowId);
        own.push(...panels);
        if (panels.length > 0) runs.push({ history: run.history, panels });
      }
      expect(own).toEqual(recorded);
      for (const underId of ids.filter((id) => id !== target.workflowId))
        for (const run of runs)
          expect(
            await panelsOnReplay(bundle, run.history, underId),
            `${target.workflowId} replayed as ${underId}`,
          ).toEqual(run.panels);
    }
  });
});

describe('forged previous-stars claims', () => {
  let claims: ReturnType<typeof forgedClaims>;
  beforeAll(async () => {
    // The earlier cycle's record, as its projection left it: one IKM starred Bintang 3, one not classified.
    const base = {
      cycleId: EARLIER,
      regencyCode: REGENCY,
      sentraUnits: 10,
      commodity: 'anyaman',
      product: 'Tas pandan',
      provisionalScore: 70,
      lastSeq: 20,
    };
    await seedNominations(h.db, [
      {
        ...base,
        ikmName: 'Anyaman Tercatat Tiga',
        sentraName: 'Sentra Tercatat Tiga',
        stage: 'DETERMINED',
        stars: 3,
      },
      {
        ...base,
        ikmName: 'Anyaman Tanpa Bintang',
        sentraName: 'Sentra Tanpa Bintang',
        stage: 'NOT_CLASSIFIED',
        stars: 0,
      },
    ]);
    claims = forgedClaims({ seed: SEED, cycleId: config.id, earlierCycleId: EARLIER, regencyCode: REGENCY });
  });

  async function expectNothing(ikmName: string) {
    const id = nominationWorkflowId(config.id, REGENCY, ikmName);
    expect(await rowsOf(id), ikmName).toEqual(NO_ROWS);
    await expect(h.client.workflow.getHandle(id).describe(), ikmName).rejects.toBeInstanceOf(WorkflowNotFoundError);
  }

  it('refuses each through the API (409) with what was searched; no row, no event, no intake record, no workflow', async () => {
    const updates = await cycleUpdates();
    for (const c of claims) {
      const r = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
        token: api.tokens.garut,
        body: {
          regencyCode: REGENCY,
          ikmName: c.ikmName,
          sentraName: `Sentra ${c.ikmName} API`,
          commodity: 'anyaman',
          product: 'Tas pandan',
          sentraSize: 9,
          previousStars: c.previousStars,
        },
      });
      expect(r.status, `${c.what}: ${JSON.stringify(r.body)}`).toBe(409);
      expect(r.body, c.what).toEqual({ code: 'refused', message: c.message });
      await expectNothing(c.ikmName);
    }
    expect(await cycleUpdates()).toBe(updates);
  });

  it('refuses each row of a CSV through ovop nominate (exit 1) with the same message; nothing written', async () => {
    const updates = await cycleUpdates();
    const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
    // Claims of one IKM go in files of their own (a file names an IKM once).
    const files: ForgedClaim[][] = [];
    for (const c of claims) {
      const free = files.find((f) => !f.some((x) => ikmSlug(x.ikmName) === ikmSlug(c.ikmName)));
      if (free) free.push(c);
      else files.push([c]);
    }
    for (const [n, batch] of files.entries()) {
      const lines = batch.map((c) =>
        [
          REGENCY,
          c.ikmName,
          `Sentra ${c.ikmName} CSV`,
          'anyaman',
          'Tas pandan',
          '9',
          '',
          c.previousStars.cycleId,
          String(c.previousStars.stars),
        ]
          .map(quote)
          .join(','),
      );
      const file = join(dir, `claims-${n}.csv`);
      writeFileSync(
        file,
        `regency_code,ikm_name,sentra_name,commodity,product,sentra_size,dinas_email,previous_cycle,previous_stars\n${lines.join('\n')}\n`,
      );
      const out = await ovop(['--json', 'nominate', '--cycle', config.id, '--file', file], { token: api.tokens.garut });
      expect(out.code, out.stdout + out.stderr).toBe(1);
      const report = out.json<{ created: number; refused: number; refusals: { row: number; reason: string }[] }>();
      expect(report).toMatchObject({ created: 0, refused: batch.length });
      for (const [i, c] of batch.entries())
        expect(
          report.refusals.filter((r) => r.row === i + 2).map((r) => r.reason),
          c.what,
        ).toEqual([c.message]);
    }
    expect(files.length).toBeLessThan(claims.length);
    for (const c of claims) await expectNothing(c.ikmName);
    expect(await cycleUpdates()).toBe(updates);
  });
});

describe('an override without a second coordinator', () => {
  async function attack(target: { handle: WorkflowHandle; workflowId: string }, stars: number, reason: string) {
    const recommended = (await row(target.workflowId))!.recommended_stars!;
    expect(stars).toBeGreaterThan(recommended);
    const asked = await call(api, 'POST', nominationPath(target.workflowId, '/determination'), {
      token: api.tokens.coordinator,
      body: { stars, reason },
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    expect(asked.body).toMatchObject({
      stage: 'STAR_RECOMMENDED',
      stars: null,
      awaitingApproval: { stars, requestedBy: 'coordinator:koordinator-ikma' },
    });
    await waitFor(async () => (await events(target.workflowId)).some((e) => e.type === 'stars.approval_requested'), {
      what: 'the request recorded',
    });

    // The requester approves their own: refused, and nothing is written.
    const before = await events(target.workflowId);
    const historyBefore = (await target.handle.fetchHistory()).events!.length;
    const self = await call(api, 'POST', nominationPath(target.workflowId, '/determination-approval'), {
      token: api.tokens.coordinator,
      body: { decision: 'approve', reason: 'Setuju' },
    });
    expect(self.status).toBe(409);
    expect(self.body.message).toBe(
      `coordinator koordinator-ikma determined Bintang ${stars}; a different coordinator must approve or refuse it`,
    );
    // Nor can they determine it again while it waits, at the override or at the recommendation.
    for (const body of [{ stars, reason }, {}]) {
      const again = await call(api, 'POST', nominationPath(target.workflowId, '/determination'), {
        token: api.tokens.coordinator,
        body,
      });
      expect(again.status).toBe(409);
      expect(again.body.message).toMatch(
        new RegExp(
          `^Bintang ${stars} determined by coordinator koordinator-ikma awaits a second coordinator's approval until `,
        ),
      );
    }
    expect(await events(target.workflowId)).toEqual(before);
    expect((await target.handle.fetchHistory()).events!.length).toBe(historyBefore);
    // Waiting, undetermined: no determination event, no stars in the projection, no announcement.
    expect(before.filter((e) => e.type === 'stars.determined' || e.type === 'stars.approved')).toEqual([]);
    expect(await row(target.workflowId)).toMatchObject({ stage: 'STAR_RECOMMENDED', stars: null });
    const determined = await h.db
      .selectFrom('nominations')
      .select('workflow_id')
      .where('workflow_id', '=', target.workflowId)
      .where('stage', '=', 'DETERMINED')
      .execute();
    expect(determined).toEqual([]);
  }

  it('stars above the recommendation wait for a second coordinator; the requester approving is refused', async () => {
    await attack(modest, 5, 'Produk unggulan daerah');
  });

  it("stars above a failed gate's cap wait for a second coordinator; the requester approving is refused", async () => {
    expect(await row(capped.workflowId)).toMatchObject({ recommended_stars: 3 });
    await attack(capped, 4, 'Verifikasi lapangan diabaikan');
    const request = (await events(capped.workflowId)).find((e) => e.type === 'stars.approval_requested')!;
    expect(request.payload).toMatchObject({ stars: 4, recommendedStars: 3, overriddenGates: [{ fromStars: 4 }] });
  });
});

describe('an edited export', () => {
  it('is refused by audit replay --file (exit 1) naming the bad signature, before anything is replayed', async () => {
    const key = join(dir, 'ovop-signing.pem');
    expect((await ovop(['audit', 'keygen', '--out', key])).code).toBe(0);
    const out = join(dir, 'bundle.json');
    const exported = await ovop(['--json', 'audit', 'export', modest.workflowId, '--out', out], {
      env: { OVOP_SIGNING_KEY_FILE: key },
    });
    expect(exported.code, exported.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    const checking = { env: { OVOP_VERIFY_KEY_FILE: join(dir, 'ovop-signing.pub.pem') } };

    // The control: the bundle as exported replays.
    const intact = await ovop(['audit', 'replay', '--file', out], checking);
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(/: OK$/m);

    const edits = editedBundles(text, { seed: SEED, count: 6 });
    expect(new Set(edits.map((e) => e.section)).size).toBeGreaterThan(2);
    for (const e of edits) {
      expect(e.text.length).toBe(text.length);
      const file = join(dir, `edited-${e.at}.json`);
      writeFileSync(file, e.text);
      const r = await ovop(['audit', 'replay', '--file', file], checking);
      expect(r.code, `${e.label}: ${r.stderr}`).toBe(1);
      expect(r.stdout, e.label).toBe('');
      expect(r.stderr.trim(), e.label).toBe(
        `ovop: ${file} is a tampered audit bundle: its signature does not match its content; do not trust or replay it`,
      );
    }
  });
});
