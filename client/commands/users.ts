/**
 * `ovop users add|import|disable|list|token`: the people who may sign in to the API. These are operator commands: they
 * work on the database directly (DATABASE_URL), not through the API, because the first coordinator has to come from
 * somewhere. `import` reads a CSV of id,name,email,role,region and changes nothing unless every row is valid.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { createApiToken } from '../../db/credentials';
import { disableUser, findUser, listUsers, upsertUser, userProblems, UserError, type NewUser } from '../../db/users';
import type { Role } from '../../domain/types';
import type { Context, Outcome } from '../context';
import { firstLine, refused, usage, type Issue } from '../errors';
import { table } from '../output';

const WHY = 'ovop users (an operator command)';
export const USER_COLUMNS = ['id', 'name', 'email', 'role', 'region'] as const;

function asRefusal(err: unknown): never {
  if (err instanceof UserError) throw refused(err.message);
  throw err;
}

export async function usersAdd(ctx: Context, opts: NewUser): Promise<Outcome> {
  const problems = userProblems(opts);
  if (problems.length) throw usage(`cannot add user ${opts.id}: ${problems.join('; ')}`);
  const db = await ctx.db(WHY);
  const done = await upsertUser(db, opts).catch(asRefusal);
  return {
    json: { id: opts.id, status: done },
    text: `User ${opts.id} (${opts.role} ${opts.region}, ${opts.email.toLowerCase()}) ${done}.`,
  };
}

export async function usersImport(ctx: Context, opts: { file: string }): Promise<Outcome> {
  let records: string[][];
  try {
    records = parse(readFileSync(opts.file, 'utf8'), {
      bom: true,
      comment: '#',
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
    }) as string[][];
  } catch (err) {
    throw usage(`cannot read ${opts.file} as CSV: ${firstLine(err)}`);
  }
  const header = (records[0] ?? []).map((h) => h.toLowerCase());
  if (USER_COLUMNS.some((c) => !header.includes(c)))
    throw usage(`${opts.file}: the first line must name the columns ${USER_COLUMNS.join(',')}`);
  const users: NewUser[] = [];
  const issues: Issue[] = [];
  const emails = new Map<string, number>();
  records.slice(1).forEach((record, i) => {
    const row = i + 2;
    const u = Object.fromEntries(USER_COLUMNS.map((c) => [c, record[header.indexOf(c)] ?? ''])) as unknown as NewUser;
    for (const p of userProblems(u)) issues.push({ path: `row ${row}`, message: p });
    const email = u.email.trim().toLowerCase();
    if (emails.has(email))
      issues.push({ path: `row ${row}`, message: `email ${email} is also on row ${emails.get(email)}` });
    emails.set(email, row);
    users.push({ ...u, role: u.role.trim() as Role });
  });
  if (users.length === 0) throw usage(`${opts.file} has a header but no users`);
  if (issues.length) throw usage(`${opts.file}: ${issues.length} problem(s); nothing was imported`, issues);
  const db = await ctx.db(WHY);
  const counts = { created: 0, updated: 0 };
  await db
    .transaction()
    .execute(async (trx) => {
      for (const u of users) counts[await upsertUser(trx, u)] += 1;
    })
    .catch(asRefusal);
  return {
    json: { file: opts.file, ...counts },
    text: `Imported ${users.length} user(s) from ${opts.file}: ${counts.created} created, ${counts.updated} updated.`,
  };
}

export async function usersDisable(ctx: Context, idOrEmail: string): Promise<Outcome> {
  const db = await ctx.db(WHY);
  const user = await disableUser(db, idOrEmail).catch(asRefusal);
  return {
    json: { id: user.id, active: false },
    text: `User ${user.id} disabled: their sessions ended and their API tokens were revoked.`,
  };
}

export async function usersList(ctx: Context): Promise<Outcome> {
  const db = await ctx.db(WHY);
  const users = await listUsers(db);
  const json = users.map((u) => ({
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role,
    region: u.region,
    active: u.active,
  }));
  return {
    json,
    text:
      users.length === 0
        ? 'No users yet; add one with ovop users add.'
        : table(
            ['id', 'name', 'email', 'role', 'region', 'active'],
            json.map((u) => [u.id, u.name, u.email, u.role, u.region, u.active ? 'yes' : 'no']),
          ),
  };
}

/** An API token for a user, made by an operator (for a script, or the first coordinator before any sign-in). */
export async function usersToken(
  ctx: Context,
  idOrEmail: string,
  opts: { days: string; name: string },
): Promise<Outcome> {
  const days = Number(opts.days);
  if (!Number.isInteger(days) || days < 1 || days > 365) throw usage(`--days must be a whole number from 1 to 365`);
  const db = await ctx.db(WHY);
  const user = await findUser(db, idOrEmail);
  if (!user) throw refused(`no user ${idOrEmail}`);
  if (!user.active) throw refused(`user ${user.id} is disabled`);
  const made = await createApiToken(db, user.id, { name: opts.name, ttlDays: days });
  return {
    json: { userId: user.id, tokenId: made.id, token: made.token, expiresAt: made.expiresAt.toISOString() },
    text: [
      `API token for ${user.id} (${user.role} ${user.region}), valid until ${made.expiresAt.toISOString()}; it is shown only now:`,
      made.token,
    ].join('\n'),
  };
}
