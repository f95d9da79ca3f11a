/**
 * The dinas's documents in the portal, in a real browser on a phone-sized screen: the nomination page's checklist for
 * its commodity group with what is still missing, uploads with their progress (by the page's script) and by a plain
 * form post (script off), the refusals beside the file field (no file, wrong type, over the cycle's limit) with the
 * chosen file kept and nothing stored, another office's upload refused, the answer to a revision request, and the
 * withdrawal from the nomination page. Each page passes axe-core.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleDocument, testConfig } from '../../bench/drivers';
import { nominationRef } from '../../common/nomination-link';
import { upsertUser } from '../../db/users';
import { readMailbox } from '../../embedded/mailbox';
import { call, nominationPath, openCycle, startApi, TEST_USERS, type ApiUnderTest } from '../support/api';
import { expectAccessible, expectNoSidewaysScroll, launchChromium, screenshot, signInAs } from '../support/browser';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { removeSeededCycle, seedCycleLike } from '../support/projection';

let h: Harness;
let api: ApiUnderTest;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const config = testConfig('uji-portal-dokumen', {
  mutate: (c) => {
    c.intakeWindow = '15m';
    // Small enough that a test file goes over it without sending megabytes.
    c.documents.maxFileMegabytes = 0.2;
  },
});
const PHONE = { width: 375, height: 740 };

const row = (workflowId: string) =>
  h.db.selectFrom('nominations').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
const stageIs = (workflowId: string, stage: string) =>
  waitFor(async () => (await row(workflowId))?.stage === stage, { what: `${workflowId} in ${stage}` });
const storedFiles = (workflowId: string) =>
  h.db.selectFrom('document_files').select(['kind', 'file_name']).where('workflow_id', '=', workflowId).execute();
const recorded = (workflowId: string) =>
  h.db
    .selectFrom('documents')
    .select(['kind', 'round', 'file_name', 'document_id'])
    .where('workflow_id', '=', workflowId)
    .orderBy('round')
    .orderBy('kind')
    .execute();

/** A nomination of Garut's in AWAITING_DOCUMENTS, made through the API. */
async function nominationAwaitingDocuments(ikmName: string, commodity = 'makanan_minuman'): Promise<string> {
  const made = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
    token: api.tokens.garut,
    body: {
      regencyCode: '32.05',
      ikmName,
      sentraName: `Sentra ${ikmName}`,
      commodity,
      product: 'Dodol',
      sentraSize: 12,
    },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const id = made.body.workflowId as string;
  await stageIs(id, 'AWAITING_SOCIALIZATION');
  const session = config.sessions.find((s) => s.provinces.includes('32'))!;
  const attended = await call(api, 'POST', nominationPath(id, '/attendance'), {
    token: api.tokens.garut,
    body: { sessionId: session.id },
  });
  expect(attended.status, JSON.stringify(attended.body)).toBe(200);
  await stageIs(id, 'AWAITING_DOCUMENTS');
  return id;
}

const item = (kind: string) => page.locator(`li[data-kind="${kind}"]`);
const file = (name: string, mimeType: string, buffer: Buffer) => ({ name, mimeType, buffer });

beforeAll(async () => {
  h = await startHarness('portal-dinas');
  api = await startApi(h);
  await openCycle(api, config);
  browser = await launchChromium();
  context = await browser.newContext({ locale: 'id-ID', viewport: PHONE });
  page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  await signInAs(h, api.url, context, TEST_USERS.garut.id);
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await h?.stop();
});

