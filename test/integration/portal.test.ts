/**
 * The portal in a real browser: Debian's Chromium driven by playwright-core, against the API process serving the
 * pages on the file's harness. Garut's dinas signs in by the link the SMTP sink received, nominates (a refused value
 * kept and explained beside its field), attends a session of its province, meets the 403 page for another province's
 * nomination, never sees an assessor, and withdraws; an assessor scores from the form built from the cycle's aspects;
 * the coordinator's dashboard shows the queues. Each page passes axe-core with no serious or critical violation, and
 * the dinas page is read on a phone-sized screen. One browser for the file, one page reused.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoresFor, sha256, testConfig } from '../../bench/drivers';
import { mailFor, readMailbox } from '../../embedded/mailbox';
import { upsertUser } from '../../db/users';
import { PROVINCE_TILES } from '../../api/portal/province-grid';
import { loadRegions, regionDisplayName } from '../../domain/regions';
import { COMMODITIES } from '../../domain/types';
import { nominationWorkflowId } from '../../workflows/ids';
import {
  assessorToken,
  call,
  nominationPath,
  openCycle,
  startApi,
  TEST_USERS,
  type ApiUnderTest,
} from '../support/api';
import {
  expectAccessible,
  expectNoSidewaysScroll,
  freePort,
  launchChromium,
  screenshot as shot,
  signInAs as signIn,
} from '../support/browser';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { firstEventRow, removeSeededCycle, seedCycleLike, seedNominations } from '../support/projection';

let h: Harness;
let api: ApiUnderTest;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const config = testConfig('uji-portal', {
  mutate: (c) => {
    c.intakeWindow = '15m';
    c.assessment.assessorsPerNomination = 2;
    // A session that turns away other provinces, for the refusal a dinas meets when it picks one anyway.
    c.sessions.find((s) => s.id === 'sesi-3-makassar')!.acceptsMakeUp = false;
  },
});
/** Garut's dinas, under an address of this file's own: the suite's files share one SMTP sink, and another file reads
 * the first sign-in link mailed to TEST_USERS.garut. */
const garut = {
  id: 'portal-disperin-32.05',
  name: 'Disperin Kab. Garut (portal)',
  email: 'portal.disperin.garut@example.id',
  role: 'dinas_kabkota',
  region: '32.05',
} as const;

const row = (workflowId: string) =>
  h.db.selectFrom('nominations').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
const rowNamed = (ikmName: string) =>
  h.db
    .selectFrom('nominations')
    .selectAll()
    .where('cycle_id', '=', config.id)
    .where('ikm_name', '=', ikmName)
    .executeTakeFirst();
const stageIs = (workflowId: string, stage: string) =>
  waitFor(async () => (await row(workflowId))?.stage === stage, { what: `${workflowId} in ${stage}` });

const screenshot = (name: string) => shot(page, name);
const signInAs = (ctx: BrowserContext, userId: string) => signIn(h, api.url, ctx, userId);

beforeAll(async () => {
  const port = await freePort();
  h = await startHarness('portal', { portalUrl: `http://127.0.0.1:${port}` });
  api = await startApi(h, {}, port);
  await upsertUser(h.db, garut);
  await openCycle(api, config);
  browser = await launchChromium();
  context = await browser.newContext({ locale: 'id-ID' });
  page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await h?.stop();
});

