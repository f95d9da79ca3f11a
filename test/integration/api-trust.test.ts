/**
 * The trust boundary, red-teamed over real HTTP: every refusal is checked for its status, its code and message, and
 * for leaving nothing behind — no new event in the workflow's Temporal history, no new row in nomination_events,
 * documents or assessments — and the access log records it. The actor the workflow records is the one the API derived.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createSignInLink } from '../../db/credentials';
import { disableUser, upsertUser } from '../../db/users';
import { readMailbox } from '../../embedded/mailbox';
import {
  nominationInput,
  scoresFor,
  sha256,
  startNominationDirectly,
  testConfig,
  workflowInput,
} from '../../bench/drivers';
import { startHarness, waitFor, type Harness } from '../support/harness';
import {
  assessorToken,
  call,
  nominationPath,
  startApi,
  TEST_USERS,
  type Answer,
  type ApiUnderTest,
  type TestUser,
} from '../support/api';

let h: Harness;
let api: ApiUnderTest;
// Two assessors of the pool, so that others from another province are left unassigned.
const config = testConfig('uji-api-trust', { mutate: (c) => (c.assessment.assessorsPerNomination = 2) });

async function startNomination(regencyCode: string, ikmName: string): Promise<string> {
  const n = nominationInput(config, { regencyCode, ikmName });
  const { workflowId } = await startNominationDirectly(h, h.taskQueue, workflowInput(config, n));
  await stageIs(workflowId, 'AWAITING_SOCIALIZATION');
  return workflowId;
}

async function stageIs(workflowId: string, stage: string) {
  await waitFor(
    async () =>
      (await h.db.selectFrom('nominations').select('stage').where('workflow_id', '=', workflowId).executeTakeFirst())
        ?.stage === stage,
    { what: `${workflowId} in ${stage}` },
  );
  await historySettled(workflowId);
}

const historyLength = async (workflowId: string) =>
  (await h.client.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0;

/** Waits until the workflow has stopped writing history (its mails and rows of the last step are done). */
async function historySettled(workflowId: string): Promise<number> {
  let last = -1;
  for (;;) {
    const now = await historyLength(workflowId);
    if (now === last) return now;
    last = now;
    await new Promise((r) => setTimeout(r, 700));
  }
}

const count = async (table: 'nomination_events' | 'documents' | 'assessments', workflowId: string) =>
  Number(
    (
      await h.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .where('workflow_id', '=', workflowId)
        .executeTakeFirstOrThrow()
    ).n,
  );

interface Footprint {
  history: number;
  events: number;
  documents: number;
  assessments: number;
}
async function footprint(workflowId: string): Promise<Footprint> {
  return {
    history: await historySettled(workflowId),
    events: await count('nomination_events', workflowId),
    documents: await count('documents', workflowId),
    assessments: await count('assessments', workflowId),
  };
}

/** A refusal: its status, code and message; nothing written; and a row in the access log. */
async function expectRefusal(
  res: Answer,
  status: number,
  code: string,
  message: RegExp,
  workflowId: string | null,
  before: Footprint | null,
) {
  expect(res.body, JSON.stringify(res.body)).toEqual({ code, message: expect.stringMatching(message) });
  expect(res.status).toBe(status);
  if (workflowId && before) expect(await footprint(workflowId)).toEqual(before);
  if (status === 401 || status === 403) {
    const logged = await h.db
      .selectFrom('access_log')
      .selectAll()
      .where('code', '=', code)
      .where('message', '=', res.body.message)
      .execute();
    expect(logged.length, `access_log row for ${code}`).toBeGreaterThan(0);
  }
}

const as = (user: TestUser) => ({ token: api.tokens[user] });

let garutId: string;
beforeAll(async () => {
  h = await startHarness('api-trust');
  api = await startApi(h);
  garutId = await startNomination('32.05', 'Batik Garutan Trust');
});
afterAll(async () => {
  await api?.stop();
  await h?.stop();
});

