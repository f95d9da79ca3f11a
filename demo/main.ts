/**
 * `npm start`: the main job on the embedded defaults. It starts a Temporal dev server (SQLite under .ovop/, Web UI on),
 * PGlite, the SMTP sink and a worker, opens a demo award cycle with compressed durations, drives every nomination
 * through the real lifecycle with scripted actors, and ends with the stars by province and commodity.
 *
 * `npm start -- --serve` keeps the stack and the worker up afterwards for the `ovop` CLI; `npm start -- --no-demo`
 * (with or without --serve) starts them and serves at once, without the demo and its cycle.
 */
import { SingleBar } from 'cli-progress';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { readdirSync } from 'node:fs';
import { loadCycleConfig } from '../domain/cycle-config';
import { regionDisplayName } from '../domain/regions';
import { isTerminal, type Stage } from '../domain/types';
import { starsByProvinceAndCommodity, stageCounts } from '../db/reports';
import { MigrationError } from '../db/migrate';
import { cycleWorkflowId } from '../workflows/ids';
import { awardCycle } from '../workflows/award-cycle.workflow';
import { issueDecreeUpdate, nominateUpdate } from '../workflows/messages';
import { bootstrap, type Deps } from '../worker/bootstrap';
import { createWorker } from '../worker/create-worker';
import { archiveEvery, startHistoryArchiver } from '../common/history-archiver';
import { driveNomination } from './actors';
import { startDemoApi } from './api';
import { COORDINATOR } from './next-actions';
import { demoNominations } from './nominations';
import { startStack, type Stack } from '../embedded/stack';
import { MissingPrerequisiteError } from '../embedded/temporal-cli';
import { retryOnTaskFailure } from '../common/update-retry';
import { runUpdate } from '../common/run-update';

/** The demo's cycle counts its nominations every 2 s (the engine's default is 5 minutes), so it finalizes promptly. */
const DEMO_CENSUS_EVERY = '2s';

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const noDemo = process.argv.includes('--no-demo');
const serve = noDemo || process.argv.includes('--serve');

/** The demo's cycles are `ovop-demo-<UTC time>`: searches can tell them apart (`OvopCycle STARTS_WITH "ovop-demo-"`). */
const demoCycleId = () => `ovop-demo-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '').toLowerCase()}`;

async function main(): Promise<void> {
  // The progress bar is the demo's display; the SDK's own log would tear it, so only errors get through.
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
  });
  const stateDir = resolve(process.env.OVOP_STATE_DIR ?? '.ovop');
  console.log('Starting the embedded stack (Temporal dev server, PostgreSQL, SMTP)…');
  const stack = await startStack({
    stateDir,
    persistent: true,
    headless: false,
    ports: {
      temporal: port('OVOP_TEMPORAL_PORT', 7233),
      ui: port('OVOP_UI_PORT', 8233),
      pg: port('OVOP_PG_PORT', 55432),
      smtp: port('OVOP_SMTP_PORT', 2525),
    },
  });
  const deps = await bootstrap({
    temporal: stack.temporal,
    databaseUrl: stack.databaseUrl,
    smtpUrl: stack.smtpUrl,
  }).catch(async (err) => {
    await stack.stop();
    throw err;
  });
  const taskQueue = 'ovop-demo';
  const apiPort = port('OVOP_API_PORT', 8080);
  // Mails link to the portal the API serves here (OVOP_PORTAL_URL names another, e.g. behind a proxy).
  const portalUrl = process.env.OVOP_PORTAL_URL || `http://127.0.0.1:${apiPort}`;
  const { worker, connection, cache } = await createWorker({ ...deps, temporal: stack.temporal, taskQueue, portalUrl });
  console.log(`Workflow cache ${cache.size}: ${cache.reason}.`);
  const running = worker.run();
  const archiveMs = archiveEvery();
  const archiver = archiveMs ? startHistoryArchiver(deps.client, deps.db, archiveMs) : undefined;
  let api: Awaited<ReturnType<typeof startDemoApi>> | undefined;
  try {
    api = await startDemoApi(deps, taskQueue, apiPort);
    if (noDemo)
      console.log(
        `Without the demo (--no-demo). Temporal Web UI: ${stack.uiUrl ?? '(headless)'}; mail: ${stack.mailDir ?? stack.smtpUrl}`,
      );
    else await runDemo(deps, stack, taskQueue);
    if (serve)
      await serveUntilInterrupted(stack.temporal.address, stack.databaseUrl, stack.smtpUrl, taskQueue, api.url);
  } catch (err) {
    console.error(`Demo failed: ${(err as Error).stack ?? err}`);
    throw err;
  } finally {
    // Ctrl-C already makes the SDK drain the worker; only a normal end needs to ask for it.
    await api?.close();
    if (worker.getState() === 'RUNNING') worker.shutdown();
    // A shutdown that outlives shutdownForceTime rejects; the services must be stopped all the same.
    await running.catch((err) => console.error(`Worker stopped with: ${(err as Error).message}`));
    await archiver?.stop();
    await connection.close();
    await deps.close();
    await stack.stop();
  }
}

