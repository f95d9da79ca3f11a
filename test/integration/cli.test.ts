/**
 * The `ovop` CLI end to end: each command run as a child process (`node bin/ovop.js …`) against the run's Temporal
 * server and database, with this file's worker on its own task queue; actor commands go through this file's API with
 * each user's token. Happy paths, refusals (exit 1), usage errors (exit 2), an unreachable server (exit 3), the audit
 * trail's reconciliation and replays against changed code.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { nominationStateQuery } from '../../workflows/messages';
import { startApi, TEST_USERS, userWithToken, type ApiUnderTest } from '../support/api';
import { cliRunner, REPO_ROOT, type Ovop } from '../support/cli';
import { bypassingAppendOnly } from '../support/event-log';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { acceptedUpdates } from '../support/history-wait';
import { seedNominations } from '../support/projection';

/** The API's users, as the workflows record them. */
const COORDINATOR_USER = `coordinator:${TEST_USERS.coordinator.id}:00`;
const GARUT_USER = `dinas_kabkota:${TEST_USERS.garut.id}:32.05`;
const TANAH_DATAR_USER = {
  id: 'disperin-13.04',
  name: 'Disperin Kab. Tanah Datar',
  email: 'disperin.tanahdatar@example.id',
  role: 'dinas_kabkota',
  region: '13.04',
} as const;
const ASSESSOR_KEY = {
  'penilai-budi': 'budi',
  'penilai-siti': 'siti',
  'penilai-andi': 'andi',
  'penilai-rina': 'rina',
} as const;

const CYCLE = 'uji-cli';
const TAMA = `ovop/${CYCLE}/nomination/32.05/pt-tama-cokelat-indonesia`;
const ULOS = `ovop/${CYCLE}/nomination/12.12/ulos-tenun-toba-lestari`;
const EXAMPLES = join(REPO_ROOT, 'examples');

let h: Harness;
let api: ApiUnderTest;
let ovop: Ovop;
let dir: string;
/** API tokens of the users who act here. */
let as: Record<'coordinator' | 'garut' | 'tanahDatar' | 'budi', { token: string }>;
const assessorToken = (id: string) => ({ token: api.tokens[ASSESSOR_KEY[id as keyof typeof ASSESSOR_KEY]] });

/** examples/cycle.yaml under another id, so the example file itself is what the tests open. */
function cycleFile(id: string): string {
  const path = join(dir, `${id}.yaml`);
  writeFileSync(path, readFileSync(join(EXAMPLES, 'cycle.yaml'), 'utf8').replace(/^id: ovop-contoh$/m, `id: ${id}`));
  return path;
}

/**
 * A changed release of the workflows, written without patched(): `step` runs in the nomination before its first step.
 * The copy imports everything else from the current workflows.
 */
function changedWorkflows(name: string, step: string): string {
  const changed = join(dir, name);
  mkdirSync(changed);
  const workflows = join(REPO_ROOT, 'workflows');
  const source = readFileSync(join(workflows, 'nomination.workflow.ts'), 'utf8')
    .replace(/from '\.\/([a-z-.]+)'/g, (_, file: string) => `from '${join(workflows, file)}'`)
    .replace(/import \{ ([^}]*) \} from '@temporalio\/workflow';/, "import { $1, sleep } from '@temporalio/workflow';")
    .replace('  await new NominationLifecycle(', `  ${step}\n  await new NominationLifecycle(`);
  expect(source).toContain(step);
  expect(source).toContain(", sleep } from '@temporalio/workflow'");
  writeFileSync(join(changed, 'nomination.workflow.ts'), source);
  writeFileSync(
    join(changed, 'index.ts'),
    `export { nomination } from './nomination.workflow';\nexport { awardCycle } from '${join(workflows, 'award-cycle.workflow')}';\n`,
  );
  return changed;
}

async function stageOf(workflowId: string): Promise<string> {
  return (await h.client.workflow.getHandle(workflowId).query(nominationStateQuery)).stage;
}
/** The nomination in `stage`, in its workflow and in the projection the API reads. */
const reach = (workflowId: string, stage: string) =>
  waitFor(
    async () =>
      (await stageOf(workflowId)) === stage &&
      (await h.db.selectFrom('nominations').select('stage').where('workflow_id', '=', workflowId).executeTakeFirst())
        ?.stage === stage,
    { what: `${workflowId} in ${stage}` },
  );

beforeAll(async () => {
  h = await startHarness('cli');
  api = await startApi(h);
  ovop = cliRunner(h.taskQueue, api);
  dir = mkdtempSync(join(tmpdir(), 'ovop-cli-'));
  as = {
    coordinator: { token: api.tokens.coordinator },
    garut: { token: api.tokens.garut },
    budi: { token: api.tokens.budi },
    tanahDatar: { token: await userWithToken(h, TANAH_DATAR_USER) },
  };
});
afterAll(async () => {
  await api?.stop();
  await h?.stop();
});