describe('signed out, forged and spent credentials', () => {
  it('answers 401 signed_out to a read and to an action without credentials', async () => {
    const before = await footprint(garutId);
    await expectRefusal(await call(api, 'GET', '/api/nominations'), 401, 'signed_out', /sign in first/, null, null);
    await expectRefusal(
      await call(api, 'POST', nominationPath(garutId, '/attendance'), { body: { sessionId: 'sesi-1-yogyakarta' } }),
      401,
      'signed_out',
      /sign in first/,
      garutId,
      before,
    );
  });

  it('refuses a forged token, a revoked token, an expired token and a disabled user', async () => {
    const before = await footprint(garutId);
    const attend = (token: string) =>
      call(api, 'POST', nominationPath(garutId, '/attendance'), { token, body: { sessionId: 'sesi-1-yogyakarta' } });
    await expectRefusal(await attend('ovop_t_forged'), 401, 'token_invalid', /not valid/, garutId, before);

    const made = await call(api, 'POST', '/api/tokens', { ...as('garut'), body: { name: 'script', expiresInDays: 7 } });
    expect(made.status).toBe(201);
    expect(made.body.token).toMatch(/^ovop_t_/);
    expect((await call(api, 'GET', '/api/session', { token: made.body.token })).body.user.id).toBe('disperin-32.05');
    const stored = await h.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', made.body.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(made.body.token.slice(7, 20)); // stored hashed only
    expect((await call(api, 'DELETE', `/api/tokens/${made.body.id}`, as('garut'))).status).toBe(204);
    await expectRefusal(await attend(made.body.token), 401, 'token_revoked', /revoked/, garutId, before);

    const expired = await createApiToken(h.db, 'disperin-32.05', { name: 'old', ttlDays: -1 });
    await expectRefusal(await attend(expired.token), 401, 'token_expired', /expired/, garutId, before);

    await upsertUser(h.db, {
      id: 'disperin-32.07',
      name: 'Disperin Ciamis',
      email: 'ciamis@example.id',
      role: 'dinas_kabkota',
      region: '32.07',
    });
    const ciamis = await createApiToken(h.db, 'disperin-32.07', { name: 't', ttlDays: 1 });
    await disableUser(h.db, 'disperin-32.07');
    // Disabling revokes the user's tokens at once.
    await expectRefusal(await attend(ciamis.token), 401, 'token_revoked', /revoked/, garutId, before);
  });

  it('refuses a forged, a reused and an expired sign-in link; the good one opens a session', async () => {
    const user = TEST_USERS.garut;
    const asked = await call(api, 'POST', '/api/sign-in/link', { body: { email: user.email.toUpperCase() } });
    expect(asked.status).toBe(202);
    expect(asked.body.message).toMatch(/sign-in link is on its way/);
    const mail = await waitFor(async () =>
      (await readMailbox(h.mailDir)).find((m) => m.template === 'sign-in-link' && m.to.includes(user.email)),
    );
    const link = /(http:\/\/\S+\/api\/sign-in\/\S+)/.exec(mail.text)![1];
    const path = new URL(link).pathname;
    const page = await call(api, 'GET', path);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.body).toContain('<form method="post"');
    // Opening the page does not use the link up (mail scanners fetch links).
    const first = await call(api, 'POST', path);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ user: { id: user.id, role: 'dinas_kabkota', region: '32.05' }, via: 'session' });
    const setCookie = first.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/ovop_session=ovop_s_/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);

    await expectRefusal(await call(api, 'POST', path), 401, 'link_used', /used already/, null, null);
    await expectRefusal(
      await call(api, 'POST', '/api/sign-in/ovop_l_forged'),
      401,
      'link_invalid',
      /not valid/,
      null,
      null,
    );
    const old = await createSignInLink(h.db, user.id, -1);
    await expectRefusal(
      await call(api, 'POST', `/api/sign-in/${old.token}`),
      401,
      'link_expired',
      /expired/,
      null,
      null,
    );
    const refusals = await h.db
      .selectFrom('access_log')
      .select('code')
      .where('event', '=', 'sign_in_refused')
      .execute();
    expect(refusals.map((r) => r.code)).toEqual(expect.arrayContaining(['link_used', 'link_invalid', 'link_expired']));
    expect(
      await h.db.selectFrom('access_log').select('user_id').where('event', '=', 'sign_in').execute(),
    ).toContainEqual({ user_id: user.id });
  });

  it('answers an unknown address like a known one and mails nothing', async () => {
    const mailsBefore = (await readMailbox(h.mailDir)).length;
    const asked = await call(api, 'POST', '/api/sign-in/link', { body: { email: 'nobody@example.id' } });
    expect(asked.status).toBe(202);
    expect(asked.body.message).toMatch(/if nobody@example.id belongs to an active user/);
    await new Promise((r) => setTimeout(r, 500));
    expect((await readMailbox(h.mailDir)).length).toBe(mailsBefore);
  });
});