describe("the portal, as Garut's dinas", () => {
  let nominationId: string;

  it('signs in by the link the mail carried', async () => {
    const answer = await page.goto(`${api.url}/`);
    expect(answer?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/masuk');
    await expectAccessible(page);
    await screenshot('portal-masuk');
    await page.getByLabel('Alamat email').fill(garut.email);
    await page.getByRole('button', { name: 'Kirim tautan masuk' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toMatch(/tautan masuk sudah dikirim/);
    const mail = await waitFor(async () =>
      (await readMailbox(h.mailDir)).filter((m) => m.template === 'sign-in-link' && m.to.includes(garut.email)).at(-1),
    );
    const link = /(http:\/\/\S+\/api\/sign-in\/\S+)/.exec(mail.text)![1];
    await page.goto(link);
    await expectAccessible(page);
    await page.getByRole('button').click();
    await page.waitForURL(`${api.url}/dinas`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Usulan Kab. Garut');
    const session = await h.db
      .selectFrom('access_log')
      .select(['event', 'user_id'])
      .where('event', '=', 'sign_in')
      .where('user_id', '=', garut.id)
      .executeTakeFirst();
    expect(session).toEqual({ event: 'sign_in', user_id: garut.id });
    await expectAccessible(page);
  });

  it('keeps a refused nomination as typed and says what to fix beside the field; nothing is written', async () => {
    const form = page.locator('form[action="/dinas/usulan"]');
    await form.getByLabel('Nama IKM').fill('Anyaman Pandan Sukaresmi');
    await form.getByLabel('Nama sentra IKM').fill('Sentra Anyaman Sukaresmi');
    await form.getByLabel('Kelompok komoditas').selectOption('anyaman');
    await form.getByLabel('Produk unggulan').fill('Tas anyaman pandan');
    await form.getByLabel('Jumlah unit usaha di sentra').fill('2');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/dinas/usulan')),
      form.getByRole('button', { name: 'Usulkan' }).click(),
    ]);
    expect(answer.status()).toBe(409);
    const size = page.getByLabel('Jumlah unit usaha di sentra');
    await expect.poll(() => size.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#usul-sentraSize-error').innerText()).toMatch(
      /a sentra must count at least 5 businesses making the same product; sentra "Sentra Anyaman Sukaresmi" counts 2/,
    );
    expect(await size.inputValue()).toBe('2');
    expect(await page.getByLabel('Nama IKM').inputValue()).toBe('Anyaman Pandan Sukaresmi');
    expect(await page.getByLabel('Kelompok komoditas').inputValue()).toBe('anyaman');
    expect(await rowNamed('Anyaman Pandan Sukaresmi')).toBeUndefined();
    await expectAccessible(page);
  });

  it('nominates once the value is fixed: the row is in PostgreSQL, nominated by the signed-in office', async () => {
    await page.getByLabel('Jumlah unit usaha di sentra').fill('14');
    await page.getByRole('button', { name: 'Usulkan' }).click();
    await page.waitForURL(/\/dinas\?ok=nominated/);
    expect(await page.getByRole('status').innerText()).toBe('Anyaman Pandan Sukaresmi telah diusulkan.');
    const nominated = await waitFor(() => rowNamed('Anyaman Pandan Sukaresmi'));
    nominationId = nominated.workflow_id;
    expect(nominated).toMatchObject({ regency_code: '32.05', commodity: 'anyaman', sentra_units: 14 });
    const first = await h.db
      .selectFrom('nomination_events')
      .select(['actor_id', 'actor_role'])
      .where('workflow_id', '=', nominationId)
      .orderBy('seq')
      .executeTakeFirstOrThrow();
    expect(first).toEqual({ actor_id: garut.id, actor_role: 'dinas_kabkota' });
  });

  it('shows the stage, the next step and the deadline with time left, in WIB', async () => {
    await stageIs(nominationId, 'AWAITING_SOCIALIZATION');
    await waitFor(async () => (await row(nominationId))?.deadline_at);
    await page.goto(`${api.url}/dinas`);
    const line = page.locator('tr', { hasText: 'Anyaman Pandan Sukaresmi' });
    expect(await line.locator('td[data-label="Tahap"]').innerText()).toContain('Menunggu kehadiran sosialisasi');
    expect(await line.locator('td[data-label="Langkah berikutnya"]').innerText()).toContain(
      'Menghadiri sesi sosialisasi untuk wilayah Anda dan mencatat kehadiran.',
    );
    const deadline = (await line.locator('td[data-label="Batas waktu"]').innerText())!;
    expect(deadline).toMatch(/pukul \d{2}\.\d{2} WIB/);
    expect(deadline).toMatch(/(hari|jam|menit) lagi/);
  });

  it('refuses a session of another province beside the row, in Indonesian (English on the switch); nothing is written', async () => {
    const attendWith = async (sessionId: string, button: string) => {
      const line = page.locator('tr', { hasText: 'Anyaman Pandan Sukaresmi' });
      // The form offers only its province's sessions; a tampered (or stale) form sends another one.
      await line
        .locator('select[name="sessionId"] option')
        .first()
        .evaluate((o, id) => ((o as any).value = id), sessionId);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/kehadiran')),
        line.getByRole('button', { name: button }).click(),
      ]);
      expect(answer.status()).toBe(409);
      return line.getByRole('alert').innerText();
    };
    expect(await attendWith('sesi-3-makassar', 'Catat kehadiran')).toBe(
      'Sesi sesi-3-makassar tidak mencakup Jawa Barat dan tidak menerima kehadiran susulan; ' +
        'sesi untuk provinsi ini: sesi-1-yogyakarta.',
    );
    await expectAccessible(page);
    await page.goto(`${api.url}/dinas?lang=en`);
    expect(await attendWith('sesi-3-makassar', 'Record attendance')).toBe(
      'Session sesi-3-makassar does not cover Jawa Barat and does not accept make-up attendance; ' +
        'sessions for this province: sesi-1-yogyakarta.',
    );
    await page.goto(`${api.url}/dinas?lang=id`);

    // The API's answer keeps its English message for the CLI, with the rule beside it.
    const api409 = await call(api, 'POST', nominationPath(nominationId, '/attendance'), {
      token: api.tokens.garut,
      body: { sessionId: 'sesi-3-makassar' },
    });
    expect(api409.status).toBe(409);
    expect(api409.body).toEqual({
      code: 'refused',
      message:
        'session sesi-3-makassar does not cover province 32 and does not accept make-up attendance; ' +
        'sessions for province 32: sesi-1-yogyakarta',
      rule: 'session_other_province',
      params: { session: 'sesi-3-makassar', province: '32', covering: 'sesi-1-yogyakarta' },
    });
    expect((await row(nominationId))?.stage).toBe('AWAITING_SOCIALIZATION');
    const events = await h.db
      .selectFrom('nomination_events')
      .select('type')
      .where('workflow_id', '=', nominationId)
      .where('type', '=', 'socialization.attended')
      .execute();
    expect(events).toEqual([]);
  });

  it('attends a session: only the sessions covering its province are offered', async () => {
    const line = page.locator('tr', { hasText: 'Anyaman Pandan Sukaresmi' });
    const offered = await line
      .locator('select[name="sessionId"] option')
      .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    expect(offered).toEqual(config.sessions.filter((s) => s.provinces.includes('32')).map((s) => s.id));
    await line.getByRole('button', { name: 'Catat kehadiran' }).click();
    await page.waitForURL(/\/dinas\?ok=attended/);
    await screenshot('portal-dinas');
    await stageIs(nominationId, 'AWAITING_DOCUMENTS');
    const attended = await h.db
      .selectFrom('nomination_events')
      .select(['actor_id', 'payload'])
      .where('workflow_id', '=', nominationId)
      .where('type', '=', 'socialization.attended')
      .executeTakeFirst();
    expect(attended?.actor_id).toBe(garut.id);
  });

  it("answers another province's nomination by URL with the 403 page, and records nothing", async () => {
    const made = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
      token: api.tokens.coordinator,
      body: {
        regencyCode: '34.02',
        ikmName: 'Gerabah Kasongan',
        sentraName: 'Sentra Gerabah Kasongan',
        commodity: 'gerabah',
        product: 'Guci gerabah',
        sentraSize: 30,
      },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const other = made.body.workflowId as string;
    await stageIs(other, 'AWAITING_SOCIALIZATION');
    const eventsBefore = await h.db
      .selectFrom('nomination_events')
      .select('seq')
      .where('workflow_id', '=', other)
      .execute();
    const answer = await page.goto(`${api.url}/nominasi/${encodeURIComponent(other)}`);
    expect(answer?.status()).toBe(403);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Akses ditolak');
    expect(await page.getByRole('alert').innerText()).toBe(
      `nomination ${other} belongs to kabupaten/kota 34.02; you act for 32.05`,
    );
    expect(await page.content()).not.toContain('Gerabah Kasongan');
    await expectAccessible(page);
    // A forged attendance on it through the portal's form route: refused by the API's authorization, nothing recorded.
    const csrf = await page.evaluate(async () => {
      const html = await (await fetch('/dinas')).text();
      return /name="_csrf" value="([^"]+)"/.exec(html)![1];
    });
    const forged = await page.evaluate(
      async ([url, token]) => {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: token, sessionId: 'sesi-1-yogyakarta' }).toString(),
        });
        return { status: res.status, text: await res.text() };
      },
      [`/nominasi/${encodeURIComponent(other)}/kehadiran`, csrf] as const,
    );
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('belongs to kabupaten/kota 34.02; you act for 32.05');
    const eventsAfter = await h.db
      .selectFrom('nomination_events')
      .select('seq')
      .where('workflow_id', '=', other)
      .execute();
    expect(eventsAfter).toEqual(eventsBefore);
    expect((await row(other))?.stage).toBe('AWAITING_SOCIALIZATION');
  });

  it("a nomination's mail links to its page by a digest: it opens for its dinas only, and names no IKM", async () => {
    const linkIn = async (workflowId: string) => {
      const mail = await waitFor(async () => (await mailFor(h.mailDir, workflowId)).find((m) => /\/n\//.test(m.text)));
      return /(http:\/\/\S+\/n\/[0-9a-f]{24})\n/.exec(mail.text)![1];
    };
    const own = await linkIn(nominationId);
    expect(own.startsWith(`${api.url}/n/`)).toBe(true);
    expect(own).not.toMatch(/anyaman|pandan|sukaresmi/i);
    await page.goto(own);
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/nominasi/${nominationId}`);
    expect(await page.content()).toContain('Anyaman Pandan Sukaresmi');

    // Another province's nomination: its link is refused without naming it.
    const other = (await rowNamed('Gerabah Kasongan'))!.workflow_id;
    const theirs = await linkIn(other);
    const refused = await page.goto(theirs);
    expect(refused?.status()).toBe(403);
    expect(await page.getByRole('alert').innerText()).toBe('this link is to a nomination you may not read');
    expect(await page.content()).not.toMatch(/kasongan/i);
    expect((await page.goto(`${api.url}/n/${'0'.repeat(24)}`))?.status()).toBe(404);

    // Signed out, the link leads to the sign-in page.
    const stranger = await browser.newContext({ locale: 'id-ID' });
    try {
      const anon = await stranger.newPage();
      await anon.goto(own);
      expect(new URL(anon.url()).pathname).toBe('/masuk');
      expect(await anon.content()).not.toMatch(/anyaman|pandan/i);
    } finally {
      await stranger.close();
    }
  });

  it('refuses a form post without its CSRF token, and records nothing', async () => {
    const before = await h.db
      .selectFrom('nomination_events')
      .select('seq')
      .where('workflow_id', '=', nominationId)
      .execute();
    const forged = await page.evaluate(
      async (url) => {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ reason: 'dipalsukan' }).toString(),
        });
        return { status: res.status, text: await res.text() };
      },
      `/nominasi/${encodeURIComponent(nominationId)}/penarikan`,
    );
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('Formulir ini tidak lagi berlaku');
    const after = await h.db
      .selectFrom('nomination_events')
      .select('seq')
      .where('workflow_id', '=', nominationId)
      .execute();
    expect(after).toEqual(before);
  });

  it('never shows an assessor, once the review queue approved it and assessors are assigned', async () => {
    const submitted = await call(api, 'POST', nominationPath(nominationId, '/documents'), {
      token: api.tokens.garut,
      body: { kind: 'legality', fileName: 'nib.pdf', checksum: sha256('nib'), sizeBytes: 4096 },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    await stageIs(nominationId, 'UNDER_REVIEW');
    // The coordinator approves from the review queue of the dashboard.
    await signInAs(context, TEST_USERS.coordinator.id);
    await page.goto(`${api.url}/koordinator?siklus=${config.id}`);
    const queued = page.locator('#verifikasi ~ div.card', { hasText: 'Anyaman Pandan Sukaresmi' });
    await queued.getByLabel('Keputusan').selectOption('approve');
    await queued.getByRole('button', { name: 'Keputusan' }).click();
    await page.waitForURL(/\/koordinator\?ok=reviewed/);
    await signInAs(context, garut.id);
    await stageIs(nominationId, 'IN_ASSESSMENT');
    const assigned = (await call(api, 'GET', nominationPath(nominationId), { token: api.tokens.coordinator })).body
      .assessors as { id: string }[];
    expect(assigned).toHaveLength(2);
    for (const path of ['/dinas', `/nominasi/${encodeURIComponent(nominationId)}`]) {
      await page.goto(`${api.url}${path}`);
      const content = await page.content();
      expect(content).toContain('Anyaman Pandan Sukaresmi');
      for (const a of config.assessment.assessors) {
        expect(content, `${path} names ${a.name}`).not.toContain(a.name);
        expect(content, `${path} names ${a.id}`).not.toContain(a.id);
      }
    }
    await expectAccessible(page);
  });

  it("an assessor scores from the sheet built from the cycle's aspects, weights and scale shown", async () => {
    const assigned = (await call(api, 'GET', nominationPath(nominationId), { token: api.tokens.coordinator })).body
      .assessors as { id: string }[];
    const [first, second] = assigned.map((a) => a.id);
    const pool = config.assessment.assessors;
    await assessorToken(h, api, pool, first); // the drawn assessor's account, made if the pool's profile has none yet
    await signInAs(context, first);
    await page.goto(`${api.url}/`);
    await page.waitForURL(`${api.url}/penilai`);
    const sheet = page.locator('section', { hasText: 'Anyaman Pandan Sukaresmi' });
    expect(await sheet.innerText()).toContain('Skala 1–3 untuk setiap kriteria.');
    for (const aspect of config.assessment.aspects) {
      expect(await sheet.innerText()).toContain(`${aspect.label} — Bobot ${aspect.weight}`);
      for (const c of aspect.criteria) {
        const scale = sheet.locator('fieldset.scale', { hasText: c.label });
        expect(await scale.locator('input[type="radio"]').count()).toBe(3);
        await scale.locator('input[value="3"]').check();
      }
    }
    await expectAccessible(page);
    await screenshot('portal-penilai');
    await sheet.getByRole('button', { name: 'Kirim lembar penilaian' }).click();
    await page.waitForURL(/\/penilai\?ok=scored/);
    const stored = await waitFor(() =>
      h.db
        .selectFrom('assessments')
        .select(['assessor_id', 'scores'])
        .where('workflow_id', '=', nominationId)
        .where('assessor_id', '=', first)
        .executeTakeFirst(),
    );
    expect(stored.scores).toEqual(scoresFor(config, 3));
    expect(await page.content()).not.toContain('Kirim lembar penilaian');

    const scored = await call(api, 'POST', nominationPath(nominationId, '/scores'), {
      token: await assessorToken(h, api, pool, second),
      body: { scores: scoresFor(config, 2) },
    });
    expect(scored.status, JSON.stringify(scored.body)).toBe(200);
    await waitFor(async () => ['FIELD_VERIFICATION', 'STAR_RECOMMENDED'].includes((await row(nominationId))!.stage));
    if ((await row(nominationId))!.stage === 'FIELD_VERIFICATION') {
      const verified = await call(api, 'POST', nominationPath(nominationId, '/field-verification'), {
        token: api.tokens.coordinator,
        body: { passed: true },
      });
      expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    }
    await stageIs(nominationId, 'STAR_RECOMMENDED');
  });

  it('the dinas still sees no assessor once they have scored', async () => {
    await signInAs(context, garut.id);
    for (const path of ['/dinas', `/nominasi/${encodeURIComponent(nominationId)}`]) {
      await page.goto(`${api.url}${path}`);
      const content = await page.content();
      expect(content).toContain('Anyaman Pandan Sukaresmi');
      for (const a of config.assessment.assessors) {
        expect(content, `${path} names ${a.name}`).not.toContain(a.name);
        expect(content, `${path} names ${a.id}`).not.toContain(a.id);
      }
    }
  });

  it('the coordinator determines from the dashboard, recommendation, gates and scores in view', async () => {
    await signInAs(context, TEST_USERS.coordinator.id);
    await page.goto(`${api.url}/koordinator?siklus=${config.id}`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(`Dasbor siklus: ${config.name}`);
    const counts = page.locator('section', { has: page.locator('#tahap') });
    expect(await counts.innerText()).toMatch(/Rekomendasi bintang\s+1/);
    const card = page.locator('#penetapan ~ div.card', { hasText: 'Anyaman Pandan Sukaresmi' });
    const recommended = (await row(nominationId))!.recommended_stars!;
    expect(await card.innerText()).toContain(`Rekomendasi\n${recommended}`);
    for (const aspect of config.assessment.aspects) expect(await card.innerText()).toContain(aspect.label);
    await expectAccessible(page);
    await screenshot('portal-koordinator');
    await card.getByRole('button', { name: 'Tetapkan' }).click();
    await page.waitForURL(/\/koordinator\?ok=determined/);
    await stageIs(nominationId, 'DETERMINED');
    expect((await row(nominationId))!.stars).toBe(recommended);
    const event = await h.db
      .selectFrom('nomination_events')
      .select('actor_id')
      .where('workflow_id', '=', nominationId)
      .where('stage', '=', 'DETERMINED')
      .executeTakeFirstOrThrow();
    expect(event.actor_id).toBe(TEST_USERS.coordinator.id);
  });

  it("pictures the cycle's stars by province and commodity, and the provinces' map, with PostgreSQL's figures", async () => {
    // The projection's figures, counted here from its rows: nominations, and determined stars per level.
    const rows = await h.db
      .selectFrom('nominations')
      .select(['province_code', 'commodity', 'stage', 'stars'])
      .where('cycle_id', '=', config.id)
      .execute();
    const levels = [5, 4, 3, 2, 1];
    const tally = (key: (r: (typeof rows)[number]) => string, code: string) => {
      const mine = rows.filter((r) => key(r) === code);
      const perLevel = levels.map((s) => mine.filter((r) => r.stage === 'DETERMINED' && r.stars === s).length);
      return { nominations: mine.length, perLevel, starred: perLevel.reduce((a, b) => a + b, 0) };
    };
    const byProvince = (code: string) => tally((r) => r.province_code, code);
    const byCommodity = (code: string) => tally((r) => r.commodity, code);
    const provinces = Object.keys(loadRegions().provinces).sort();
    const nominated = provinces.filter((p) => byProvince(p).nominations > 0);
    expect(
      rows.some((r) => r.stage === 'DETERMINED' && (r.stars ?? 0) > 0),
      'a determined nomination',
    ).toBe(true);
    expect(nominated.length).toBeGreaterThanOrEqual(2);

    await signInAs(context, TEST_USERS.coordinator.id);
    await page.goto(`${api.url}/koordinator?siklus=${config.id}`);
    await screenshot('portal-koordinator-gambar');
    const said = (name: string, t: ReturnType<typeof tally>) => {
      const parts = levels.flatMap((s, i) => (t.perLevel[i] ? [`Bintang ${s}: ${t.perLevel[i]}`] : []));
      return `${name}: ${t.starred}${parts.length ? ` (${parts.join(', ')})` : ''}`;
    };
    const figuresOf = async (table: string, attribute: string, code: string) =>
      (await page.locator(`${table} tr[${attribute}="${code}"] > *`).allTextContents()).map((c) => c.trim());

    // Stars by province: one bar per nominating province, described and tabled with the projection's figures.
    expect(await page.getByRole('img', { name: 'Bintang per provinsi' }).isVisible()).toBe(true);
    const provinceDesc = await page.locator('#bintang-provinsi-uraian').textContent();
    await page.getByText('Angka: Bintang per provinsi').click();
    for (const code of nominated) {
      const t = byProvince(code);
      expect(provinceDesc).toContain(said(regionDisplayName(code), t));
      expect(await figuresOf('#bintang-provinsi-angka', 'data-group', code)).toEqual(
        [regionDisplayName(code), ...t.perLevel, t.starred, t.nominations].map(String),
      );
    }
    expect(await page.locator('#bintang-provinsi-angka tbody tr').count()).toBe(nominated.length);

    // Stars by commodity group: every group, those without nominations at 0.
    const commodityLabels: Record<string, string> = {
      makanan_minuman: 'Makanan dan minuman',
      kain_tenun: 'Kain tenun',
      kain_batik: 'Kain batik',
      anyaman: 'Anyaman',
      gerabah: 'Gerabah',
    };
    const commodityDesc = await page.locator('#bintang-komoditas-uraian').textContent();
    await page.getByText('Angka: Bintang per kelompok komoditas').click();
    for (const code of COMMODITIES) {
      const t = byCommodity(code);
      expect(commodityDesc).toContain(said(commodityLabels[code], t));
      expect(await figuresOf('#bintang-komoditas-angka', 'data-group', code)).toEqual(
        [commodityLabels[code], ...t.perLevel, t.starred, t.nominations].map(String),
      );
    }

    // The map, shaded by nominations by default: every province's tile and table row says its count.
    const tiles = async () =>
      Object.fromEntries(
        await page
          .locator('svg.tile-map g.tile')
          .evaluateAll((gs) =>
            gs.map((g: any) => [
              g.getAttribute('data-province'),
              { title: g.querySelector('title').textContent, shade: Number(g.getAttribute('data-shade')) },
            ]),
          ),
      ) as Record<string, { title: string; shade: number }>;
    const expectMap = async (measure: 'nominations' | 'starred') => {
      const shown = await tiles();
      expect(Object.keys(shown).sort()).toEqual(provinces);
      for (const code of provinces) {
        const value = byProvince(code)[measure];
        expect(shown[code].title).toBe(`${regionDisplayName(code)} (${PROVINCE_TILES[code].abbr}): ${value}`);
        expect(shown[code].shade > 0, `${code} shaded`).toBe(value > 0);
      }
    };
    expect(await page.locator('#peta').innerText()).toBe('Peta provinsi: Usulan');
    await expectMap('nominations');
    await page.getByText('Angka: Peta provinsi').click();
    for (const code of nominated) {
      const t = byProvince(code);
      expect(await figuresOf('#peta-angka', 'data-province', code)).toEqual(
        [PROVINCE_TILES[code].abbr, regionDisplayName(code), t.nominations, t.starred].map(String),
      );
    }
    await expectAccessible(page);

    // The toggle shades it by starred IKM instead; a province with nominations but no stars turns to none.
    await page.getByRole('link', { name: 'IKM berbintang' }).click();
    await page.waitForURL(/peta=bintang/);
    expect(await page.locator('#peta').innerText()).toBe('Peta provinsi: IKM berbintang');
    expect(await page.getByRole('link', { name: 'IKM berbintang' }).getAttribute('aria-current')).toBe('true');
    expect(await page.getByRole('img', { name: 'Peta provinsi: IKM berbintang' }).isVisible()).toBe(true);
    expect(
      nominated.some((p) => byProvince(p).starred === 0),
      'a nominating province without stars',
    ).toBe(true);
    await expectMap('starred');
    await expectAccessible(page);

    // The language switch keeps the cycle and the map's measure; switching back keeps them too.
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/lang=en/);
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({
      siklus: config.id,
      peta: 'bintang',
      lang: 'en',
    });
    expect(await page.getByRole('img', { name: 'Stars by province' }).isVisible()).toBe(true);
    expect(await page.getByRole('img', { name: 'Map of the provinces: Starred IKM' }).isVisible()).toBe(true);
    await page.getByRole('link', { name: 'Bahasa Indonesia' }).click();
    await page.waitForURL(/lang=id/);
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({
      siklus: config.id,
      peta: 'bintang',
      lang: 'id',
    });
    expect(await page.getByRole('img', { name: 'Peta provinsi: IKM berbintang' }).isVisible()).toBe(true);

    // On a phone: the pictures scale to the screen, nothing scrolls sideways.
    await page.setViewportSize({ width: 375, height: 740 });
    try {
      await page.goto(`${api.url}/koordinator?siklus=${config.id}`);
      expect(await page.getByRole('img', { name: 'Peta provinsi: Usulan' }).isVisible()).toBe(true);
      await expectNoSidewaysScroll(page);
      await expectAccessible(page);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('refuses the dashboard and its pictures to a dinas, and logs the refusal', async () => {
    await signInAs(context, garut.id);
    const answer = await page.goto(`${api.url}/koordinator?siklus=${config.id}&peta=bintang`);
    expect(answer?.status()).toBe(403);
    expect(await page.getByRole('alert').innerText()).toBe(
      'this page is for coordinator and auditor; you are signed in as dinas_kabkota',
    );
    expect(await page.locator('svg[role="img"]').count()).toBe(0);
    const logged = await h.db
      .selectFrom('access_log')
      .select(['status', 'code'])
      .where('user_id', '=', garut.id)
      .where('path', 'like', '/koordinator%')
      .execute();
    expect(logged).toEqual([{ status: 403, code: 'forbidden' }]);
  });

  it('withdraws a nomination from its row', async () => {
    const made = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
      token: api.tokens.garut,
      body: {
        regencyCode: '32.05',
        ikmName: 'Batik Garutan Ciwalen',
        sentraName: 'Sentra Batik Ciwalen',
        commodity: 'kain_batik',
        product: 'Kain batik tulis garutan',
        sentraSize: 9,
      },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const id = made.body.workflowId as string;
    await stageIs(id, 'AWAITING_SOCIALIZATION');
    await signInAs(context, garut.id);
    await page.goto(`${api.url}/dinas`);
    const line = page.locator('tr', { hasText: 'Batik Garutan Ciwalen' });
    await line.getByText('Tarik usulan', { exact: true }).first().click();
    await line.getByLabel('Alasan').fill('Pengrajin pindah usaha');
    await line.getByRole('button', { name: 'Tarik usulan' }).click();
    await page.waitForURL(/\/dinas\?ok=withdrawn/);
    await stageIs(id, 'WITHDRAWN');
    const event = await h.db
      .selectFrom('nomination_events')
      .select(['actor_id', 'payload'])
      .where('workflow_id', '=', id)
      .where('stage', '=', 'WITHDRAWN')
      .orderBy('seq')
      .executeTakeFirstOrThrow();
    expect(event.actor_id).toBe(garut.id);
  });

  it('reads well on a phone: no sideways scrolling, still accessible', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${api.url}/dinas`);
    const widths = await page.evaluate(() => {
      const d = (globalThis as any).document.documentElement;
      return { scroll: d.scrollWidth as number, client: d.clientWidth as number };
    });
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    expect(await page.getByRole('button', { name: 'Usulkan' }).isVisible()).toBe(true);
    await expectAccessible(page);
    await screenshot('portal-dinas-ponsel');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('switches to English and back', async () => {
    await page.goto(`${api.url}/dinas?lang=en`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Nominations of Kab. Garut');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.goto(`${api.url}/dinas?lang=id`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Usulan Kab. Garut');
  });

  it('offers the single sign-on on the sign-in page only when the API has one', async () => {
    const sso = await startApi(h, {
      oidc: { issuer: 'http://127.0.0.1:9/oidc', clientId: 'ovop-portal', scope: 'openid email' },
    });
    try {
      const page = await (await fetch(`${sso.url}/masuk`)).text();
      expect(page).toContain(
        '<a class="button" href="/api/sign-in/oidc?next=%2F">Masuk dengan akun kementerian (SSO)</a>',
      );
      expect(await (await fetch(`${api.url}/masuk`)).text()).not.toContain('/api/sign-in/oidc');
    } finally {
      await sso.stop();
    }
  });
});

describe("the coordinator's lists a page at a time, past one page", () => {
  // The page only reads the projection, so its rows are seeded with SQL here (no workflow behind them), in a cycle of
  // this describe's own, of a regency no other test nominates for, and removed afterwards: the run's database is shared.
  const cycleId = 'uji-portal-antrean';
  const numbered = (what: string) => Array.from({ length: 26 }, (_, i) => `${what} ${String(i + 1).padStart(2, '0')}`);
  const reviewNames = numbered('Antrean Verifikasi');
  const determineNames = numbered('Antrean Penetapan');
  const section = (id: string) => page.locator('section', { has: page.locator(`h2#${id}`) });
  const names = (id: string) => section(id).locator('a[href^="/nominasi/"]').allInnerTexts();
  const heading = (id: string) => section(id).locator('h2').innerText();

  afterAll(() => removeSeededCycle(h.db, cycleId));

  it('pages each list by its own parameter, kept by the other lists and the language switch; counts are exact', async () => {
    await seedCycleLike(h.db, { id: cycleId, name: 'Uji antrean koordinator', like: config.id, status: 'FINALIZED' });
    const now = Date.now();
    const seeded = (ikmName: string, stage: string, deadlineAt: number | null) => ({
      cycleId,
      regencyCode: '52.01',
      ikmName,
      commodity: 'anyaman',
      product: 'Anyaman',
      stage,
      deadlineAt: deadlineAt === null ? null : new Date(deadlineAt),
    });
    await seedNominations(h.db, [
      // Past their review deadline: in the review queue and among those overdue.
      ...reviewNames.map((n) => seeded(n, 'UNDER_REVIEW', now - 86_400_000)),
      ...determineNames.map((n) => seeded(n, 'STAR_RECOMMENDED', null)),
      // Neither overdue: one closed, one not yet due.
      seeded('Antrean Ditolak', 'ADMIN_REJECTED', now - 86_400_000),
      seeded('Antrean Dokumen', 'AWAITING_DOCUMENTS', now + 86_400_000),
    ]);

    await signInAs(context, TEST_USERS.coordinator.id);
    await page.goto(`${api.url}/koordinator?siklus=${cycleId}`);
    expect(await section('tahap').innerText()).toMatch(/Jumlah\s+54$/);
    expect(await heading('lewat')).toBe('Melewati batas waktu (26)');
    expect(await heading('tahan')).toBe('Ditahan, menunggu keputusan (0)');
    expect(await heading('verifikasi')).toBe('Antrean verifikasi administrasi (26)');
    expect(await heading('penetapan')).toBe('Penetapan bintang (26)');
    expect(await names('lewat')).toEqual(reviewNames.slice(0, 25));
    expect(await names('verifikasi')).toEqual(reviewNames.slice(0, 25));
    expect(await section('penetapan').locator('div.card h3').allInnerTexts()).toHaveLength(25);

    // The review queue's second page: the 26th, the other lists where they were.
    await section('verifikasi').getByRole('link', { name: 'Berikutnya →' }).click();
    await page.waitForURL(`${api.url}/koordinator?siklus=${cycleId}&halaman_verifikasi=2#verifikasi`);
    expect(await names('verifikasi')).toEqual(reviewNames.slice(25));
    expect(await names('lewat')).toEqual(reviewNames.slice(0, 25));
    expect(await heading('verifikasi')).toBe('Antrean verifikasi administrasi (26)');

    // The overdue list's second page keeps the review queue's.
    await section('lewat').getByRole('link', { name: 'Berikutnya →' }).click();
    await page.waitForURL(`${api.url}/koordinator?siklus=${cycleId}&halaman_verifikasi=2&halaman_lewat=2#lewat`);
    expect(await names('lewat')).toEqual(reviewNames.slice(25));
    expect(await names('verifikasi')).toEqual(reviewNames.slice(25));
    await expectAccessible(page);

    // The language switch keeps every list's page.
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(`${api.url}/koordinator?siklus=${cycleId}&halaman_verifikasi=2&halaman_lewat=2&lang=en`);
    expect(await heading('lewat')).toBe('Past their deadline (26)');
    expect(await names('lewat')).toEqual(reviewNames.slice(25));
    expect(await names('verifikasi')).toEqual(reviewNames.slice(25));
    await section('penetapan').getByRole('link', { name: 'Next →' }).click();
    await page.waitForURL(/halaman_penetapan=2#penetapan$/);
    expect(await section('penetapan').locator('div.card h3').allInnerTexts()).toEqual([
      `${determineNames[25]} (52.01)`,
    ]);
    expect(await names('verifikasi')).toEqual(reviewNames.slice(25));
    await section('penetapan').getByRole('link', { name: '← Previous' }).click();
    await page.waitForURL(/halaman_penetapan=1#penetapan$/);
    expect(await section('penetapan').locator('div.card h3').allInnerTexts()).toEqual(
      determineNames.slice(0, 25).map((n) => `${n} (52.01)`),
    );
    await page.getByRole('link', { name: 'Bahasa Indonesia' }).click();
    await page.waitForURL(/lang=id/);
  });

  it('shows a refused decision on the cycle and the page it was made from, with nothing written', async () => {
    const last = reviewNames[25]!;
    const workflowId = nominationWorkflowId(cycleId, '52.01', last);
    await page.goto(`${api.url}/koordinator?siklus=${cycleId}&halaman_lewat=2&halaman_verifikasi=2`);
    const card = section('verifikasi').locator('div.card', { hasText: last });
    await card.getByLabel('Keputusan').selectOption('reject');
    // Longer than the API's 2,000 characters: refused by its schema before any workflow is asked.
    await card.getByLabel('Alasan').fill('x'.repeat(2001));
    await card.getByRole('button', { name: 'Keputusan' }).click();
    await page.waitForURL(
      `${api.url}/nominasi/${encodeURIComponent(workflowId)}/verifikasi?siklus=${cycleId}&halaman_lewat=2&halaman_verifikasi=2`,
    );
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Dasbor siklus: Uji antrean koordinator');
    expect(await names('verifikasi')).toEqual([last]);
    expect(await names('lewat')).toEqual([last]);
    expect(await card.getByRole('alert').innerText()).toMatch(/2000|2\.000/);
    expect(await page.locator('main > p.notice').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'English' }).getAttribute('href')).toBe(
      `/koordinator?siklus=${cycleId}&halaman_lewat=2&halaman_verifikasi=2&lang=en`,
    );
    const stored = await h.db
      .selectFrom('nominations')
      .select(['stage', 'last_seq'])
      .where('workflow_id', '=', workflowId)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ stage: 'UNDER_REVIEW', last_seq: 1 });
    expect(
      await h.db.selectFrom('nomination_events').select('seq').where('workflow_id', '=', workflowId).execute(),
    ).toEqual([]);
  });
});

