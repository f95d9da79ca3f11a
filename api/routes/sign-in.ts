/**
 * Sign-in by a one-time link mailed to the user's registered address (the embedded default), the session it opens,
 * and sign-out. The link lands on a page whose button POSTs it back: a mail scanner that fetches links does not use it
 * up. Asking for a link answers the same whether or not the address belongs to a user, so nobody learns who has an
 * account.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { consumeSignInLink, createSession, createSignInLink, endSession } from '../../db/credentials';
import { findUser } from '../../db/users';
import { logAccess } from '../access-log';
import { csrfTokenOf, principalOf, SESSION_COOKIE } from '../auth';
import { ApiError } from '../errors';
import { NextPath } from '../next-path';
import { ErrorBody, User } from '../schemas';
import type { ApiDeps } from '../server';

const LINK_MESSAGES = {
  link_invalid: 'this sign-in link is not valid; ask for a new one',
  link_used: 'this sign-in link was used already; ask for a new one',
  link_expired: 'this sign-in link has expired; ask for a new one',
} as const;

const Session = z.object({ user: User, via: z.enum(['session', 'token']), csrfToken: z.string().nullable() }).meta({
  id: 'Session',
});

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function signInRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db, mailer, options } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const signInLimit = { max: options.rateLimits.signInPerMinute, timeWindow: '1 minute' };
  const secure = options.publicUrl.startsWith('https:');

  r.post(
    '/api/sign-in/link',
    {
      config: { public: true, rateLimit: signInLimit },
      schema: {
        summary: 'Mail a one-time sign-in link to a registered address',
        tags: ['sign-in'],
        body: z.strictObject({
          email: z.string().trim().toLowerCase().email().max(254),
          next: NextPath.optional().describe('the page of this site the link leads to once signed in'),
        }),
        response: { 202: z.object({ message: z.string() }), 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const { email } = req.body;
      const user = await findUser(db, email);
      if (user && user.active && user.email === email) {
        const { token, expiresAt } = await createSignInLink(db, user.id, options.linkTtlMinutes);
        const back = req.body.next ? `?next=${encodeURIComponent(req.body.next)}` : '';
        const url = `${options.publicUrl}/api/sign-in/${token}${back}`;
        await mailer.transport.sendMail({
          from: mailer.from,
          to: user.email,
          subject: 'Penghargaan OVOP: your sign-in link',
          headers: { 'X-OVOP-Template': 'sign-in-link' },
          text: [
            `Hello ${user.name},`,
            '',
            `Open this link to sign in to the OVOP nomination engine (it works once, until ${expiresAt.toISOString()}):`,
            url,
            '',
            'If you did not ask for it, ignore this mail.',
          ].join('\n'),
        });
        await logAccess(db, req, { event: 'sign_in_link_sent', userId: user.id, email });
      } else {
        await logAccess(db, req, { event: 'sign_in_link_unknown_email', email });
      }
      return reply.code(202).send({
        message: `if ${email} belongs to an active user, a sign-in link is on its way (valid ${options.linkTtlMinutes} minutes)`,
      });
    },
  );

  const TokenParams = z.strictObject({ token: z.string().min(1).max(200) });

  r.get(
    '/api/sign-in/:token',
    {
      config: { public: true, rateLimit: signInLimit },
      schema: {
        summary: 'The page a sign-in link opens: one button that signs in',
        tags: ['sign-in'],
        params: TokenParams,
        querystring: z.strictObject({ next: NextPath.optional() }),
      },
    },
    async (req, reply) => {
      // The button posts to the portal's sign-in (api/portal/), which uses the link through POST below and lands the
      // browser on its role's page; clients without a browser POST here directly.
      const back = req.query.next ? `?next=${encodeURIComponent(req.query.next)}` : '';
      const action = `/masuk/${encodeURIComponent(req.params.token)}${back}`;
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .send(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in — Penghargaan OVOP</title></head>` +
            `<body><form method="post" action="${escapeHtml(action)}"><p>Sign in to the OVOP nomination engine.</p>` +
            `<button type="submit">Sign in</button></form></body></html>`,
        );
    },
  );

  r.post(
    '/api/sign-in/:token',
    {
      config: { public: true, rateLimit: signInLimit },
      schema: {
        summary: 'Use a sign-in link: opens a session (HttpOnly cookie) and answers its CSRF token',
        tags: ['sign-in'],
        params: TokenParams,
        response: { 200: Session, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const used = await consumeSignInLink(db, req.params.token);
      if ('refusal' in used) {
        const message = LINK_MESSAGES[used.refusal];
        await logAccess(db, req, {
          event: 'sign_in_refused',
          userId: used.userId,
          status: 401,
          code: used.refusal,
          message,
        });
        throw new ApiError(401, used.refusal, message);
      }
      const session = await createSession(db, used.user.id, options.sessionTtlHours);
      setSessionCookie(reply, session.token, session.expiresAt, secure);
      await logAccess(db, req, { event: 'sign_in', userId: used.user.id, email: used.user.email });
      return {
        user: userOut(used.user),
        via: 'session' as const,
        csrfToken: csrfTokenOf(options.secret, session.id),
      };
    },
  );

  r.get(
    '/api/session',
    {
      schema: {
        summary: 'Who is signed in, and the CSRF token for state-changing requests on a session cookie',
        tags: ['sign-in'],
        response: { 200: Session, 401: ErrorBody },
      },
    },
    async (req) => {
      const p = principalOf(req);
      return {
        user: userOut(p.user),
        via: p.via,
        csrfToken: p.sessionId ? csrfTokenOf(options.secret, p.sessionId) : null,
      };
    },
  );

  r.post(
    '/api/sign-out',
    {
      schema: {
        summary: 'End the session',
        tags: ['sign-in'],
        response: { 204: z.null(), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      if (p.sessionId) await endSession(db, p.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      await logAccess(db, req, { event: 'sign_out' });
      return reply.code(204).send(null);
    },
  );
}

function setSessionCookie(reply: FastifyReply, token: string, expires: Date, secure: boolean): void {
  // Lax, not Strict: the first request after following the link from a mail client must carry the cookie. Every
  // state-changing request needs the CSRF token besides.
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires });
}

export function userOut(u: { id: string; name: string; email: string; role: string; region: string }) {
  return { id: u.id, name: u.name, email: u.email, role: u.role as z.infer<typeof User>['role'], region: u.region };
}