describe('a session cookie needs its CSRF token for every state-changing request', () => {
  it('refuses an action without the token, and takes it with the token', async () => {
    const otherId = await startNomination('32.05', 'Anyaman Garut Csrf');
    const link = await createSignInLink(h.db, 'disperin-32.05', 5);
    const signedIn = await call(api, 'POST', `/api/sign-in/${link.token}`);
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0];
    const csrf: string = signedIn.body.csrfToken;
    const before = await footprint(otherId);
    const path = nominationPath(otherId, '/attendance');
    const body = { sessionId: 'sesi-1-yogyakarta' };
    await expectRefusal(
      await call(api, 'POST', path, { cookie, body }),
      403,
      'csrf_invalid',
      /CSRF token/,
      otherId,
      before,
    );
    await expectRefusal(
      await call(api, 'POST', path, { cookie, body, csrf: 'x'.repeat(43) }),
      403,
      'csrf_invalid',
      /CSRF token/,
      otherId,
      before,
    );
    // A form post (what a cross-site page can send) is refused the same way.
    const form = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'sessionId=sesi-1-yogyakarta',
    });
    expect(form.status).toBe(403);
    expect(await form.json()).toMatchObject({ code: 'csrf_invalid' });
    expect(await footprint(otherId)).toEqual(before);
    // A read needs no CSRF token; the session's token is also what GET /api/session answers.
    const session = await call(api, 'GET', '/api/session', { cookie });
    expect(session.body).toMatchObject({ user: { id: 'disperin-32.05' }, csrfToken: csrf });

    const ok = await call(api, 'POST', path, { cookie, csrf, body });
    expect(ok.status).toBe(200);
    expect(ok.body.attendedSession).toBe('sesi-1-yogyakarta');

    expect((await call(api, 'POST', '/api/sign-out', { cookie, csrf })).status).toBe(204);
    await expectRefusal(
      await call(api, 'GET', '/api/session', { cookie }),
      401,
      'session_invalid',
      /sign in again/,
      null,
      null,
    );
  });
});

describe('bodies and queries with unknown fields', () => {
  it('refuses an actor in the body: the actor comes from the sign-in only', async () => {
    const before = await footprint(garutId);
    const res = await call(api, 'POST', nominationPath(garutId, '/attendance'), {
      ...as('garut'),
      body: { sessionId: 'sesi-1-yogyakarta', actor: { role: 'coordinator', id: 'i-say-i-am', region: '00' } },
    });
    await expectRefusal(res, 400, 'invalid_request', /^invalid body: unknown field actor$/, garutId, before);
    const query = await call(api, 'GET', '/api/nominations?cycle=x&as=coordinator', as('garut'));
    await expectRefusal(query, 400, 'invalid_request', /unknown field as/, null, null);
  });
});

