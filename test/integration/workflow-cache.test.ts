/**
 * The workflow cache is kept only where the Temporal server refuses queries (worker/workflow-cache.ts), and there the
 * SDK 1.24 hazard cannot happen (docs/workflow-cache.md). A dev server of this file's own refuses queries, as `npm
 * start`'s and the deployment's do; the suite's server answers them (its tests look inside workflows).
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createMailer } from '../../activities/mailer';
import { bundleHazardWorkflows, HazardWorker, runHazardTry } from '../../bench/drivers';
import { temporalSettings } from '../../common/temporal-connection';
import { createDb } from '../../db/database';
import { devServerDynamicConfig, startDevServer, type DevServer } from '../../embedded/dev-server';
import { freePort } from '../../embedded/ports';
import { createWorker } from '../../worker/create-worker';
import { namespaceRefusesQueries } from '../../worker/workflow-cache';

/** gRPC's INVALID_ARGUMENT, the status of a query the namespace refuses. */
const INVALID_ARGUMENT = 3;

const stateDir = mkdtempSync(join(tmpdir(), 'ovop-workflow-cache-'));
let refusing: DevServer;

beforeAll(async () => {
  // The worker decides from the server alone only when the operator set no size.
  vi.stubEnv('OVOP_MAX_CACHED_WORKFLOWS', undefined);
  refusing = await startDevServer({
    port: await freePort(),
    headless: true,
    logFile: join(stateDir, 'refusing', 'temporal-server.log'),
    dynamicConfig: devServerDynamicConfig(),
  });
});

afterAll(async () => {
  await refusing?.stop();
  vi.unstubAllEnvs();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('the cache a worker takes from its server', () => {
  it('is 1,000 workflows where the namespace refuses queries and none where it answers them, with the reason', async () => {
    const db = createDb(inject('databaseUrl'));
    const mailer = createMailer(inject('smtpUrl'));
    try {
      const decided = [];
      for (const address of [refusing.address, inject('temporalAddress')]) {
        const temporal = temporalSettings({ address, namespace: 'default' });
        const connection = await NativeConnection.connect({ address });
        const clientConnection = await Connection.connect({ address });
        try {
          const refuses = await namespaceRefusesQueries(connection, 'default');
          const {
            worker,
            connection: workerConnection,
            cache,
          } = await createWorker({
            temporal,
            client: new Client({ connection: clientConnection, namespace: 'default' }),
            db,
            mailer,
            taskQueue: `test-workflow-cache-${Date.now()}`,
            workflowBundle: { codePath: inject('workflowBundlePath') },
          });
          // The size the SDK's worker was made with, not only the one reported.
          const workerSize = worker.options.maxCachedWorkflows;
          await worker.runUntil(Promise.resolve());
          await workerConnection.close();
          decided.push({ refuses, workerSize, ...cache });
        } finally {
          await connection.close();
          await clientConnection.close();
        }
      }
      const [onRefusing, onSuite] = decided;
      expect(onRefusing).toEqual({
        refuses: true,
        workerSize: 1000,
        size: 1000,
        reason: 'the namespace refuses queries (system.disallowQuery), so the worker caches up to 1000 workflows',
      });
      expect(onSuite).toMatchObject({ refuses: false, workerSize: 0, size: 0 });
      expect(onSuite.reason).toMatch(/^the namespace answers queries, so the worker keeps no cache/);
    } finally {
      mailer.close();
      await db.destroy();
    }
  });
});

describe('the hazard’s sequence with a cache, where the namespace refuses queries', () => {
  let bundle: WorkflowBundle;
  beforeAll(async () => {
    bundle = await bundleHazardWorkflows();
  });

  it('refuses the query; the Update is answered and every history replays, the acceptance first', async () => {
    const nativeConnection = await NativeConnection.connect({ address: refusing.address });
    const connection = await Connection.connect({ address: refusing.address });
    const client = new Client({ connection, namespace: 'default' });
    const taskQueue = `test-cache-hazard-${Date.now()}`;
    const hw = await HazardWorker.start({
      connection: nativeConnection,
      taskQueue,
      maxCachedWorkflows: 100,
      workflowBundle: bundle,
    });
    try {
      for (let i = 0; i < 3; i++) {
        const t = await runHazardTry(client, hw, `${taskQueue}/try-${i}`, bundle);
        const what = JSON.stringify({ ...t, query: t.query.answered ? t.query : t.query.message });
        expect(t.query.answered, what).toBe(false);
        if (!t.query.answered) {
          expect(t.query.error.code, what).toBe(INVALID_ARGUMENT);
          expect(t.query.message, what).toMatch(/not allowed to query/);
        }
        expect(t.update, what).toEqual({ ok: true, value: 'done:x' });
        expect(t.replay, what).toEqual({ ok: true });
        // Replay runs the Update before the main loop's next step: the acceptance comes first, then its `work`.
        expect(t.orderAfterGate[0], what).toBe('UpdateAccepted');
        expect(t.orderAfterGate.indexOf('ActivityTaskScheduled(work)'), what).toBeGreaterThan(0);
      }
    } finally {
      await hw.stop();
      await nativeConnection.close();
      await connection.close();
    }
  });
});
