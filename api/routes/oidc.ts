/**
 * Single sign-on by OpenID Connect (the ministry's identity provider), with `openid-client`: the authorization code
 * flow with PKCE (S256), a state and a nonce. `GET /api/sign-in/oidc` sends the browser to the provider, keeping the
 * flow's secrets in a short-lived, HttpOnly cookie signed with the API's secret; the provider sends it back to
 * `GET /api/sign-in/oidc/callback`, where the code is exchanged and the ID token checked.
 *
 * Who signs in is decided by our users table alone. A user is matched by the provider's account (issuer and subject),
 * stored the first time the user signs in: then by the address the provider vouches for (`email_verified`), which
 * must belong to a user not yet linked to another account. So an address changed at the provider, or reused by
 * someone else there, signs nobody in as a user linked before. `OVOP_OIDC_MATCH=email` matches by the verified address
 * at every sign-in instead. The session has the role and region of the user's row; no claim of the provider's (groups,
 * roles, regions) is ever read. An unverified address, an address no user has, an address linked to another account
 * and a disabled user are refused with 403, logged, and get no session.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as client from 'openid-client';
import { z } from 'zod';
import { createSession } from '../../db/credentials';
import type { UserRow } from '../../db/users';
import { logAccess } from '../access-log';
import { SESSION_COOKIE } from '../auth';
import type { ErrorCode } from '../errors';
import type { OidcOptions } from '../options';
import { ErrorBody } from '../schemas';
import type { ApiDeps } from '../server';

const FLOW_COOKIE = 'ovop_oidc';
const FLOW_PATH = '/api/sign-in/oidc';
/** How long the user may take at the provider before the flow's cookie expires. */
const FLOW_TTL_S = 600;

