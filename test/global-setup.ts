/**
 * One stack per test run: a headless Temporal dev server, a fresh database (a new database on the server named by
 * DATABASE_URL, or an in-memory PGlite) and the SMTP sink; the workflow code is bundled once here, not per test.
 */
import { register } from 'tsx/esm/api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDb } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { startStack } from '../embedded/stack';
import { bundleWorkflows } from '../build/workflow-bundle';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    smtpUrl: string;
    mailDir: string;
    workflowBundlePath: string;
    stateDir: string;
  }
}

/** A fresh database per run on a real server, dropped afterwards. */
async function freshDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `ovop_test_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export default async function setup(project: TestProject) {
  const stateDir = mkdtempSync(join(tmpdir(), 'ovop-test-'));
  const realDb = process.env.DATABASE_URL ? await freshDatabase(process.env.DATABASE_URL) : undefined;
  // The suite always uses its own SMTP sink: tests read what the server received.
  const stack = await startStack({
    stateDir,
    persistent: false,
    headless: true,
    // The tests look inside workflows with queries; so the workers here run without a cache, every task a replay.
    answerQueries: true,
    env: { ...process.env, DATABASE_URL: realDb?.url, SMTP_URL: undefined, TEMPORAL_ADDRESS: undefined },
  });
  const teardown = async () => {
    await stack.stop();
    await realDb?.drop();
    rmSync(stateDir, { recursive: true, force: true });
  };
  const workflowBundlePath = join(stateDir, 'workflow-bundle.js');
  try {
    // FileMigrationProvider imports the migration files with Node's own loader, which needs tsx to read TypeScript.
    const unregister = register();
    const db = createDb(stack.databaseUrl, { max: 1 });
    await migrateToLatest(db).finally(() => db.destroy());
    await unregister();
    // Bundled as `npm run build` bundles dist/workflow-bundle.js, and loaded by every test worker the same way.
    await bundleWorkflows(workflowBundlePath);
  } catch (err) {
    // A failed setup must not leave a dev server running behind the test run.
    await teardown();
    throw err;
  }

  project.provide('temporalAddress', stack.temporal.address);
  project.provide('databaseUrl', stack.databaseUrl);
  project.provide('smtpUrl', stack.smtpUrl);
  project.provide('mailDir', stack.mailDir!);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('stateDir', stateDir);

  return teardown;
}