/** The demo: a compressed cycle whose nominations scripted actors drive to their end, then the stars it gave. */
async function runDemo(deps: Deps, stack: Stack, taskQueue: string): Promise<void> {
  const config = loadCycleConfig(fileURLToPath(new URL('../config/cycle.demo.yaml', import.meta.url)));
  config.id = demoCycleId();
  const cycle = await deps.client.workflow.start(awardCycle, {
    workflowId: cycleWorkflowId(config.id),
    taskQueue,
    args: [{ config, reconcileEvery: DEMO_CENSUS_EVERY }],
  });
  console.log(`Cycle ${config.id} opened; intake closes in ${config.intakeWindow}.`);

  const nominations = demoNominations();
  const bar = new SingleBar({
    format: ' {bar} {value}/{total} nominations settled | {stages}',
    hideCursor: true,
    clearOnComplete: false,
  });
  const stages = new Map<string, Stage>();
  const summary = () => {
    const counts: Record<string, number> = {};
    for (const s of stages.values()) counts[s] = (counts[s] ?? 0) + 1;
    return Object.entries(counts)
      .map(([s, c]) => `${s} ${c}`)
      .join(', ');
  };
  bar.start(nominations.length, 0, { stages: '' });
  const driven = nominations.map(async ({ input, script }) => {
    const dinas = { role: 'dinas_kabkota' as const, id: `disperin-${input.regencyCode}`, region: input.regencyCode };
    const { workflowId } = await retryOnTaskFailure(() =>
      runUpdate(cycle, nominateUpdate, { args: [{ ...input, cycleId: config.id, nominatedBy: dinas }] }),
    );
    const view = await driveNomination(deps.db, deps.client.workflow.getHandle(workflowId), script, config, (stage) => {
      stages.set(workflowId, stage);
      bar.update(Array.from(stages.values()).filter(isTerminal).length, { stages: summary() });
    });
    return view;
  });
  // The demo's cycle determines its stars by decree: once every nomination is recommended or closed, the coordinator
  // records one, and the cycle determines them all.
  let decreeLine = '';
  if (config.award?.determination === 'decree') {
    const settledOrRecommended = () =>
      stages.size === nominations.length &&
      [...stages.values()].every((s) => isTerminal(s) || s === 'STAR_RECOMMENDED');
    while (!settledOrRecommended()) await new Promise((r) => setTimeout(r, 500));
    const outcome = await retryOnTaskFailure(() =>
      runUpdate(cycle, issueDecreeUpdate, {
        args: [
          {
            actor: COORDINATOR,
            number: `${config.id}/KEP/DJIKMA`,
            date: new Date().toISOString().slice(0, 10),
            signatory: { office: 'director_general', name: 'Direktur Jenderal IKMA (demo)' },
          },
        ],
      }),
    );
    decreeLine =
      `Decree ${outcome.decree.number} determined ${outcome.determined.length} nominations` +
      (outcome.skipped.length ? ` (${outcome.skipped.length} not: ${outcome.skipped[0].reason})` : '.');
  }
  const views = await Promise.all(driven);
  bar.update(nominations.length, { stages: summary() });
  bar.stop();
  if (decreeLine) console.log(decreeLine);

  console.log('Waiting for the cycle to close intake and finalize…');
  const final = await cycle.result();
  const rows = await starsByProvinceAndCommodity(deps.db, config.id);
  console.log(`\nPenghargaan OVOP — ${config.name} (${config.id}): ${final.nominated} nominations`);
  console.table(
    rows.map((r) => ({
      Provinsi: regionDisplayName(r.province),
      Komoditas: r.commodity,
      Bintang: r.stars,
      IKM: r.count,
    })),
  );
  console.log('Stars per IKM:');
  console.table(
    views
      .filter((v) => v.stars)
      .map((v) => ({
        IKM: v.ikm_name,
        Daerah: regionDisplayName(v.regency_code),
        Komoditas: v.commodity,
        Nilai: v.provisional_score,
        Bintang: v.stars,
      })),
  );
  console.log('Final stages:', await stageCounts(deps.db, config.id));
  const mails = stack.mailDir ? readdirSync(stack.mailDir).filter((f) => f.endsWith('.eml')).length : 0;
  console.log(
    `\nTemporal Web UI: ${stack.uiUrl ?? '(headless)'}  (workflow histories, search: OvopCycle="${config.id}")`,
  );
  console.log(`Mail: ${stack.mailDir ?? stack.smtpUrl} (${mails} messages so far)`);
  console.log(`PostgreSQL: ${stack.databaseUrl}`);
}

/** `npm start -- --serve`: keep the stack and worker up for the `ovop` CLI (docs/cli-walkthrough.md) until Ctrl-C. */
async function serveUntilInterrupted(
  address: string,
  databaseUrl: string,
  smtpUrl: string,
  taskQueue: string,
  apiUrl: string,
): Promise<void> {
  console.log('\nThe stack keeps running for the ovop CLI; in another terminal:');
  console.log(
    `  export TEMPORAL_ADDRESS=${address} DATABASE_URL='${databaseUrl}' SMTP_URL=${smtpUrl} OVOP_TASK_QUEUE=${taskQueue} OVOP_API_URL=${apiUrl}`,
  );
  console.log('  export OVOP_TOKEN=<a token printed above>   # who you act as in the actor commands (ovop --help)');
  console.log('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

main().catch((err) => {
  if (err instanceof MissingPrerequisiteError || err instanceof MigrationError) console.error(err.message);
  else console.error(`npm start failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
