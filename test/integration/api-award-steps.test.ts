/**
 * The API's endpoints for intake and the award steps (#13 item 4, #17), over real HTTP with each user's own token:
 * one nomination and a duplicate (409), a CSV file with its refused rows listed by row, field and reason; the
 * provincial pre-screen by the dinas provinsi of the province, the samples, the field visit scheduled and its evidence
 * recorded by its team, the cycle's decree, the certificate, a curation list, the reports scoped to a province, the
 * history export; and a cycle opened by an older release's schedule, found by its cycle routes, with the schedule
 * listed, paused, unpaused and deleted. Each happy path is judged by the row in PostgreSQL, the answer and the mail;
 * each refusal by its status, code and message, and by nothing written (no history event, no row).
 */
import { ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dinasOf, scoresFor, sha256, testConfig } from '../../bench/drivers';
import { mailFor } from '../../embedded/mailbox';
import { submitDocumentUpdate } from '../../workflows/messages';
import {
  call,
  nominationPath,
  startApi,
  TEST_USERS,
  type Answer,
  type ApiUnderTest,
  type TestUser,
} from '../support/api';
import { startHarness, waitFor, type Harness } from '../support/harness';

let h: Harness;
let api: ApiUnderTest;
const config = testConfig('uji-api-award', {
  optionalSteps: true,
  fieldVisits: true,
  mutate: (c) => {
    c.intakeWindow = '10m';
    c.award!.determination = 'decree';
    c.award!.certificateHandover = { within: '10m' };
  },
});
const as = (user: TestUser) => ({ token: api.tokens[user] });
const today = () => new Date().toISOString().slice(0, 10);
/** Workflows this file opened, terminated at the end so they do not run on in the shared server. */
const opened: string[] = [];

beforeAll(async () => {
  h = await startHarness('api-award-steps');
  api = await startApi(h);
});
afterAll(async () => {
  for (const id of opened)
    await h?.client.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined);
  await api?.stop();
  await h?.stop();
});

const row = (workflowId: string) =>
  h.db.selectFrom('nominations').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
const stageIs = (workflowId: string, stage: string) =>
  waitFor(async () => (await row(workflowId))?.stage === stage, { what: `${workflowId} in ${stage}` });
const countRows = async (table: 'nominations' | 'curation_lists' | 'decrees', column: string, value: string) =>
  Number(
    (
      await h.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .where(column as never, '=', value as never)
        .executeTakeFirstOrThrow()
    ).n,
  );

