/**
 * The workflow cache is kept only where the Temporal server refuses queries (worker/workflow-cache.ts), and there the
 * SDK 1.24 hazard cannot happen (docs/workflow-cache.md). A dev server of this file's own refuses queries, as `npm
 * start`'s and the deployment's do; the suite's server answers them (its tests look inside workflows).
 */
import { Client, Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
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
import { REPO_ROOT } from '../support/cli';
import { waitFor } from '../support/harness';

/** gRPC's INVALID_ARGUMENT, the status of a query the namespace refuses. */
const INVALID_ARGUMENT = 3;

const stateDir = mkdtempSync(join(tmpdir(), 'ovop-workflow-cache-'));
let refusing: DevServer;
/** The watched worker's dev server (restarted in its test) and the worker, if still running at the end. */
let watched: DevServer | undefined;
let workerProcess: ChildProcess | undefined;

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
  if (workerProcess && workerProcess.exitCode === null) workerProcess.kill('SIGKILL');
  await watched?.stop();
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
        followsServer: true,
      });
      expect(onSuite).toMatchObject({ refuses: false, workerSize: 0, size: 0, followsServer: true });
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

/** `npm run worker` as an operator runs it, against `address`, the suite's database and SMTP sink. */
function startWorkerProcess(address: string, env: Record<string, string | undefined> = {}) {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: 'default',
    DATABASE_URL: inject('databaseUrl'),
    SMTP_URL: inject('smtpUrl'),
    OVOP_TASK_QUEUE: `test-cache-watch-${Date.now()}`,
    OVOP_ARCHIVE_EVERY: 'off',
    ...env,
  };
  for (const name of ['OVOP_MAX_CACHED_WORKFLOWS', 'TEMPORAL_PROFILE', 'OVOP_METRICS_ADDRESS'])
    if (!(name in env)) delete childEnv[name];
  for (const [name, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], { cwd: REPO_ROOT, env: childEnv });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (output.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

describe('a caching worker whose namespace starts answering queries', () => {
  it('refuses a bad check interval at start (exit 1, the variable named)', async () => {
    const { output, exited } = startWorkerProcess(refusing.address, { OVOP_QUERY_SETTING_CHECK_SECONDS: '0.5' });
    expect(await exited).toBe(1);
    expect(output.stderr).toContain(
      'Worker stopped: OVOP_QUERY_SETTING_CHECK_SECONDS must be a whole number of seconds from 1 to 3600, not "0.5"',
    );
  });

  it('stops with exit code 1 and says why, once the server answers queries again', async () => {
    const port = await freePort();
    const server = (refuses: boolean) =>
      startDevServer({
        port,
        headless: true,
        dbFile: join(stateDir, 'watched', 'temporal.sqlite'),
        logFile: join(stateDir, 'watched', 'temporal-server.log'),
        dynamicConfig: devServerDynamicConfig(process.env, { answerQueries: !refuses }),
      });
    watched = await server(true);
    const worker = startWorkerProcess(watched.address, { OVOP_QUERY_SETTING_CHECK_SECONDS: '1' });
    workerProcess = worker.child;
    const { output, exited } = worker;
    await waitFor(async () => output.stdout.includes('Workflow cache ') || worker.child.exitCode !== null, {
      timeoutMs: 90_000,
      what: 'the worker to say its cache',
    });
    expect(output.stdout, output.stderr).toContain(
      'Workflow cache 1000: the namespace refuses queries (system.disallowQuery), so the worker caches up to 1000 workflows.',
    );
    // Three checks while the server still refuses: the worker keeps running.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(worker.child.exitCode, output.stderr).toBeNull();

    // The operator's change: the same server, the same history, queries answered.
    await watched.stop();
    watched = await server(false);
    const code = await Promise.race([
      exited,
      new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 60_000)),
    ]);
    expect(code, `${output.stdout}\n${output.stderr}`).toBe(1);
    expect(output.stderr).toContain(
      'Worker stopping: namespace default now answers queries, and a cached workflow is unsafe then (docs/workflow-cache.md); started again, it runs without a cache.',
    );
    // The server itself says it answers now: the worker did not stop on a failed check.
    const probe = await NativeConnection.connect({ address: watched.address });
    try {
      expect(await namespaceRefusesQueries(probe, 'default')).toBe(false);
    } finally {
      await probe.close();
    }
  });
});
