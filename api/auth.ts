/**
 * Who is calling: every /api route except the public ones (sign-in, the OpenAPI document) needs a session cookie or an
 * `Authorization: Bearer <token>` header, and the actor is derived from that user's record alone. A state-changing
 * request on a session cookie also needs its CSRF token in `X-CSRF-Token` (a token-authenticated request needs none:
 * a browser never attaches a bearer token by itself).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { userOfSession, userOfToken } from '../db/credentials';
import type { Database } from '../db/database';
import { actorOf, type UserRow } from '../db/users';
import type { Actor } from '../domain/types';
import { ApiError, type ErrorCode } from './errors';
import type { ApiOptions } from './options';

export const SESSION_COOKIE = 'ovop_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface Principal {
  user: UserRow;
  actor: Actor;
  via: 'session' | 'token';
  /** The session's id (cookie sign-in), for its CSRF token and sign-out. */
  sessionId?: string;
  tokenId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Reachable signed out (sign-in, the OpenAPI document). */
    public?: boolean;
    /** A POST that reads and writes nothing (the payload codec): no CSRF token asked of a session. */
    csrfExempt?: boolean;
  }
}

/** The CSRF token of a session: an HMAC of its id, so it needs no storage and is worthless for another session. */
export function csrfTokenOf(secret: string, sessionId: string): string {
  return createHmac('sha256', secret).update(`csrf:${sessionId}`).digest('base64url');
}

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  signed_out:
    'sign in first: ask for a sign-in link (POST /api/sign-in/link) or send an API token as "Authorization: Bearer <token>"',
  session_invalid: 'your session has ended or expired; sign in again',
  token_invalid: 'this API token is not valid',
  token_revoked: 'this API token was revoked; ask for a new one',
  token_expired: 'this API token has expired; ask for a new one',
  user_disabled: 'this user is disabled; ask a coordinator',
};

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Resolves the principal of a request, or throws the 401 that says why there is none. */
export async function authenticate(db: Kysely<Database>, req: FastifyRequest): Promise<Principal> {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) throw new ApiError(401, 'token_invalid', 'the Authorization header must be "Bearer <token>"');
    const found = await userOfToken(db, match[1]);
    if ('refusal' in found) throw new ApiError(401, found.refusal, MESSAGES[found.refusal]!);
    return { user: found.user, actor: actorOf(found.user), via: 'token', tokenId: found.tokenId };
  }
  const cookie = req.cookies[SESSION_COOKIE];
  if (!cookie) throw new ApiError(401, 'signed_out', MESSAGES.signed_out!);
  const found = await userOfSession(db, cookie);
  if ('refusal' in found) throw new ApiError(401, found.refusal, MESSAGES[found.refusal]!);
  return { user: found.user, actor: actorOf(found.user), via: 'session', sessionId: found.sessionId };
}

export function registerAuthentication(app: FastifyInstance, db: Kysely<Database>, options: ApiOptions): void {
  app.decorateRequest('principal', undefined);
  app.addHook('preHandler', async (req: FastifyRequest, _reply: FastifyReply) => {
    if (req.routeOptions.config?.public || !req.url.startsWith('/api/')) return;
    const principal = await authenticate(db, req);
    req.principal = principal;
    if (principal.via === 'session' && STATE_CHANGING.has(req.method) && !req.routeOptions.config?.csrfExempt) {
      const sent = req.headers[CSRF_HEADER];
      const expected = csrfTokenOf(options.secret, principal.sessionId!);
      if (typeof sent !== 'string' || !sameToken(sent, expected))
        throw new ApiError(
          403,
          'csrf_invalid',
          `this request needs the session's CSRF token in the ${CSRF_HEADER} header (GET /api/session gives it)`,
        );
    }
  });
}

/** The signed-in principal of a route that is not public (the hook above has set it). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new ApiError(401, 'signed_out', MESSAGES.signed_out!);
  return req.principal;
}
