/**
 * What every portal page starts from: the reader's language, who is signed in (by the API's own authentication, from
 * the same session cookie) and that session's CSRF token for the page's forms. Writes go through the API's routes with
 * `inject`, carrying the cookie and the form's CSRF token as `X-CSRF-Token`, so the portal decides nothing the API
 * does not decide: role, region, assignment, CSRF, rate limits and the access log are the API's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, csrfTokenOf, sameToken, SESSION_COOKIE, type Principal } from '../auth';
import { ApiError } from '../errors';
import type { ApiDeps } from '../server';
import { en } from './lang/en';
import { id, type Dictionary } from './lang/id';

export const LANG_COOKIE = 'ovop_lang';

export interface PortalDeps extends ApiDeps {
  /** The API itself, for writes through its routes. */
  api: FastifyInstance;
}

export interface PageContext {
  req: FastifyRequest;
  reply: FastifyReply;
  t: Dictionary;
  principal: Principal | null;
  /** The CSRF token every form of the page carries (as `_csrf`), when signed in by a session. */
  csrf: string | null;
}

/** Bahasa Indonesia unless the reader switched (`?lang=en`, remembered in a cookie). */
export function dictionaryOf(req: FastifyRequest, reply: FastifyReply): Dictionary {
  const asked = (req.query as Record<string, string> | undefined)?.lang;
  if (asked === 'en' || asked === 'id') {
    reply.setCookie(LANG_COOKIE, asked, { path: '/', sameSite: 'lax', maxAge: 365 * 24 * 3600 });
    return asked === 'en' ? en : id;
  }
  return req.cookies[LANG_COOKIE] === 'en' ? en : id;
}

export async function pageContext(deps: PortalDeps, req: FastifyRequest, reply: FastifyReply): Promise<PageContext> {
  const t = dictionaryOf(req, reply);
  let principal: Principal | null = null;
  if (req.cookies[SESSION_COOKIE]) {
    try {
      principal = await authenticate(deps.db, req);
    } catch (err) {
      if (!(err instanceof ApiError && err.statusCode === 401)) throw err;
    }
  }
  const csrf = principal?.sessionId ? csrfTokenOf(deps.options.secret, principal.sessionId) : null;
  return { req, reply, t, principal, csrf };
}

/** The signed-in principal, or the 401 the error handler turns into the sign-in page. */
export function requireSignedIn(ctx: PageContext): Principal {
  if (!ctx.principal) throw new ApiError(401, 'signed_out', 'sign in first');
  return ctx.principal;
}

/** Refuses a page to other roles with the API's wording (their own page is one click away). */
export function roleOnly(ctx: PageContext, roles: readonly string[]): void {
  const p = requireSignedIn(ctx);
  if (!roles.includes(p.actor.role))
    throw new ApiError(
      403,
      'forbidden',
      `this page is for ${roles.join(' and ')}; you are signed in as ${p.actor.role}`,
    );
}

/**
 * The API's CSRF rule for a form the portal answers itself (no API route behind it): a session's post carries the
 * session's token, or it is refused as the API refuses it.
 */
export function requireCsrf(ctx: PageContext, sent: string): void {
  if (!ctx.csrf || !sameToken(sent, ctx.csrf))
    throw new ApiError(
      403,
      'csrf_invalid',
      "this form needs the session's CSRF token; reload the page and send it again",
    );
}

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  setCookie?: string | string[];
}

/**
 * One call to the API's route for the signed-in reader: the session cookie as the browser sent it, the CSRF token the
 * form carried, the client's address for the rate limits and the access log.
 */
export async function callApi<T = { code?: string; message?: string }>(
  deps: PortalDeps,
  req: FastifyRequest,
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
): Promise<ApiAnswer<T>> {
  const form = (req.body ?? {}) as Record<string, string>;
  const headers: Record<string, string> = {};
  if (req.headers.cookie) headers.cookie = req.headers.cookie;
  if (typeof form._csrf === 'string') headers['x-csrf-token'] = form._csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await deps.api.inject({
    method,
    url,
    headers,
    payload: body === undefined ? undefined : JSON.stringify(body),
    remoteAddress: req.ip,
  });
  let parsed: unknown = res.body;
  try {
    parsed = res.body ? JSON.parse(res.body) : null;
  } catch {
    // not JSON: kept as text
  }
  return { status: res.statusCode, body: parsed as T, setCookie: res.headers['set-cookie'] as string | string[] };
}

/** An answer that is not a success, as the ApiError the portal's error page shows. */
export function refusalOf(answer: ApiAnswer): ApiError {
  const b = answer.body as { code?: string; message?: string } | null;
  return new ApiError(
    answer.status,
    (b?.code ?? 'internal') as never,
    b?.message ?? `the API answered ${answer.status}`,
  );
}

/** The query flag of a page reached after an action the API accepted and was still applying (202). */
export const APPLYING = 'diproses';

/** Where a form goes after its action: `url`, flagged when the action was accepted but not yet applied. */
export const afterAction = (url: string, status: number) =>
  status === 202 ? `${url}${url.includes('?') ? '&' : '?'}${APPLYING}=1` : url;

/** An action's answer that means it was done, or accepted and being applied. */
export const actionTaken = (status: number) => status === 200 || status === 201 || status === 202;

export const nominationUrl = (workflowId: string, rest = '') => `/nominasi/${encodeURIComponent(workflowId)}${rest}`;
export const apiNominationUrl = (workflowId: string, rest = '') =>
  `/api/nominations/${encodeURIComponent(workflowId)}${rest}`;
