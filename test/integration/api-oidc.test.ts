/**
 * Single sign-on by OpenID Connect against a real provider (`oidc-provider`) started on loopback: the test is the
 * browser, following every redirect with fetch and carrying each site's cookies by hand, through the provider's login
 * and consent pages to our callback. A user of our table signs in by its verified address and gets the role and
 * region of its row, whatever the provider claims; its first sign-in links it to the provider's account (subject),
 * which alone signs it in afterwards. A tampered state, an unverified address, an address no user has, an address
 * linked to another account and a disabled user are refused with their status and message, logged, and get no
 * session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableUser, upsertUser } from '../../db/users';
import { call, startApi, TEST_USERS, type ApiUnderTest } from '../support/api';
import { startHarness, type Harness } from '../support/harness';
import { startIdentityProvider, type IdentityProvider, type IdpAccount } from '../support/identity-provider';

let h: Harness;
let api: ApiUnderTest;
let idp: IdentityProvider;
/** The provider's accounts, which a test may change (an address changed, a new account) while the provider runs. */
const accounts: Record<string, IdpAccount> = {
  // The provider says coordinator; our table says dinas kabupaten/kota of Garut, and our table decides.
  'garut-sso': { email: TEST_USERS.garut.email.toUpperCase(), emailVerified: true, role: 'coordinator' },
  'garut-unverified': { email: TEST_USERS.garut.email, emailVerified: false },
  'orang-asing': { email: 'orang.asing@example.id', emailVerified: true },
  'kuningan-sso': { email: 'disperin.kuningan@example.id', emailVerified: true },
};

const DISABLED = {
  id: 'disperin-32.08',
  name: 'Disperin Kab. Kuningan',
  email: 'disperin.kuningan@example.id',
  role: 'dinas_kabkota',
  region: '32.08',
} as const;

beforeAll(async () => {
  h = await startHarness('api-oidc');
  idp = await startIdentityProvider(accounts);
  api = await startApi(h, {
    oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, scope: 'openid email' },
  });
  idp.start(`${api.url}/api/sign-in/oidc/callback`);
  await upsertUser(h.db, DISABLED);
  await disableUser(h.db, DISABLED.id);
});
afterAll(async () => {
  await api?.stop();
  await idp?.stop();
  await h?.stop();
});

/** A browser: cookies kept per site (origin) by hand, redirects followed one at a time. */
class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  async request(url: URL, form?: Record<string, string>): Promise<Response> {
    const jar = this.jars.get(url.origin) ?? new Map<string, string>();
    this.jars.set(url.origin, jar);
    const headers: Record<string, string> = {};
    if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      headers,
      body: form ? new URLSearchParams(form).toString() : undefined,
      redirect: 'manual',
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((p) => p.trim());
      const [name, ...value] = pair.split('=');
      const gone = attributes.some((a) => /^max-age=0$/i.test(a) || /^expires=Thu, 01 Jan 1970/i.test(a));
      if (gone || value.join('=') === '') jar.delete(name);
      else jar.set(name, value.join('='));
    }
    return res;
  }

  cookie(origin: string, name: string): string | undefined {
    return this.jars.get(origin)?.get(name);
  }
}

/**
 * Starts the sign-in at our API, walks the provider's login (as `login`) and consent pages, and sends the browser to
 * our callback, after `tamper` has had its way with the callback URL. Answers our callback's response.
 */
