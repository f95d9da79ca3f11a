/**
 * `ovop users`, the operator commands that manage who may sign in: run as a user would (a child process on the
 * database), judged by the rows they leave and by what the API then lets each user do.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { call, startApi, type ApiUnderTest } from '../support/api';
import { cliRunner, type Ovop } from '../support/cli';

let h: Harness;
let api: ApiUnderTest;
let ovop: Ovop;
const dir = mkdtempSync(join(tmpdir(), 'ovop-users-'));

beforeAll(async () => {
  h = await startHarness('api-users');
  api = await startApi(h);
  ovop = cliRunner(h.taskQueue);
});
afterAll(async () => {
  await api?.stop();
  await h?.stop();
});

const userRow = (id: string) => h.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();

describe('ovop users', () => {
  it('adds a user; a token made for it signs in to the API as that user', async () => {
    const added = await ovop([
      'users',
      'add',
      '--id',
      'disperin-34.71',
      '--name',
      'Disperindag Kota Yogyakarta',
      '--email',
      'Disperindag@Jogjakota.example',
      '--role',
      'dinas_kabkota',
      '--region',
      '34.71',
    ]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/User disperin-34\.71 .* created/);
    expect(await userRow('disperin-34.71')).toMatchObject({
      email: 'disperindag@jogjakota.example',
      role: 'dinas_kabkota',
      region: '34.71',
      active: true,
    });
    const token = await ovop(['users', 'token', 'disperin-34.71', '--days', '7', '--json']);
    expect(token.code).toBe(0);
    const { token: secret } = token.json<{ token: string }>();
    const session = await call(api, 'GET', '/api/session', { token: secret });
    expect(session.status).toBe(200);
    expect(session.body.user).toMatchObject({ id: 'disperin-34.71', role: 'dinas_kabkota', region: '34.71' });
  });

  it('refuses a user whose region does not fit its role, and writes nothing', async () => {
    const bad = await ovop([
      'users',
      'add',
      '--id',
      'disperin-x',
      '--name',
      'X',
      '--email',
      'x@example.id',
      '--role',
      'dinas_kabkota',
      '--region',
      '32',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /a dinas kabupaten\/kota needs a Kemendagri kabupaten\/kota code such as 32\.05, not "32"/,
    );
    expect(await userRow('disperin-x')).toBeUndefined();
  });

  it('imports a CSV all or nothing, and lists the users', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(
      bad,
      'id,name,email,role,region\npenilai-ayu,Ayu,ayu@example.id,assessor,51\npenilai-x,X,not-an-address,assessor,99\n',
    );
    const refused = await ovop(['users', 'import', '--file', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/2 problem\(s\); nothing was imported/);
    expect(refused.stderr).toMatch(/row 3: email "not-an-address" is not an address/);
    expect(refused.stderr).toMatch(/row 3: an assessor needs a province code such as 32, not "99"/);
    expect(await userRow('penilai-ayu')).toBeUndefined();

    const good = join(dir, 'good.csv');
    writeFileSync(
      good,
      'id,name,email,role,region\npenilai-ayu,Ayu Lestari,ayu@example.id,assessor,51\ndisperin-51,Disperindag Bali,disperin.bali@example.id,dinas_provinsi,51\n',
    );
    const imported = await ovop(['users', 'import', '--file', good]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/Imported 2 user\(s\) .*: 2 created, 0 updated/);
    const listed = await ovop(['users', 'list', '--json']);
    expect(listed.json<{ id: string }[]>().map((u) => u.id)).toEqual(
      expect.arrayContaining(['penilai-ayu', 'disperin-51']),
    );
  });

  it('disables a user: its tokens stop working at once', async () => {
    const token = (await ovop(['users', 'token', 'penilai-ayu', '--json'])).json<{ token: string }>().token;
    expect((await call(api, 'GET', '/api/session', { token })).status).toBe(200);
    const disabled = await ovop(['users', 'disable', 'ayu@example.id']);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toMatch(/User penilai-ayu disabled/);
    const after = await call(api, 'GET', '/api/session', { token });
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ code: 'token_revoked', message: 'this API token was revoked; ask for a new one' });
    expect((await userRow('penilai-ayu'))?.active).toBe(false);
    const again = await ovop(['users', 'token', 'penilai-ayu']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/user penilai-ayu is disabled/);
  });
});