/** The workflow's history length once it has stopped growing, and its events in PostgreSQL. */
async function footprint(workflowId: string) {
  const length = async () => (await h.client.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0;
  let last = -1;
  for (let now = await length(); now !== last; now = await length()) {
    last = now;
    await new Promise((r) => setTimeout(r, 600));
  }
  const events = await h.db
    .selectFrom('nomination_events')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('workflow_id', '=', workflowId)
    .executeTakeFirstOrThrow();
  return { history: last, events: Number(events.n) };
}

/** A refusal: its status, code and message, and (given a nomination) nothing written to it. */
async function expectRefusal(
  res: Answer,
  status: number,
  code: string,
  message: RegExp,
  nothingWritten?: { workflowId: string; before: Awaited<ReturnType<typeof footprint>> },
) {
  // A workflow's refusal also names its rule and the values its message names (for the portal's wording).
  const { rule, params: _params, ...refusal } = res.body as { rule?: string; params?: unknown };
  expect(refusal, JSON.stringify(res.body)).toEqual({ code, message: expect.stringMatching(message) });
  if (rule !== undefined) expect(rule).toMatch(/^[a-z][a-z_]*$/);
  expect(res.status).toBe(status);
  if (nothingWritten) expect(await footprint(nothingWritten.workflowId)).toEqual(nothingWritten.before);
}

const GARUT_NOMINATION = {
  regencyCode: '32.05',
  ikmName: 'Tenun Garut Award',
  sentraName: 'Sentra Tenun Garut Award',
  commodity: 'kain_tenun',
  product: 'Kain tenun ikat',
  sentraSize: 12,
};
let garutId: string;

describe('intake through the API', () => {
  it('opens the cycle and nominates one IKM; the same IKM again answers 409 and writes nothing', async () => {
    const { regencies: _r, provinces: _p, ...body } = config;
    const made = await call(api, 'POST', '/api/cycles', { ...as('coordinator'), body: { config: body } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    opened.push(made.body.workflowId);

    const first = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
      ...as('garut'),
      body: GARUT_NOMINATION,
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toEqual({ workflowId: `ovop/${config.id}/nomination/32.05/tenun-garut-award`, created: true });
    garutId = first.body.workflowId;
    await stageIs(garutId, 'AWAITING_SOCIALIZATION');
    const before = await footprint(garutId);

    const again = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
      ...as('garut'),
      body: GARUT_NOMINATION,
    });
    await expectRefusal(
      again,
      409,
      'refused',
      new RegExp(`^Tenun Garut Award of 32\\.05 is already nominated in cycle ${config.id} \\(${garutId}\\)$`),
      { workflowId: garutId, before },
    );
    expect(await countRows('nominations', 'cycle_id', config.id)).toBe(1);
  });

  it('nominates from a CSV file: created, unchanged and each refused row with its field and reason', async () => {
    const csv = [
      'regency_code,ikm_name,sentra_name,commodity,product,sentra_size',
      '32.05,Anyaman Garut Csv,Sentra Anyaman Garut Csv,anyaman,Tas pandan,9',
      '32.05,Gerabah Salah,Sentra Gerabah Salah,keramik,Pot,9',
      '32.06,Bordir Tasik Csv,Sentra Bordir Tasik,kain_tenun,Bordir,9',
      '32.05,Tenun Garut Award,Sentra Tenun Garut Award,kain_tenun,Kain tenun ikat,12',
      '32.05,Batik Kecil,Sentra Batik Kecil,kain_batik,Batik tulis,3',
      '32.05,Anyaman Garut Csv,Sentra Lain,anyaman,Tikar,7',
    ].join('\n');
    const res = await fetch(`${api.url}/api/cycles/${config.id}/nominations/csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.tokens.garut}`, 'content-type': 'text/csv' },
      body: csv,
    });
    const answer: any = await res.json();
    expect(res.status, JSON.stringify(answer)).toBe(200);
    expect(answer).toMatchObject({ cycleId: config.id, created: 1, unchanged: 1, refused: 4 });
    expect(answer.refusals).toEqual([
      { row: 3, field: 'commodity', reason: expect.stringMatching(/^must be one of .*got "keramik"$/) },
      {
        row: 4,
        field: 'regency_code',
        reason: 'dinas 32.05 may only nominate IKM of its own kabupaten/kota, not 32.06',
      },
      {
        row: 6,
        field: 'sentra_size',
        reason: 'a sentra must count at least 5 businesses making the same product, got 3',
      },
      { row: 7, field: 'ikm_name', reason: 'the same IKM of 32.05 is already on row 2' },
    ]);
    expect(answer.rows).toContainEqual(
      expect.objectContaining({ row: 5, status: 'unchanged', workflowId: garutId, note: 'already nominated' }),
    );
    const createdId = `ovop/${config.id}/nomination/32.05/anyaman-garut-csv`;
    expect(answer.rows).toContainEqual(expect.objectContaining({ row: 2, status: 'created', workflowId: createdId }));
    await stageIs(createdId, 'AWAITING_SOCIALIZATION');
    const ids = (
      await h.db.selectFrom('nominations').select('workflow_id').where('cycle_id', '=', config.id).execute()
    ).map((r) => r.workflow_id);
    expect(ids.sort()).toEqual([createdId, garutId].sort());
  });

  it('refuses a CSV file from a wrong role, signed out, or with a bad header, and starts nothing', async () => {
    const csv =
      'regency_code,ikm_name,sentra_name,commodity,product,sentra_size\n32.05,Batik Baru,Sentra Batik Baru,kain_batik,Batik,9';
    const send = (headers: Record<string, string>, body = csv) =>
      fetch(`${api.url}/api/cycles/${config.id}/nominations/csv`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', ...headers },
        body,
      }).then(async (r) => ({ status: r.status, body: await r.json(), headers: r.headers }));
    await expectRefusal(
      await send({ authorization: `Bearer ${api.tokens.jabar}` }),
      403,
      'forbidden',
      /^role dinas_provinsi may not nominate; only a dinas kabupaten\/kota or a coordinator may$/,
    );
    await expectRefusal(await send({}), 401, 'signed_out', /sign in first/);
    await expectRefusal(
      await send({ authorization: `Bearer ${api.tokens.garut}` }, 'regency,ikm_name\n32.05,X'),
      400,
      'invalid_request',
      /the CSV file has a bad header line.*regency: unknown column/,
    );
    expect(await countRows('nominations', 'cycle_id', config.id)).toBe(2);
    expect(await row(`ovop/${config.id}/nomination/32.05/batik-baru`)).toBeUndefined();
  });
});