describe('ovop CLI', () => {
  it('prints its help, and exits 2 on usage errors', async () => {
    const [help, missing, badActor, badId, unknown, noApi, noToken] = await Promise.all([
      ovop(['--help']),
      ovop(['cycle', 'start']),
      ovop(['--as', 'coordinator:ikma-1:00', 'cycle', 'start', '--config', cycleFile('uji-aktor')], as.coordinator),
      ovop(['attend', 'pt-tama', '--session', 'sesi-1-yogyakarta'], as.garut),
      ovop(['nominate', '--cycle', CYCLE, '--bogus']),
      ovop(['attend', TAMA, '--session', 'sesi-1-yogyakarta'], { env: { OVOP_API_URL: undefined } }),
      ovop(['attend', TAMA, '--session', 'sesi-1-yogyakarta']),
    ]);
    expect(help.code).toBe(0);
    for (const command of ['cycle', 'nominate', 'attend', 'docs', 'score', 'withdraw', 'determine', 'report', 'audit'])
      expect(help.stdout).toContain(command);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--config <file>'");
    // No command says who acts: --as is gone (the API knows the user from the token).
    expect(badActor.code).toBe(2);
    expect(badActor.stderr).toContain("unknown option '--as'");
    expect(help.stdout).not.toMatch(/--as\b|OVOP_ACTOR/);
    expect(help.stdout).toContain('npm run migrate');
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('is not a nomination id');
    expect(unknown.code).toBe(2);
    // An actor command names the API and a token, or says how to.
    expect(help.stdout).toContain('Actor commands (through the API with OVOP_API_URL and OVOP_TOKEN):');
    expect(help.stdout).toContain(
      'Operator commands (Temporal and PostgreSQL directly with TEMPORAL_ADDRESS and DATABASE_URL, never through the API):',
    );
    expect([noApi.code, noApi.stderr.trim()]).toEqual([
      2,
      'ovop: this command goes through the OVOP API: set OVOP_API_URL and OVOP_TOKEN (or pass --api and --token); a token is made by POST /api/tokens or, by an operator, ovop users token',
    ]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain(`ovop: no API token for ${api.url}: set OVOP_TOKEN`);
  });

  it('refuses an invalid cycle config with exit 1, listing every problem with its path', async () => {
    const invalid = join(dir, 'invalid.yaml');
    writeFileSync(
      invalid,
      readFileSync(cycleFile('x'), 'utf8')
        .replace(/^id: x$/m, 'id: Bukan Slug')
        .replace('cadence: yearly', 'cadence: monthly')
        .replace('intakeWindow: 2h', 'intakeWindow: soon'),
    );
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'id: [tidak ditutup\nname: x\n');
    const [a, b] = await Promise.all([
      ovop(['cycle', 'start', '--config', invalid], as.coordinator),
      ovop(['--json', 'cycle', 'start', '--config', broken], as.coordinator),
    ]);
    expect(a.code).toBe(1);
    expect(a.stderr).toContain('is invalid (3 problems)');
    expect(a.stderr).toMatch(/^ {2}- id: must be a slug/m);
    expect(a.stderr).toMatch(/^ {2}- cadence: must be yearly or biennial/m);
    expect(a.stderr).toMatch(/^ {2}- intakeWindow: /m);
    expect(b.code).toBe(1);
    expect(b.json().error.issues).toEqual([{ path: '', message: expect.stringContaining('invalid YAML') }]);
    const missing = await ovop(['cycle', 'check', '--config', join(dir, 'tidak-ada.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('does not exist');
  });

  it('checks a config offline: which sessions cover each province, and the provinces none covers by island group', async () => {
    // No session for Papua: a warning by default, a refusal with requireFullCoverage; the check needs no server.
    const gap = join(dir, 'tanpa-papua.yaml');
    const text = readFileSync(cycleFile('uji-cakupan'), 'utf8').replace(/, '9[1-6]'/g, '');
    expect(text).not.toMatch(/'9[1-6]'/);
    writeFileSync(gap, text);
    const strict = join(dir, 'tanpa-papua-ketat.yaml');
    writeFileSync(strict, `${text}\nrequireFullCoverage: true\n`);
    const offline = { TEMPORAL_ADDRESS: '127.0.0.1:1', DATABASE_URL: '' };
    const [report, json, refused] = await Promise.all([
      ovop(['cycle', 'check', '--config', gap], { env: offline }),
      ovop(['--json', 'cycle', 'check', '--config', gap], { env: offline }),
      ovop(['cycle', 'check', '--config', strict], { env: offline }),
    ]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain('Sessions by province (32 of 38 covered):');
    expect(report.stdout).toMatch(/^32 Jawa Barat +Jawa +sesi-1-yogyakarta$/m);
    expect(report.stdout).toContain('  Papua: 91 Papua, 92 Papua Barat, 93 Papua Selatan, 94 Papua Tengah');
    expect(report.stderr).toMatch(/^ovop: warning: no session covers 6 provinces: Papua: 91 Papua/m);
    expect(json.json().coverage.uncovered).toEqual([
      { islandGroup: 'Papua', provinces: expect.arrayContaining([{ code: '96', name: 'Papua Barat Daya' }]) },
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is invalid (1 problem)');
    expect(refused.stderr).toMatch(
      /^ {2}- sessions: no session covers 6 provinces: Papua: 91 Papua.*requireFullCoverage is on/m,
    );
  });

  it('says in one sentence, exit 3, when the Temporal server (an operator command) or the API is unreachable', async () => {
    const [r, noApi] = await Promise.all([
      ovop(['--json', 'audit', 'trail', TAMA], { env: { TEMPORAL_ADDRESS: '127.0.0.1:1' } }),
      ovop(['cycle', 'status', CYCLE], { ...as.coordinator, env: { OVOP_API_URL: 'http://127.0.0.1:1' } }),
    ]);
    expect(noApi.code).toBe(3);
    expect(noApi.stderr).toMatch(
      /^ovop: cannot reach the OVOP API at http:\/\/127\.0\.0\.1:1 \(.+\); check OVOP_API_URL\n$/,
    );
    expect(r.code).toBe(3);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ovop: cannot reach the Temporal server at 127\.0\.0\.1:1 \(.+\); /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.json().error).toMatchObject({ exitCode: 3 });
  });

  it('opens a cycle once; only a coordinator may', async () => {
    const config = cycleFile(CYCLE);
    const byDinas = await ovop(['--json', 'cycle', 'start', '--config', config], as.garut);
    expect(byDinas.code).toBe(1);
    expect(byDinas.json().error).toMatchObject({
      status: 403,
      code: 'forbidden',
      message: 'role dinas_kabkota may not open a cycle; only a coordinator may',
    });
    // Nothing was started: no workflow and no row.
    await expect(h.client.workflow.getHandle(`ovop/${CYCLE}/cycle`).describe()).rejects.toThrow();
    expect(await h.db.selectFrom('cycles').select('id').where('id', '=', CYCLE).executeTakeFirst()).toBeUndefined();
    const started = await ovop(['--json', 'cycle', 'start', '--config', config], as.coordinator);
    expect(started.code, started.stderr).toBe(0);
    expect(started.json()).toMatchObject({ cycleId: CYCLE, workflowId: `ovop/${CYCLE}/cycle`, taskQueue: h.taskQueue });
    expect(started.json().workersPolling).toBeGreaterThanOrEqual(1);
    const again = await ovop(['cycle', 'start', '--config', config], as.coordinator);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`cycle ${CYCLE} already runs`);
  });

  it('nominates the example file, and a re-run of it changes nothing', async () => {
    const first = await ovop(
      ['--json', 'nominate', '--cycle', CYCLE, '--file', join(EXAMPLES, 'nominations.csv')],
      as.coordinator,
    );
    expect(first.code, first.stderr).toBe(0);
    const result = first.json();
    expect(result).toMatchObject({ created: 12, unchanged: 0, refused: 0 });
    expect(result.rows.map((r: { workflowId: string }) => r.workflowId)).toContain(TAMA);

    const again = await ovop(
      ['nominate', '--cycle', CYCLE, '--file', join(EXAMPLES, 'nominations.csv')],
      as.coordinator,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('created 0, unchanged 12, refused 0');
    expect(again.stdout).toContain('nothing changed: all 12 IKM were already nominated');
    await waitFor(
      async () =>
        (await h.db.selectFrom('nominations').select('workflow_id').where('cycle_id', '=', CYCLE).execute()).length ===
        12,
      { what: '12 projections' },
    );
  });

  it('lists every refused row of a malformed file with row, field and reason, exits 1, and still nominates the good rows', async () => {
    const csv = join(dir, 'nominations-bad.csv');
    writeFileSync(
      csv,
      [
        'regency_code,ikm_name,sentra_name,commodity,product,sentra_size,dinas_email',
        '32.05,Dodol Picnic Garut,Sentra Dodol Picnic,Makanan & Minuman,Dodol,30,',
        '32.05,Kulit Sukaregang,Sentra Kulit Sukaregang,kulit,Jaket kulit,3,bukan-email',
        '99.99,Tenun Entah,Sentra Entah,kain_tenun,Kain,10,',
        '32.05,,Sentra Tanpa Nama,anyaman,Tikar,8,',
        '32.05,Batik Garutan,Sentra Batik Garutan,kain_batik,Batik tulis,12',
        '13.04,Songket Lain,Sentra Songket,kain_tenun,Songket,9,',
      ].join('\n'),
    );
    const [asDinas, asAssessor, byFlags] = await Promise.all([
      ovop(['--json', 'nominate', '--cycle', CYCLE, '--file', csv], as.garut),
      ovop(['--json', 'nominate', '--cycle', CYCLE, '--file', csv], as.budi),
      ovop(
        [
          'nominate',
          '--cycle',
          CYCLE,
          '--regency',
          '32.05',
          '--ikm',
          'Kopi Garut',
          '--sentra',
          'Sentra Kopi',
          '--commodity',
          'makanan_minuman',
          '--product',
          'Kopi',
          '--sentra-size',
          '4',
        ],
        as.garut,
      ),
    ]);
    expect(asDinas.code).toBe(1);
    const summary = asDinas.json();
    expect(summary).toMatchObject({ created: 1, unchanged: 0, refused: 5 });
    expect(summary.refusals.map((r: { row: number; field: string }) => [r.row, r.field])).toEqual([
      [3, 'commodity'],
      [3, 'sentra_size'],
      [3, 'dinas_email'],
      [4, 'regency_code'],
      [5, 'ikm_name'],
      [6, '(row)'],
      [7, 'regency_code'],
    ]);
    expect(summary.refusals.find((r: { row: number }) => r.row === 7).reason).toBe(
      'dinas 32.05 may only nominate IKM of its own kabupaten/kota, not 13.04',
    );
    expect(summary.refusals.find((r: { field: string }) => r.field === 'sentra_size').reason).toContain(
      'at least 5 businesses',
    );
    // The API's refusal: its message on stderr, its code and status in --json, nothing nominated.
    expect(asAssessor.code).toBe(1);
    expect(asAssessor.stderr.trim()).toBe(
      'ovop: role assessor may not nominate; only a dinas kabupaten/kota or a coordinator may',
    );
    expect(asAssessor.json().error).toMatchObject({ exitCode: 1, status: 403, code: 'forbidden' });
    expect(
      await h.db.selectFrom('nominations').select('workflow_id').where('ikm_name', '=', 'Batik Garutan').execute(),
    ).toEqual([]);
    expect(byFlags.code).toBe(1);
    expect(byFlags.stdout).toMatch(/-\s+--sentra-size\s+a sentra must count at least 5/);
  });

  it('walks a nomination from attendance to Bintang 5, refusing what actors may not do', async () => {
    const [otherProvince, unknown, shownElsewhere, noSession] = await Promise.all([
      ovop(['attend', TAMA, '--session', 'sesi-1-yogyakarta'], as.tanahDatar),
      ovop(['attend', `ovop/${CYCLE}/nomination/32.05/tidak-ada`, '--session', 'sesi-1-yogyakarta'], as.garut),
      ovop(['--json', 'show', TAMA], as.tanahDatar),
      ovop(['--json', 'attend', TAMA, '--session', 'sesi-tidak-ada'], as.garut),
    ]);
    expect(otherProvince.code).toBe(1);
    expect(otherProvince.stderr.trim()).toBe(
      `ovop: nomination ${TAMA} belongs to kabupaten/kota 32.05; you act for 13.04`,
    );
    // The workflow's own refusal: its rule and values beside the message in --json.
    expect(noSession.code).toBe(1);
    expect(noSession.json().error).toMatchObject({
      status: 409,
      code: 'refused',
      rule: 'unknown_session',
      params: { session: 'sesi-tidak-ada' },
      message: expect.stringMatching(/^unknown socialization session "sesi-tidak-ada"; sessions: sesi-1-yogyakarta, /),
    });
    expect(await acceptedUpdates(h.client, TAMA, 'attendSocialization')).toBe(0);
    // Another regency's dinas may not even read it.
    expect(shownElsewhere.code).toBe(1);
    expect(shownElsewhere.json().error).toEqual({
      exitCode: 1,
      status: 403,
      code: 'forbidden',
      message: `nomination ${TAMA} belongs to kabupaten/kota 32.05; you act for 13.04`,
      issues: [],
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe(`ovop: no nomination ovop/${CYCLE}/nomination/32.05/tidak-ada`);

    const attended = await ovop(['--json', 'attend', TAMA, '--session', 'sesi-1-yogyakarta'], as.garut);
    expect(attended.code, attended.stderr).toBe(0);
    expect(attended.json().attendedSession).toBe('sesi-1-yogyakarta');
    await reach(TAMA, 'AWAITING_DOCUMENTS');

    const missingFile = await ovop(
      ['docs', 'submit', TAMA, '--kind', 'legality', '--file', join(dir, 'tidak-ada.pdf')],
      as.garut,
    );
    expect(missingFile.code).toBe(2);
    const kinds = ['legality', 'distribution_permit', 'halal', 'lab_test'];
    await Promise.all(
      kinds.map(async (kind) => {
        const file = join(dir, `${kind}.pdf`);
        const content = `%PDF-1.4 dokumen ${kind} PT. Tama Cokelat Indonesia`;
        writeFileSync(file, content);
        const r = await ovop(['--json', 'docs', 'submit', TAMA, '--kind', kind, '--file', file], as.garut);
        expect(r.code, r.stderr).toBe(0);
        expect(r.json().document).toMatchObject({ kind, sha256: createHash('sha256').update(content).digest('hex') });
        expect(r.json().nomination.documents.find((d: { kind: string }) => d.kind === kind)).toMatchObject({
          fileName: `${kind}.pdf`,
          sizeBytes: Buffer.byteLength(content),
          checksum: createHash('sha256').update(content).digest('hex'),
        });
      }),
    );
    const stored = await h.db.selectFrom('documents').selectAll().where('workflow_id', '=', TAMA).execute();
    expect(stored.map((d) => d.kind).sort()).toEqual([...kinds].sort());

    await reach(TAMA, 'UNDER_REVIEW');
    const byDinas = await ovop(['docs', 'review', TAMA, '--approve'], as.garut);
    expect(byDinas.code).toBe(1);
    expect(byDinas.stderr).toContain('only a coordinator may');
    const approved = await ovop(['docs', 'review', TAMA, '--approve'], as.coordinator);
    expect(approved.code, approved.stderr).toBe(0);

    await reach(TAMA, 'IN_ASSESSMENT');
    // A coordinator's show names the panel (a dinas's would not).
    const shown = await ovop(['--json', 'show', TAMA], as.coordinator);
    expect(shown.code, shown.stderr).toBe(0);
    const assessors: string[] = shown.json().assessors.map((a: { id: string }) => a.id);
    expect(assessors).toHaveLength(2);
    const notJson = join(dir, 'scores-not-integers.json');
    writeFileSync(notJson, JSON.stringify({ A1: 3, A2: 2.5 }));
    const partial = join(dir, 'scores-partial.json');
    writeFileSync(partial, JSON.stringify({ A1: 3 }));
    const first = assessors[0];
    const [shape, incomplete, conflict] = await Promise.all([
      ovop(['score', TAMA, '--file', notJson], assessorToken(first)),
      ovop(['score', TAMA, '--file', partial], assessorToken(first)),
      ovop(['score', TAMA, '--file', join(EXAMPLES, 'scores.json')], as.budi),
    ]);
    expect(shape.code).toBe(2);
    expect(shape.stderr).toContain('A2: must be a whole number, got 2.5');
    expect(incomplete.code).toBe(1);
    expect(incomplete.stderr).toContain('criterion A2 is missing');
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('conflict of interest');
    const scored = await Promise.all(
      assessors.map((assessor) =>
        ovop(['score', TAMA, '--file', join(EXAMPLES, 'scores.json')], assessorToken(assessor)),
      ),
    );
    for (const r of scored) expect(r.code, r.stderr).toBe(0);

    await reach(TAMA, 'FIELD_VERIFICATION');
    const verified = await ovop(['verify-field', TAMA, '--passed', '--notes', 'Sentra aktif'], as.coordinator);
    expect(verified.code, verified.stderr).toBe(0);
    await reach(TAMA, 'STAR_RECOMMENDED');
    const noReason = await ovop(['determine', TAMA, '--stars', '3'], as.coordinator);
    expect(noReason.code).toBe(1);
    expect(noReason.stderr).toContain('a reason is required to determine 3 stars against the recommended 5');
    const determined = await ovop(['--json', 'determine', TAMA], as.coordinator);
    expect(determined.code, determined.stderr).toBe(0);
    expect(determined.json()).toMatchObject({ stage: 'DETERMINED', stars: 5 });
  });

  it('withdraws a nomination, and then refuses to act on it', async () => {
    const withdrawn = await ovop(['--json', 'withdraw', ULOS, '--reason', 'IKM berhenti berproduksi'], as.coordinator);
    expect(withdrawn.code, withdrawn.stderr).toBe(0);
    expect(withdrawn.json().stage).toBe('WITHDRAWN');
    await waitFor(async () => (await h.client.workflow.getHandle(ULOS).describe()).status.name === 'COMPLETED', {
      what: 'withdrawn nomination closed',
    });
    const again = await ovop(['--json', 'withdraw', ULOS, '--reason', 'lagi'], as.coordinator);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${ULOS} is closed`);
    expect(again.json().error).toMatchObject({ status: 409, code: 'nomination_closed' });
  });

  it('extends a deadline for the whole cycle', async () => {
    const until = new Date(Date.now() + 3 * 3600_000).toISOString();
    const [ok, past, badStage, byDinas] = await Promise.all([
      ovop(['--json', 'cycle', 'extend', CYCLE, '--stage', 'documents', '--until', until], as.coordinator),
      ovop(['cycle', 'extend', CYCLE, '--stage', 'attendance', '--until', '2020-01-01T00:00:00+07:00'], as.coordinator),
      ovop(['cycle', 'extend', CYCLE, '--stage', 'dokumen', '--until', until], as.coordinator),
      ovop(['cycle', 'extend', CYCLE, '--stage', 'attendance', '--until', until], as.garut),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    // --json writes times with the cycle's offset (examples/cycle.yaml is in Asia/Jakarta): the same instant.
    expect(ok.json().deadlineOverrides.documents).toMatch(/\+07:00$/);
    expect(Date.parse(ok.json().deadlineOverrides.documents)).toBe(Date.parse(until));
    expect(past.code).toBe(1);
    expect(past.stderr).toContain('the new deadline must be in the future');
    expect(badStage.code).toBe(2);
    expect(byDinas.code).toBe(1);
    expect(byDinas.stderr).toContain('role dinas_kabkota may not extend a cycle deadline; only a coordinator may');
    // Only the coordinator's extension reached the cycle: the refusals left no Update in its history and no row.
    expect(await acceptedUpdates(h.client, `ovop/${CYCLE}/cycle`, 'extendCycleDeadline')).toBe(1);
    const attendance = await h.db
      .selectFrom('cycle_deadline_changes')
      .select('until')
      .where('cycle_id', '=', CYCLE)
      .where('stage', '=', 'attendance')
      .execute();
    expect(attendance).toEqual([]);
  });

  it('shows the cycle with its nominations per province and commodity', async () => {
    await waitFor(
      async () =>
        (await h.db.selectFrom('nominations').select('stage').where('workflow_id', '=', TAMA).executeTakeFirst())
          ?.stage === 'DETERMINED',
    );
    const [status, text, unknown, byDinas] = await Promise.all([
      ovop(['--json', 'cycle', 'status', CYCLE], { token: api.tokens.auditor }),
      ovop(['cycle', 'status', CYCLE], as.coordinator),
      ovop(['cycle', 'status', 'tidak-ada'], as.coordinator),
      ovop(['cycle', 'status', CYCLE], as.garut),
    ]);
    expect(status.code, status.stderr).toBe(0);
    const view = status.json();
    expect(view).toMatchObject({ cycleId: CYCLE, nominated: 13, status: 'OPEN', timezone: 'Asia/Jakarta' });
    expect(Date.parse(view.deadlineOverrides.documents)).toBeGreaterThan(Date.now());
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^ {2}intake +open until \d{4}-\d{2}-\d{2} \d{2}:\d{2} WIB/m);
    expect(text.stdout).toMatch(/^ {2}deadlines +documents until \d{4}-\d{2}-\d{2} \d{2}:\d{2} WIB$/m);
    expect(text.stdout).toMatch(/^Jawa Barat +32 +2 +\d+ +1 +\d+$/m);
    expect(byDinas.code).toBe(1);
    expect(byDinas.stderr.trim()).toBe(
      'ovop: role dinas_kabkota may not read a cycle; only a coordinator or an auditor may',
    );
    expect(view.byProvince.find((g: { code: string }) => g.code === '32')).toMatchObject({
      name: 'Jawa Barat',
      total: 2,
      starred: 1,
    });
    expect(view.byCommodity.find((g: { code: string }) => g.code === 'kain_tenun')).toMatchObject({
      total: 5,
      closedWithoutStars: 1,
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('ovop: no cycle tidak-ada');
  });

  it('reports the stars per province and commodity through the API, a dinas provinsi its own province only', async () => {
    const [table, csv, json, jabar, jabarOther, byDinas] = await Promise.all([
      ovop(['report', CYCLE], as.coordinator),
      ovop(['report', CYCLE, '--by', 'commodity', '--format', 'csv'], { token: api.tokens.auditor }),
      ovop(['--json', 'report', CYCLE], as.coordinator),
      ovop(['--json', 'report', CYCLE], { token: api.tokens.jabar }),
      ovop(['report', CYCLE, '--by', 'funnel'], { token: api.tokens.diy }),
      ovop(['--json', 'report', CYCLE], as.garut),
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain(
      'Bintang 5: PT. Tama Cokelat Indonesia dari Kab. Garut, Jawa Barat — Cokelat dodol, makanan & minuman',
    );
    expect(table.stdout).toMatch(/Jawa Barat\s+32\s+1\s+0\s+0\s+0\s+0\s+0\s+1\s+0\s+2/);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'commodity_code,commodity,bintang_5,bintang_4,bintang_3,bintang_2,bintang_1,not_classified,in_progress,closed_without_stars,total',
    );
    expect(lines).toContain('makanan_minuman,makanan & minuman,1,0,0,0,0,0,2,0,3');
    expect(json.json().starred).toEqual([
      expect.objectContaining({
        stars: 5,
        ikmName: 'PT. Tama Cokelat Indonesia',
        regency: 'Kab. Garut',
        province: 'Jawa Barat',
      }),
    ]);
    expect(jabar.code, jabar.stderr).toBe(0);
    expect(jabar.json().groups.map((g: { code: string }) => g.code)).toEqual(['32']);
    expect(jabar.json().nominations).toBe(2);
    expect(jabarOther.code, jabarOther.stderr).toBe(0);
    expect(jabarOther.stdout).not.toContain('Jawa Barat');
    expect(byDinas.code).toBe(1);
    expect(byDinas.json().error).toMatchObject({
      status: 403,
      message:
        'role dinas_kabkota may not read cycle reports; only a coordinator or an auditor or a dinas provinsi may',
    });
  });

  it('reads the audit trail from the history, and lists every mismatch with PostgreSQL', async () => {
    const trail = await ovop(['--json', 'audit', 'trail', TAMA]);
    expect(trail.code, trail.stderr).toBe(0);
    const t = trail.json();
    expect(t.comparison.mismatches).toEqual([]);
    expect(t.comparison.postgresRows).toBe(t.recorded.length);
    expect(t.entries).toContainEqual(
      expect.objectContaining({
        kind: 'update',
        actor: GARUT_USER,
        text: expect.stringContaining('update attendSocialization accepted'),
      }),
    );
    expect(t.entries).toContainEqual(
      expect.objectContaining({
        kind: 'recorded',
        text: expect.stringContaining(`stars.determined (stage STAR_RECOMMENDED → DETERMINED) by ${COORDINATOR_USER}`),
      }),
    );
    // The coaching office is in the history by reference (here the ministry's office is the first coordinator's
    // address); the trail's text says who it is.
    const determinedText = t.entries.find((e: { text: string }) => e.text.includes('stars.determined'))!.text;
    expect(determinedText).toContain('"office":"coordinator 1 (ref:coordinator:0)"');

    // Tamper with the withdrawn nomination's events: one row's actor changed; another's stage, time and payload; the
    // last one deleted; and one row that never happened. The owner does it, past the append-only trigger.
    const last = await bypassingAppendOnly(h.db, async (db) => {
      await db
        .updateTable('nomination_events')
        .set({ actor_id: 'orang-lain' })
        .where('workflow_id', '=', ULOS)
        .where('seq', '=', 1)
        .execute();
      const second = await db
        .selectFrom('nomination_events')
        .selectAll()
        .where('workflow_id', '=', ULOS)
        .where('seq', '=', 2)
        .executeTakeFirstOrThrow();
      await db
        .updateTable('nomination_events')
        .set({
          stage: 'AWAITING_DOCUMENTS',
          occurred_at: new Date(new Date(second.occurred_at).getTime() - 60_000),
          payload: JSON.stringify({ ...(second.payload as Record<string, unknown>), to: 'AWAITING_DOCUMENTS' }),
        })
        .where('workflow_id', '=', ULOS)
        .where('seq', '=', 2)
        .execute();
      const deleted = await db
        .deleteFrom('nomination_events')
        .where('workflow_id', '=', ULOS)
        .where('type', '=', 'nomination.withdrawn')
        .returning('seq')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('nomination_events')
        .values({
          workflow_id: ULOS,
          seq: 99,
          type: 'stars.determined',
          stage: 'DETERMINED',
          actor_role: 'coordinator',
          actor_id: 'ikma-1',
          actor_region: '00',
          payload: '{}',
          occurred_at: new Date(),
          chain_index: 99,
          prev_hash: '0'.repeat(64),
          hash: 'f'.repeat(64),
        })
        .execute();
      return deleted;
    });
    const tampered = await ovop(['--json', 'audit', 'trail', ULOS]);
    expect(tampered.code).toBe(1);
    expect(tampered.json().comparison.mismatches).toEqual([
      expect.objectContaining({
        seq: 1,
        problem: 'differs',
        fields: ['actor'],
        postgres: { type: 'nomination.identified', actor: 'coordinator:orang-lain:00' },
      }),
      expect.objectContaining({ seq: 2, problem: 'differs', fields: ['stage', 'time', 'payload'] }),
      expect.objectContaining({
        seq: last.seq,
        problem: 'missing in PostgreSQL',
        history: expect.objectContaining({ type: 'nomination.withdrawn' }),
      }),
      expect.objectContaining({ seq: 99, problem: 'not in the history' }),
    ]);
    const text = await ovop(['audit', 'trail', ULOS]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('4 mismatches between the history and PostgreSQL nomination_events');
  });

  it('exports a signed bundle that replays on the current code, and is reported non-deterministic on changed code', async () => {
    const key = join(dir, 'ovop-signing.pem');
    const keygen = await ovop(['--json', 'audit', 'keygen', '--out', key]);
    expect(keygen.code, keygen.stderr).toBe(0);
    expect(keygen.json()).toEqual({
      keyId: expect.stringMatching(/^[0-9a-f]{16}$/),
      privateKey: key,
      publicKey: `${dir}/ovop-signing.pub.pem`,
    });
    expect(statSync(key).mode & 0o777).toBe(0o600);
    const again = await ovop(['audit', 'keygen', '--out', key]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`cannot write ${key}: it exists (a key is never overwritten)`);
    const signing = { env: { OVOP_SIGNING_KEY_FILE: key } };
    const checking = { env: { OVOP_VERIFY_KEY_FILE: `${dir}/ovop-signing.pub.pem` } };

    const out = join(dir, 'h.json');
    const unkeyed = await ovop(['audit', 'export', TAMA, '--out', join(dir, 'unkeyed.json')]);
    expect(unkeyed.code).toBe(2);
    expect(unkeyed.stderr).toContain('no signing key: set OVOP_SIGNING_KEY_FILE');
    expect(existsSync(join(dir, 'unkeyed.json'))).toBe(false);
    const exported = await ovop(['--json', 'audit', 'export', TAMA, '--out', out], signing);
    expect(exported.code, exported.stderr).toBe(0);
    const file = JSON.parse(readFileSync(out, 'utf8'));
    expect(file.workflowId).toBe(TAMA);
    expect(file.events[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    const rows = await h.db
      .selectFrom('nomination_events')
      .select(['seq', 'hash'])
      .where('workflow_id', '=', TAMA)
      .orderBy('chain_index')
      .execute();
    expect(file.eventLog.map((r: { seq: number; hash: string }) => [r.seq, r.hash])).toEqual(
      rows.map((r) => [r.seq, r.hash]),
    );
    expect(file.chainHead).toEqual({ chainIndex: rows.length, hash: rows.at(-1)!.hash });
    expect(file.signature).toEqual({ algorithm: 'Ed25519', keyId: keygen.json().keyId, value: expect.any(String) });
    expect(exported.json()).toMatchObject({ eventLogRows: rows.length, keyId: keygen.json().keyId });

    // A changed release: the nomination sleeps a moment before its first step, a change made without patched().
    const changed = changedWorkflows('changed-workflows', 'await sleep(1);');
    const notHistory = join(dir, 'not-history.json');
    writeFileSync(notHistory, JSON.stringify({ hello: 'world' }));

    const [current, modified, invalid] = await Promise.all([
      ovop(['audit', 'replay', '--file', out], checking),
      ovop(['--json', 'audit', 'replay', '--file', out, '--workflows', changed], checking),
      ovop(['audit', 'replay', '--file', notHistory]),
    ]);
    expect(current.code, current.stderr).toBe(0);
    expect(current.stdout).toContain(`signature of key ${keygen.json().keyId} verified`);
    expect(current.stdout).toMatch(/: OK$/m);
    expect(current.stderr).toBe('');
    expect(modified.code).toBe(1);
    expect(modified.json()).toMatchObject({
      ok: false,
      kind: 'non-deterministic',
      divergesAt: { eventId: expect.any(Number) },
    });
    expect(modified.stderr).toBe('');
    expect(invalid.code).toBe(2);
  });

  it('refuses a bundle changed by one byte, unsigned or signed by another key before replaying; a plain history replays with a warning', async () => {
    const out = join(dir, 'h.json');
    const text = readFileSync(out, 'utf8');
    const pub = `${dir}/ovop-signing.pub.pem`;
    const variant = (name: string, content: string) => {
      writeFileSync(join(dir, name), content);
      return join(dir, name);
    };
    // One byte of an event-log row's actor id; the file's last byte (a newline made a space); the signature removed.
    const at = text.indexOf('"actor_id": "', text.indexOf('"eventLog"')) + '"actor_id": "'.length;
    const flipped = variant('flipped.json', text.slice(0, at) + (text[at] === 'x' ? 'y' : 'x') + text.slice(at + 1));
    const spaced = variant('spaced.json', `${text.slice(0, -1)} `);
    const { signature: _s, ...unsignedBundle } = JSON.parse(text);
    const unsigned = variant('unsigned.json', `${JSON.stringify(unsignedBundle, null, 2)}\n`);
    const otherKey = join(dir, 'other.pem');
    expect((await ovop(['audit', 'keygen', '--out', otherKey])).code).toBe(0);
    // A committed fixture: a history as Temporal's UI and CLI download it.
    const plain = join(REPO_ROOT, 'test/fixtures/histories/nomination-r2-excellent.json');
    const bundle = ['--workflow-bundle', inject('workflowBundlePath')];
    const [a, b, c, d, e] = await Promise.all([
      ovop(['audit', 'replay', '--file', flipped, ...bundle], { env: { OVOP_VERIFY_KEY_FILE: pub } }),
      ovop(['audit', 'replay', '--file', spaced, ...bundle], { env: { OVOP_VERIFY_KEY_FILE: pub } }),
      ovop(['audit', 'replay', '--file', unsigned, ...bundle], { env: { OVOP_VERIFY_KEY_FILE: pub } }),
      ovop(['audit', 'replay', '--file', out, ...bundle], { env: { OVOP_VERIFY_KEY_FILE: `${dir}/other.pub.pem` } }),
      ovop(['audit', 'replay', '--file', plain, ...bundle]),
    ]);
    for (const r of [a, b, c, d]) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toBe('');
    }
    expect(a.stderr.trim()).toBe(
      `ovop: ${flipped} is a tampered audit bundle: its signature does not match its content; do not trust or replay it`,
    );
    expect(b.stderr.trim()).toBe(
      `ovop: ${spaced} is a tampered audit bundle: its bytes differ from what ovop audit export wrote; do not trust or replay it`,
    );
    expect(c.stderr.trim()).toBe(`ovop: ${unsigned} is an unsigned audit bundle: nothing proves where it came from`);
    expect(d.stderr).toContain(
      `was signed with key ${JSON.parse(text).signature.keyId} (Ed25519), not the verification key`,
    );
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/unsigned\) against .*: OK$/m);
    expect(e.stderr).toContain(`ovop: warning: ${plain} is an unsigned Temporal history, not a signed audit bundle`);
  });

  it('replays every workflow of the cycle, and names the first broken link of the event log tampered with above', async () => {
    // The run's prebuilt bundle of the current workflows (bundling the current code is covered by the replay above).
    const bundle = ['--workflow-bundle', inject('workflowBundlePath')];
    const [r, text] = await Promise.all([
      ovop(['--json', 'audit', 'verify', CYCLE, ...bundle]),
      ovop(['audit', 'verify', CYCLE, ...bundle]),
    ]);
    // Every run of the 13 nominations (short runs: a nomination past its stage boundaries has several) and of the
    // cycle itself replays; Ulos's chain breaks at its first row, whose actor was changed.
    expect(r.code, r.stderr).toBe(1);
    const report = r.json();
    expect(report).toMatchObject({ missing: 0, failed: 0, chains: { nominations: 13 } });
    expect(report.replayed).toBe(report.results.length);
    expect(new Set(report.results.map((x: { workflowId: string }) => x.workflowId)).size).toBe(14);
    expect(report.chains.broken).toEqual([
      {
        workflowId: ULOS,
        chainIndex: 1,
        seq: 1,
        field: 'hash',
        expected: expect.stringMatching(/^[0-9a-f]{64}$/),
        found: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(
      `Event log of cycle ${CYCLE}: ${report.chains.events} rows in 13 nomination chains, 1 broken.`,
    );
    expect(text.stdout).toMatch(
      new RegExp(
        `${ULOS}\\s+1\\s+1\\s+hash\\s+${report.chains.broken[0].expected}\\s+${report.chains.broken[0].found}`,
      ),
    );
  });

  it('names a nomination PostgreSQL records but Temporal does not hold as missing, with exit code 1', async () => {
    // A cycle of its own: one projected nomination whose workflow was never started (as after Temporal's retention).
    const lost = 'ovop/uji-hilang/nomination/32.05/ikm-yang-hilang';
    await seedNominations(h.db, [
      {
        workflowId: lost,
        cycleId: 'uji-hilang',
        regencyCode: '32.05',
        ikmName: 'IKM Yang Hilang',
        sentraName: '',
        commodity: 'kriya',
        product: 'Anyaman',
        stage: 'ASSESSMENT',
      },
    ]);
    const r = await ovop([
      '--json',
      'audit',
      'verify',
      'uji-hilang',
      '--workflow-bundle',
      inject('workflowBundlePath'),
    ]);
    // The suite shares one database: the stand-in row goes before any assertion can fail.
    await h.db.deleteFrom('nominations').where('workflow_id', '=', lost).execute();
    expect(r.code, r.stderr).toBe(1);
    expect(r.json()).toMatchObject({
      replayed: 0,
      missing: 1,
      failed: 1,
      results: [{ workflowId: lost, ok: false, kind: 'missing' }],
    });
  });

  it('verifies a cycle on several replay workers: a change that breaks one nomination names that one', async () => {
    // Only Tama's nomination takes another path on this code; the replays run on three workers at once, so the
    // verdicts come back out of order and must still be matched to their own histories.
    const changed = changedWorkflows(
      'changed-for-tama',
      `if (workflowInfo().workflowId === '${TAMA}') await sleep(1);`,
    );
    const [json, text, badJobs] = await Promise.all([
      // Each bundles the changed code itself, which takes long on a busy machine. --replay-all: the two runs replay the
      // same bundle at once, and one must not answer from verdicts the other has just stored.
      ovop(['--json', 'audit', 'verify', CYCLE, '--workflows', changed, '--jobs', '3', '--replay-all'], {
        timeoutMs: 100_000,
      }),
      ovop(['audit', 'verify', CYCLE, '--workflows', changed, '--jobs', '3', '--replay-all'], { timeoutMs: 100_000 }),
      ovop(['audit', 'verify', CYCLE, '--jobs', '0']),
    ]);
    expect(json.code, json.stderr).toBe(1);
    const report = json.json();
    type Result = { workflowId: string; ok: boolean };
    // Each of Tama's runs (short runs) starts on the changed code, so each fails; every run of the others replays.
    const failed = report.results.filter((r: Result) => !r.ok);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect(f).toMatchObject({ workflowId: TAMA, kind: 'non-deterministic' });
    // The run that reached the changed line names the event it diverged at.
    expect(failed.some((f: { divergesAt?: unknown }) => f.divergesAt !== undefined)).toBe(true);
    const passed = report.results.filter((r: Result) => r.ok);
    expect(passed.some((r: Result) => r.workflowId === TAMA)).toBe(false);
    expect(new Set(passed.map((r: Result) => r.workflowId)).size).toBe(13);
    expect(report).toMatchObject({ replayed: report.results.length, failed: failed.length });
    expect(text.code, text.stderr).toBe(1);
    expect(text.stdout).toContain(
      `Replayed ${report.replayed} workflow runs of cycle ${CYCLE} (${report.replayed} from Temporal, 0 from the history archive (PostgreSQL)) against ${changed}/index.ts: ${failed.length} failed.`,
    );
    expect(text.stdout).toMatch(new RegExp(`${TAMA}\\s+\\S+\\s+temporal\\s+non-deterministic`));
    expect(badJobs.code).toBe(2);
    expect(badJobs.stderr).toContain('--jobs must be a whole number from 1 to 64, not 0');
  });

  it('finalizes the cycle: intake closes', async () => {
    const byDinas = await ovop(['--json', 'cycle', 'finalize', CYCLE], as.garut);
    expect(byDinas.code).toBe(1);
    expect(byDinas.stderr).toContain('role dinas_kabkota may not finalize a cycle');
    expect(byDinas.json().error).toMatchObject({ exitCode: 1, status: 403, code: 'forbidden' });
    // Refused by the API before sending: no Update in the cycle's history, its row still open.
    expect(await acceptedUpdates(h.client, `ovop/${CYCLE}/cycle`, 'finalizeCycle')).toBe(0);
    expect(
      await h.db
        .selectFrom('cycles')
        .select(['status', 'finalized_at'])
        .where('id', '=', CYCLE)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: 'OPEN', finalized_at: null });
    const finalized = await ovop(['--json', 'cycle', 'finalize', CYCLE], as.coordinator);
    expect(finalized.code, finalized.stderr).toBe(0);
    expect(finalized.json()).toMatchObject({ finalizeRequested: true, intakeOpen: false });
    const [again, late] = await Promise.all([
      ovop(['cycle', 'finalize', CYCLE], as.coordinator),
      ovop(
        [
          'nominate',
          '--cycle',
          CYCLE,
          '--regency',
          '32.05',
          '--ikm',
          'Kopi Garut',
          '--sentra',
          'Sentra Kopi',
          '--commodity',
          'makanan_minuman',
          '--product',
          'Kopi',
          '--sentra-size',
          '9',
        ],
        as.garut,
      ),
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already requested');
    expect(late.code).toBe(1);
    expect(late.stdout).toContain(`intake for cycle ${CYCLE} is closed`);
  });
});
