/**
 * The people who may sign in to the API: one row per person, with the role and region the API derives their actor
 * from. Managed by `ovop users` (an operator command on the database) and seeded by the demo.
 */
import type { Kysely, Selectable } from 'kysely';
import { PROVINCE_CODE, REGENCY_CODE, REGION_CODE } from '../domain/region-codes';
import { loadRegions } from '../domain/regions';
import { type Actor, ROLES, type Role } from '../domain/types';
import type { Database, UsersTable } from './database';

export type UserRow = Selectable<UsersTable>;

export interface NewUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  region: string;
}

/** The actor a signed-in user acts as: the workflows record exactly this, never what a caller claims. */
export function actorOf(user: Pick<UserRow, 'id' | 'role' | 'region'>): Actor {
  return { role: user.role as Role, id: user.id, region: user.region };
}

/** Refusals of a user record, one sentence each in the CLI's style; empty when the record is valid. */
export function userProblems(u: Partial<Record<keyof NewUser, unknown>>): string[] {
  const problems: string[] = [];
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  if (!/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,119}$/.test(text(u.id)))
    problems.push('id must be 1 to 120 letters, digits, ".", "_", "-" or "@" (the actor id, e.g. disperin-32.05)');
  if (!text(u.name)) problems.push('name is empty');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text(u.email))) problems.push(`email "${text(u.email)}" is not an address`);
  const role = text(u.role);
  const region = text(u.region);
  if (!(ROLES as readonly string[]).includes(role)) {
    problems.push(`role "${role}" is not one of ${ROLES.join(', ')}`);
    return problems;
  }
  const { provinces, regencies } = loadRegions();
  if (role === 'dinas_kabkota') {
    if (!REGENCY_CODE.test(region) || !Object.hasOwn(regencies, region))
      problems.push(`a dinas kabupaten/kota needs a Kemendagri kabupaten/kota code such as 32.05, not "${region}"`);
  } else if (role === 'dinas_provinsi' || role === 'assessor') {
    if (!PROVINCE_CODE.test(region) || !Object.hasOwn(provinces, region))
      problems.push(
        `${role === 'assessor' ? 'an assessor' : 'a dinas provinsi'} needs a province code such as 32, not "${region}"`,
      );
  } else if (!REGION_CODE.test(region)) {
    problems.push(`region must be a code such as 00, not "${region}"`);
  }
  return problems;
}

export class UserError extends Error {
  override name = 'UserError';
}

function normalized(u: NewUser): NewUser {
  return {
    id: u.id.trim(),
    name: u.name.trim(),
    email: u.email.trim().toLowerCase(),
    role: u.role,
    region: u.region.trim(),
  };
}

/** Adds a user, or updates the one with the same id (name, email, role, region) and makes it active again. */
export async function upsertUser(db: Kysely<Database>, input: NewUser): Promise<'created' | 'updated'> {
  const problems = userProblems(input);
  if (problems.length) throw new UserError(`user ${String(input.id)}: ${problems.join('; ')}`);
  const u = normalized(input);
  const taken = await db.selectFrom('users').select('id').where('email', '=', u.email).executeTakeFirst();
  if (taken && taken.id !== u.id) throw new UserError(`email ${u.email} already belongs to user ${taken.id}`);
  const before = await db.selectFrom('users').select('id').where('id', '=', u.id).executeTakeFirst();
  await db
    .insertInto('users')
    .values({ ...u, active: true })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({ name: u.name, email: u.email, role: u.role, region: u.region, active: true, disabled_at: null }),
    )
    .execute();
  return before ? 'updated' : 'created';
}

/** Disables a user: their sessions end and their tokens are revoked at once; the row stays for the audit trail. */
export async function disableUser(db: Kysely<Database>, idOrEmail: string): Promise<UserRow> {
  const key = idOrEmail.trim();
  return db.transaction().execute(async (trx) => {
    const user = await trx
      .updateTable('users')
      .set({ active: false, disabled_at: new Date() })
      .where((eb) => eb.or([eb('id', '=', key), eb('email', '=', key.toLowerCase())]))
      .returningAll()
      .executeTakeFirst();
    if (!user) throw new UserError(`no user ${key}`);
    const now = new Date();
    await trx
      .updateTable('sessions')
      .set({ ended_at: now })
      .where('user_id', '=', user.id)
      .where('ended_at', 'is', null)
      .execute();
    await trx
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('user_id', '=', user.id)
      .where('revoked_at', 'is', null)
      .execute();
    return user;
  });
}

export function listUsers(db: Kysely<Database>): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().orderBy('role').orderBy('region').orderBy('id').execute();
}

export function findUser(db: Kysely<Database>, idOrEmail: string): Promise<UserRow | undefined> {
  const key = idOrEmail.trim();
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', key), eb('email', '=', key.toLowerCase())]))
    .executeTakeFirst();
}