async function signIn(login: string, tamper: (callback: URL) => URL = (u) => u) {
  const browser = new Browser();
  const apiOrigin = new URL(api.url).origin;
  const start = await browser.request(new URL('/api/sign-in/oidc?next=/portal', api.url));
  expect(start.status).toBe(302);
  expect(browser.cookie(apiOrigin, 'ovop_oidc')).toBeDefined();
  let at = new URL(start.headers.get('location')!);
  expect(at.origin).toBe(idp.issuer);
  expect(at.searchParams.get('code_challenge_method')).toBe('S256');
  for (let step = 0; at.origin !== apiOrigin; step++) {
    if (step > 12) throw new Error(`no way back to the API from ${at.href}`);
    let res = await browser.request(at);
    if (res.status === 200) {
      const html = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
      if (!action || !prompt) throw new Error(`no form at ${at.href}: ${html.slice(0, 300)}`);
      const fields: Record<string, string> =
        prompt === 'login' ? { prompt, login, password: 'kata sandi apa saja' } : { prompt };
      res = await browser.request(new URL(action, at), fields);
    }
    const location = res.headers.get('location');
    if (!location || res.status < 300 || res.status > 399)
      throw new Error(`${at.href} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    at = new URL(location, at);
  }
  expect(at.pathname).toBe('/api/sign-in/oidc/callback');
  const answer = await browser.request(tamper(at));
  const session = browser.cookie(apiOrigin, 'ovop_session');
  return { answer, session, setCookie: answer.headers.get('set-cookie') ?? '' };
}

const sessionsOf = async (userId: string) =>
  Number(
    (
      await h.db
        .selectFrom('sessions')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow()
    ).n,
  );
const linkOf = (userId: string) =>
  h.db.selectFrom('users').select(['oidc_issuer', 'oidc_subject']).where('id', '=', userId).executeTakeFirst();
const loggedRefusal = (code: string, message: string) =>
  h.db
    .selectFrom('access_log')
    .selectAll()
    .where('event', '=', 'sign_in_refused')
    .where('code', '=', code)
    .where('message', '=', message)
    .executeTakeFirst();

describe('OIDC sign-in', () => {
  it('signs in a user of our table by its verified address, with the role and region of its row', async () => {
    const before = await sessionsOf(TEST_USERS.garut.id);
    const { answer, session, setCookie } = await signIn('garut-sso');
    expect(answer.status, await answer.clone().text()).toBe(303);
    expect(answer.headers.get('location')).toBe(`${api.url}/portal`);
    expect(setCookie).toMatch(/ovop_session=ovop_s_[^;]+;.*HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const who = await call(api, 'GET', '/api/session', { cookie: `ovop_session=${session}` });
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({
      user: { id: 'disperin-32.05', role: 'dinas_kabkota', region: '32.05', email: TEST_USERS.garut.email },
      via: 'session',
    });
    expect(await sessionsOf(TEST_USERS.garut.id)).toBe(before + 1);
    const logged = await h.db
      .selectFrom('access_log')
      .select(['user_id', 'email', 'message'])
      .where('event', '=', 'sign_in')
      .where('message', '=', 'oidc')
      .execute();
    expect(logged).toContainEqual({ user_id: 'disperin-32.05', email: TEST_USERS.garut.email, message: 'oidc' });
    // The first sign-in linked the user to the provider's account.
    expect(await linkOf(TEST_USERS.garut.id)).toEqual({ oidc_issuer: idp.issuer, oidc_subject: 'garut-sso' });
  });

  it('signs a linked user in by its account, not its address: another account with the address is refused; the address changed at the provider still signs in', async () => {
    // Someone gets Garut's address at the provider (a reused mailbox, an account renamed): refused, nothing written.
    accounts['garut-lain'] = { email: TEST_USERS.garut.email, emailVerified: true };
    const before = await sessionsOf(TEST_USERS.garut.id);
    const message = `the address ${TEST_USERS.garut.email} belongs to a user who signs in with another single sign-on account; ask a coordinator`;
    const other = await signIn('garut-lain');
    expect(await other.answer.json()).toEqual({ code: 'forbidden', message });
    expect(other.answer.status).toBe(403);
    expect(other.session).toBeUndefined();
    expect(await sessionsOf(TEST_USERS.garut.id)).toBe(before);
    expect(await linkOf(TEST_USERS.garut.id)).toEqual({ oidc_issuer: idp.issuer, oidc_subject: 'garut-sso' });
    expect(await loggedRefusal('forbidden', message)).toMatchObject({ user_id: TEST_USERS.garut.id });

    // The linked account's address changes at the provider (to one no user of ours has): it still signs in as Garut.
    accounts['garut-sso'] = { ...accounts['garut-sso'], email: 'kantor.baru@garutkab.example' };
    const moved = await signIn('garut-sso');
    expect(moved.answer.status, await moved.answer.clone().text()).toBe(303);
    const who = await call(api, 'GET', '/api/session', { cookie: `ovop_session=${moved.session}` });
    expect(who.body).toMatchObject({ user: { id: TEST_USERS.garut.id, role: 'dinas_kabkota', region: '32.05' } });
    expect(await sessionsOf(TEST_USERS.garut.id)).toBe(before + 1);
  });

  it('refuses a tampered state: no session, logged', async () => {
    const before = await sessionsOf(TEST_USERS.garut.id);
    const { answer, session } = await signIn('garut-sso', (u) => {
      const forged = new URL(u);
      forged.searchParams.set('state', 'state-palsu');
      return forged;
    });
    const body: any = await answer.json();
    expect(body).toEqual({
      code: 'oidc_failed',
      message: expect.stringMatching(/^the single sign-on answer was refused: .*"state"/),
    });
    expect(answer.status).toBe(401);
    expect(session).toBeUndefined();
    expect(await sessionsOf(TEST_USERS.garut.id)).toBe(before);
    expect(await loggedRefusal('oidc_failed', body.message)).toBeDefined();
  });

  it('refuses an address no user has, an unverified address and a disabled user: 403, logged, no session', async () => {
    const cases = [
      {
        login: 'orang-asing',
        code: 'forbidden',
        message: 'no user of the OVOP engine has the address orang.asing@example.id; ask a coordinator to add you',
        userId: null,
      },
      {
        login: 'garut-unverified',
        code: 'forbidden',
        message: `the identity provider has not verified ${TEST_USERS.garut.email}; only a verified address signs in`,
        userId: TEST_USERS.garut.id,
      },
      {
        login: 'kuningan-sso',
        code: 'user_disabled',
        message: 'this user is disabled; ask a coordinator',
        userId: DISABLED.id,
      },
    ];
    for (const c of cases) {
      const before = c.userId ? await sessionsOf(c.userId) : 0;
      const { answer, session } = await signIn(c.login);
      expect(await answer.json(), c.login).toEqual({ code: c.code, message: c.message });
      expect(answer.status).toBe(403);
      expect(session).toBeUndefined();
      if (c.userId) expect(await sessionsOf(c.userId)).toBe(before);
      expect(await loggedRefusal(c.code, c.message), c.login).toBeDefined();
    }
    const strangers = await h.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'orang.asing@example.id')
      .execute();
    expect(strangers).toEqual([]);
  });

  it('refuses a callback that was not started here', async () => {
    const res = await fetch(`${api.url}/api/sign-in/oidc/callback?code=abc&state=xyz`, { redirect: 'manual' });
    expect(await res.json()).toEqual({
      code: 'oidc_failed',
      message: 'this sign-in was not started here or took too long; start again at /api/sign-in/oidc',
    });
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('ovop_session='))).toBe(false);
  });
});