describe("the assessor's lists a page at a time, past one page", () => {
  // The page only reads the projection, so its rows are seeded with SQL here (no workflow behind them) for an assessor
  // of this describe's own, in a cycle of its own, and the rows removed afterwards: the run's database is shared. The
  // panel events that assign them stay (nomination_events is append-only), each a whole chain of one row.
  const cycleId = 'uji-portal-penilai-antre';
  const assessorId = 'penilai-uji-antre';
  const dueNames = Array.from({ length: 26 }, (_, i) => `Nilai Antre ${String(i + 1).padStart(2, '0')}`);
  const sheets = () => page.locator('section.card h3').allInnerTexts();

  afterAll(() => removeSeededCycle(h.db, cycleId));

  it('pages the sheets due by their own parameter, kept by the language switch; counts are exact', async () => {
    await seedCycleLike(h.db, { id: cycleId, name: 'Uji antrean penilai', like: config.id });
    const now = new Date();
    const all = [...dueNames.map((n) => [n, 'IN_ASSESSMENT']), ['Nilai Selesai', 'STAR_RECOMMENDED']] as const;
    const ids = await seedNominations(
      h.db,
      all.map(([ikmName, stage]) => ({
        cycleId,
        regencyCode: '52.01',
        ikmName,
        commodity: 'anyaman',
        product: 'Anyaman',
        stage,
        deadlineAt: new Date(now.getTime() + 86_400_000),
      })),
    );
    // The panel that names this assessor, as the workflow records it: the first row of each nomination's chain.
    await h.db
      .insertInto('nomination_events')
      .values(
        ids.map((workflowId) =>
          firstEventRow({
            workflowId,
            type: 'stage.changed',
            stage: 'IN_ASSESSMENT',
            payload: { assessors: [assessorId] },
            occurredAt: now,
          }),
        ),
      )
      .execute();
    await upsertUser(h.db, {
      id: assessorId,
      name: 'Penilai Uji Antre',
      email: 'penilai.antre@example.id',
      role: 'assessor',
      region: '51',
    });

    await signInAs(context, assessorId);
    await page.goto(`${api.url}/penilai`);
    expect(await page.locator('h2#nilai').innerText()).toBe('Lembar penilaian yang belum Anda kirim (26)');
    expect(await page.locator('h2#lain').innerText()).toBe('Usulan lain yang ditugaskan kepada Anda (1)');
    expect(await sheets()).toEqual(dueNames.slice(0, 25));
    await page.getByRole('link', { name: 'Berikutnya →' }).click();
    await page.waitForURL(`${api.url}/penilai?halaman_nilai=2#nilai`);
    expect(await sheets()).toEqual(dueNames.slice(25));
    expect(await page.locator('h2#nilai').innerText()).toBe('Lembar penilaian yang belum Anda kirim (26)');
    expect(await page.locator('#lain + ul a').allInnerTexts()).toEqual(['Nilai Selesai']);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(`${api.url}/penilai?halaman_nilai=2&lang=en`);
    expect(await sheets()).toEqual(dueNames.slice(25));
    expect(await page.locator('h2#nilai').innerText()).toBe('Score sheets you have yet to send (26)');
    await page.getByRole('link', { name: 'Bahasa Indonesia' }).click();
    await page.waitForURL(/lang=id/);
  });
});
