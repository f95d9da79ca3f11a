/**
 * `npm run topology [-- --n 200 --concurrency 16 --no-build]`: the production topology on this machine, without
 * Docker. The Temporal server built from source (temporal-server.ts) on a PostgreSQL cluster of its own (a throwaway
 * data directory, as .ci/run starts one), its frontend on mutual TLS with a CA made at setup (a client without a
 * certificate is refused, and the run shows it); two compiled workers and the compiled API with plain node, their
 * Temporal connection on the client certificate, payloads encrypted. N nominations go through their whole lifecycle
 * by the API (drive.ts) while one worker is SIGKILLed and the Temporal server restarted. Then every nomination is
 * checked as the chaos bench checks them (bench/chaos/check.ts: the workflow and the projection agree, the event log
 * is whole, no mail went out twice, every history replays), and the run ends with one line:
 *
 *   topology: nominations N, completed C, lost L, duplicate emails D, mismatches M, errors E, elapsed S s
 *
 * exiting non-zero unless every nomination completed and L, D and M are 0 (E counts requests cut off by the faults,
 * each made again; it is a figure, not a failure).
 */
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import pg from 'pg';
import { connectClient, temporalSettings } from '../../common/temporal-connection';
import { createApiToken } from '../../db/credentials';
import { createDb } from '../../db/database';
import { upsertUser } from '../../db/users';
import { COMMODITIES } from '../../domain/types';
import { freePort } from '../../embedded/ports';
import { cycleWorkflowId } from '../../workflows/ids';
import { OVOP_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { SearchAttributeType } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { checkChaos } from '../chaos/check';
import type { FaultRecord } from '../chaos/faults';
import { startChaosPostgres } from '../chaos/postgres';
import { ChaosSmtp } from '../chaos/smtp';
import { nonNegative, parseOptions } from '../shared/args';
import { testConfig } from '../shared/cycle';
import { mapPool } from '../shared/pool';
import { regencyCodesFor } from '../shared/regencies';
import { clientTlsEnv, makeCertificates, type TopologyCertificates } from './certificates';
import { ApiPeople, STEPS_PER_NOMINATION, type DriveResult } from './drive';
import { scrapeFigures } from './metrics';
import { NodeService } from './services';
import { startOtlpReceiver } from '../shared/otlp-receiver';
import { traceFigures, traceLine } from './traces';
import { ensureServerBinaries, setUpSchemas, TopologyTemporal } from './temporal-server';

const opts = parseOptions<{ n: number; concurrency: number; build: boolean; keep: boolean }>(
  new Command('topology')
    .option('--n <count>', 'nominations driven through the API', nonNegative, 200)
    .option('--concurrency <count>', 'nominations driven at once', nonNegative, 16)
    .option('--no-build', 'use dist/ as it is instead of running npm run build first')
    .option('--keep', 'keep the state directory (logs, certificates, configs) after a passing run'),
);

const t0 = Date.now();
const log = (msg: string) =>
  console.log(`[topology ${new Date().toISOString().slice(11, 19)} +${Math.round((Date.now() - t0) / 1000)}s] ${msg}`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await pause(500);
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
const emergency: (() => void)[] = [];
process.once('SIGINT', () => {
  for (const e of emergency) e();
  process.exit(130);
});

async function main(): Promise<number> {
  if (opts.build) {
    const b0 = Date.now();
    execFileSync('npm', ['run', 'build', '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
    log(`npm run build: ${((Date.now() - b0) / 1000).toFixed(0)} s`);
  }
  const binaries = await ensureServerBinaries(log);
  log(
    binaries.builtInMs !== undefined
      ? `built ${binaries.server} and ${binaries.sqlTool} in ${(binaries.builtInMs / 1000).toFixed(0)} s`
      : `Temporal server and SQL tool from the cache: ${binaries.server}`,
  );
  const stateDir = mkdtempSync(join(tmpdir(), 'ovop-topology-'));
  const certs = makeCertificates(join(stateDir, 'certs'));
  log(`state, logs and certificates in ${stateDir}`);

  // A PostgreSQL cluster of its own, never DATABASE_URL: the Temporal server gets databases of its own in it.
  const postgres = await startChaosPostgres({ stateDir, env: {} });
  emergency.push(() => postgres.emergencyStop());
  cleanups.push(() => postgres.stop());
  if (postgres.kind !== 'postgresql')
    throw new Error(`the Temporal server needs a real PostgreSQL, found ${postgres.description}`);
  const pgUrl = new URL(postgres.url);
  const pgAt = { host: pgUrl.hostname, port: Number(pgUrl.port), user: 'postgres' };
  log(`PostgreSQL: ${postgres.description}`);
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('create database ovop');
  await admin.end();
  const databaseUrl = `postgres://postgres@${pgUrl.host}/ovop`;
  setUpSchemas(binaries.sqlTool, pgAt);
  log('temporal and temporal_visibility databases made and their schemas set up by temporal-sql-tool');

  const server = await TopologyTemporal.create({
    binary: binaries.server,
    stateDir,
    postgres: pgAt,
    certificates: certs,
  });
  emergency.push(() => server.emergencyStop());
  cleanups.push(() => server.stop());
  const s0 = Date.now();
  await server.start();
  log(
    `temporal-server on ${server.address} (mutual TLS), started in ${((Date.now() - s0) / 1000).toFixed(1)} s; log ${server.log}`,
  );

  const refusal = await refusedWithoutCertificate(server.ports.frontend, certs);
  log(`a client without a certificate is refused: ${refusal}`);

  Object.assign(process.env, clientTlsEnv(certs), {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    OVOP_PAYLOAD_KEYS: `topology:${randomBytes(32).toString('base64')}`,
  });
  const settings = temporalSettings();
  const client = await connectClient(settings);
  cleanups.push(() => client.connection.close());
  await registerNamespace(client.connection as Connection);
  log('namespace default registered with the Ovop* search attributes');

  const smtp = await ChaosSmtp.start(join(stateDir, 'mail'));
  cleanups.push(() => smtp.stop());
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: databaseUrl,
    SMTP_URL: smtp.url,
    ...clientTlsEnv(certs),
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    OVOP_PAYLOAD_KEYS: process.env.OVOP_PAYLOAD_KEYS,
    // Unset, the workers take the engine's decision (the deploy's config refuses queries: a cache of 1,000); 0 to
    // compare a run without it.
    OVOP_MAX_CACHED_WORKFLOWS: process.env.OVOP_MAX_CACHED_WORKFLOWS,
  };
  execFileSync(process.execPath, ['dist/db/migrate-cli.js'], { env, stdio: ['ignore', 'ignore', 'inherit'] });

  // The people: a coordinator, the dinas of each regency, the cycle's assessors; an API token each.
  const config = testConfig(`topology-${Date.now().toString(36)}`, { mutate: (c) => (c.intakeWindow = '6h') });
  const regencies = regencyCodesFor(config, opts.n);
  const plans = regencies.map((regencyCode, i) => ({
    regencyCode,
    ikmName: `IKM Topologi ${String(i).padStart(4, '0')}`,
    commodity: COMMODITIES[i % COMMODITIES.length],
  }));
  const db = createDb(databaseUrl);
  cleanups.push(() => db.destroy());
  const tokens = new Map<string, string>();
  const users = [
    {
      id: 'koordinator-ikma',
      name: 'Koordinator IKMA',
      email: 'koordinator@ikma.example',
      role: 'coordinator' as const,
      region: '00',
    },
    ...[...new Set(regencies)].map((code) => ({
      id: `disperin-${code}`,
      name: `Disperin ${code}`,
      email: `disperin-${code}@topology.example`,
      role: 'dinas_kabkota' as const,
      region: code,
    })),
    ...config.assessment.assessors.map((a) => ({
      id: a.id,
      name: a.name,
      email: a.email,
      role: 'assessor' as const,
      region: a.province,
    })),
  ];
  for (const u of users) {
    await upsertUser(db, u);
    tokens.set(u.id, (await createApiToken(db, u.id, { name: 'topology', ttlDays: 1 })).token);
  }

  // Every service traces (OTLP/HTTP) to a receiver here: the run reports the attendances traced whole.
  const traces = await startOtlpReceiver();
  cleanups.push(() => traces.close());
  const tracing = (service: string) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: traces.url, OTEL_SERVICE_NAME: service });

  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const workerMetrics = [await freePort(), await freePort()];
  const apiMetrics = await freePort();
  const workers = workerMetrics.map(
    (port, i) =>
      new NodeService(
        `worker-${i + 1}`,
        'dist/worker/main.js',
        { ...env, ...tracing(`ovop-worker-${i + 1}`), OVOP_METRICS_ADDRESS: `127.0.0.1:${port}` },
        stateDir,
      ),
  );
  const api = new NodeService(
    'api',
    'dist/api/main.js',
    {
      ...env,
      ...tracing('ovop-api'),
      OVOP_API_PORT: String(apiPort),
      OVOP_API_URL: apiUrl,
      OVOP_API_LOG: 'off',
      OVOP_ACTIONS_PER_MINUTE: '100000',
      // The drive reads each nomination's id from its nominate answer: wait for results through the faults rather
      // than answer 202 (the busy path is bench:api's).
      OVOP_ACTION_RESULT_SECONDS: '60',
      OVOP_API_METRICS_ADDRESS: `127.0.0.1:${apiMetrics}`,
    },
    stateDir,
  );
  for (const s of [...workers, api]) {
    s.start();
    emergency.push(() => s.emergencyStop());
    cleanups.push(() => s.stop());
  }
  await until('the API answering /api/health', 120_000, async () => (await fetch(`${apiUrl}/api/health`)).ok);
  for (const w of workers)
    await until(`${w.name} polling`, 120_000, async () => readFileSync(w.log, 'utf8').includes('Worker polling'));
  log(
    `2 workers (node dist/worker/main.js, pids ${workers.map((w) => w.pid).join(', ')}) and the API on ${apiUrl} are up`,
  );
  // The deploy's dynamic config refuses queries, so each worker should say it caches (worker/workflow-cache.ts).
  for (const w of workers) log(`${w.name}: ${cacheLines(w.log).at(-1) ?? 'said nothing of its workflow cache'}`);

  const people = new ApiPeople(apiUrl, config, tokens);
  await people.openCycle();
  log(
    `cycle ${config.id} opened by the coordinator through the API; ${opts.n} nominations, ${opts.concurrency} at a time`,
  );

  // The faults, at a share of the lifecycle steps done: a worker SIGKILLed at 30 % (back 5 s later, as a supervisor
  // restarts it), the Temporal server stopped and started again at 60 %.
  const faults: FaultRecord[] = [];
  const progress = () => people.totals.steps / (opts.n * STEPS_PER_NOMINATION);
  let driving = true;
  const faultLoop = (async () => {
    for (const [at, fault] of [
      [0.3, 'kill'],
      [0.6, 'temporal'],
    ] as const) {
      while (driving && progress() < at) await pause(250);
      if (!driving) return;
      const when = new Date().toISOString();
      if (fault === 'kill') {
        const w = workers[0];
        const pid = w.pid;
        await w.kill();
        faults.push({ fault, at: when, progress: progress(), detail: `SIGKILL ${w.name} (pid ${pid})` });
        log(`SIGKILL ${w.name} (pid ${pid}) at ${Math.round(progress() * 100)} % of the steps`);
        await pause(5_000);
        w.start();
        log(`${w.name} started again (pid ${w.pid})`);
      } else {
        const r0 = Date.now();
        await server.stop();
        const stopped = Date.now() - r0;
        await server.start();
        faults.push({
          fault,
          at: when,
          progress: progress(),
          detail: 'temporal-server restarted',
          durationMs: Date.now() - r0,
        });
        log(
          `temporal-server restarted at ${Math.round(progress() * 100)} % (stopped in ${(stopped / 1000).toFixed(1)} s, up again after ${((Date.now() - r0) / 1000).toFixed(1)} s)`,
        );
      }
    }
  })();
  const ticker = setInterval(
    () =>
      log(
        `${Math.round(progress() * 100)} % of the steps; ${people.totals.requests} requests, ${people.totals.errors} errors`,
      ),
    30_000,
  );
  const d0 = Date.now();
  const results: DriveResult[] = await mapPool(plans, opts.concurrency, (p) => people.drive(p));
  const drivenMs = Date.now() - d0;
  driving = false;
  clearInterval(ticker);
  await faultLoop;
  const completed = results.filter((r) => r.stage === 'DETERMINED').length;
  log(
    `driven in ${(drivenMs / 1000).toFixed(0)} s: ${completed} of ${opts.n} DETERMINED; ${people.totals.requests} requests, ${people.totals.refusals} refused (409, an action resent after it had gone through)`,
  );
  for (const r of results.filter((x) => x.stuck).slice(0, 5))
    log(`stuck: ${r.workflowId ?? '(not nominated)'}: ${r.stuck}`);
  for (const e of people.totals.firstErrors) log(`error (made again): ${e}`);

  // The worker killed and started again decides its cache anew: every life's line.
  for (const w of workers)
    log(`${w.name}, ${w.lives} li${w.lives > 1 ? 'ves' : 'fe'}: ${cacheLines(w.log).join(' | ')}`);

  await people.finalizeCycle();
  // The cycle's run sends its summary after it records the finalization, so wait for the run to close: a check
  // begun at the recorded finalization read the mailbox before the summary arrived.
  const cycleRun = client.workflow.getHandle(cycleWorkflowId(config.id));
  await until('the cycle finalized and its summary sent', 180_000, async () => {
    return (await cycleRun.describe()).status.name === 'COMPLETED';
  });
  let metricsOk = true;
  const figures = await scrapeFigures({
    cycleId: config.id,
    nominations: opts.n,
    apiMetrics: `http://127.0.0.1:${apiMetrics}/metrics`,
    workerMetrics: workerMetrics.map((p) => `http://127.0.0.1:${p}/metrics`),
    temporalMetrics: server.metricsUrl,
  }).catch((err) => {
    metricsOk = false;
    return [`metrics: ${(err as Error).message}`];
  });
  for (const f of figures) log(f);
  const traced = traceFigures(traces.spans);
  log(traceLine(traced));

  const items = results
    .filter((r) => r.workflowId)
    .map((r) => ({
      workflowId: r.workflowId!,
      script: 'good' as const,
      expectedStage: 'DETERMINED',
      cycleId: config.id,
    }));
  const report = await checkChaos({
    client,
    db,
    mailDir: join(stateDir, 'mail'),
    items,
    cycleIds: [config.id],
    faults,
    payloadCodec: settings.payloadCodec,
  });
  for (const p of report.problems.slice(0, 20)) log(p);
  const lost = report.lost + (opts.n - items.length);
  const ok =
    metricsOk &&
    traced.whole > 0 &&
    completed === opts.n &&
    lost === 0 &&
    report.duplicateEmails === 0 &&
    report.mismatches === 0;
  if (ok && !opts.keep) cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
  else log(`state kept in ${stateDir}`);
  console.log(
    `topology: nominations ${opts.n}, completed ${completed}, lost ${lost}, duplicate emails ${report.duplicateEmails}, mismatches ${report.mismatches}, errors ${people.totals.errors}, elapsed ${Math.round((Date.now() - t0) / 1000)} s`,
  );
  return ok ? 0 : 1;
}

/** The `Workflow cache N: why.` lines a worker logged, one per start. */
function cacheLines(logFile: string): string[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Workflow cache '));
}

/**
 * Shows that the frontend refuses a client without a certificate, twice: the SDK's client (trusting the CA, no
 * certificate of its own) cannot make a call, and a bare TLS handshake names why (the server's alert). Throws if
 * either gets in.
 */
async function refusedWithoutCertificate(port: number, certs: TopologyCertificates): Promise<string> {
  const ca = readFileSync(certs.caCert);
  const sdk = await Connection.connect({
    address: `127.0.0.1:${port}`,
    tls: { serverRootCACertificate: ca, serverNameOverride: certs.serverName },
    connectTimeout: '5 seconds',
  }).then(
    async (c) => {
      try {
        await c.workflowService.getSystemInfo({});
        return null;
      } catch (err) {
        return (err as Error).message;
      } finally {
        await c.close();
      }
    },
    (err: Error) => err.message,
  );
  if (sdk === null) throw new Error('a client without a certificate was let in');
  const handshake = await new Promise<string | null>((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: certs.serverName, ALPNProtocols: ['h2'] });
    socket.once('error', (err) => resolve(err.message));
    // TLS 1.3: the server's verdict on the (missing) client certificate arrives after the client's side is done.
    socket.once('secureConnect', () => setTimeout(() => resolve(socket.destroyed ? 'closed' : null), 2_000));
    socket.once('close', () => resolve('connection closed by the server'));
  });
  if (handshake === null) throw new Error('a TLS handshake without a client certificate was kept open');
  const alert = /alert ([a-z ]+)/.exec(handshake)?.[1];
  return `the TLS handshake ends in ${alert ? `the alert "${alert}"` : handshake}; the SDK client: ${sdk.split('\n')[0].slice(0, 80)}`;
}