describe('region and role', () => {
  it('refuses another kabupaten/kota and another province, and lists only what is in reach', async () => {
    const before = await footprint(garutId);
    await expectRefusal(
      await call(api, 'GET', nominationPath(garutId), as('tasikmalaya')),
      403,
      'forbidden',
      /belongs to kabupaten\/kota 32\.05; you act for 32\.06/,
      null,
      null,
    );
    await expectRefusal(
      await call(api, 'POST', nominationPath(garutId, '/attendance'), {
        ...as('tasikmalaya'),
        body: { sessionId: 'sesi-1-yogyakarta' },
      }),
      403,
      'forbidden',
      /you act for 32\.06/,
      garutId,
      before,
    );
    await expectRefusal(
      await call(api, 'POST', nominationPath(garutId, '/withdrawal'), {
        ...as('tasikmalaya'),
        body: { reason: 'sabotage' },
      }),
      403,
      'forbidden',
      /you act for 32\.06/,
      garutId,
      before,
    );
    await expectRefusal(
      await call(api, 'GET', nominationPath(garutId), as('diy')),
      403,
      'forbidden',
      /is in province 32; you act for province 34/,
      null,
      null,
    );
    // Its own province's dinas reads it, but has no actions.
    expect((await call(api, 'GET', nominationPath(garutId), as('jabar'))).status).toBe(200);
    await expectRefusal(
      await call(api, 'POST', nominationPath(garutId, '/attendance'), {
        ...as('jabar'),
        body: { sessionId: 'sesi-1-yogyakarta' },
      }),
      403,
      'forbidden',
      /role dinas_provinsi may not record an attendance; only a dinas kabupaten\/kota may/,
      garutId,
      before,
    );
    // A nomination in reach of nobody but its own regency: lists are scoped in SQL.
    const ids = async (user: TestUser) =>
      (
        (await call(api, 'GET', `/api/nominations?cycle=${config.id}`, as(user))).body.nominations as {
          workflowId: string;
        }[]
      ).map((n) => n.workflowId);
    expect(await ids('garut')).toContain(garutId);
    expect(await ids('jabar')).toContain(garutId);
    expect(await ids('tasikmalaya')).toEqual([]);
    expect(await ids('diy')).toEqual([]);
    expect(await ids('siti')).toEqual([]); // nothing assigned yet
    expect(await ids('auditor')).toContain(garutId);
    // Nominating for another kabupaten/kota is refused before the cycle hears of it.
    await expectRefusal(
      await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
        ...as('tasikmalaya'),
        body: {
          regencyCode: '32.05',
          ikmName: 'X',
          sentraName: 'Y',
          commodity: 'gerabah',
          product: 'Z',
          sentraSize: 9,
        },
      }),
      403,
      'forbidden',
      /you act for kabupaten\/kota 32\.06, not 32\.05/,
      null,
      null,
    );
  });

  it('records the derived actor; an auditor reads the trail but cannot act; a dinas cannot read it', async () => {
    const attended = await call(api, 'POST', nominationPath(garutId, '/attendance'), {
      ...as('garut'),
      body: { sessionId: 'sesi-1-yogyakarta' },
    });
    expect(attended.status).toBe(200);
    const event = await h.db
      .selectFrom('nomination_events')
      .selectAll()
      .where('workflow_id', '=', garutId)
      .where('type', '=', 'socialization.attended')
      .executeTakeFirstOrThrow();
    expect([event.actor_role, event.actor_id, event.actor_region]).toEqual([
      'dinas_kabkota',
      'disperin-32.05',
      '32.05',
    ]);
    await stageIs(garutId, 'AWAITING_DOCUMENTS');
    const before = await footprint(garutId);
    await expectRefusal(
      await call(api, 'POST', nominationPath(garutId, '/withdrawal'), { ...as('auditor'), body: { reason: 'audit' } }),
      403,
      'forbidden',
      /role auditor may not withdraw a nomination/,
      garutId,
      before,
    );
    const trail = await call(api, 'GET', nominationPath(garutId, '/events'), as('auditor'));
    expect(trail.status).toBe(200);
    expect(trail.body.events.map((e: { type: string }) => e.type)).toContain('socialization.attended');
    await expectRefusal(
      await call(api, 'GET', nominationPath(garutId, '/events'), as('garut')),
      403,
      'forbidden',
      /role dinas_kabkota may not read the audit trail/,
      null,
      null,
    );
  });

  it('refuses an assessor of the own province and an unassigned one; a dinas never sees who assesses', async () => {
    const docs = await call(api, 'POST', nominationPath(garutId, '/documents'), {
      ...as('garut'),
      body: { kind: 'legality', fileName: 'nib.pdf', checksum: sha256('nib'), sizeBytes: 1200 },
    });
    expect(docs.status).toBe(200);
    await expectRefusal(
      await call(api, 'POST', nominationPath(garutId, '/review'), { ...as('garut'), body: { decision: 'approve' } }),
      403,
      'forbidden',
      /role dinas_kabkota may not review documents; only a coordinator may/,
      null,
      null,
    );
    expect(
      (
        await call(api, 'POST', nominationPath(garutId, '/review'), {
          ...as('coordinator'),
          body: { decision: 'approve' },
        })
      ).status,
    ).toBe(200);
    await stageIs(garutId, 'IN_ASSESSMENT');
    const detail = await call(api, 'GET', nominationPath(garutId), as('coordinator'));
    const assigned: string[] = detail.body.assessors.map((a: { id: string }) => a.id);
    expect(assigned).toHaveLength(2);
    // The panel is drawn at random from the whole pool (not only the test users): tokens for whoever was drawn.
    const pool = config.assessment.assessors;
    const assignedId = assigned[0];
    const unassignedId = pool.find((a) => a.province !== '32' && !assigned.includes(a.id))!.id;
    const asAssigned = { token: await assessorToken(h, api, pool, assignedId) };
    const asUnassigned = { token: await assessorToken(h, api, pool, unassignedId) };
    const before = await footprint(garutId);
    const sheet = { scores: scoresFor(config, 3) };

    await expectRefusal(
      await call(api, 'POST', nominationPath(garutId, '/scores'), { ...as('budi'), body: sheet }),
      403,
      'forbidden',
      /conflict of interest: .* is in your own province 32/,
      garutId,
      before,
    );
    await expectRefusal(
      await call(api, 'GET', nominationPath(garutId), as('budi')),
      403,
      'forbidden',
      /conflict of interest/,
      null,
      null,
    );
    await expectRefusal(
      await call(api, 'POST', nominationPath(garutId, '/scores'), { ...asUnassigned, body: sheet }),
      403,
      'forbidden',
      new RegExp(`is not assigned to assessor ${unassignedId}`),
      garutId,
      before,
    );

    // The assigned assessor reads it and scores; its answer does not name the other assessor.
    expect(
      (await call(api, 'GET', `/api/nominations?cycle=${config.id}`, asAssigned)).body.nominations.map(
        (n: { workflowId: string }) => n.workflowId,
      ),
    ).toEqual([garutId]);
    const scored = await call(api, 'POST', nominationPath(garutId, '/scores'), { ...asAssigned, body: sheet });
    expect(scored.status).toBe(200);
    expect(scored.body).not.toHaveProperty('assessors');
    expect(scored.body).not.toHaveProperty('scoredBy');
    await waitFor(async () => (await count('assessments', garutId)) === 1);

    const seenByDinas = await call(api, 'GET', nominationPath(garutId), as('garut'));
    expect(seenByDinas.status).toBe(200);
    expect(seenByDinas.body).not.toHaveProperty('assessors');
    expect(seenByDinas.body).not.toHaveProperty('assessments');
    expect(JSON.stringify(seenByDinas.body)).not.toContain('penilai-');
    const seenByCoordinator = await call(api, 'GET', nominationPath(garutId), as('coordinator'));
    expect(seenByCoordinator.body.assessments).toEqual([expect.objectContaining({ assessorId: assignedId })]);
  });
});

describe('limits and the document', () => {
  it('limits sign-in requests per address with 429 rate_limited', async () => {
    const strict = await startApi(h, { rateLimits: { signInPerMinute: 2, actionsPerMinute: 100 } });
    try {
      const ask = () => call(strict, 'POST', '/api/sign-in/link', { body: { email: 'nobody@example.id' } });
      expect((await ask()).status).toBe(202);
      expect((await ask()).status).toBe(202);
      const third = await ask();
      expect(third.status).toBe(429);
      expect(third.body).toEqual({
        code: 'rate_limited',
        message: expect.stringMatching(/too many requests; try again in \d+ s/),
      });
    } finally {
      await strict.stop();
    }
  });

  it('serves the OpenAPI document generated from the schemas', async () => {
    const doc = await call(api, 'GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    for (const action of ['attendance', 'documents', 'review', 'scores', 'withdrawal', 'determination'])
      expect(doc.body.paths).toHaveProperty([`/api/nominations/{id}/${action}`]);
    const attend = doc.body.paths['/api/nominations/{id}/attendance'].post;
    expect(attend.requestBody.content['application/json'].schema).toMatchObject({
      properties: { sessionId: { type: 'string' } },
      additionalProperties: false,
    });
  });
});