describe("Garut's dinas uploads documents from the nomination page, on a phone", () => {
  let id: string;
  const required = config.documents.checklist.filter(
    (d) => d.commodities === 'all' || d.commodities.includes('makanan_minuman'),
  );

  it("shows the checklist of the nomination's commodity group, and what is still missing", async () => {
    id = await nominationAwaitingDocuments('Dodol Picnic Garut');
    // This file's cycle: the run's database holds the earlier files' Garut nominations too, 25 to a page.
    await page.goto(`${api.url}/dinas?siklus=${config.id}`);
    const line = page.locator('tr', { hasText: 'Dodol Picnic Garut' });
    await line.getByRole('link', { name: /Mengunggah seluruh dokumen persyaratan/ }).click();
    await page.waitForURL((u) => decodeURIComponent(u.pathname) === `/nominasi/${id}`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Dodol Picnic Garut');
    expect(
      await page.locator('ul.checklist > li').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-kind'))),
    ).toEqual(required.map((d) => d.kind));
    expect(await page.locator('#kurang').innerText()).toBe(`Masih kurang: ${required.map((d) => d.label).join('; ')}.`);
    expect(await item('legality').innerText()).toContain('PDF, JPEG atau PNG, paling besar 0,2 MB.');
    await expectNoSidewaysScroll(page);
    await expectAccessible(page);
    await screenshot(page, 'portal-dokumen-ponsel');
  });

  it('refuses an upload with no file, of another type, or over the limit: beside the field, the file kept, nothing stored', async () => {
    const legality = item('legality');
    await legality.getByRole('button', { name: 'Unggah' }).click();
    const error = legality.locator('p.error');
    await expect.poll(() => error.innerText()).toBe('Pilih berkas terlebih dahulu.');

    const input = legality.getByLabel(/^Berkas Legalitas usaha industri/);
    await input.setInputFiles(file('nib.txt', 'text/plain', Buffer.from('bukan dokumen')));
    await legality.getByRole('button', { name: 'Unggah' }).click();
    await expect.poll(() => error.innerText()).toBe('Jenis berkas tidak diterima: unggah PDF, JPEG atau PNG.');
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    expect(await input.evaluate((i) => (i as any).files[0].name)).toBe('nib.txt');

    await input.setInputFiles(file('nib.pdf', 'application/pdf', sampleDocument('application/pdf', 260_000)));
    await legality.getByRole('button', { name: 'Unggah' }).click();
    await expect.poll(() => error.innerText()).toMatch(/^Berkas terlalu besar: batas siklus ini 0,2 MB per dokumen\./);
    expect(await input.evaluate((i) => (i as any).files[0].name)).toBe('nib.pdf');

    await input.setInputFiles(file('nib.pdf', 'application/pdf', sampleDocument('image/png', 2000)));
    await legality.getByRole('button', { name: 'Unggah' }).click();
    await expect.poll(() => error.innerText()).toMatch(/^Isi berkas tidak sesuai jenisnya/);

    expect(await storedFiles(id)).toEqual([]);
    expect(await recorded(id)).toEqual([]);
    await expectAccessible(page);
  });

  it('uploads with its progress shown; the stored file is recorded by the workflow and ticked off', async () => {
    const legality = item('legality');
    await legality
      .getByLabel(/^Berkas Legalitas usaha industri/)
      .setInputFiles(file('nib.pdf', 'application/pdf', sampleDocument('application/pdf', 150_000)));
    // Every value the page's script gives the progress bar is noted in the tab's sessionStorage, which outlives the
    // navigation to the answer.
    await page.evaluate(() => {
      const g = globalThis as any;
      const value = Object.getOwnPropertyDescriptor(g.HTMLProgressElement.prototype, 'value')!;
      Object.defineProperty(g.HTMLProgressElement.prototype, 'value', {
        get() {
          return value.get!.call(this);
        },
        set(v: number) {
          g.sessionStorage.setItem('progress', `${g.sessionStorage.getItem('progress') ?? ''} ${v}`.trim());
          value.set!.call(this, v);
        },
      });
    });
    await legality.getByRole('button', { name: 'Unggah' }).click();
    await page.waitForURL(/\?ok=uploaded&jenis=legality/);
    const shown = (await page.evaluate(() => (globalThis as any).sessionStorage.getItem('progress') as string))
      .split(' ')
      .map(Number);
    expect(shown[0]).toBe(0);
    expect(shown.at(-1)).toBe(100);
    expect(await page.getByRole('status').innerText()).toBe(
      'Legalitas usaha industri (NIB dan izin usaha industri) telah diunggah.',
    );
    expect(await item('legality').innerText()).toContain('✓ Sudah diunggah: nib.pdf');
    const [doc] = await recorded(id);
    expect(doc).toMatchObject({ kind: 'legality', round: 0, file_name: 'nib.pdf' });
    expect(doc.document_id).toBeTruthy();
    expect(await page.locator('#kurang').innerText()).not.toContain('Legalitas');
    // The download link gives the same bytes back.
    const href = (await page.getByRole('link', { name: /Unduh/ }).getAttribute('href'))!;
    const got = await page.evaluate(async (u) => (await fetch(u)).status, href);
    expect(got).toBe(200);
  });

  it('uploads by a plain form post when the script is off', async () => {
    const plain = await browser.newContext({ locale: 'id-ID', viewport: PHONE, javaScriptEnabled: false });
    try {
      await signInAs(h, api.url, plain, TEST_USERS.garut.id);
      const p = await plain.newPage();
      await p.goto(`${api.url}/nominasi/${encodeURIComponent(id)}`);
      const halal = p.locator('li[data-kind="halal"]');
      await halal
        .getByLabel(/^Berkas Sertifikat halal/)
        .setInputFiles(file('halal.jpg', 'image/jpeg', sampleDocument('image/jpeg', 40_000)));
      await halal.getByRole('button', { name: 'Unggah' }).click();
      await p.waitForURL(/\?ok=uploaded&jenis=halal/);
      expect(await p.locator('li[data-kind="halal"]').innerText()).toContain('✓ Sudah diunggah: halal.jpg');
      // And a refusal comes back as the page, beside the field.
      const permit = p.locator('li[data-kind="distribution_permit"]');
      await permit.getByRole('button', { name: 'Unggah' }).click();
      await p.waitForLoadState();
      expect(await p.locator('#berkas-distribution_permit-error').innerText()).toBe('Pilih berkas terlebih dahulu.');
    } finally {
      await plain.close();
    }
    expect((await recorded(id)).map((d) => d.kind)).toEqual(['halal', 'legality']);
  });

  it("refuses another office's upload to this nomination, and stores nothing", async () => {
    const other = await browser.newContext({ locale: 'id-ID' });
    try {
      await signInAs(h, api.url, other, TEST_USERS.tasikmalaya.id);
      const p = await other.newPage();
      const refused = await p.goto(`${api.url}/nominasi/${encodeURIComponent(id)}`);
      expect(refused?.status()).toBe(403);
      await p.goto(`${api.url}/dinas`);
      const csrf = (await p.locator('input[name="_csrf"]').first().getAttribute('value'))!;
      const forged = await p.evaluate(
        async ([url, token]) => {
          const form = new FormData();
          form.append('_csrf', token);
          form.append('file', new Blob(['%PDF-1.7\n%%EOF\n'], { type: 'application/pdf' }), 'palsu.pdf');
          const res = await fetch(url, { method: 'POST', body: form });
          return { status: res.status, text: await res.text() };
        },
        [`/nominasi/${encodeURIComponent(id)}/dokumen/lab_test`, csrf] as const,
      );
      expect(forged.status).toBe(403);
      expect(forged.text).toContain('belongs to kabupaten/kota 32.05; you act for 32.06');
    } finally {
      await other.close();
    }
    expect((await storedFiles(id)).map((f) => f.kind).sort()).toEqual(['halal', 'legality']);
  });

  it('refuses a nomination form that sends a field twice with 400, and nominates nothing', async () => {
    await page.goto(`${api.url}/dinas`);
    const csrf = (await page.locator('input[name="_csrf"]').first().getAttribute('value'))!;
    const forged = await page.evaluate(
      async ([cycleId, token]) => {
        const form = new URLSearchParams({ _csrf: token, cycleId, sentraName: 'Sentra Ganda', commodity: 'anyaman' });
        form.append('product', 'Tikar');
        form.append('sentraSize', '12');
        form.append('ikmName', 'IKM Ganda Satu');
        form.append('ikmName', 'IKM Ganda Dua');
        const res = await fetch('/dinas/usulan', { method: 'POST', body: form });
        return { status: res.status, text: await res.text() };
      },
      [config.id, csrf] as const,
    );
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('the form sent ikmName more than once');
    const made = await h.db
      .selectFrom('nominations')
      .select('ikm_name')
      .where('ikm_name', 'like', 'IKM Ganda%')
      .execute();
    expect(made).toEqual([]);
  });

  it('answers a revision request: the reviewer’s reason shown, the documents asked for uploaded again', async () => {
    for (const kind of ['distribution_permit', 'lab_test']) {
      await page.goto(`${api.url}/nominasi/${encodeURIComponent(id)}`);
      await item(kind)
        .locator('input[type="file"]')
        .setInputFiles(file(`${kind}.pdf`, 'application/pdf', sampleDocument('application/pdf', 5000)));
      await item(kind).getByRole('button', { name: 'Unggah' }).click();
      await page.waitForURL(new RegExp(`ok=uploaded&jenis=${kind}`));
    }
    expect(await page.locator('#kurang').innerText()).toBe('Semua dokumen yang diminta sudah diunggah.');
    await stageIs(id, 'UNDER_REVIEW');
    const review = await call(api, 'POST', nominationPath(id, '/review'), {
      token: api.tokens.coordinator,
      body: { decision: 'request_changes', reason: 'Sertifikat halal sudah kedaluwarsa' },
    });
    expect(review.status, JSON.stringify(review.body)).toBe(200);
    await stageIs(id, 'REVISION_REQUESTED');

    await page.goto(`${api.url}/nominasi/${encodeURIComponent(id)}`);
    const request = page.locator('section', { has: page.locator('#perbaikan') });
    expect(await request.innerText()).toContain(
      'Verifikator Ditjen IKMA meminta perbaikan: Sertifikat halal sudah kedaluwarsa',
    );
    expect(await page.locator('#kurang').innerText()).toMatch(/^Masih kurang: .*Sertifikat halal/);
    await expectAccessible(page);
    for (const d of required) {
      await item(d.kind)
        .locator('input[type="file"]')
        .setInputFiles(file(`${d.kind}-2.pdf`, 'application/pdf', sampleDocument('application/pdf', 5000)));
      await item(d.kind).getByRole('button', { name: 'Unggah' }).click();
      await page.waitForURL(new RegExp(`ok=uploaded&jenis=${d.kind}`));
    }
    await stageIs(id, 'UNDER_REVIEW');
    const second = (await recorded(id)).filter((d) => d.round === 1).map((d) => d.kind);
    expect(second.sort()).toEqual(required.map((d) => d.kind).sort());
  });

  it('withdraws from the nomination page; a refusal keeps the reason as typed', async () => {
    const other = await nominationAwaitingDocuments('Tenun Cisurupan', 'kain_tenun');
    await page.goto(`${api.url}/nominasi/${encodeURIComponent(other)}`);
    await page.getByText('Tarik usulan', { exact: true }).first().click();
    const reason = page.getByLabel('Alasan');
    // Over the API's 2000 characters: refused (400), the text kept beside its error.
    const long = 'x'.repeat(2001);
    await reason.fill(long);
    await page.getByRole('button', { name: 'Tarik usulan' }).click();
    await expect.poll(() => page.locator('#tarik-reason-error').isVisible()).toBe(true);
    expect(await page.getByLabel('Alasan').inputValue()).toBe(long);
    expect((await row(other))!.stage).toBe('AWAITING_DOCUMENTS');
    await page.getByLabel('Alasan').fill('Usaha berhenti produksi');
    await page.getByRole('button', { name: 'Tarik usulan' }).click();
    await page.waitForURL(/\/dinas\?ok=withdrawn/);
    await stageIs(other, 'WITHDRAWN');
  });
});

describe('a mail link to a signed-out reader', () => {
  /** Garut's dinas under an address of this file's own (the suite's files share the SMTP sink). */
  const reader = {
    id: 'dokumen-disperin-32.05',
    name: 'Disperin Kab. Garut (dokumen)',
    email: 'dokumen.disperin.garut@example.id',
    role: 'dinas_kabkota',
    region: '32.05',
  } as const;

  async function signInByMail(p: Page, email: string): Promise<void> {
    await p.getByLabel('Alamat email').fill(email);
    await p.getByRole('button', { name: 'Kirim tautan masuk' }).click();
    await expect.poll(() => p.getByRole('status').innerText()).toMatch(/tautan masuk sudah dikirim/);
    const mail = await waitFor(async () =>
      (await readMailbox(h.mailDir)).filter((m) => m.template === 'sign-in-link' && m.to.includes(email)).at(-1),
    );
    await p.goto(/(http:\/\/\S+\/api\/sign-in\/\S+)/.exec(mail.text)![1]);
    await p.getByRole('button').click();
  }

  it('leads through sign-in back to the nomination', async () => {
    await upsertUser(h.db, reader);
    const id = await nominationAwaitingDocuments('Bajigur Cikajang');
    const stranger = await browser.newContext({ locale: 'id-ID', viewport: PHONE });
    try {
      const p = await stranger.newPage();
      await p.goto(`${api.url}/n/${nominationRef(id)}`);
      expect(new URL(p.url()).pathname).toBe('/masuk');
      expect(new URL(p.url()).searchParams.get('next')).toBe(`/n/${nominationRef(id)}`);
      await expectAccessible(p);
      await signInByMail(p, reader.email);
      await p.waitForURL((u) => decodeURIComponent(u.pathname) === `/nominasi/${id}`);
      expect(await p.getByRole('heading', { level: 2, name: 'Dokumen persyaratan' }).isVisible()).toBe(true);
    } finally {
      await stranger.close();
    }
  });

  it('never leads to another site', async () => {
    const stranger = await browser.newContext({ locale: 'id-ID' });
    try {
      const p = await stranger.newPage();
      await p.goto(`${api.url}/masuk?next=${encodeURIComponent('//evil.example/x')}`);
      expect(await p.locator('input[name="next"]').count()).toBe(0);
      const refused = await call(api, 'POST', '/api/sign-in/link', {
        body: { email: reader.email, next: 'https://evil.example/' },
      });
      expect(refused.status).toBe(400);
      await signInByMail(p, reader.email);
      await p.waitForURL(`${api.url}/dinas`);
    } finally {
      await stranger.close();
    }
  });
});

describe("Garut's dinas nominates from a CSV file", () => {
  const header = 'regency_code,ikm_name,sentra_name,commodity,product,sentra_size';
  const named = (ikmName: string) =>
    h.db
      .selectFrom('nominations')
      .select(['regency_code', 'commodity'])
      .where('cycle_id', '=', config.id)
      .where('ikm_name', '=', ikmName)
      .executeTakeFirst();
  const csvFile = (text: string) => file('usulan.csv', 'text/csv', Buffer.from(text));

  it('refuses a post with no file, or a file without the columns, beside the file field', async () => {
    await page.goto(`${api.url}/dinas`);
    await page.getByRole('link', { name: 'Usulkan banyak IKM sekaligus dari berkas CSV' }).click();
    await page.waitForURL(`${api.url}/dinas/csv`);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Unggah dan usulkan' }).click();
    await expect.poll(() => page.locator('#csv-file-error').isVisible()).toBe(true);
    expect(await page.locator('#csv-file-error').innerText()).toBe('Pilih berkas CSV terlebih dahulu.');
    expect(await page.getByLabel('Siklus').inputValue()).toBe(config.id);

    await page.getByLabel('Berkas CSV', { exact: true }).setInputFiles(csvFile('nama,produk\nA,B\n'));
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/dinas/csv')),
      page.getByRole('button', { name: 'Unggah dan usulkan' }).click(),
    ]);
    expect(answer.status()).toBe(400);
    expect(await page.locator('#csv-file-error').innerText()).toMatch(/regency_code/);
    await expectAccessible(page);
  });

  it('nominates the good rows and lists each refused row by row, column and reason', async () => {
    const text = [
      header,
      '32.05,Kopi Papandayan,Sentra Kopi Papandayan,makanan_minuman,Kopi arabika,8',
      '32.05,Sandal Sukaregang,Sentra Kulit Sukaregang,sepatu,Sandal kulit,40',
      '32.06,Anyaman Rajapolah,Sentra Anyaman Rajapolah,anyaman,Tas mendong,20',
    ].join('\n');
    await page.getByLabel('Berkas CSV', { exact: true }).setInputFiles(csvFile(text));
    await page.getByRole('button', { name: 'Unggah dan usulkan' }).click();
    await expect.poll(() => page.locator('#hasil-csv').isVisible()).toBe(true);
    expect(await page.getByRole('alert').innerText()).toBe('1 diusulkan, 0 sudah ada di siklus ini, 2 ditolak.');
    const refused = await page
      .locator('#baris-ditolak tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td as any).innerText.trim())));
    expect(refused.map(([r, f]) => [r, f])).toEqual([
      ['3', 'commodity'],
      ['4', 'regency_code'],
    ]);
    expect(refused[1][2]).toBe('dinas 32.05 may only nominate IKM of its own kabupaten/kota, not 32.06');
    // The projection's row is written by the new nomination's first activity, after the cycle's answer.
    expect(await waitFor(() => named('Kopi Papandayan'))).toEqual({
      regency_code: '32.05',
      commodity: 'makanan_minuman',
    });
    expect(await named('Sandal Sukaregang')).toBeUndefined();
    expect(await named('Anyaman Rajapolah')).toBeUndefined();
    await expectNoSidewaysScroll(page);
    await expectAccessible(page);
  });
});

