/**
 * The access log: sign-ins, sign-outs, tokens made and revoked, and every refusal (401, 403, 429, a validator's 409),
 * as rows in `access_log` and as a structured line in the server log. A failure to write the row is logged, never
 * turned into a failed request.
 */
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';

export type AccessEvent =
  | 'sign_in'
  | 'sign_in_refused'
  | 'sign_in_link_sent'
  | 'sign_in_link_unknown_email'
  | 'sign_out'
  | 'token_created'
  | 'token_revoked'
  | 'refused';

export interface AccessEntry {
  event: AccessEvent;
  userId?: string | null;
  email?: string | null;
  status?: number;
  code?: string;
  message?: string;
}

export async function logAccess(db: Kysely<Database>, req: FastifyRequest, entry: AccessEntry): Promise<void> {
  const userId = entry.userId ?? req.principal?.user.id ?? null;
  req.log.info({ access: { ...entry, userId, ip: req.ip, method: req.method, path: req.url } }, entry.event);
  await db
    .insertInto('access_log')
    .values({
      event: entry.event,
      user_id: userId,
      email: entry.email ?? null,
      ip: req.ip,
      method: req.method,
      path: req.url.slice(0, 500),
      status: entry.status ?? null,
      code: entry.code ?? null,
      message: entry.message?.slice(0, 1000) ?? null,
    })
    .execute()
    .catch((err: unknown) => req.log.error({ err }, 'could not write the access log'));
}
