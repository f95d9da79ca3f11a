/**
 * The tamper-evident event log (issue #15 item 5): rows chained per nomination by the projection activity, even when
 * written concurrently and retried; UPDATE, DELETE and TRUNCATE refused by the trigger for every role and by the
 * GRANTs for the runtime role (real PostgreSQL only: PGlite has one superuser); and a change made past both found
 * at its link.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createProjectionActivities } from '../../activities/projection.activity';
import type { RecordEventInput } from '../../activities/contracts';
import { createDb, type Database } from '../../db/database';
import { GENESIS_HASH, verifyChain } from '../../db/event-chain';
import { chainRows, checkCycleChains } from '../../db/event-chain-read';
import { grantRuntimeRole } from '../../db/roles';
import { BUNDLE_FORMAT, serializeBundle, signBundle } from '../../client/audit-bundle';
import { readHistoryFile } from '../../client/commands/audit-replay';
import { CliError } from '../../client/errors';
import { bypassingAppendOnly } from '../support/event-log';
import { REPO_ROOT } from '../support/cli';

const CYCLE = `chain-${Date.now()}`;
const WF = `ovop/${CYCLE}/nomination/32.05/tenun-rantai`;
const realPostgres = !inject('databaseUrl').includes('application_name=ovop-pglite');

function event(seq: number, workflowId = WF): RecordEventInput {
  return {
    workflowId,
    seq,
    type: seq === 1 ? 'nomination.identified' : 'stage.changed',
    stage: 'IDENTIFIED',
    actor: { role: 'dinas_kabkota', id: 'garut-1', region: '32.05' },
    at: new Date(Date.UTC(2027, 0, 1, 0, 0, seq)).toISOString(),
    payload: { seq, note: 'kain "ulos" ü', nested: { b: [1, 2.5], a: null } },
    projection: {
      cycleId: CYCLE,
      regencyCode: '32.05',
      provinceCode: '32',
      ikmName: 'Tenun Rantai',
      sentraName: 'Sentra Tenun',
      commodity: 'tenun',
      product: 'kain',
      stage: 'IDENTIFIED',
      previousStars: null,
      provisionalScore: null,
      recommendedStars: null,
      stars: null,
      scores: null,
      deadlineAt: null,
    },
  };
}

async function rowOf(db: Kysely<Database>, seq: number) {
  return db
    .selectFrom('nomination_events')
    .selectAll()
    .where('workflow_id', '=', WF)
    .where('seq', '=', seq)
    .executeTakeFirstOrThrow();
}

describe('the event log is a hash chain per nomination', () => {
  let db: Kysely<Database>;
  beforeAll(() => {
    db = createDb(inject('databaseUrl'));
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('chains rows written concurrently, out of order and retried into one intact chain', async () => {
    const { recordNominationEvent } = createProjectionActivities(db);
    // Seqs 1..8 out of order, each delivered twice at once, as retried activities of one workflow would be.
    const order = [3, 1, 2, 5, 4, 8, 6, 7];
    const results = await Promise.all(
      order.flatMap((s) => [recordNominationEvent(event(s)), recordNominationEvent(event(s))]),
    );
    expect(results.filter((r) => r.inserted)).toHaveLength(8);

    const rows = await chainRows(db, WF);
    expect(rows.map((r) => r.chain_index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(rows.map((r) => r.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    expect(verifyChain(rows)).toEqual({ length: 8, head: rows[7]!.hash });
    // A late retry appends nothing.
    expect(await recordNominationEvent(event(4))).toEqual({ inserted: false });
    expect(await chainRows(db, WF)).toHaveLength(8);
  });

  it('refuses UPDATE, DELETE and TRUNCATE by its trigger, even to the owner, and leaves the row as it was', async () => {
    const before = await rowOf(db, 2);
    await expect(
      db.updateTable('nomination_events').set({ actor_id: 'someone-else' }).where('id', '=', before.id).execute(),
    ).rejects.toThrow(
      'nomination_events is append-only: UPDATE refused (the event log is a hash chain; record a new event instead)',
    );
    await expect(db.deleteFrom('nomination_events').where('id', '=', before.id).execute()).rejects.toThrow(
      'nomination_events is append-only: DELETE refused',
    );
    await expect(sql`truncate nomination_events`.execute(db)).rejects.toThrow(
      'nomination_events is append-only: TRUNCATE refused',
    );
    expect(await rowOf(db, 2)).toEqual(before);
  });

  it.skipIf(!realPostgres)(
    'refuses UPDATE, DELETE and TRUNCATE to the runtime role by its GRANTs, and lets it INSERT and SELECT',
    async () => {
      const role = `ovop_runtime_test_${process.pid}`;
      await sql`create role ${sql.id(role)} login`.execute(db);
      const url = new URL(inject('databaseUrl'));
      url.username = role;
      url.password = '';
      const runtime = createDb(url.toString(), { max: 1 });
      try {
        await grantRuntimeRole(db, role);
        const before = await rowOf(db, 3);
        await expect(
          runtime.updateTable('nomination_events').set({ stage: 'DETERMINED' }).where('id', '=', before.id).execute(),
        ).rejects.toThrow('permission denied for table nomination_events');
        await expect(runtime.deleteFrom('nomination_events').where('id', '=', before.id).execute()).rejects.toThrow(
          'permission denied for table nomination_events',
        );
        await expect(sql`truncate nomination_events`.execute(runtime)).rejects.toThrow(
          'permission denied for table nomination_events',
        );
        // Nor can it drop the trigger that would stop it if it had the rights.
        await expect(
          sql`alter table nomination_events disable trigger nomination_events_append_only`.execute(runtime),
        ).rejects.toThrow('must be owner of table nomination_events');
        expect(await rowOf(db, 3)).toEqual(before);

        // What it needs it has: the activity's append, and reading the chain back.
        const other = `ovop/${CYCLE}/nomination/32.05/runtime-role`;
        const { recordNominationEvent } = createProjectionActivities(runtime);
        expect(await recordNominationEvent(event(1, other))).toEqual({ inserted: true });
        expect(verifyChain(await chainRows(runtime, other)).broken).toBeUndefined();
      } finally {
        await runtime.destroy();
        await sql`drop owned by ${sql.id(role)}`.execute(db);
        await sql`drop role ${sql.id(role)}`.execute(db);
      }
    },
  );

  it('finds a row the owner changed past the trigger, at its link, with the expected and found hash', async () => {
    expect((await checkCycleChains(db, CYCLE)).broken).toEqual([]);
    const row = await rowOf(db, 5);
    await bypassingAppendOnly(db, (trx) =>
      trx.updateTable('nomination_events').set({ actor_id: 'orang-lain' }).where('id', '=', row.id).execute(),
    );
    const { broken, nominations } = await checkCycleChains(db, CYCLE);
    expect(nominations).toBe(realPostgres ? 2 : 1);
    expect(broken).toEqual([
      {
        workflowId: WF,
        chainIndex: row.chain_index,
        seq: 5,
        field: 'hash',
        expected: expect.stringMatching(/^[0-9a-f]{64}$/),
        found: row.hash,
      },
    ]);
    expect(broken[0]!.expected).not.toBe(row.hash);

    // Recomputing the row's own hash to hide the change breaks the next link instead.
    await bypassingAppendOnly(db, (trx) =>
      trx.updateTable('nomination_events').set({ hash: broken[0]!.expected }).where('id', '=', row.id).execute(),
    );
    const next = (await chainRows(db, WF)).find((r) => r.chain_index === row.chain_index + 1)!;
    expect((await checkCycleChains(db, CYCLE)).broken).toEqual([
      expect.objectContaining({ chainIndex: next.chain_index, seq: next.seq, field: 'prev_hash', found: row.hash }),
    ]);
  });

  it('refuses every one-byte edit of a signed bundle (exit 1) and reads the unedited one', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const dir = mkdtempSync(join(tmpdir(), 'ovop-bundle-'));
    const pub = join(dir, 'key.pub.pem');
    writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
    // A committed history and this file's intact chain (a nomination of its own: the one above was tampered with).
    const other = `ovop/${CYCLE}/nomination/32.05/bundle-fuzz`;
    const { recordNominationEvent } = createProjectionActivities(db);
    for (const seq of [1, 2, 3]) await recordNominationEvent(event(seq, other));
    const rows = await chainRows(db, other);
    const history = JSON.parse(
      readFileSync(join(REPO_ROOT, 'test/fixtures/histories/nomination-r2-excellent.json'), 'utf8'),
    ) as { events: unknown[] };
    const text = serializeBundle(
      signBundle(
        {
          format: BUNDLE_FORMAT,
          workflowId: other,
          exportedAt: new Date().toISOString(),
          events: history.events.slice(0, 30),
          eventLog: rows.map((r) => ({ ...r, occurred_at: new Date(r.occurred_at).toISOString() })),
          chainHead: { chainIndex: rows.length, hash: rows.at(-1)!.hash },
        },
        privateKey,
      ),
    );
    const file = join(dir, 'b.json');
    writeFileSync(file, text);
    expect(readHistoryFile(file, pub)).toMatchObject({ workflowId: other, signedBy: expect.any(String) });

    // Seeded positions and printable replacement bytes, across the whole file.
    let seed = 20261201;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const refusals = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const at = random(text.length);
      let replacement = String.fromCharCode(32 + random(95));
      if (replacement === text[at]) replacement = replacement === 'x' ? 'y' : 'x';
      writeFileSync(file, text.slice(0, at) + replacement + text.slice(at + 1));
      let error: unknown;
      try {
        readHistoryFile(file, pub);
      } catch (err) {
        error = err;
      }
      expect(error, `byte ${at} (${JSON.stringify(text[at])} → ${JSON.stringify(replacement)})`).toBeInstanceOf(
        CliError,
      );
      expect((error as CliError).exitCode, (error as Error).message).toBe(1);
      const reason = (error as Error).message.replace(/^.*?: /, '');
      refusals.set(reason, (refusals.get(reason) ?? 0) + 1);
    }
    // Most edits break the signature; some the JSON itself; none slips through.
    expect([...refusals.keys()].some((r) => r.includes('its signature does not match its content'))).toBe(true);
  });
});
