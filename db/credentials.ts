/**
 * The secrets that stand for a user: one-time sign-in links, session cookies and API tokens. Each is 32 random bytes,
 * handed out once and stored as its SHA-256 only, so a copy of the database signs nobody in. A link is single use and
 * expires in minutes; a session and a token expire, and a token can be revoked.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './database';
import type { UserRow } from './users';

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** A new secret; the prefix tells a leaked one apart in logs and secret scanners (`ovop_t_…` is an API token). */
const newSecret = (prefix: string): string => `${prefix}${randomBytes(32).toString('base64url')}`;

export async function createSignInLink(
  db: Kysely<Database>,
  userId: string,
  ttlMinutes: number,
): Promise<{ token: string; expiresAt: Date }> {
  const token = newSecret('ovop_l_');
  const expiresAt = new Date(Date.now() + ttlMinutes * 60_000);
  await db
    .insertInto('sign_in_links')
    .values({ token_hash: hashSecret(token), user_id: userId, expires_at: expiresAt })
    .execute();
  return { token, expiresAt };
}

export type LinkRefusal = 'link_invalid' | 'link_used' | 'link_expired';

/** Uses a link: marks it used in the same statement that checks it, so two clicks cannot both sign in. */
export async function consumeSignInLink(
  db: Kysely<Database>,
  token: string,
): Promise<{ user: UserRow } | { refusal: LinkRefusal; userId?: string }> {
  const hash = hashSecret(token);
  const used = await db
    .updateTable('sign_in_links')
    .set({ used_at: new Date() })
    .where('token_hash', '=', hash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .returning('user_id')
    .executeTakeFirst();
  if (!used) {
    const link = await db.selectFrom('sign_in_links').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    if (!link) return { refusal: 'link_invalid' };
    return { refusal: link.used_at ? 'link_used' : 'link_expired', userId: link.user_id };
  }
  const user = await db.selectFrom('users').selectAll().where('id', '=', used.user_id).executeTakeFirstOrThrow();
  if (!user.active) return { refusal: 'link_invalid', userId: user.id };
  return { user };
}

export async function createSession(
  db: Kysely<Database>,
  userId: string,
  ttlHours: number,
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const token = newSecret('ovop_s_');
  const id = randomUUID();
  const expiresAt = new Date(Date.now() + ttlHours * 3_600_000);
  await db
    .insertInto('sessions')
    .values({ id, token_hash: hashSecret(token), user_id: userId, expires_at: expiresAt })
    .execute();
  return { id, token, expiresAt };
}

export async function endSession(db: Kysely<Database>, sessionId: string): Promise<void> {
  await db.updateTable('sessions').set({ ended_at: new Date() }).where('id', '=', sessionId).execute();
}

export async function createApiToken(
  db: Kysely<Database>,
  userId: string,
  opts: { name: string; ttlDays: number },
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const token = newSecret('ovop_t_');
  const id = randomUUID();
  const expiresAt = new Date(Date.now() + opts.ttlDays * 86_400_000);
  await db
    .insertInto('api_tokens')
    .values({ id, token_hash: hashSecret(token), user_id: userId, name: opts.name, expires_at: expiresAt })
    .execute();
  return { id, token, expiresAt };
}

export type CredentialRefusal =
  'token_invalid' | 'token_revoked' | 'token_expired' | 'session_invalid' | 'user_disabled';

/** Who an API token stands for, or why it does not stand for anybody any more. */
export async function userOfToken(
  db: Kysely<Database>,
  token: string,
): Promise<{ user: UserRow; tokenId: string } | { refusal: CredentialRefusal; userId?: string }> {
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('users')
    .select(['api_tokens.id as token_id', 'api_tokens.revoked_at', 'api_tokens.expires_at'])
    .where('api_tokens.token_hash', '=', hashSecret(token))
    .executeTakeFirst();
  if (!row) return { refusal: 'token_invalid' };
  if (row.revoked_at) return { refusal: 'token_revoked', userId: row.id };
  if (row.expires_at <= new Date()) return { refusal: 'token_expired', userId: row.id };
  if (!row.active) return { refusal: 'user_disabled', userId: row.id };
  const { token_id, revoked_at: _r, expires_at: _e, ...user } = row;
  await db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('id', '=', token_id).execute();
  return { user, tokenId: token_id };
}

/** Who a session cookie stands for; an ended, expired or unknown session is the same refusal to its holder. */
export async function userOfSession(
  db: Kysely<Database>,
  token: string,
): Promise<{ user: UserRow; sessionId: string } | { refusal: CredentialRefusal; userId?: string }> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['sessions.id as session_id', 'sessions.ended_at', 'sessions.expires_at'])
    .where('sessions.token_hash', '=', hashSecret(token))
    .executeTakeFirst();
  if (!row || row.ended_at || row.expires_at <= new Date()) return { refusal: 'session_invalid', userId: row?.id };
  if (!row.active) return { refusal: 'user_disabled', userId: row.id };
  const { session_id, ended_at: _en, expires_at: _ex, ...user } = row;
  return { user, sessionId: session_id };
}

export async function revokeApiToken(db: Kysely<Database>, tokenId: string, ownerId?: string): Promise<boolean> {
  let q = db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null);
  if (ownerId) q = q.where('user_id', '=', ownerId);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
