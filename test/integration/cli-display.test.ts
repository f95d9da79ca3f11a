/**
 * What the CLI shows a person, run as a child process: times in the cycle's zone with its name (the cycle here is in
 * Asia/Makassar, WITA, so nothing can pass by assuming WIB) and ISO 8601 with the offset in `--json`; mail events in
 * the audit trail with their recipient; the cycle's status from the projection; the stars in `determine`'s answer; and
 * the warning when no worker polls the task queue a cycle was started on. Every command but `audit` goes through this
 * file's API with a user's token.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleWorkflowId } from '../../workflows/ids';
import { nominationStateQuery } from '../../workflows/messages';
import { startApi, userWithToken, type ApiUnderTest } from '../support/api';
import { cliRunner, REPO_ROOT, type Ovop } from '../support/cli';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { waitForEvents } from '../support/nomination-events';

const ASSESSOR_KEY = {
  'penilai-budi': 'budi',
  'penilai-siti': 'siti',
  'penilai-andi': 'andi',
  'penilai-rina': 'rina',
} as const;
const CYCLE = 'uji-tampilan';
const nominationId = (cycle: string, regency: string, slug: string) => `ovop/${cycle}/nomination/${regency}/${slug}`;
/** Attends at once and is taken to its stars. */
const SONGKET = nominationId(CYCLE, '13.04', 'songket-pandai-sikek');
/** Never attends: gets the attendance reminder, then the escalation. */
const GERABAH = nominationId(CYCLE, '32.05', 'gerabah-garut');

let h: Harness;
let api: ApiUnderTest;
let ovop: Ovop;
let dir: string;
let tanahDatar: { token: string };
const coordinator = () => ({ token: api.tokens.coordinator });

/** examples/cycle.yaml under another id, in Asia/Makassar, with an attendance deadline of seconds. */
function cycleFile(id: string): string {
  const text = readFileSync(join(REPO_ROOT, 'examples', 'cycle.yaml'), 'utf8')
    .replace(/^id: ovop-contoh$/m, `id: ${id}`)
    .replace(/^timezone: Asia\/Jakarta$/m, 'timezone: Asia/Makassar')
    .replace(
      /attendance:\n {4}within: 30m\n {4}remindBefore: \[10m, 2m\]/,
      'attendance:\n    within: 25s\n    remindBefore: [20s]',
    );
  expect(text).toContain('timezone: Asia/Makassar');
  expect(text).toContain('within: 25s');
  const path = join(dir, `${id}.yaml`);
  writeFileSync(path, text);
  return path;
}

const nominate = (cycle: string, regency: string, ikm: string, commodity: string) =>
  ovop(
    [
      'nominate',
      '--cycle',
      cycle,
      '--regency',
      regency,
      '--ikm',
      ikm,
      '--sentra',
      `Sentra ${ikm}`,
      '--commodity',
      commodity,
      '--product',
      ikm,
      '--sentra-size',
      '12',
    ],
    coordinator(),
  );

/** The wall clock in WITA (UTC+8, no daylight saving), worked out without the code under test. */
const wita = (iso: string, seconds = false) =>
  `${new Date(Date.parse(iso) + 8 * 3600_000)
    .toISOString()
    .slice(0, seconds ? 19 : 16)
    .replace('T', ' ')} WITA`;

beforeAll(async () => {
  h = await startHarness('cli-display');
  api = await startApi(h);
  ovop = cliRunner(h.taskQueue, api);
  dir = mkdtempSync(join(tmpdir(), 'ovop-cli-display-'));
  tanahDatar = {
    token: await userWithToken(h, {
      id: 'disperin-13.04',
      name: 'Disperin Kab. Tanah Datar',
      email: 'disperin.tanahdatar@example.id',
      role: 'dinas_kabkota',
      region: '13.04',
    }),
  };
});
afterAll(async () => {
  await api?.stop();
  await h?.stop();
});

