/**
 * The dinas provinsi's pre-screen in the portal, in a real browser on a phone-sized screen: Jawa Barat's office sees
 * the proposals of its province awaiting its decision (not another province's), a form left incomplete is said beside
 * its fields with nothing written, a return names the documents to complete and why, a pass moves the proposal on, a
 * decision on a stale form meets the workflow's refusal in Indonesian, and another province's proposal by URL is the
 * 403 page with nothing written. Each page passes axe-core.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleDocument, testConfig } from '../../bench/drivers';
import { readMailbox } from '../../embedded/mailbox';
import {
  call,
  nominationPath,
  openCycle,
  startApi,
  TEST_USERS,
  userWithToken,
  type ApiUnderTest,
} from '../support/api';
import { expectAccessible, expectNoSidewaysScroll, launchChromium, screenshot, signInAs } from '../support/browser';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { removeSeededCycle, seedCycleLike, seedNominations } from '../support/projection';

let h: Harness;
let api: ApiUnderTest;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let bantulToken: string;
const config = testConfig('uji-portal-praseleksi', {
  optionalSteps: true,
  mutate: (c) => {
    c.intakeWindow = '15m';
  },
});
const PHONE = { width: 375, height: 740 };
/** Kain tenun: the checklist asks legality and the sentra's decree. */
const KINDS = ['legality', 'sentra_decree'];

const row = (workflowId: string) =>
  h.db.selectFrom('nominations').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
const stageIs = (workflowId: string, stage: string) =>
  waitFor(async () => (await row(workflowId))?.stage === stage, { what: `${workflowId} in ${stage}` });
const prescreenEvents = (workflowId: string) =>
  h.db
    .selectFrom('nomination_events')
    .select(['type', 'actor_id', 'payload'])
    .where('workflow_id', '=', workflowId)
    .where('type', 'like', 'prescreen.%')
    .orderBy('seq')
    .execute();

/** A kain tenun proposal of `regency`, through the API, with its documents complete: awaiting the pre-screen. */
async function proposal(ikmName: string, regency: string, token: string): Promise<string> {
  const made = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
    token,
    body: {
      regencyCode: regency,
      ikmName,
      sentraName: `Sentra ${ikmName}`,
      commodity: 'kain_tenun',
      product: 'Kain tenun',
      sentraSize: 12,
    },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const id = made.body.workflowId as string;
  await stageIs(id, 'AWAITING_SOCIALIZATION');
  const session = config.sessions.find((s) => s.provinces.includes(regency.slice(0, 2)))!;
  const attended = await call(api, 'POST', nominationPath(id, '/attendance'), {
    token,
    body: { sessionId: session.id },
  });
  expect(attended.status, JSON.stringify(attended.body)).toBe(200);
  await stageIs(id, 'AWAITING_DOCUMENTS');
  for (const kind of KINDS) {
    const res = await fetch(`${api.url}${nominationPath(id, `/documents/${kind}`)}?fileName=${kind}.pdf`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
      body: sampleDocument('application/pdf', 2000),
    });
    expect(res.status, await res.text()).toBe(201);
  }
  await stageIs(id, 'PROVINCIAL_PRESCREEN');
  return id;
}

const waitingInJabar = () =>
  h.db
    .selectFrom('nominations')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('province_code', '=', '32')
    .where('stage', '=', 'PROVINCIAL_PRESCREEN')
    .executeTakeFirstOrThrow();
const card = (ikmName: string) => page.locator('li.card', { has: page.getByRole('heading', { name: ikmName }) });

let tenunA: string;
let tenunB: string;
let bantul: string;

beforeAll(async () => {
  h = await startHarness('portal-praseleksi');
  api = await startApi(h);
  bantulToken = await userWithToken(h, {
    id: 'disperin-34.02',
    name: 'Disperin Kab. Bantul',
    email: 'disperin.bantul@example.id',
    role: 'dinas_kabkota',
    region: '34.02',
  });
  await openCycle(api, config);
  [tenunA, tenunB, bantul] = await Promise.all([
    proposal('Tenun Ikat Garut', '32.05', api.tokens.garut),
    proposal('Tenun Sutra Garut', '32.05', api.tokens.garut),
    proposal('Tenun Lurik Bantul', '34.02', bantulToken),
  ]);
  browser = await launchChromium();
  context = await browser.newContext({ locale: 'id-ID', viewport: PHONE });
  page = await context.newPage();
  await signInAs(h, api.url, context, TEST_USERS.jabar.id);
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await h?.stop();
});