describe('the award steps through the API', () => {
  it("pre-screen: refused for a dinas kab/kota, another province's dinas provinsi and signed out; passed by its own", async () => {
    const attended = await call(api, 'POST', nominationPath(garutId, '/attendance'), {
      ...as('garut'),
      body: { sessionId: 'sesi-1-yogyakarta' },
    });
    expect(attended.status, JSON.stringify(attended.body)).toBe(200);
    await stageIs(garutId, 'AWAITING_DOCUMENTS');
    // The documents go straight to the workflow: their upload route is another file's subject.
    const handle = h.client.workflow.getHandle(garutId);
    for (const kind of ['legality', 'sentra_decree'])
      await handle.executeUpdate(submitDocumentUpdate, {
        args: [{ actor: dinasOf('32.05'), kind, fileName: `${kind}.pdf`, checksum: sha256(kind), sizeBytes: 4096 }],
      });
    await stageIs(garutId, 'PROVINCIAL_PRESCREEN');
    const before = await footprint(garutId);
    const prescreen = (user: TestUser | null, body: unknown) =>
      call(api, 'POST', nominationPath(garutId, '/prescreen'), { ...(user ? as(user) : {}), body });
    const nothing = { workflowId: garutId, before };
    await expectRefusal(await prescreen(null, { decision: 'pass' }), 401, 'signed_out', /sign in first/, nothing);
    await expectRefusal(
      await prescreen('garut', { decision: 'pass' }),
      403,
      'forbidden',
      /^role dinas_kabkota may not pre-screen a proposal; only a dinas provinsi may$/,
      nothing,
    );
    await expectRefusal(
      await prescreen('diy', { decision: 'pass' }),
      403,
      'forbidden',
      /is in province 32; you act for province 34$/,
      nothing,
    );
    await expectRefusal(
      await prescreen('jabar', { decision: 'pass', missing: ['legality'] }),
      400,
      'invalid_request',
      /unknown field missing/,
      nothing,
    );
    await expectRefusal(
      await prescreen('jabar', { decision: 'return', reason: 'kurang', missing: ['halal'] }),
      409,
      'refused',
      /^"halal" is not a document this nomination submits/,
      nothing,
    );

    const passed = await prescreen('jabar', { decision: 'pass' });
    expect(passed.status, JSON.stringify(passed.body)).toBe(200);
    expect(passed.body.prescreenNotes).toEqual(['pass']);
    await stageIs(garutId, 'AWAITING_SAMPLES');
    expect((await row(garutId))!.prescreen).toBe('pass');
    const event = await h.db
      .selectFrom('nomination_events')
      .select(['actor_role', 'actor_id', 'actor_region'])
      .where('workflow_id', '=', garutId)
      .where('type', '=', 'prescreen.pass')
      .executeTakeFirstOrThrow();
    expect(event).toEqual({ actor_role: 'dinas_provinsi', actor_id: 'disperin-32', actor_region: '32' });
    const mail = await waitFor(async () =>
      (await mailFor(h.mailDir, garutId)).find((m) => m.template === 'prescreen_passed'),
    );
    expect(mail.to).toEqual([config.contacts.dinasKabKota.replace('{regency}', '32.05')]);
  });

  it('samples: a coordinator records their receipt; a dinas may not', async () => {
    const before = await footprint(garutId);
    const body = { receivedOn: today(), condition: 'good', receivedBy: 'TU Ditjen IKMA' };
    await expectRefusal(
      await call(api, 'POST', nominationPath(garutId, '/samples'), { ...as('garut'), body }),
      403,
      'forbidden',
      /^role dinas_kabkota may not record the receipt of samples; only a coordinator may$/,
      { workflowId: garutId, before },
    );
    const received = await call(api, 'POST', nominationPath(garutId, '/samples'), { ...as('coordinator'), body });
    expect(received.status, JSON.stringify(received.body)).toBe(200);
    expect(received.body.samples).toEqual(body);
    await stageIs(garutId, 'UNDER_REVIEW');
    const event = await h.db
      .selectFrom('nomination_events')
      .select(['payload', 'actor_id'])
      .where('workflow_id', '=', garutId)
      .where('type', '=', 'samples.received')
      .executeTakeFirstOrThrow();
    expect(event).toEqual({ actor_id: 'koordinator-ikma', payload: { ...body, notes: null } });
  });

  it('field visit: scheduled by a coordinator (the dinas is told), evidence recorded by its team only', async () => {
    const approved = await call(api, 'POST', nominationPath(garutId, '/review'), {
      ...as('coordinator'),
      body: { decision: 'approve' },
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await stageIs(garutId, 'IN_ASSESSMENT');
    const detail = await call(api, 'GET', nominationPath(garutId), as('coordinator'));
    for (const { id } of detail.body.assessors as { id: string }[]) {
      const user = (Object.keys(TEST_USERS) as TestUser[]).find((u) => TEST_USERS[u].id === id)!;
      const scored = await call(api, 'POST', nominationPath(garutId, '/scores'), {
        ...as(user),
        body: { scores: scoresFor(config, 3) },
      });
      expect(scored.status, JSON.stringify(scored.body)).toBe(200);
    }
    await stageIs(garutId, 'FIELD_VERIFICATION');

    const before = await footprint(garutId);
    const date = new Date(Date.now() + 6_000);
    date.setUTCMilliseconds(0);
    const visit = { date: date.toISOString(), team: ['penilai-siti', 'penilai-andi'], facilitator: 'Asep Sunandar' };
    await expectRefusal(
      await call(api, 'POST', nominationPath(garutId, '/field-visit'), { ...as('garut'), body: visit }),
      403,
      'forbidden',
      /^role dinas_kabkota may not schedule a field visit; only a coordinator may$/,
      { workflowId: garutId, before },
    );
    const scheduled = await call(api, 'POST', nominationPath(garutId, '/field-visit'), {
      ...as('coordinator'),
      body: visit,
    });
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(200);
    expect(scheduled.body.fieldVisit).toMatchObject({ date: visit.date, team: visit.team, passed: null });
    const stored = await waitFor(() =>
      h.db.selectFrom('field_visits').selectAll().where('workflow_id', '=', garutId).executeTakeFirst(),
    );
    expect(stored).toMatchObject({
      team: visit.team,
      facilitator: 'Asep Sunandar',
      scheduled_by: 'coordinator:koordinator-ikma',
    });
    const garutMail = config.contacts.dinasKabKota.replace('{regency}', '32.05');
    const told = await waitFor(async () =>
      (await mailFor(h.mailDir, garutId)).find(
        (m) => m.template === 'field_visit_scheduled' && m.to.includes(garutMail),
      ),
    );
    expect(told.to).toEqual([garutMail]);
    // Blind assessment: the team's names reach the team, not the dinas.
    expect(told.cc).toEqual([config.contacts.dinasProvinsi.replace('{province}', '32')]);

    await new Promise((r) => setTimeout(r, Math.max(0, date.getTime() - Date.now() + 500)));
    const items = config.fieldVisit!.checklist.map((i) => ({ item: i.id, found: true }));
    const afterSchedule = await footprint(garutId);
    const nothing = { workflowId: garutId, before: afterSchedule };
    const evidence = (user: TestUser) =>
      call(api, 'POST', nominationPath(garutId, '/field-visit/evidence'), { ...as(user), body: { items } });
    await expectRefusal(
      await evidence('rina'),
      403,
      'forbidden',
      new RegExp(`^assessor penilai-rina is not on the field visit team of nomination ${garutId}$`),
      nothing,
    );
    await expectRefusal(
      await evidence('budi'),
      403,
      'forbidden',
      /^conflict of interest: .* is in your own province 32$/,
      nothing,
    );
    await expectRefusal(
      await evidence('coordinator'),
      403,
      'forbidden',
      /^role coordinator may not record field evidence; only an assessor may$/,
      nothing,
    );
    const recorded = await evidence('siti');
    expect(recorded.status, JSON.stringify(recorded.body)).toBe(200);
    expect(recorded.body.fieldVisit.outstanding).toEqual([]);
    // An assessor's answer does not name the team.
    expect(recorded.body.fieldVisit).not.toHaveProperty('team');
    const rows = await h.db.selectFrom('field_evidence').selectAll().where('workflow_id', '=', garutId).execute();
    expect(rows.map((r) => [r.item, r.found, r.recorded_by]).sort()).toEqual(
      items.map((i) => [i.item, true, 'assessor:penilai-siti']).sort(),
    );
    await stageIs(garutId, 'STAR_RECOMMENDED');
  });

  it("decree: a coordinator's decree determines the recommended stars; an auditor's is refused", async () => {
    const decree = {
      number: 'KEP-77/IKMA/2027',
      date: today(),
      signatory: { office: 'director_general', name: 'Dirjen IKMA' },
    };
    const before = await footprint(garutId);
    await expectRefusal(
      await call(api, 'POST', `/api/cycles/${config.id}/decree`, { ...as('auditor'), body: decree }),
      403,
      'forbidden',
      /^role auditor may not record a decree; only a coordinator may$/,
      { workflowId: garutId, before },
    );
    expect(await countRows('decrees', 'cycle_id', config.id)).toBe(0);
    const recommended = (await row(garutId))!.recommended_stars;
    const issued = await call(api, 'POST', `/api/cycles/${config.id}/decree`, { ...as('coordinator'), body: decree });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    expect(issued.body).toMatchObject({ cycleId: config.id, decree, alreadyRecorded: false });
    expect(issued.body.determined).toEqual([{ workflowId: garutId, ikmName: 'Tenun Garut Award', stars: recommended }]);
    await stageIs(garutId, 'DETERMINED');
    expect(await row(garutId)).toMatchObject({ decree_number: decree.number, stars: recommended });
    await waitFor(async () => (await countRows('decrees', 'cycle_id', config.id)) === 1);
  });

  it('certificate: recorded once by its own dinas; another regency and another province are refused', async () => {
    const body = { date: today(), handedOverBy: 'Bupati Garut' };
    const before = await footprint(garutId);
    for (const [user, message] of [
      ['tasikmalaya', /belongs to kabupaten\/kota 32\.05; you act for 32\.06$/],
      ['diy', /is in province 32; you act for province 34$/],
      ['auditor', /^role auditor may not record a certificate hand-over;/],
    ] as const)
      await expectRefusal(
        await call(api, 'POST', nominationPath(garutId, '/certificate'), { ...as(user), body }),
        403,
        'forbidden',
        message,
        { workflowId: garutId, before },
      );
    const recorded = await call(api, 'POST', nominationPath(garutId, '/certificate'), { ...as('garut'), body });
    expect(recorded.status, JSON.stringify(recorded.body)).toBe(200);
    expect(recorded.body.certificate).toEqual({
      ...body,
      recordedBy: 'dinas_kabkota:disperin-32.05',
      notes: null,
    });
    await waitFor(async () => (await row(garutId))?.certificate_date === today());
    expect((await row(garutId))!.certificate_by).toBe('Bupati Garut');
  });

  it('curation list: built by a coordinator, read by an auditor; a dinas may do neither', async () => {
    const body = { name: 'go-global-uji', stars: [1, 2, 3, 4, 5] };
    await expectRefusal(
      await call(api, 'POST', `/api/cycles/${config.id}/curation-lists`, { ...as('garut'), body }),
      403,
      'forbidden',
      /^role dinas_kabkota may not build a curation list; only a coordinator may$/,
    );
    expect(await countRows('curation_lists', 'cycle_id', config.id)).toBe(0);
    const built = await call(api, 'POST', `/api/cycles/${config.id}/curation-lists`, {
      ...as('coordinator'),
      body,
    });
    expect(built.status, JSON.stringify(built.body)).toBe(201);
    expect(built.body).toMatchObject({ name: body.name, builtBy: 'coordinator:koordinator-ikma', created: true });
    expect(built.body.members.map((m: { workflowId: string }) => m.workflowId)).toEqual([garutId]);
    const again = await call(api, 'POST', `/api/cycles/${config.id}/curation-lists`, {
      ...as('coordinator'),
      body: { ...body, stars: [5] },
    });
    await expectRefusal(again, 409, 'refused', /already exists with other criteria/);
    const read = await call(api, 'GET', `/api/cycles/${config.id}/curation-lists/go-global-uji`, as('auditor'));
    expect(read.status).toBe(200);
    expect(read.body.members).toEqual(built.body.members);
    await expectRefusal(
      await call(api, 'GET', `/api/cycles/${config.id}/curation-lists/go-global-uji`, as('jabar')),
      403,
      'forbidden',
      /^role dinas_provinsi may not read a curation list; only a coordinator or an auditor may$/,
    );
    await expectRefusal(
      await call(api, 'GET', `/api/cycles/${config.id}/curation-lists/tidak-ada`, as('auditor')),
      404,
      'not_found',
      /^no curation list tidak-ada in cycle /,
    );
  });
});

describe('reads: reports and the history export', () => {
  it('reports: every province for coordinators and auditors, its own for a dinas provinsi, none for a dinas', async () => {
    const funnel = await call(api, 'GET', `/api/cycles/${config.id}/reports/funnel`, as('coordinator'));
    expect(funnel.status, JSON.stringify(funnel.body)).toBe(200);
    expect(funnel.body).toMatchObject({
      cycleId: config.id,
      prescreen: true,
      provinces: [{ provinceCode: '32', proposed: 2, prescreenPassed: 1, adminPassed: 1, assessed: 1, starred: 1 }],
    });
    const own = await call(api, 'GET', `/api/cycles/${config.id}/reports/funnel`, as('jabar'));
    expect(own.body.provinces.map((p: { provinceCode: string }) => p.provinceCode)).toEqual(['32']);
    const other = await call(api, 'GET', `/api/cycles/${config.id}/reports/funnel`, as('diy'));
    expect(other.status).toBe(200);
    expect(other.body).toMatchObject({ provinces: [], total: { proposed: 0 } });
    const participation = await call(api, 'GET', `/api/cycles/${config.id}/reports/participation`, as('jabar'));
    expect(participation.body.byProvince).toEqual([
      expect.objectContaining({
        provinceCode: '32',
        proposals: 2,
        regencies: expect.objectContaining({ participating: 1 }),
      }),
    ]);
    expect(participation.body.provinces).toEqual({ participating: 1, total: 1, rate: 1 });
    const stars = await call(api, 'GET', `/api/cycles/${config.id}/reports/stars`, as('auditor'));
    const determined = (await row(garutId))!.stars;
    expect(stars.body.stars).toEqual([
      { provinceCode: '32', province: 'Jawa Barat', commodity: 'kain_tenun', stars: determined, count: 1 },
    ]);
    await expectRefusal(
      await call(api, 'GET', `/api/cycles/${config.id}/reports/stars?province=34`, as('jabar')),
      403,
      'forbidden',
      /^you act for province 32; the report of province 34 is not yours to read$/,
    );
    await expectRefusal(
      await call(api, 'GET', `/api/cycles/${config.id}/reports/funnel`, as('garut')),
      403,
      'forbidden',
      /^role dinas_kabkota may not read cycle reports; only a coordinator or an auditor or a dinas provinsi may$/,
    );
    await expectRefusal(
      await call(api, 'GET', `/api/cycles/${config.id}/reports/funnel`),
      401,
      'signed_out',
      /sign in/,
    );
    await expectRefusal(
      await call(api, 'GET', '/api/cycles/tidak-ada/reports/funnel', as('auditor')),
      404,
      'not_found',
      /^no cycle tidak-ada$/,
    );
  });

  it('exports the history for an auditor, as ovop audit export writes it; a dinas is refused', async () => {
    const exported = await call(api, 'GET', nominationPath(garutId, '/history'), as('auditor'));
    expect(exported.status, JSON.stringify(exported.body).slice(0, 300)).toBe(200);
    expect(exported.body.workflowId).toBe(garutId);
    expect(exported.body.events[0]).toMatchObject({ eventId: '1', eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED' });
    // A life of several runs (continued as new at stage boundaries) is exported first run first: its last run is
    // the one Temporal holds as current, whole.
    const runs: { events: unknown[] }[] = [exported.body, ...(exported.body.continuedRuns ?? [])];
    const current = (await h.client.workflow.getHandle(garutId).fetchHistory()).events!.length;
    expect(runs.at(-1)!.events.length).toBeGreaterThanOrEqual(current);
    for (const user of ['garut', 'jabar', 'siti'] as const)
      await expectRefusal(
        await call(api, 'GET', nominationPath(garutId, '/history'), as(user)),
        403,
        'forbidden',
        /may not export a workflow history; only an auditor or a coordinator may$/,
      );
  });
});

describe("a cycle opened by an older release's schedule, and the schedule endpoints", () => {
  const legacy = testConfig('uji-api-jadwal', { mutate: (c) => (c.intakeWindow = '10m') });
  const scheduleId = 'ovop/uji-api-jadwal/schedule';

  it('is found by the cycle routes: refused before it opens, nominated into after', async () => {
    // What `ovop cycle schedule --at` made before series existed: a schedule that starts awardCycle itself, so
    // Temporal appends the start time to the cycle's workflow id.
    await h.client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '365d' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'awardCycle',
        workflowId: 'ovop/uji-api-jadwal/cycle',
        taskQueue: h.taskQueue,
        args: [{ config: legacy }],
      },
    });
    const body = { ...GARUT_NOMINATION, ikmName: 'Tenun Jadwal', sentraName: 'Sentra Tenun Jadwal' };
    const early = await call(api, 'POST', `/api/cycles/${legacy.id}/nominations`, { ...as('garut'), body });
    await expectRefusal(
      early,
      409,
      'refused',
      new RegExp(`^cycle uji-api-jadwal has not opened yet; its schedule ${scheduleId} opens it at `),
    );

    const schedule = h.client.schedule.getHandle(scheduleId);
    await schedule.trigger();
    const started = await waitFor(async () => (await schedule.describe()).info.recentActions[0]?.action.workflow, {
      what: 'the scheduled opening',
    });
    opened.push(started.workflowId);
    expect(started.workflowId).toMatch(/^ovop\/uji-api-jadwal\/cycle-/);
    const made = await call(api, 'POST', `/api/cycles/${legacy.id}/nominations`, { ...as('garut'), body });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    await stageIs(made.body.workflowId, 'AWAITING_SOCIALIZATION');
    expect((await row(made.body.workflowId))!.cycle_id).toBe(legacy.id);
    const until = new Date(Date.now() + 4 * 3_600_000).toISOString();
    const extended = await call(api, 'POST', `/api/cycles/${legacy.id}/deadline-extension`, {
      ...as('coordinator'),
      body: { stage: 'attendance', until },
    });
    expect(extended.status, JSON.stringify(extended.body)).toBe(200);
    expect(extended.body.deadlineOverrides).toEqual({ attendance: until });
  });

  it('lists, pauses, unpauses and deletes the schedule (coordinators); a dinas is refused and changes nothing', async () => {
    const listed = await call(api, 'GET', '/api/cycle-schedules', as('coordinator'));
    expect(listed.status).toBe(200);
    const mine = listed.body.schedules.find((s: { scheduleId: string }) => s.scheduleId === scheduleId);
    expect(mine).toMatchObject({ series: 'uji-api-jadwal', cadence: 'once', paused: false });
    expect(mine.opened).toHaveLength(1);
    await expectRefusal(
      await call(api, 'GET', '/api/cycle-schedules', as('garut')),
      403,
      'forbidden',
      /^role dinas_kabkota may not read cycle schedules/,
    );

    const schedule = h.client.schedule.getHandle(scheduleId);
    await expectRefusal(
      await call(api, 'POST', '/api/cycle-schedules/uji-api-jadwal/pause', { ...as('garut'), body: {} }),
      403,
      'forbidden',
      /^role dinas_kabkota may not pause a cycle schedule; only a coordinator may$/,
    );
    expect((await schedule.describe()).state.paused).toBe(false);
    const paused = await call(api, 'POST', '/api/cycle-schedules/uji-api-jadwal/pause', {
      ...as('coordinator'),
      body: { note: 'jeda uji' },
    });
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, note: 'paused by coordinator:koordinator-ikma: jeda uji' });
    expect((await schedule.describe()).state.paused).toBe(true);
    await expectRefusal(
      await call(api, 'POST', '/api/cycle-schedules/uji-api-jadwal/pause', { ...as('coordinator'), body: {} }),
      409,
      'refused',
      /^the schedule of series uji-api-jadwal is already paused/,
    );
    const unpaused = await call(api, 'POST', '/api/cycle-schedules/uji-api-jadwal/unpause', {
      ...as('coordinator'),
      body: {},
    });
    expect(unpaused.body.paused).toBe(false);
    expect((await schedule.describe()).state.paused).toBe(false);

    await expectRefusal(
      await call(api, 'DELETE', '/api/cycle-schedules/uji-api-jadwal', as('garut')),
      403,
      'forbidden',
      /^role dinas_kabkota may not delete a cycle schedule/,
    );
    expect((await schedule.describe()).scheduleId).toBe(scheduleId);
    const deleted = await call(api, 'DELETE', '/api/cycle-schedules/uji-api-jadwal', as('coordinator'));
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    await expect(schedule.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    await expectRefusal(
      await call(api, 'DELETE', '/api/cycle-schedules/uji-api-jadwal', as('coordinator')),
      404,
      'not_found',
      /^series uji-api-jadwal has no schedule/,
    );
  });

  it('lists every new endpoint in the OpenAPI document', async () => {
    const doc = await call(api, 'GET', '/api/openapi.json');
    for (const path of [
      '/api/cycles/{id}/nominations',
      '/api/cycles/{id}/nominations/csv',
      '/api/cycles/{id}/decree',
      '/api/cycles/{id}/curation-lists',
      '/api/cycles/{id}/curation-lists/{name}',
      '/api/cycles/{id}/reports/funnel',
      '/api/cycles/{id}/reports/participation',
      '/api/cycles/{id}/reports/stars',
      '/api/nominations/{id}/prescreen',
      '/api/nominations/{id}/samples',
      '/api/nominations/{id}/field-visit',
      '/api/nominations/{id}/field-visit/evidence',
      '/api/nominations/{id}/certificate',
      '/api/nominations/{id}/history',
      '/api/cycle-schedules',
      '/api/cycle-schedules/{series}/pause',
      '/api/cycle-schedules/{series}/unpause',
      '/api/cycle-schedules/{series}',
    ])
      expect(doc.body.paths, path).toHaveProperty([path]);
    expect(
      doc.body.paths['/api/nominations/{id}/samples'].post.requestBody.content['application/json'].schema,
    ).toMatchObject({
      additionalProperties: false,
    });
  });
});
