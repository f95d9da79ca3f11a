/**
 * Blind assessment (#15 item 2) from each reader's side: Garut's dinas kabupaten/kota and the dinas provinsi of Jawa
 * Barat read their nominations through the API (JSON), the portal (HTML), the `ovop show` CLI and the mails they
 * received, and none of it names an assessor of the panel or carries one assessor's score; the aggregate reaches them
 * only once the stars are determined. The coordinator's and the auditor's views of the same nomination name the panel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoresFor, sha256, testConfig } from '../../bench/drivers';
import { SESSION_COOKIE } from '../../api/auth';
import { createApiToken, createSession } from '../../db/credentials';
import { upsertUser } from '../../db/users';
import { readMailbox } from '../../embedded/mailbox';
import { call, nominationPath, startApi, type ApiUnderTest, type TestUser } from '../support/api';
import { cliRunner, type Ovop } from '../support/cli';
import { startHarness, waitFor, type Harness } from '../support/harness';

let h: Harness;
let api: ApiUnderTest;
let ovop: Ovop;
const config = testConfig('uji-blind', {
  mutate: (c) => {
    c.intakeWindow = '15m';
    c.assessment.assessorsPerNomination = 2;
  },
});
const as = (user: TestUser) => ({ token: api.tokens[user] });
const GARUT_MAIL = config.contacts.dinasKabKota.replace('{regency}', '32.05');
const JABAR_MAIL = config.contacts.dinasProvinsi.replace('{province}', '32');

beforeAll(async () => {
  h = await startHarness('blind-assessment');
  api = await startApi(h);
  ovop = cliRunner(h.taskQueue, api);
});
afterAll(async () => {
  await api?.stop();
  await h?.stop();
});

const row = (workflowId: string) =>
  h.db.selectFrom('nominations').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
const stageIs = (workflowId: string, ...stages: string[]) =>
  waitFor(async () => stages.includes((await row(workflowId))?.stage ?? ''), { what: `${workflowId} in ${stages}` });

/** Nominates (Garut's dinas), attends, submits every required document and has it approved: IN_ASSESSMENT. */
async function toAssessment(ikmName: string): Promise<string> {
  const made = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
    ...as('garut'),
    body: {
      regencyCode: '32.05',
      ikmName,
      sentraName: `Sentra ${ikmName}`,
      commodity: 'anyaman',
      product: 'Tas pandan',
      sentraSize: 9,
    },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const id: string = made.body.workflowId;
  await stageIs(id, 'AWAITING_SOCIALIZATION');
  const attended = await call(api, 'POST', nominationPath(id, '/attendance'), {
    ...as('garut'),
    body: { sessionId: 'sesi-1-yogyakarta' },
  });
  expect(attended.status, JSON.stringify(attended.body)).toBe(200);
  for (const kind of attended.body.missingDocuments as string[]) {
    const sent = await call(api, 'POST', nominationPath(id, '/documents'), {
      ...as('garut'),
      body: { kind, fileName: `${kind}.pdf`, checksum: sha256(`${id}${kind}`), sizeBytes: 4096 },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
  }
  await stageIs(id, 'UNDER_REVIEW');
  const approved = await call(api, 'POST', nominationPath(id, '/review'), {
    ...as('coordinator'),
    body: { decision: 'approve' },
  });
  expect(approved.status).toBe(200);
  await stageIs(id, 'IN_ASSESSMENT');
  return id;
}

/** Every way the panel could be named: each assessor's id, name and address. */
function panelWords(ids: string[]): string[] {
  return ids.flatMap((id) => {
    const a = config.assessment.assessors.find((x) => x.id === id)!;
    return [a.id, a.name, a.email];
  });
}

function expectBlind(what: string, text: string, words: string[]): void {
  for (const w of words) expect(text, `${what} names ${w}`).not.toContain(w);
}

async function portalPage(user: TestUser, path: string): Promise<string> {
  const userId = { garut: 'disperin-32.05', jabar: 'disperin-32', coordinator: 'koordinator-ikma' }[user as string]!;
  const session = await createSession(h.db, userId, 1);
  const page = await call(api, 'GET', path, { cookie: `${SESSION_COOKIE}=${session.token}` });
  expect(page.status, path).toBe(200);
  return String(page.body);
}

describe('blind assessment', () => {
  let scored: string;
  let withdrawn: string;
  let panel: string[];
  let words: string[];

  it('names the panel to the coordinator and the auditor, and to no dinas in IN_ASSESSMENT', async () => {
    const opened = await call(api, 'POST', '/api/cycles', {
      ...as('coordinator'),
      body: { config: (({ regencies: _r, provinces: _p, ...c }) => c)(config) },
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    await waitFor(async () => (await call(api, 'GET', `/api/cycles/${config.id}`, as('auditor'))).status === 200);
    [scored, withdrawn] = await Promise.all([toAssessment('Anyaman Buta Satu'), toAssessment('Anyaman Buta Dua')]);

    const full = await call(api, 'GET', nominationPath(scored), as('coordinator'));
    panel = full.body.assessors.map((a: { id: string }) => a.id);
    expect(panel).toHaveLength(2);
    words = panelWords(panel);
    const audited = await call(api, 'GET', nominationPath(scored), as('auditor'));
    expect(audited.body.assessors.map((a: { id: string }) => a.id)).toEqual(panel);
    const coordinatorCli = await ovop(['--json', 'show', scored], { token: api.tokens.coordinator });
    expect(coordinatorCli.code, coordinatorCli.stderr).toBe(0);
    expect(coordinatorCli.json().assessors.map((a: { id: string }) => a.id)).toEqual(panel);

    for (const user of ['garut', 'jabar'] as const) {
      const detail = await call(api, 'GET', nominationPath(scored), as(user));
      expect(detail.status).toBe(200);
      expect(detail.body).not.toHaveProperty('assessors');
      expectBlind(`${user}'s detail`, JSON.stringify(detail.body), words);
      const list = await call(api, 'GET', `/api/nominations?cycle=${config.id}`, as(user));
      expect(list.body.nominations).toHaveLength(2);
      expectBlind(`${user}'s list`, JSON.stringify(list.body), words);
      expectBlind(`${user}'s portal page`, await portalPage(user, `/nominasi/${encodeURIComponent(scored)}`), words);
    }
    expectBlind("Garut's portal home", await portalPage('garut', '/dinas'), words);
    const garutCli = await ovop(['--json', 'show', scored], { token: api.tokens.garut });
    expect(garutCli.code, garutCli.stderr).toBe(0);
    expect(garutCli.json()).toMatchObject({ stage: 'IN_ASSESSMENT' });
    expect(garutCli.json()).not.toHaveProperty('assessors');
    expectBlind("Garut's `show --json`", garutCli.stdout, words);
    const garutText = await ovop(['show', scored], { token: api.tokens.garut });
    expect(garutText.stdout).toContain('IN_ASSESSMENT');
    expectBlind("Garut's `show`", garutText.stdout, words);
  });

  it("answers the dinas's own action without the panel", async () => {
    const panelOfWithdrawn = (await call(api, 'GET', nominationPath(withdrawn), as('coordinator'))).body.assessors.map(
      (a: { id: string }) => a.id,
    );
    const out = await call(api, 'POST', nominationPath(withdrawn, '/withdrawal'), {
      ...as('garut'),
      body: { reason: 'IKM pindah lokasi' },
    });
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    expect(out.body.stage).toBe('WITHDRAWN');
    expect(out.body).not.toHaveProperty('assessors');
    expectBlind('the withdrawal answer', JSON.stringify(out.body), panelWords(panelOfWithdrawn));
    // The Update's own result, as the workflow recorded it in the history (what the CLI prints), is blind too.
    const history = await h.client.workflow.getHandle(withdrawn).fetchHistory();
    const completed = history.events!.filter((e) => e.workflowExecutionUpdateCompletedEventAttributes).at(-1)!;
    const payload = completed.workflowExecutionUpdateCompletedEventAttributes!.outcome!.success!.payloads![0];
    const recorded = JSON.parse(Buffer.from(payload.data!).toString('utf8'));
    expect(recorded).toMatchObject({ stage: 'WITHDRAWN', assessors: [], scoredBy: [] });
  });

  it('shows the aggregate to the dinas only after the determination', async () => {
    for (const id of panel) {
      const profile = config.assessment.assessors.find((a) => a.id === id)!;
      await upsertUser(h.db, {
        id,
        name: profile.name,
        email: profile.email,
        role: 'assessor',
        region: profile.province,
      });
      const { token } = await createApiToken(h.db, id, { name: 'test', ttlDays: 1 });
      const sheet = await call(api, 'POST', nominationPath(scored, '/scores'), {
        token,
        body: { scores: scoresFor(config, 1) },
      });
      expect(sheet.status, JSON.stringify(sheet.body)).toBe(200);
      // An assessor's answer names neither its fellow nor the aggregate.
      expect(sheet.body).not.toHaveProperty('assessors');
      expect(sheet.body.provisionalScore).toBeNull();
    }
    await stageIs(scored, 'STAR_RECOMMENDED');
    const coordinator = await call(api, 'GET', nominationPath(scored), as('coordinator'));
    expect(coordinator.body.provisionalScore).not.toBeNull();
    expect(coordinator.body.assessments.map((a: { assessorId: string }) => a.assessorId).sort()).toEqual(
      [...panel].sort(),
    );
    const dashboard = await portalPage('coordinator', '/koordinator');
    for (const id of panel) expect(dashboard).toContain(id);
    for (const user of ['garut', 'jabar'] as const) {
      const before = await call(api, 'GET', nominationPath(scored), as(user));
      expect(before.body).toMatchObject({ provisionalScore: null, aspectScores: null, recommendedStars: null });
      expectBlind(`${user}'s detail`, JSON.stringify(before.body), words);
    }
    const garutCli = await ovop(['--json', 'show', scored], { token: api.tokens.garut });
    expect(garutCli.json()).toMatchObject({ provisionalScore: null, recommendedStars: null });
    expect(garutCli.json()).not.toHaveProperty('assessors');
    expectBlind("Garut's `show --json`", garutCli.stdout, words);

    const determined = await call(api, 'POST', nominationPath(scored, '/determination'), {
      ...as('coordinator'),
      body: {},
    });
    expect(determined.status, JSON.stringify(determined.body)).toBe(200);
    await stageIs(scored, 'DETERMINED', 'NOT_CLASSIFIED');
    const after = await call(api, 'GET', nominationPath(scored), as('garut'));
    expect(after.body.provisionalScore).toBe(coordinator.body.provisionalScore);
    expect(after.body).not.toHaveProperty('assessments');
    expectBlind("Garut's detail after determination", JSON.stringify(after.body), words);
  });

  it('mails the dinas nothing that names the panel', async () => {
    const announced = await waitFor(async () => {
      const all = await readMailbox(h.mailDir);
      return all.some((m) => m.workflowId === scored && m.template === 'announcement') && all;
    });
    const toDinas = announced.filter(
      (m) =>
        (m.workflowId === scored || m.workflowId === withdrawn) &&
        [...m.to, ...m.cc].some((a) => a === GARUT_MAIL || a === JABAR_MAIL),
    );
    expect(toDinas.map((m) => m.template)).toEqual(
      expect.arrayContaining(['intake_accepted', 'admin_passed', 'assessment_started', 'announcement', 'withdrawn']),
    );
    for (const m of toDinas) expectBlind(`mail ${m.template}`, `${m.subject}\n${m.to}\n${m.cc}\n${m.text}`, words);
    // The panel's own mails went to the panel.
    const assigned = announced.filter((m) => m.workflowId === scored && m.template === 'assessment_assigned');
    expect(assigned.flatMap((m) => m.to).sort()).toEqual(
      panel.map((id) => config.assessment.assessors.find((a) => a.id === id)!.email).sort(),
    );
  });
});
