/**
 * GET /api/health, the probe of the API container's HEALTHCHECK and of load balancers: public, 200 while the API
 * reaches PostgreSQL and Temporal, 503 naming the one that does not answer.
 */
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOptionsFromEnv } from '../../api/options';
import { buildApi, type ApiDeps } from '../../api/server';
import { createDb } from '../../db/database';
import { startHarness, type Harness } from '../support/harness';
import { call, startApi, type ApiUnderTest } from '../support/api';

let h: Harness;
let api: ApiUnderTest;

beforeAll(async () => {
  h = await startHarness('api-health');
  api = await startApi(h);
});
afterAll(async () => {
  await api?.stop();
  await h?.stop();
});

/** An API whose dependencies are the harness's, but for `over`. */
async function apiWith(over: Partial<ApiDeps>) {
  const options = apiOptionsFromEnv({}, { logRequests: false });
  const app = await buildApi({
    db: h.db,
    client: h.client,
    mailer: h.mailer,
    taskQueue: h.taskQueue,
    options,
    ...over,
  });
  return { app, url: await app.listen({ host: '127.0.0.1', port: 0 }) };
}

describe('GET /api/health', () => {
  it('answers 200 without sign-in while PostgreSQL and Temporal answer', async () => {
    const r = await call(api, 'GET', '/api/health');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok' });
  });

  it('answers 503 naming PostgreSQL when the database does not answer', async () => {
    // Port 1: nothing listens, the connection is refused at once.
    const db = createDb('postgres://postgres@127.0.0.1:1/ovop');
    const down = await apiWith({ db });
    try {
      const r = await call(down, 'GET', '/api/health');
      expect(r.status).toBe(503);
      expect(r.body.code).toBe('unavailable');
      expect(r.body.message).toMatch(/^PostgreSQL does not answer: /);
    } finally {
      await down.app.close();
      await db.destroy();
    }
  });

  it('answers 503 naming Temporal when the Temporal frontend does not answer', async () => {
    // Without the client's retry interceptor: its next attempt, on a timer, would otherwise outlive the closed
    // connection below and throw in the test process ("Channel has been shut down").
    const connection = Connection.lazy({ address: '127.0.0.1:1', interceptors: [] });
    const down = await apiWith({ client: new Client({ connection }) });
    try {
      const r = await call(down, 'GET', '/api/health');
      expect(r.status).toBe(503);
      expect(r.body.code).toBe('unavailable');
      expect(r.body.message).toMatch(/^Temporal does not answer: /);
    } finally {
      await down.app.close();
      await connection.close();
    }
  });
});