describe('more open cycles than the nomination forms list', () => {
  // Cycles of this describe's own, opened last so they are the newest, and removed afterwards: the run's database is
  // shared, and other files' cycles may be open too, so the count is PostgreSQL's.
  const ids: string[] = [];
  const openNow = async () =>
    Number(
      (
        await h.db
          .selectFrom('cycles')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('status', '=', 'OPEN')
          .executeTakeFirstOrThrow()
      ).n,
    );

  afterAll(async () => {
    for (const id of ids) await removeSeededCycle(h.db, id);
  });

  it('says how many open cycles each form leaves out, and lists the 20 newest', async () => {
    const seeded = Math.max(0, 21 - (await openNow())) + 2;
    for (let i = 1; i <= seeded; i++) {
      ids.push(`uji-portal-banyak-terbuka-${i}`);
      await seedCycleLike(h.db, { id: ids.at(-1)!, name: `Uji banyak terbuka ${i}`, like: config.id, status: 'OPEN' });
    }
    const more = (await openNow()) - 20;
    expect(more).toBeGreaterThanOrEqual(2);
    const note = `${more} siklus terbuka lainnya tidak ditampilkan (hanya 20 yang terbaru); usulkan ke siklus tersebut lewat CLI (ovop nominate --cycle <id>) atau API.`;
    const choices = async () =>
      (await page.getByLabel('Siklus', { exact: true }).locator('option').allTextContents()).map((o) => o.trim());
    const newest = await h.db
      .selectFrom('cycles')
      .select('name')
      .where('status', '=', 'OPEN')
      .orderBy('started_at', 'desc')
      .limit(20)
      .execute();

    await page.goto(`${api.url}/dinas`);
    const form = page.locator('section', { has: page.locator('h2#usulkan') });
    expect(await form.locator('p.muted').innerText()).toBe(note);
    expect(await choices()).toEqual(newest.map((c) => c.name));
    expect(await choices()).toContain(`Uji banyak terbuka ${seeded}`);

    await page.goto(`${api.url}/dinas/csv`);
    expect(await page.locator('form p.muted').innerText()).toBe(note);
    expect(await choices()).toEqual(newest.map((c) => c.name));
    await expectAccessible(page);
  });
});