/** The `default` namespace (3 days' retention) and the engine's search attributes, as docker-compose's job makes them. */
async function registerNamespace(connection: Connection): Promise<void> {
  await until('the frontend answering', 120_000, async () => {
    await connection.workflowService.getSystemInfo({});
    return true;
  });
  await connection.workflowService.registerNamespace({
    namespace: 'default',
    workflowExecutionRetentionPeriod: msToTs('3 days'),
  });
  const Indexed = proto.temporal.api.enums.v1.IndexedValueType;
  await until('the namespace known to the frontend', 120_000, async () => {
    await connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(
        OVOP_SEARCH_ATTRIBUTES.map((k) => [
          k.name,
          k.type === SearchAttributeType.INT ? Indexed.INDEXED_VALUE_TYPE_INT : Indexed.INDEXED_VALUE_TYPE_KEYWORD,
        ]),
      ),
    });
    return true;
  });
  await until('the search attributes listed', 60_000, async () => {
    const r = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    return OVOP_SEARCH_ATTRIBUTES.every((k) => k.name in (r.customAttributes ?? {}));
  });
}

main()
  .then(async (code) => {
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => {});
    process.exit(code);
  })
  .catch(async (err) => {
    console.error(`topology: ${(err as Error).stack ?? err}`);
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => {});
    process.exit(1);
  });