describe("Jawa Barat's dinas provinsi pre-screens its province's proposals, on a phone", () => {
  it('lists the proposals of its province awaiting the pre-screen, not another province’s', async () => {
    // The run's database is shared with the earlier test files, whose Jawa Barat proposals may wait here too: this
    // file's own are checked by name, and the other province's by its absence.
    await page.goto(`${api.url}/dinas`);
    await page.getByRole('link', { name: /^Pra-seleksi: \d+ usulan menunggu keputusan Anda$/ }).click();
    await page.waitForURL(`${api.url}/dinas/praseleksi`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Pra-seleksi Jawa Barat');
    const listed = await page.locator('li.card h3').allInnerTexts();
    expect(listed).toEqual(expect.arrayContaining(['Tenun Ikat Garut', 'Tenun Sutra Garut']));
    expect(listed).not.toContain('Tenun Lurik Bantul');
    const waiting = Number((await waitingInJabar()).n);
    expect(listed).toHaveLength(Math.min(waiting, 25));
    expect(await page.locator('h2#menunggu').innerText()).toBe(`Menunggu keputusan Anda (${waiting})`);
    const a = card('Tenun Ikat Garut');
    expect(await a.innerText()).toMatch(/Kab\. Garut · Sentra Tenun Ikat Garut · Kain tenun/);
    expect(await a.innerText()).toMatch(/Batas waktu: .* pukul \d{2}\.\d{2} WIB/);
    expect(await a.getByRole('checkbox').evaluateAll((cs) => cs.map((c) => (c as any).value))).toEqual(KINDS);
    await expectNoSidewaysScroll(page);
    await expectAccessible(page);
    await screenshot(page, 'portal-praseleksi-ponsel');
  });

  it('says what is missing beside the fields of an incomplete return, keeps what was chosen, and writes nothing', async () => {
    const a = card('Tenun Ikat Garut');
    await a.getByLabel('Kembalikan untuk dilengkapi').check();
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      a.getByRole('button', { name: 'Kirim keputusan' }).click(),
    ]);
    expect(answer.status()).toBe(400);
    const again = card('Tenun Ikat Garut');
    expect(await again.getByRole('alert').innerText()).toBe('Usulan belum diterima. Perbaiki isian yang ditandai.');
    expect(await again.locator('p.error:not(.notice)').allInnerTexts()).toEqual([
      'Pilih dokumen yang harus dilengkapi.',
      'Tuliskan alasannya.',
    ]);
    expect(await again.getByLabel('Kembalikan untuk dilengkapi').isChecked()).toBe(true);
    expect(await again.getByLabel(/^Alasan/).getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page);
    expect(await prescreenEvents(tenunA)).toEqual([]);
    expect((await row(tenunA))?.stage).toBe('PROVINCIAL_PRESCREEN');
  });

  it('returns a proposal with the documents to complete and why: recorded by the office, the dinas kab/kota asked', async () => {
    const a = card('Tenun Ikat Garut');
    await a.getByLabel('SK bupati/walikota tentang penetapan sentra IKM').check();
    // A second document too: a form's repeated field reaches the workflow whole, not only its last value.
    const other = a.locator('input[name="missing"]:not([value="sentra_decree"])').first();
    const otherKind = (await other.getAttribute('value'))!;
    await other.check();
    await a.getByLabel(/^Alasan/).fill('SK sentra belum ditandatangani bupati');
    await a.getByRole('button', { name: 'Kirim keputusan' }).click();
    await page.waitForURL(/\/dinas\/praseleksi\?ok=return/);
    expect(await page.getByRole('status').innerText()).toBe('Tenun Ikat Garut dikembalikan untuk dilengkapi.');
    await stageIs(tenunA, 'PRESCREEN_RETURNED');
    const events = await waitFor(async () => {
      const all = await prescreenEvents(tenunA);
      return all.length === 2 ? all : undefined;
    });
    expect(events.map((e) => e.type)).toEqual(['prescreen.return', 'prescreen.returned']);
    expect(events[0]).toMatchObject({
      actor_id: TEST_USERS.jabar.id,
      payload: { decision: 'return', reason: 'SK sentra belum ditandatangani bupati' },
    });
    expect([...(events[0]!.payload as { missing: string[] }).missing].sort()).toEqual(
      ['sentra_decree', otherKind].sort(),
    );
    const dinasAddress = config.contacts.dinasKabKota.replace('{regency}', '32.05');
    const mail = await waitFor(async () =>
      (await readMailbox(h.mailDir)).find((m) => m.template === 'prescreen_returned' && m.to.includes(dinasAddress)),
    );
    expect(mail.text).toContain('SK sentra belum ditandatangani bupati');
    const listed = await page.locator('li.card h3').allInnerTexts();
    expect(listed).toContain('Tenun Sutra Garut');
    expect(listed).not.toContain('Tenun Ikat Garut');
    await expectAccessible(page);
  });

  it('a decision on a stale form meets the workflow’s refusal in Indonesian, and nothing more is written', async () => {
    // The page still offers Tenun Sutra Garut; meanwhile the office passes it from another tab (here, its API token).
    const passed = await call(api, 'POST', nominationPath(tenunB, '/prescreen'), {
      token: api.tokens.jabar,
      body: { decision: 'pass' },
    });
    expect(passed.status, JSON.stringify(passed.body)).toBe(200);
    await stageIs(tenunB, 'AWAITING_SAMPLES');
    const b = card('Tenun Sutra Garut');
    await b.getByLabel('Loloskan').check();
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      b.getByRole('button', { name: 'Kirim keputusan' }).click(),
    ]);
    expect(answer.status()).toBe(409);
    expect(await page.getByRole('alert').innerText()).toBe(
      'Usulan ini sedang pada tahap Menunggu sampel produk; tindakan ini hanya untuk tahap Pra-seleksi dinas provinsi.',
    );
    expect((await prescreenEvents(tenunB)).map((e) => e.type)).toEqual(['prescreen.pass']);
    await expectAccessible(page);
  });

  it("answers another province's proposal by URL with the 403 page, and records nothing", async () => {
    const shown = await page.goto(`${api.url}/nominasi/${encodeURIComponent(bantul)}`);
    expect(shown?.status()).toBe(403);
    expect(await page.locator('body').innerText()).not.toContain('Tenun Lurik Bantul');
    await expectAccessible(page);

    // A pre-screen form forged for it, with the session's own CSRF token.
    await page.goto(`${api.url}/dinas/praseleksi`);
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const forged = await page.request.post(`${api.url}/nominasi/${encodeURIComponent(bantul)}/praseleksi`, {
      form: { _csrf: csrf, decision: 'pass' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain(`is in province 34; you act for province 32`);
    expect(await forged.text()).not.toContain('Tenun Lurik Bantul');
    expect(await prescreenEvents(bantul)).toEqual([]);
    expect((await row(bantul))?.stage).toBe('PROVINCIAL_PRESCREEN');
  });

  it('is refused to a dinas kabupaten/kota', async () => {
    await signInAs(h, api.url, context, TEST_USERS.garut.id);
    const answer = await page.goto(`${api.url}/dinas/praseleksi`);
    expect(answer?.status()).toBe(403);
    expect(await page.getByRole('alert').innerText()).toBe(
      'this page is for dinas_provinsi; you are signed in as dinas_kabkota',
    );
  });
});

describe('the dinas list a page at a time, by cycle, at volume', () => {
  const second = testConfig('uji-portal-siklus-kedua', { mutate: (c) => (c.intakeWindow = '15m') });
  const names = Array.from({ length: 26 }, (_, i) => `Batik Halaman ${String(i + 1).padStart(2, '0')}`);
  const shown = () => page.locator('table.cards tbody tr td[data-label="IKM"] a').allInnerTexts();

  it('pages 25 at a time, filters by cycle, and keeps both across the language switch', async () => {
    await openCycle(api, second);
    for (const ikmName of names) {
      const made = await call(api, 'POST', `/api/cycles/${second.id}/nominations`, {
        token: api.tokens.garut,
        body: {
          regencyCode: '32.05',
          ikmName,
          sentraName: `Sentra ${ikmName}`,
          commodity: 'kain_batik',
          product: 'Batik',
          sentraSize: 8,
        },
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
    }
    await waitFor(async () => {
      const n = await h.db
        .selectFrom('nominations')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('cycle_id', '=', second.id)
        .executeTakeFirstOrThrow();
      return Number(n.n) === names.length;
    });
    await signInAs(h, api.url, context, TEST_USERS.garut.id);

    // Every cycle, newest first: this file's second cycle, opened last, fills the first page by itself, though its id
    // sorts after the first's ('uji-portal-praseleksi'): ids do not sort by date. The run's database is shared with the
    // other test files, which nominate for Garut too, so the rest is checked on this file's own cycle below.
    await page.goto(`${api.url}/dinas`);
    expect(await shown()).toEqual(names.slice(0, 25));
    expect(await page.getByRole('navigation', { name: 'Halaman daftar' }).innerText()).toMatch(
      /^Halaman 1\s+Berikutnya →$/,
    );
    await page.getByRole('link', { name: 'Berikutnya →' }).click();
    await page.waitForURL(`${api.url}/dinas?halaman=2`);
    expect((await shown()).length).toBeGreaterThan(0);

    // One cycle: chosen in the filter; its second page keeps the cycle, and so does the language switch.
    await page.getByLabel('Saring menurut siklus').selectOption(second.id);
    await page.getByRole('button', { name: 'Tampilkan' }).click();
    await page.waitForURL(`${api.url}/dinas?siklus=${second.id}`);
    expect(await shown()).toEqual(names.slice(0, 25));
    await page.getByRole('link', { name: 'Berikutnya →' }).click();
    await page.waitForURL(`${api.url}/dinas?siklus=${second.id}&halaman=2`);
    expect(await shown()).toEqual(names.slice(25));
    await expectNoSidewaysScroll(page);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(`${api.url}/dinas?siklus=${second.id}&halaman=2&lang=en`);
    expect(await shown()).toEqual(names.slice(25));
    expect(await page.getByLabel('Filter by cycle').inputValue()).toBe(second.id);
    await page.getByRole('link', { name: '← Previous' }).click();
    await page.waitForURL(`${api.url}/dinas?siklus=${second.id}&halaman=1`);
    expect(await shown()).toEqual(names.slice(0, 25));
    await page.getByRole('link', { name: 'Bahasa Indonesia' }).click();
    await page.waitForURL(/lang=id/);

    // The first cycle alone fits one page: no pager.
    await page.goto(`${api.url}/dinas?siklus=${config.id}`);
    expect((await shown()).sort()).toEqual(['Tenun Ikat Garut', 'Tenun Sutra Garut']);
    expect(await page.getByRole('navigation', { name: 'Halaman daftar' }).count()).toBe(0);
  });
});

describe('the pre-screen list a page at a time, past one page', () => {
  // The list only reads the projection, so its proposals are seeded with SQL here (no workflow behind them), in a
  // cycle of this describe's own and a Jawa Barat regency no other test nominates for, and removed afterwards: the
  // run's database is shared. The seeded cycle starts last, so its proposals lead the list (newest cycle first).
  const cycleId = 'uji-portal-praseleksi-antre';
  const names = Array.from({ length: 26 }, (_, i) => `Praseleksi Antre ${String(i + 1).padStart(2, '0')}`);
  const listed = () => page.locator('li.card h3').allInnerTexts();

  afterAll(() => removeSeededCycle(h.db, cycleId));

  it('pages 25 at a time, counted whole; a refused form on page 2 is shown there; the switch keeps the page', async () => {
    await seedCycleLike(h.db, { id: cycleId, name: 'Uji antrean pra-seleksi', like: config.id });
    const tomorrow = new Date(Date.now() + 86_400_000);
    await seedNominations(
      h.db,
      names.map((ikmName) => ({
        cycleId,
        regencyCode: '32.01',
        ikmName,
        commodity: 'kain_tenun',
        product: 'Kain tenun',
        stage: 'PROVINCIAL_PRESCREEN',
        deadlineAt: tomorrow,
      })),
    );
    const waiting = Number((await waitingInJabar()).n);
    expect(waiting).toBeGreaterThanOrEqual(26);
    await signInAs(h, api.url, context, TEST_USERS.jabar.id);

    // The dinas page's count is PostgreSQL's, over the whole province.
    await page.goto(`${api.url}/dinas`);
    await page.getByRole('link', { name: `Pra-seleksi: ${waiting} usulan menunggu keputusan Anda` }).click();
    await page.waitForURL(`${api.url}/dinas/praseleksi`);
    expect(await page.locator('h2#menunggu').innerText()).toBe(`Menunggu keputusan Anda (${waiting})`);
    expect(await listed()).toEqual(names.slice(0, 25));
    await page.getByRole('link', { name: 'Berikutnya →' }).click();
    await page.waitForURL(`${api.url}/dinas/praseleksi?halaman=2`);
    const second = await listed();
    expect(second[0]).toBe(names[25]);
    expect(second).toHaveLength(Math.min(waiting - 25, 25));

    // A decision sent without choosing one: refused beside its proposal, still on page 2.
    await card(names[25]!).getByRole('button', { name: 'Kirim keputusan' }).click();
    await page.waitForURL(/\/praseleksi\?halaman=2$/);
    expect(await listed()).toEqual(second);
    expect(await card(names[25]!).getByText('Pilih keputusan.').count()).toBe(1);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(`${api.url}/dinas/praseleksi?halaman=2&lang=en`);
    expect(await listed()).toEqual(second);
    await page.getByRole('link', { name: '← Previous' }).click();
    await page.waitForURL(`${api.url}/dinas/praseleksi?halaman=1`);
    expect(await listed()).toEqual(names.slice(0, 25));
    await page.getByRole('link', { name: 'Bahasa Indonesia' }).click();
    await page.waitForURL(/lang=id/);
  });
});
