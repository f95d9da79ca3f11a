/**
 * The auditor's pages in a real browser: a nomination's timeline with its Temporal history and its PostgreSQL event
 * log side by side (a row the history never asked for flagged), each run's replay verdict computed by the API's
 * replayer in the background and stored in PostgreSQL by the history's and the bundle's SHA-256, the exports, the
 * replay status of the cycle (an archived history changed after archiving is listed as changed even with a stored
 * verdict for its recorded hash), and the pages refused to a dinas with their status and message, writing nothing.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testConfig } from '../../bench/drivers';
import type { History } from '../../client/history';
import { fetchRunChain } from '../../client/run-chain';
import { packHistory } from '../../db/history-archive';
import { storeVerdict } from '../../db/replay-verdicts';
import { call, nominationPath, openCycle, startApi, TEST_USERS, type ApiUnderTest } from '../support/api';
import { expectAccessible, expectNoSidewaysScroll, launchChromium, screenshot, signInAs } from '../support/browser';
import { cliRunner } from '../support/cli';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { removeSeededCycle, seedCycleLike, seedNominations } from '../support/projection';

let h: Harness;
let api: ApiUnderTest;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let workflowId: string;
const config = testConfig('uji-portal-audit', {
  mutate: (c) => {
    c.intakeWindow = '15m';
  },
});
const bundlePath = inject('workflowBundlePath');
const bundleSha = createHash('sha256').update(readFileSync(bundlePath)).digest('hex');

const verdicts = () =>
  h.db.selectFrom('replay_verdicts').selectAll().where('workflow_id', '=', workflowId).orderBy('replayed_at').execute();
const cell = (key: string) => page.locator(`[data-kunci="${key}"]`);

beforeAll(async () => {
  h = await startHarness('portal-audit');
  api = await startApi(h, { workflowBundlePath: bundlePath });
  await openCycle(api, config);
  const made = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
    token: api.tokens.garut,
    body: {
      regencyCode: '32.05',
      ikmName: 'Batik Garutan Audit',
      sentraName: 'Sentra Batik Garutan Audit',
      commodity: 'kain_batik',
      product: 'Kain batik tulis',
      sentraSize: 20,
    },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  workflowId = made.body.workflowId;
  const session = config.sessions.find((s) => s.provinces.includes('32'))!;
  await waitFor(
    async () =>
      (
        await call(api, 'POST', nominationPath(workflowId, '/attendance'), {
          token: api.tokens.garut,
          body: { sessionId: session.id },
        })
      ).status === 200,
    { what: 'attendance accepted' },
  );
  await waitFor(async () => {
    const n = await h.db
      .selectFrom('nominations')
      .select('stage')
      .where('workflow_id', '=', workflowId)
      .executeTakeFirst();
    return n?.stage === 'AWAITING_DOCUMENTS';
  });
  browser = await launchChromium();
  context = await browser.newContext({ locale: 'id-ID' });
  page = await context.newPage();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await h?.stop();
});

describe("the auditor's nomination timeline", () => {
  it('shows the Temporal history and the PostgreSQL event log side by side, every recorded event matched', async () => {
    await signInAs(h, api.url, context, TEST_USERS.auditor.id);
    // Every event row written: the trail compares only completed activities, the page must say they agree.
    const rows = await h.db
      .selectFrom('nomination_events')
      .select('seq')
      .where('workflow_id', '=', workflowId)
      .execute();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const answer = await page.goto(`${api.url}/audit/usulan/${encodeURIComponent(workflowId)}`);
    expect(answer?.status()).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Jejak audit: Batik Garutan Audit');
    await expect
      .poll(async () => {
        await page.reload();
        return page.getByRole('status').first().innerText();
      })
      .toBe('Riwayat Temporal dan log peristiwa PostgreSQL cocok.');
    for (const { seq } of rows) {
      const line = page.locator(`tr[data-seq="${seq}"]`);
      expect(await line.locator('td[data-label="Kecocokan"]').innerText()).toBe('✓ Cocok');
      expect(await line.locator('td[data-label="Log peristiwa PostgreSQL"]').innerText()).toContain(`${seq}. `);
    }
    expect(await page.locator('tr.mismatch').count()).toBe(0);
    await expectAccessible(page);
  });

  it("replays each run in the background and stores the verdict by the history's and the bundle's SHA-256", async () => {
    // Attendance ends the nomination's first run (short runs): the page shows every run of its chain.
    const chain = await fetchRunChain(h.client, workflowId);
    expect(chain.length).toBeGreaterThanOrEqual(2);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('tr[data-run] [data-kunci="putar"]').allInnerTexts();
        },
        // Replays queue behind each other in the API's one replay worker.
        { timeout: 120_000, interval: 2_000 },
      )
      // The closed first run's own verdict (the page may have queued it while the run was still open and growing);
      // the current run's, or the one of an earlier history of it while the current one waits.
      .toEqual(chain.map((_, i) => expect.stringMatching(i === 0 ? /^Lolos \([^)]*\)$/ : /^Lolos \(/)));
    expect(await page.locator('tr[data-run]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-run')))).toEqual(
      chain.map((r) => r.runId),
    );
    // The closed first run's history no longer changes: its verdict is for exactly the history the page shows.
    const runId = chain[0].runId;
    const run = page.locator(`tr[data-run="${runId}"]`);
    const stored = await verdicts();
    const shown = await run.locator('td[data-label="SHA-256 riwayat"] code').getAttribute('title');
    expect(stored).toContainEqual(
      expect.objectContaining({
        workflow_id: workflowId,
        run_id: runId,
        history_sha256: shown,
        bundle_sha256: bundleSha,
        ok: true,
        kind: null,
      }),
    );
    expect(await run.locator('td[data-label="Sumber"]').innerText()).toBe('Temporal');
    await screenshot(page, 'portal-audit');
  }, 180_000);

  it('offers the history and the event log for export through the API', async () => {
    const history = await page.request.get(
      new URL((await page.getByRole('link', { name: /Unduh riwayat Temporal/ }).getAttribute('href'))!, api.url).href,
    );
    expect(history.status()).toBe(200);
    const body = (await history.json()) as { workflowId: string; events: unknown[] };
    expect(body.workflowId).toBe(workflowId);
    expect(body.events.length).toBeGreaterThan(10);
    const events = await page.request.get(
      new URL((await page.getByRole('link', { name: /Unduh log peristiwa/ }).getAttribute('href'))!, api.url).href,
    );
    expect(events.status()).toBe(200);
    expect(((await events.json()) as { events: unknown[] }).events.length).toBeGreaterThanOrEqual(2);
  });

  it('flags an event-log row the Temporal history never asked for', async () => {
    const last = await h.db
      .selectFrom('nomination_events')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .orderBy('chain_index', 'desc')
      .executeTakeFirstOrThrow();
    await h.db
      .insertInto('nomination_events')
      .values({
        workflow_id: workflowId,
        seq: 999,
        type: 'stage.changed',
        stage: 'DETERMINED',
        actor_role: 'coordinator',
        actor_id: 'pemalsu',
        actor_region: '00',
        payload: JSON.stringify({ stars: 5 }),
        occurred_at: new Date(),
        chain_index: last.chain_index + 1,
        prev_hash: last.hash,
        hash: 'f'.repeat(64),
      })
      .execute();
    await page.reload();
    expect(await page.getByRole('alert').first().innerText()).toBe(
      '1 ketidakcocokan antara riwayat Temporal dan log peristiwa PostgreSQL.',
    );
    const forged = page.locator('tr.mismatch[data-seq="999"]');
    expect(await forged.locator('td[data-label="Kecocokan"]').innerText()).toBe('⚠ Tidak ada di riwayat Temporal');
    expect(await forged.locator('td[data-label="Log peristiwa PostgreSQL"]').innerText()).toContain(
      'coordinator:pemalsu:00',
    );
    expect(await forged.locator('td[data-label="Riwayat Temporal"]').innerText()).toBe('—');
    await expectAccessible(page);
  });

  it('reads whole on a phone-sized screen', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.reload();
    await expectNoSidewaysScroll(page);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});

describe("the cycle's replay status", () => {
  it('checks every run of the cycle and counts the verdicts of the histories it read', async () => {
    await page.goto(`${api.url}/audit?siklus=${config.id}`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(`Audit siklus: ${config.name}`);
    await page.getByRole('button', { name: 'Periksa seluruh siklus' }).click();
    await page.waitForURL(/ok=check/);
    // The nomination's run and the cycle workflow's run, each replayed (or found replayed) on this bundle.
    await expect
      .poll(
        async () => {
          await page.reload();
          // Passed counted too: right after the click nothing may be queued yet, and 0 queued / 0 failed is then true.
          return [
            await cell('antre').innerText(),
            await cell('gagal').innerText(),
            Number(await cell('lolos').innerText()) >= 2,
          ];
        },
        { timeout: 120_000, interval: 1_000 },
      )
      .toEqual(['0', '0', true]);
    expect(Number(await cell('lolos').innerText())).toBeGreaterThanOrEqual(2);
    expect(await cell('run').innerText()).toBe(await cell('lolos').innerText());
    const cycleVerdicts = await h.db
      .selectFrom('replay_verdicts')
      .select(['workflow_id', 'ok'])
      .where('bundle_sha256', '=', bundleSha)
      .where('workflow_id', 'like', `ovop/${config.id}/%`)
      .execute();
    expect(cycleVerdicts.map((v) => v.workflow_id)).toEqual(expect.arrayContaining([workflowId]));
    expect(cycleVerdicts.every((v) => v.ok)).toBe(true);
    await expectAccessible(page);

    // The CLI's verify finds the verdicts the page stored (the nomination's closed first run is not replayed again),
    // stores its own, and a second verify finds those too.
    const runVerify = () =>
      cliRunner(h.taskQueue)(['--json', 'audit', 'verify', config.id, '--workflow-bundle', bundlePath], {
        timeoutMs: 150_000,
      });
    const first = await runVerify();
    expect(first.json(), first.stderr).toMatchObject({ failed: 0, missing: 0 });
    expect(first.json().stored).toBeGreaterThanOrEqual(1);
    const verify = await runVerify();
    expect(verify.json(), verify.stderr).toMatchObject({ failed: 0, missing: 0 });
    expect(
      verify.json().stored,
      JSON.stringify({ first: first.json().stored, second: verify.json().stored }),
    ).toBeGreaterThanOrEqual(1);
    // Exit 1 all the same: the event-log row forged above breaks the nomination's hash chain.
    expect(verify.code).toBe(1);
    expect(verify.json().chains.broken).toEqual([expect.objectContaining({ workflowId })]);
    const closedRun = (await fetchRunChain(h.client, workflowId))[0].runId;
    expect(verify.json().results).toContainEqual(expect.objectContaining({ workflowId, runId: closedRun, ok: true }));

    // A replay past its deadline (1 ms: none finishes in it) is not decided: reported apart from failures, not stored,
    // exit 1 as for any run not verified, and the runs behind it are still replayed, each on a fresh replay worker.
    const before = await h.db
      .selectFrom('replay_verdicts')
      .select(({ fn }) => fn.countAll<string>().as('n'))
      .execute();
    const timedOut = await cliRunner(h.taskQueue)(
      ['--json', 'audit', 'verify', config.id, '--workflow-bundle', bundlePath, '--replay-all', '--jobs', '1'],
      { timeoutMs: 150_000, env: { OVOP_REPLAY_TIMEOUT_SECONDS: '0.001' } },
    );
    expect(timedOut.code, timedOut.stderr).toBe(1);
    const report = timedOut.json();
    expect(report).toMatchObject({ failed: 0, missing: 0, stored: 0, timedOut: report.replayed });
    expect(report.replayed).toBeGreaterThanOrEqual(3);
    for (const r of report.results)
      expect(r).toEqual(
        expect.objectContaining({
          ok: false,
          kind: 'timed out',
          message: 'the replay did not finish within 1 ms; the code was not judged on this history',
        }),
      );
    expect(
      await h.db
        .selectFrom('replay_verdicts')
        .select(({ fn }) => fn.countAll<string>().as('n'))
        .execute(),
    ).toEqual(before);
    const text = await cliRunner(h.taskQueue)(
      ['audit', 'verify', config.id, '--workflow-bundle', bundlePath, '--replay-all', '--jobs', '1'],
      { timeoutMs: 150_000, env: { OVOP_REPLAY_TIMEOUT_SECONDS: '0.001' } },
    );
    expect(text.code, text.stderr).toBe(1);
    expect(text.stdout).toContain(`: ${report.replayed} not decided (their replays timed out).`);
    expect(text.stdout).toMatch(/\stimed out: the replay did not finish within 1 ms/);
  }, 300_000);

  it('lists an archived history changed after archiving, though a verdict is stored for its recorded hash', async () => {
    const history = (await h.client.workflow.getHandle(workflowId).fetchHistory()) as History;
    const row = packHistory(
      {
        workflowId,
        runId: 'run-diubah',
        workflowType: 'nomination',
        cycleId: config.id,
        status: 'COMPLETED',
        startedAt: new Date(Date.now() - 60_000),
        closedAt: new Date(),
      },
      history,
    );
    // An OK verdict for the hash the archive records: the row's bytes are then changed, its hash is not.
    await storeVerdict(h.db, {
      workflowId,
      runId: 'run-diubah',
      historySha256: row.sha256,
      bundleSha256: bundleSha,
      ok: true,
      eventCount: row.event_count,
    });
    const bytes = Buffer.from(gunzipSync(row.history as Uint8Array));
    bytes[bytes.length - 3] ^= 0x01;
    await h.db
      .insertInto('workflow_history_archive')
      .values({ ...row, history: gzipSync(bytes) })
      .execute();
    await page.getByRole('button', { name: 'Periksa seluruh siklus' }).click();
    await page.waitForURL(/ok=check/);
    await expect
      .poll(
        async () => {
          await page.reload();
          return [await page.getByRole('status').last().innerText(), await cell('antre').innerText()];
        },
        { timeout: 120_000, interval: 1_000 },
      )
      .toEqual([expect.stringMatching(/^Pemeriksaan terakhir selesai/), '0']);
    const changed = page.locator('li', { hasText: 'run-diubah' });
    expect(await changed.innerText()).toMatch(/does not match its SHA-256/);
    expect(Number(await cell('gagal').innerText())).toBe(1);
    expect(await cell('run').innerText()).toBe(await cell('lolos').innerText());
  }, 150_000);
});

describe('the auditor pages refused to a dinas', () => {
  it('answers 403 with the reason, logs the refusal and reads or replays nothing', async () => {
    // A nomination of its own that no auditor has opened: a refusal that read its history would queue its replay.
    const made = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
      token: api.tokens.garut,
      body: {
        regencyCode: '32.05',
        ikmName: 'Dodol Audit Ditolak',
        sentraName: 'Sentra Dodol Audit Ditolak',
        commodity: 'makanan_minuman',
        product: 'Dodol',
        sentraSize: 12,
      },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const own = made.body.workflowId as string;
    await signInAs(h, api.url, context, TEST_USERS.garut.id);
    const answer = await page.goto(`${api.url}/audit/usulan/${encodeURIComponent(own)}`);
    expect(answer?.status()).toBe(403);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Akses ditolak');
    expect(await page.getByRole('alert').innerText()).toBe(
      'this page is for auditor and coordinator; you are signed in as dinas_kabkota',
    );
    await expectAccessible(page);
    const cyclePage = await page.goto(`${api.url}/audit?siklus=${config.id}`);
    expect(cyclePage?.status()).toBe(403);
    const posted = await page.request.post(`${api.url}/audit/periksa`, {
      form: { siklus: config.id, _csrf: 'x' },
      maxRedirects: 0,
    });
    expect(posted.status()).toBe(403);
    const logged = await h.db
      .selectFrom('access_log')
      .select(['status', 'path'])
      .where('user_id', '=', TEST_USERS.garut.id)
      .where('event', '=', 'refused')
      .execute();
    expect(logged).toEqual(
      expect.arrayContaining([
        { status: 403, path: `/audit/usulan/${encodeURIComponent(own)}` },
        { status: 403, path: '/audit/periksa' },
      ]),
    );
    const replayed = await h.db.selectFrom('replay_verdicts').select('run_id').where('workflow_id', '=', own).execute();
    expect(replayed).toEqual([]);
  });
});

describe("the auditor's list of a cycle's nominations a page at a time", () => {
  // The list only reads the projection, so its rows are seeded with SQL here (no workflow behind them, so the cycle's
  // replay check finds none to replay), in a cycle of this describe's own, and removed afterwards: the run's database
  // is shared.
  const cycleId = 'uji-portal-audit-antre';
  const names = Array.from({ length: 26 }, (_, i) => `Audit Antre ${String(i + 1).padStart(2, '0')}`);
  const listed = () =>
    page
      .locator('section', { has: page.locator('h2#usulan') })
      .locator('li a')
      .allInnerTexts();

  afterAll(() => removeSeededCycle(h.db, cycleId));

  it('pages 25 at a time within the cycle chosen, counted whole, and the language switch keeps both', async () => {
    await seedCycleLike(h.db, { id: cycleId, name: 'Uji antrean audit', like: config.id });
    await seedNominations(
      h.db,
      names.map((ikmName) => ({
        cycleId,
        regencyCode: '52.01',
        ikmName,
        commodity: 'anyaman',
        product: 'Anyaman',
        stage: 'AWAITING_DOCUMENTS',
      })),
    );
    await signInAs(h, api.url, context, TEST_USERS.auditor.id);
    await page.goto(`${api.url}/audit?siklus=${cycleId}`);
    expect(await page.locator('h2#usulan').innerText()).toBe('Usulan siklus ini (26)');
    expect(await listed()).toEqual(names.slice(0, 25));
    await page.getByRole('link', { name: 'Berikutnya →' }).click();
    await page.waitForURL(`${api.url}/audit?siklus=${cycleId}&halaman=2#usulan`);
    expect(await listed()).toEqual(names.slice(25));
    expect(await page.locator('h2#usulan').innerText()).toBe('Usulan siklus ini (26)');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(`${api.url}/audit?siklus=${cycleId}&halaman=2&lang=en`);
    expect(await listed()).toEqual(names.slice(25));
    await page.getByRole('link', { name: '← Previous' }).click();
    await page.waitForURL(`${api.url}/audit?siklus=${cycleId}&halaman=1#usulan`);
    expect(await listed()).toEqual(names.slice(0, 25));
    await page.getByRole('link', { name: 'Bahasa Indonesia' }).click();
    await page.waitForURL(/lang=id/);
  });
});

describe('a replay that does not finish in time', () => {
  it("leaves the run not decided on the auditor's pages, tried twice, and stores no verdict", async () => {
    // Another release (the same code, one comment more at its start, before which nothing may follow its inline source map: another bundle SHA-256, so no verdict is stored for it yet) on
    // an API whose replays may take 1 ms, which none finishes in.
    const dir = mkdtempSync(join(tmpdir(), 'ovop-replay-timeout-'));
    const other = join(dir, 'workflow-bundle.js');
    writeFileSync(other, `// another release\n${readFileSync(bundlePath, 'utf8')}`);
    const otherSha = createHash('sha256').update(readFileSync(other)).digest('hex');
    // Its log at debug level (OVOP_API_LOG=debug) names each replay as it starts, and each timeout.
    const lines: { level: number; msg: string; workflowId?: string; runId?: string; events?: number }[] = [];
    const slow = await startApi(h, { workflowBundlePath: other, replayTimeoutSeconds: 0.001, logDebug: true }, 0, {
      logStream: {
        // Only the replayer's lines are read: a debug line can be megabytes (a whole bundle's source).
        write: (text) => {
          for (const l of text.split('\n')) if (l.includes('"msg":"replay ')) lines.push(JSON.parse(l));
        },
      },
    });
    try {
      await signInAs(h, slow.url, context, TEST_USERS.auditor.id);
      const chain = await fetchRunChain(h.client, workflowId);
      // Queued, timed out, queued once more at the back, timed out again: then "not decided", not "queued" for ever.
      await expect
        .poll(
          async () => {
            await page.goto(`${slow.url}/audit/usulan/${encodeURIComponent(workflowId)}`);
            return page.locator('tr[data-run] [data-kunci="putar"]').allInnerTexts();
          },
          { timeout: 60_000, interval: 1_000 },
        )
        .toEqual(
          chain.map(() =>
            expect.stringMatching(
              /^Belum terputuskan: putar ulang dua kali tidak selesai dalam batas waktunya \(0,001 detik\)\. Ini bukan tanda kode tidak deterministik/,
            ),
          ),
        );
      // The cycle's status counts such runs apart from the passed and the failed ones, once its check has listed
      // every run and none is waiting.
      await page.goto(`${slow.url}/audit?siklus=${config.id}`);
      await expect
        .poll(
          async () => {
            await page.reload();
            const [listed, waiting, undecided, ok] = await Promise.all(
              ['run', 'antre', 'tak-terputuskan', 'lolos'].map((k) => cell(k).innerText()),
            );
            const done = await page.getByText('Pemeriksaan terakhir selesai').count();
            return { done: done > 0, listed: Number(listed) >= 2, waiting, undecidedAll: undecided === listed, ok };
          },
          { timeout: 90_000, interval: 1_000 },
        )
        .toEqual({ done: true, listed: true, waiting: '0', undecidedAll: true, ok: '0' });
      await expectAccessible(page);
      const stored = await h.db
        .selectFrom('replay_verdicts')
        .select('run_id')
        .where('bundle_sha256', '=', otherSha)
        .execute();
      expect(stored).toEqual([]);
      const firstRun = chain[0].runId;
      const ofFirstRun = lines.filter((l) => l.workflowId === workflowId && l.runId === firstRun);
      expect(ofFirstRun.map((l) => [l.level, l.msg])).toEqual([
        [20, 'replay started'],
        [40, 'replay timed out after 1 ms; queued again'],
        [20, 'replay started'],
        [40, 'replay timed out after 1 ms; left undecided'],
      ]);
      expect(ofFirstRun[0].events).toBeGreaterThan(0);
    } finally {
      await slow.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