interface Flow {
  state: string;
  nonce: string;
  verifier: string;
  /** Where to land after signing in: a path of ours. */
  next: string;
  expiresAt: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function oidcRoutes(app: FastifyInstance, deps: ApiDeps, oidc: OidcOptions): void {
  const { db, options } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const signInLimit = { max: options.rateLimits.signInPerMinute, timeWindow: '1 minute' };
  const secure = () => options.publicUrl.startsWith('https:');
  const redirectUrl = () => oidc.redirectUrl ?? `${options.publicUrl}/api/sign-in/oidc/callback`;

  let discovered: Promise<client.Configuration> | undefined;
  /** The provider's configuration, discovered once (again after a failure, so a provider that was down is retried). */
  const configuration = () => {
    discovered ??= discover(oidc).catch((err: unknown) => {
      discovered = undefined;
      throw err;
    });
    return discovered;
  };

  const sign = (payload: string) => createHmac('sha256', options.secret).update(`oidc:${payload}`).digest('base64url');
  const sealFlow = (f: Flow) => {
    const payload = Buffer.from(JSON.stringify(f)).toString('base64url');
    return `${payload}.${sign(payload)}`;
  };
  const openFlow = (cookie: string | undefined): Flow | undefined => {
    const [payload, mac] = (cookie ?? '').split('.');
    if (!payload || !mac) return undefined;
    const expected = Buffer.from(sign(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    const flow = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Flow;
    return flow.expiresAt > Date.now() ? flow : undefined;
  };

  async function refuse(
    req: FastifyRequest,
    reply: FastifyReply,
    status: 401 | 403,
    code: ErrorCode,
    message: string,
    who: { userId?: string; email?: string } = {},
  ) {
    await logAccess(db, req, { event: 'sign_in_refused', status, code, message, ...who });
    return reply.code(status).send({ code, message });
  }

  r.get(
    '/api/sign-in/oidc',
    {
      config: { public: true, rateLimit: signInLimit },
      schema: {
        summary: 'Sign in with the single sign-on: redirects to the identity provider (authorization code with PKCE)',
        tags: ['sign-in'],
        querystring: z.strictObject({
          next: z
            .string()
            .regex(/^\/(?![/\\])[^\s]*$/, 'a path of this site, such as /portal')
            .max(500)
            .optional(),
        }),
        response: { 302: z.null(), 429: ErrorBody, 503: ErrorBody },
      },
    },
    async (req, reply) => {
      let config: client.Configuration;
      try {
        config = await configuration();
      } catch (err) {
        req.log.error({ err }, 'OIDC discovery failed');
        return reply.code(503).send({
          code: 'unavailable',
          message: `the single sign-on provider ${oidc.issuer} did not answer; try again later`,
        });
      }
      const flow: Flow = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        verifier: client.randomPKCECodeVerifier(),
        next: req.query.next ?? '/',
        expiresAt: Date.now() + FLOW_TTL_S * 1000,
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUrl(),
        scope: oidc.scope,
        code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
      });
      // Lax: the provider's redirect back is a top-level navigation, which carries it.
      reply.setCookie(FLOW_COOKIE, sealFlow(flow), {
        path: FLOW_PATH,
        httpOnly: true,
        sameSite: 'lax',
        secure: secure(),
        maxAge: FLOW_TTL_S,
      });
      return reply.header('cache-control', 'no-store').redirect(url.href, 302);
    },
  );

  r.get(
    '/api/sign-in/oidc/callback',
    {
      config: { public: true, rateLimit: signInLimit },
      schema: {
        summary: "The identity provider's answer: checks it, finds the user by verified email, opens a session",
        tags: ['sign-in'],
        // The provider's parameters (code, state, iss, session_state, error…) are its own; openid-client checks them.
        querystring: z.record(z.string(), z.string()),
        response: { 303: z.null(), 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const flow = openFlow(req.cookies[FLOW_COOKIE]);
      reply.clearCookie(FLOW_COOKIE, { path: FLOW_PATH });
      if (!flow)
        return refuse(
          req,
          reply,
          401,
          'oidc_failed',
          'this sign-in was not started here or took too long; start again at /api/sign-in/oidc',
        );
      const current = new URL(redirectUrl());
      current.search = new URL(req.url, 'http://x').search;
      let email: unknown;
      let verified: unknown;
      let account: { issuer: string; subject: string };
      try {
        const config = await configuration();
        const tokens = await client.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims()!;
        account = { issuer: claims.iss, subject: claims.sub };
        ({ email, email_verified: verified } = claims);
        // A provider that conforms its ID token to the spec gives the scope's claims at the userinfo endpoint only.
        if (email === undefined) {
          const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
          ({ email, email_verified: verified } = info);
        }
      } catch (err) {
        req.log.warn({ err }, 'OIDC callback refused');
        // openid-client says "invalid response encountered"; which check failed is in its cause.
        const cause = (err as Error).cause;
        const why = (cause instanceof Error ? cause.message : (err as Error).message).split('\n')[0];
        return refuse(req, reply, 401, 'oidc_failed', `the single sign-on answer was refused: ${why}`);
      }
      const bySubject = (oidc.match ?? 'subject') === 'subject';
      const linked = bySubject
        ? await db
            .selectFrom('users')
            .selectAll()
            .where('oidc_issuer', '=', account.issuer)
            .where('oidc_subject', '=', account.subject)
            .executeTakeFirst()
        : undefined;
      if (linked)
        return signInAs(req, reply, flow, linked, typeof email === 'string' ? email.trim().toLowerCase() : null);
      if (typeof email !== 'string' || email === '')
        return refuse(
          req,
          reply,
          403,
          'forbidden',
          `the identity provider gave no email address (scope ${oidc.scope})`,
        );
      const address = email.trim().toLowerCase();
      if (verified !== true)
        return refuse(
          req,
          reply,
          403,
          'forbidden',
          `the identity provider has not verified ${address}; only a verified address signs in`,
          { email: address },
        );
      const user = await db.selectFrom('users').selectAll().where('email', '=', address).executeTakeFirst();
      if (!user)
        return refuse(
          req,
          reply,
          403,
          'forbidden',
          `no user of the OVOP engine has the address ${address}; ask a coordinator to add you`,
          { email: address },
        );
      if (!bySubject || !user.active) return signInAs(req, reply, flow, user, address);
      // The first sign-in by single sign-on links the user to this account; a user linked to another is refused.
      const link = await db
        .updateTable('users')
        .set({ oidc_issuer: account.issuer, oidc_subject: account.subject })
        .where('id', '=', user.id)
        .where('oidc_subject', 'is', null)
        .executeTakeFirst();
      if (link.numUpdatedRows === 0n)
        return refuse(
          req,
          reply,
          403,
          'forbidden',
          `the address ${address} belongs to a user who signs in with another single sign-on account; ask a coordinator`,
          { userId: user.id, email: address },
        );
      return signInAs(req, reply, flow, user, address);
    },
  );

  /** Opens the session of the user a callback found, unless the user is disabled. */
  async function signInAs(
    req: FastifyRequest,
    reply: FastifyReply,
    flow: Flow,
    user: UserRow,
    address: string | null,
  ): Promise<FastifyReply> {
    if (!user.active)
      return refuse(req, reply, 403, 'user_disabled', 'this user is disabled; ask a coordinator', {
        userId: user.id,
        email: address ?? user.email,
      });
    const session = await createSession(db, user.id, options.sessionTtlHours);
    reply.setCookie(SESSION_COOKIE, session.token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: secure(),
      expires: session.expiresAt,
    });
    await logAccess(db, req, { event: 'sign_in', userId: user.id, email: address ?? user.email, message: 'oidc' });
    return reply.header('cache-control', 'no-store').redirect(`${options.publicUrl}${flow.next}`, 303);
  }
}

/** Reads the provider's discovery document; plain http only for a provider on this machine (a test, a local IdP). */
async function discover(oidc: OidcOptions): Promise<client.Configuration> {
  const issuer = new URL(oidc.issuer);
  if (issuer.protocol !== 'https:' && !LOOPBACK.has(issuer.hostname))
    throw new Error(`OVOP_OIDC_ISSUER ${oidc.issuer} must be https (plain http only on loopback)`);
  const auth = oidc.clientSecret ? client.ClientSecretBasic(oidc.clientSecret) : client.None();
  return client.discovery(issuer, oidc.clientId, undefined, auth, {
    execute: issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
  });
}
