/**
 * The API under test: built on the file's harness (its Temporal client, database and mailer), listening on a free
 * loopback port, called over real HTTP with fetch so cookies, headers and status codes are what a client sees.
 * Users are seeded with the demo's ids, and each gets an API token made the way `ovop users token` makes one.
 */
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { createApiToken } from '../../db/credentials';
import { upsertUser, type NewUser } from '../../db/users';
import type { AssessorProfile, CycleConfig } from '../../domain/types';
import { buildApi, type ApiDeps } from '../../api/server';
import { apiOptionsFromEnv, type ApiOptions } from '../../api/options';
import { waitFor, type Harness } from './harness';

export const TEST_USERS = {
  coordinator: {
    id: 'koordinator-ikma',
    name: 'Koordinator IKMA',
    email: 'koordinator@ikma.example',
    role: 'coordinator',
    region: '00',
  },
  garut: {
    id: 'disperin-32.05',
    name: 'Disperin Kab. Garut',
    email: 'disperin.garut@example.id',
    role: 'dinas_kabkota',
    region: '32.05',
  },
  tasikmalaya: {
    id: 'disperin-32.06',
    name: 'Disperin Kab. Tasikmalaya',
    email: 'disperin.tasik@example.id',
    role: 'dinas_kabkota',
    region: '32.06',
  },
  jabar: {
    id: 'disperin-32',
    name: 'Disperin Jawa Barat',
    email: 'disperin.jabar@example.id',
    role: 'dinas_provinsi',
    region: '32',
  },
  diy: {
    id: 'disperin-34',
    name: 'Disperin DI Yogyakarta',
    email: 'disperin.diy@example.id',
    role: 'dinas_provinsi',
    region: '34',
  },
  budi: { id: 'penilai-budi', name: 'Budi Santoso', email: 'penilai.budi@example.id', role: 'assessor', region: '32' },
  siti: {
    id: 'penilai-siti',
    name: 'Siti Rahmawati',
    email: 'penilai.siti@example.id',
    role: 'assessor',
    region: '34',
  },
  andi: { id: 'penilai-andi', name: 'Andi Pratama', email: 'penilai.andi@example.id', role: 'assessor', region: '73' },
  rina: { id: 'penilai-rina', name: 'Rina Siregar', email: 'penilai.rina@example.id', role: 'assessor', region: '12' },
  auditor: { id: 'auditor-bpk', name: 'Auditor', email: 'auditor@example.id', role: 'auditor', region: '00' },
} as const satisfies Record<string, NewUser>;
export type TestUser = keyof typeof TEST_USERS;

export interface ApiUnderTest {
  url: string;
  app: FastifyInstance;
  options: ApiOptions;
  tokens: Record<TestUser, string>;
  stop(): Promise<void>;
}

/** `extra.logStream` receives the API's log lines (JSON), e.g. to assert what an operator reads in it. */
export async function startApi(
  h: Harness,
  over: Partial<ApiOptions> = {},
  port = 0,
  extra: Pick<ApiDeps, 'logStream' | 'metrics'> = {},
): Promise<ApiUnderTest> {
  // A loaded CI machine can take longer than production's 10 s to apply an action; a test that did not ask for the
  // 202 answer waits for the result (the 202 path has its own test, api-busy.test.ts).
  const defaults = { logRequests: false, actionWaits: { acceptSeconds: 60, resultSeconds: 60 } };
  const options = { ...apiOptionsFromEnv({}, defaults), ...over };
  const app = await buildApi({
    db: h.db,
    client: h.client,
    mailer: h.mailer,
    taskQueue: h.taskQueue,
    options,
    ...extra,
  });
  const address = await app.listen({ host: '127.0.0.1', port });
  options.publicUrl = address;
  const tokens = {} as Record<TestUser, string>;
  for (const [key, user] of Object.entries(TEST_USERS) as [TestUser, NewUser][]) {
    await upsertUser(h.db, user);
    tokens[key] = (await createApiToken(h.db, user.id, { name: 'test', ttlDays: 1 })).token;
  }
  return { url: address, app, options, tokens, stop: () => app.close() };
}

/** The token of an assessor of the cycle's pool: a TEST_USERS one, or a user made from the pool's profile (the panel
 * is drawn at random from the whole pool, so a test cannot know in advance who is on it). */
export async function assessorToken(
  h: Harness,
  api: ApiUnderTest,
  pool: readonly AssessorProfile[],
  id: string,
): Promise<string> {
  const known = (Object.entries(TEST_USERS) as [TestUser, NewUser][]).find(([, u]) => u.id === id);
  if (known) return api.tokens[known[0]];
  const a = pool.find((x) => x.id === id);
  if (!a) throw new Error(`assessor ${id} is not in the cycle's pool`);
  return userWithToken(h, { id, name: a.name, email: a.email, role: 'assessor', region: a.province });
}

/** One more user beside TEST_USERS (e.g. the dinas of another kabupaten/kota), and its API token. */
export async function userWithToken(h: Harness, user: NewUser): Promise<string> {
  await upsertUser(h.db, user);
  return (await createApiToken(h.db, user.id, { name: 'test', ttlDays: 1 })).token;
}

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** One HTTP call: JSON in and out; `token` sends a bearer token, `cookie` and `csrf` a session's. */
export async function call<T = any>(
  api: { url: string },
  method: string,
  path: string,
  opts: { token?: string; cookie?: string; csrf?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.csrf) headers['x-csrf-token'] = opts.csrf;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    redirect: 'manual',
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // HTML (the sign-in page) stays text.
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

/** The path of a nomination: its workflow id, URL-encoded. */
export const nominationPath = (workflowId: string, rest = '') =>
  `/api/nominations/${encodeURIComponent(workflowId)}${rest}`;

/**
 * Opens the award cycle of `config` through the API as the coordinator (the config as a coordinator uploads it, without
 * the regions the engine fills in) and waits until the cycle can be read back: a test's nominations go to it next.
 */
export async function openCycle(api: ApiUnderTest, config: CycleConfig): Promise<void> {
  const { regencies: _r, provinces: _p, ...body } = config;
  const opened = await call(api, 'POST', '/api/cycles', { token: api.tokens.coordinator, body: { config: body } });
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  await waitFor(
    async () => (await call(api, 'GET', `/api/cycles/${config.id}`, { token: api.tokens.auditor })).status === 200,
  );
}