describe('what the CLI shows', () => {
  it('opens a cycle with times in its zone, WITA, and offsets in JSON; a worker polls, so no warning', async () => {
    const started = await ovop(['cycle', 'start', '--config', cycleFile(CYCLE)], coordinator());
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toContain(`Cycle ${CYCLE} (Penghargaan OVOP (contoh)) is open.`);
    expect(started.stdout).toMatch(/^ {2}intake +open for 2h, until about \d{4}-\d\d-\d\d \d\d:\d\d WITA$/m);
    expect(started.stdout).toMatch(/task queue +test-cli-display-\d+ \([1-9]\d* workers? polling\)/);
    expect(started.stderr).not.toContain('no worker');

    const [songket, gerabah] = await Promise.all([
      nominate(CYCLE, '13.04', 'Songket Pandai Sikek', 'kain_tenun'),
      nominate(CYCLE, '32.05', 'Gerabah Garut', 'gerabah'),
    ]);
    expect(songket.code, songket.stderr).toBe(0);
    expect(gerabah.code, gerabah.stderr).toBe(0);

    // A nomination checks its input against its cycle's intake record before its first deadline is set.
    const view = await waitFor(
      async () => {
        const v = await h.client.workflow.getHandle(SONGKET).query(nominationStateQuery);
        return v.deadline && v;
      },
      { what: 'the attendance deadline of the new nomination' },
    );
    expect(view.deadline?.at).toMatch(/Z$/);
    // show reads the projection through the API: wait for the row to hold the deadline.
    await waitFor(
      async () =>
        (
          await h.db
            .selectFrom('nominations')
            .select('deadline_at')
            .where('workflow_id', '=', SONGKET)
            .executeTakeFirst()
        )?.deadline_at?.getTime() === Date.parse(view.deadline!.at),
      { what: 'the deadline in the projection' },
    );
    const [text, json] = await Promise.all([
      ovop(['show', SONGKET], tanahDatar),
      ovop(['--json', 'show', SONGKET], tanahDatar),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Songket Pandai Sikek$/m);
    expect(text.stdout).toMatch(/^ {2}stage +AWAITING_SOCIALIZATION \(updated \d{4}-\d\d-\d\d \d\d:\d\d WITA\)$/m);
    expect(text.stdout).toContain(`  deadline     ${wita(view.deadline!.at)}\n`);
    expect(text.stdout).toContain('  documents    none yet');
    expect(text.stdout).not.toMatch(/\d\d:\d\d(:\d\d)?(\.\d+)?Z/);
    const shown = json.json();
    expect(shown.timezone).toBe('Asia/Makassar');
    expect(shown.deadlineAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?\+08:00$/);
    expect(Date.parse(shown.deadlineAt)).toBe(Date.parse(view.deadline!.at));
    expect(shown.updatedAt).toMatch(/\+08:00$/);
    // The dinas is not told who assesses (blind assessment): no assessors, no sheets.
    expect(shown).not.toHaveProperty('assessors');
    expect(shown).not.toHaveProperty('assessments');

    // Songket's dinas attends now, within the attendance deadline of seconds; the last test takes it to its stars.
    const attended = await ovop(['attend', SONGKET, '--session', 'sesi-2-bandung'], tanahDatar);
    expect(attended.code, attended.stderr).toBe(0);
  });

  it('shows a reminder and an escalation in the audit trail as mail to their recipients, at WITA times', async () => {
    await waitForEvents(h.db, GERABAH, 'escalation.sent', {
      what: 'the escalation of the missed attendance',
      timeoutMs: 60_000,
    });
    const [text, json] = await Promise.all([
      ovop(['audit', 'trail', GERABAH]),
      ovop(['--json', 'audit', 'trail', GERABAH]),
    ]);
    expect(text.code, text.stderr).toBe(0);
    // Started by its cycle, the nomination names its recipients by role (rules by reference, issue #16 item 4): the
    // history, and so the trail read from it, holds no address.
    expect(text.stdout).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WITA +#\d+ +event \d+ reminder\.sent to the dinas kabupaten\/kota \(ref:dinas\) by system:ovop-engine:00: deadlineStage=attendance offsetMs=20000 deadline=\d{4}-\d\d-\d\d \d\d:\d\d WITA$/m,
    );
    expect(text.stdout).toMatch(
      /event \d+ escalation\.sent to the dinas provinsi 32 \(ref:provinsi:32\) by \S+: deadlineStage=attendance policy=disqualify/,
    );
    expect(text.stdout).not.toMatch(/→ disperin/);
    // Stage changes still read as stage changes.
    expect(text.stdout).toMatch(/deadline\.disqualified \(stage AWAITING_SOCIALIZATION → DISQUALIFIED\)/);

    const trail = json.json();
    const reminder = trail.entries.find((e: { text: string }) => e.text.includes('reminder.sent'));
    expect(reminder.data.payload.to).toBe('ref:dinas');
    expect(reminder.at).toMatch(/\+08:00$/);
    expect(reminder.data.payload.deadline).toMatch(/\+08:00$/);
    const row = await h.db
      .selectFrom('nomination_events')
      .select(['occurred_at', 'payload'])
      .where('workflow_id', '=', GERABAH)
      .where('type', '=', 'reminder.sent')
      .executeTakeFirstOrThrow();
    expect(text.stdout).toContain(`deadline=${wita((row.payload as { deadline: string }).deadline)}`);
  });

  it('shows the cycle from the projection: its nominations per stage, province and commodity, times in WITA', async () => {
    await waitFor(
      async () =>
        (await h.db.selectFrom('nominations').select('workflow_id').where('cycle_id', '=', CYCLE).execute()).length ===
        2,
      { what: 'two projections' },
    );
    const [text, json] = await Promise.all([
      ovop(['cycle', 'status', CYCLE], coordinator()),
      ovop(['--json', 'cycle', 'status', CYCLE], coordinator()),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`Cycle ${CYCLE} — Penghargaan OVOP (contoh)`);
    expect(text.stdout).toMatch(/^ {2}status +open$/m);
    expect(text.stdout).toMatch(/^ {2}opened +\d{4}-\d\d-\d\d \d\d:\d\d WITA$/m);
    expect(text.stdout).toMatch(/^ {2}intake +open until \d{4}-\d\d-\d\d \d\d:\d\d WITA/m);
    expect(text.stdout).toMatch(/^ {2}nominated +2$/m);
    expect(text.stdout).toMatch(/^Jawa Barat +32 +1 /m);
    expect(text.stdout).toMatch(/^Sumatera Barat +13 +1 /m);
    const view = json.json();
    expect(view).toMatchObject({ cycleId: CYCLE, status: 'OPEN', nominated: 2, timezone: 'Asia/Makassar' });
    expect(view.intakeClosesAt).toMatch(/\+08:00$/);
    expect(Date.parse(view.intakeClosesAt) - Date.parse(view.startedAt)).toBe(2 * 3600_000);
    expect(view.byCommodity.map((g: { code: string }) => g.code)).toEqual(['gerabah', 'kain_tenun']);
  });

  it('answers determine with the score, the recommendation and the stars, as show prints them', async () => {
    const legality = join(dir, 'legalitas.pdf');
    writeFileSync(legality, '%PDF-1.4 NIB dan izin usaha industri');
    await waitFor(
      async () =>
        (await h.client.workflow.getHandle(SONGKET).query(nominationStateQuery)).stage === 'AWAITING_DOCUMENTS',
    );
    const submitted = await ovop(['docs', 'submit', SONGKET, '--kind', 'legality', '--file', legality], tanahDatar);
    expect(submitted.code, submitted.stderr).toBe(0);
    await waitFor(
      async () => (await h.client.workflow.getHandle(SONGKET).query(nominationStateQuery)).stage === 'UNDER_REVIEW',
    );
    expect((await ovop(['docs', 'review', SONGKET, '--approve'], coordinator())).code).toBe(0);
    const inAssessment = await waitFor(async () => {
      const v = await h.client.workflow.getHandle(SONGKET).query(nominationStateQuery);
      return v.stage === 'IN_ASSESSMENT' && v.assessors.length === 2 && v;
    });
    // The API reads the assignment from the projection.
    await waitFor(
      async () =>
        (await h.db.selectFrom('nominations').select('stage').where('workflow_id', '=', SONGKET).executeTakeFirst())
          ?.stage === 'IN_ASSESSMENT',
    );
    // All twos: a score of 50, below the field-verification threshold of 70, so the next stop is the stars.
    const sheet = join(dir, 'nilai-dua.json');
    writeFileSync(
      sheet,
      JSON.stringify(
        Object.fromEntries(['A1', 'A2', 'A3', 'A4', 'B1', 'B2', 'B3', 'C1', 'C2', 'C3', 'C4'].map((c) => [c, 2])),
      ),
    );
    for (const assessor of inAssessment.assessors) {
      const r = await ovop(['score', SONGKET, '--file', sheet], {
        token: api.tokens[ASSESSOR_KEY[assessor as keyof typeof ASSESSOR_KEY]],
      });
      expect(r.code, r.stderr).toBe(0);
    }
    await waitFor(
      async () => (await h.client.workflow.getHandle(SONGKET).query(nominationStateQuery)).stage === 'STAR_RECOMMENDED',
    );
    await waitFor(
      async () =>
        (await h.db.selectFrom('nominations').select('stage').where('workflow_id', '=', SONGKET).executeTakeFirst())
          ?.stage === 'STAR_RECOMMENDED',
    );
    const before = await ovop(['show', SONGKET], coordinator());
    const recommended = /^ {2}recommended +(.+)$/m.exec(before.stdout)?.[1];
    expect(recommended, before.stdout).toMatch(/^Bintang \d$/);

    const determined = await ovop(['determine', SONGKET], coordinator());
    expect(determined.code, determined.stderr).toBe(0);
    expect(determined.stdout).toMatch(new RegExp(`^Songket Pandai Sikek is determined ${recommended}\\.$`, 'm'));
    expect(determined.stdout).toMatch(/^ {2}score +50\b/m);
    expect(determined.stdout).toContain(`  recommended  ${recommended}\n`);
    expect(determined.stdout).toContain(`  stars        ${recommended}\n`);
    expect(determined.stdout).toMatch(/^ {2}stage +DETERMINED \(since \d{4}-\d\d-\d\d \d\d:\d\d WITA\)$/m);
    // The same lines as show prints afterwards, from the projection.
    await waitFor(
      async () =>
        (await h.db.selectFrom('nominations').select('stage').where('workflow_id', '=', SONGKET).executeTakeFirst())
          ?.stage === 'DETERMINED',
    );
    const after = await ovop(['show', SONGKET], coordinator());
    expect(after.stdout).toMatch(/^ {2}score +50\b/m);
    expect(after.stdout).toMatch(/^ {2}assessors +penilai-\S+ \(scored\), penilai-\S+ \(scored\)$/m);
    for (const label of ['recommended', 'stars'])
      expect(determined.stdout).toContain(new RegExp(`^ {2}${label} +.+$`, 'm').exec(after.stdout)![0]);
  });

  it('warns at once when no worker polls the task queue a cycle is started on', async () => {
    // An API whose workflows go to a task queue no worker polls.
    const queue = `test-no-worker-${Date.now()}`;
    const lonelyApi = await startApi({ ...h, taskQueue: queue });
    const lonely = cliRunner(queue, lonelyApi);
    const id = 'uji-tanpa-worker';
    const [text, json] = await Promise.all([
      lonely(['cycle', 'start', '--config', cycleFile(id)], { token: lonelyApi.tokens.coordinator }),
      lonely(['--json', 'cycle', 'start', '--config', cycleFile(`${id}-json`)], {
        token: lonelyApi.tokens.coordinator,
      }),
    ]);
    await lonelyApi.stop();
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toMatch(
      new RegExp(
        `^ovop: warning: no worker polls task queue ${queue}: nothing of cycle ${id} runs until one does`,
        'm',
      ),
    );
    expect(text.stdout).toContain(
      `Cycle ${id} (Penghargaan OVOP (contoh)) is started, but no worker polls its task queue yet.`,
    );
    expect(text.stdout).toMatch(new RegExp(`^ {2}task queue +${queue} \\(0 workers polling\\)$`, 'm'));
    expect(text.stdout).not.toContain('is open');
    expect(json.code).toBe(0);
    expect(json.json()).toMatchObject({ taskQueue: queue, workersPolling: 0 });
    expect(json.stderr).toContain(`no worker polls task queue ${queue}`);
    for (const cycle of [id, `${id}-json`])
      await h.client.workflow.getHandle(cycleWorkflowId(cycle)).terminate('test over: no worker on its queue');
  });
});
