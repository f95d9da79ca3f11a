/**
 * Signing in and out: the sign-in link is asked for and used through the API's routes, and the session cookie the
 * API sets is passed on; a signed-in visitor of `/` goes to their role's home page.
 */
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from '../auth';
import { safeNext } from '../next-path';
import { callApi, pageContext, refusalOf, type PortalDeps } from './context';
import type { FormState } from './fields';
import { signInLinkPage, signInPage } from './pages/sign-in';
import { field, send } from './respond';

/** Where each role lands once signed in. */
const HOME: Record<string, string> = {
  dinas_kabkota: '/dinas',
  dinas_provinsi: '/dinas',
  assessor: '/penilai',
  coordinator: '/koordinator',
  auditor: '/audit',
};

export function signInRoutes(app: FastifyInstance, deps: PortalDeps): void {
  app.get('/', async (req, reply) => {
    const ctx = await pageContext(deps, req, reply);
    if (!ctx.principal) return reply.redirect('/masuk', 303);
    return reply.redirect(HOME[ctx.principal.actor.role] ?? '/masuk', 303);
  });

  // Sign-in: the link is asked for and used through the API's routes; the session cookie it sets is passed on.
  app.get('/masuk', async (req, reply) => {
    const ctx = await pageContext(deps, req, reply);
    const q = req.query as { keluar?: string; next?: string };
    const notice = q.keluar ? { text: ctx.t.signIn.signedOut, kind: 'ok' as const } : null;
    return send(reply, signInPage(ctx, { sso: !!deps.options.oidc, notice, next: safeNext(q.next) }));
  });
  app.post('/masuk', async (req, reply) => {
    const ctx = await pageContext(deps, req, reply);
    const email = field(req, 'email');
    const next = safeNext(field(req, 'next'));
    const form: FormState = { values: { email }, errors: {} };
    if (!email) {
      form.errors.email = ctx.t.errors.required;
      return send(reply, signInPage(ctx, { sso: !!deps.options.oidc, form, next }), 400);
    }
    const answer = await callApi(deps, req, 'POST', '/api/sign-in/link', { email, ...(next ? { next } : {}) });
    if (answer.status === 202)
      return send(
        reply,
        signInPage(ctx, {
          sso: !!deps.options.oidc,
          notice: { text: ctx.t.signIn.sent(deps.options.linkTtlMinutes), kind: 'ok' },
          next,
        }),
      );
    form.errors.email = refusalOf(answer).message;
    return send(reply, signInPage(ctx, { sso: !!deps.options.oidc, form, next }), answer.status);
  });
  app.get<{ Params: { token: string } }>('/masuk/:token', async (req, reply) => {
    const ctx = await pageContext(deps, req, reply);
    reply.header('referrer-policy', 'no-referrer');
    return send(reply, signInLinkPage(ctx, req.params.token, safeNext((req.query as { next?: string }).next)));
  });
  app.post<{ Params: { token: string } }>('/masuk/:token', async (req, reply) => {
    const next = safeNext((req.query as { next?: string }).next);
    const answer = await callApi<{ user: { role: string } }>(
      deps,
      req,
      'POST',
      `/api/sign-in/${encodeURIComponent(req.params.token)}`,
    );
    if (answer.status !== 200) {
      const ctx = await pageContext(deps, req, reply);
      return send(
        reply,
        signInPage(ctx, { sso: !!deps.options.oidc, notice: { text: refusalOf(answer).message, kind: 'error' } }),
        answer.status,
      );
    }
    if (answer.setCookie) reply.header('set-cookie', answer.setCookie);
    return reply.redirect(next ?? HOME[answer.body.user.role] ?? '/', 303);
  });
  app.post('/keluar', async (req, reply) => {
    const answer = await callApi(deps, req, 'POST', '/api/sign-out');
    if (answer.status !== 204 && answer.status !== 401) throw refusalOf(answer);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/masuk?keluar=1', 303);
  });
}
