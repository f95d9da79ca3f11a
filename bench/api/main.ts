/**
 * `npm run bench:api [-- --dinas 514]`: the deadline-eve rush through the HTTP API. Each of N dinas kabupaten/kota
 * (distinct regencies, each a user with its own API token) at once: lists its nominations, records its attendance,
 * reads its nomination, uploads five documents of 1–5 MB (PDF, JPEG, PNG in turn, streamed), reads it again and
 * downloads each document back. Reports errors, uploads whose stored or downloaded SHA-256 differs from the one sent,
 * p50/p95 of reads, actions, uploads and downloads, and CPU (this process runs the API, the worker and the clients;
 * the dev server is a child process). Engine on its default settings; PGlite unless DATABASE_URL names a server.
 * The portal's pages are timed during the same rush: each dinas opens its list and its nomination's page before and
 * after its uploads, and a coordinator keeps reloading the cycle's dashboard; reported as time to first byte, and each
 * page's weight with the stylesheet and script it loads.
 * Where the time goes: the worker's own latencies from its Prometheus metrics (a workflow task's wait in the task queue
 * and its run on the worker, an activity's wait and run). `--worker-process` runs the worker as `npm run worker` does,
 * in a process of its own, instead of in this one.
 */
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { Command } from 'commander';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buildApi } from '../../api/server';
import { apiOptionsFromEnv } from '../../api/options';
import { createApiToken, createSession } from '../../db/credentials';
import { upsertUser } from '../../db/users';
import { SESSION_COOKIE } from '../../api/auth';
import { provinceOf } from '../../domain/region-codes';
import { startStack } from '../../embedded/stack';
import { bootstrap } from '../../worker/bootstrap';
import { createWorker } from '../../worker/create-worker';
import { nonNegative, parseOptions } from '../shared/args';
import { nominationInput, startNominationDirectly, testConfig, workflowInput } from '../shared/cycle';
import { sampleDocumentParts, type SampleType } from '../shared/documents';
import { writeResult } from '../shared/report';
import { summarize } from '../shared/stats';
import { workerEnv } from '../shared/worker-env';
import { descendantsCpuSeconds, treeCpuSeconds } from '../throughput/resources';
import { freePort } from '../../embedded/ports';
import { histogramQuantile, parsePrometheus } from '../shared/prometheus';

const opts = parseOptions<{
  dinas: number;
  minMb: number;
  maxMb: number;
  workerProcess?: boolean;
  wftPollers?: number;
  workflowThreads?: number;
}>(
  new Command('bench:api')
    .option('--dinas <count>', 'dinas kabupaten/kota sessions at once (514 for the full rush)', nonNegative, 10)
    .option('--min-mb <mb>', 'smallest document', Number, 1)
    .option('--max-mb <mb>', 'largest document', Number, 5)
    .option('--worker-process', 'run the worker in a process of its own (npm run worker) instead of this one')
    .option('--wft-pollers <count>', "the in-process worker's workflow task pollers (SDK default 10)", nonNegative)
    .option('--workflow-threads <count>', "the in-process worker's workflow threads (SDK default 1)", nonNegative),
);
const KINDS = ['legality', 'business_profile', 'product_photo', 'production_process', 'marketing_material'];
const TYPES: SampleType[] = ['application/pdf', 'image/jpeg', 'image/png'];

const workerMetrics = `127.0.0.1:${await freePort()}`;
const prometheus = { bindAddress: workerMetrics, countersTotalSuffix: true, useSecondsForDurations: true };
Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: {
    logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} },
    ...(!opts.workerProcess && { metrics: { prometheus } }),
  },
});

const config = testConfig(`bench-api-${Date.now().toString(36)}`, {
  mutate: (c) => {
    c.documents.checklist = KINDS.map((kind) => ({ kind, label: kind, commodities: 'all' as const }));
    c.documents.maxFileMegabytes = Math.max(10, opts.maxMb + 1);
    // One session covers every province, so any regency may attend.
    c.sessions[0].provinces = Object.keys(c.provinces);
  },
});
/** Distinct regencies, round-robin over the provinces so a small run is spread too. */
function regencies(count: number): string[] {
  const byProvince = new Map<string, string[]>();
  for (const code of Object.keys(config.regencies).sort()) {
    const list = byProvince.get(provinceOf(code)) ?? [];
    list.push(code);
    byProvince.set(provinceOf(code), list);
  }
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    let added = false;
    for (const list of byProvince.values())
      if (i < list.length && out.length < count) {
        out.push(list[i]);
        added = true;
      }
    if (!added) throw new Error(`only ${out.length} regencies exist`);
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'ovop-bench-api-'));
const stack = await startStack({ stateDir: dir, persistent: false, headless: true });
const deps = await bootstrap({ temporal: stack.temporal, databaseUrl: stack.databaseUrl, smtpUrl: stack.smtpUrl });
const taskQueue = 'bench-api';
/** The worker: in this process, or as `npm run worker` in its own (then `stopWorker` ends it). */
const tuning = {
  ...(opts.wftPollers && { workflowTaskPollerBehavior: { type: 'simple-maximum' as const, maximum: opts.wftPollers } }),
  ...(opts.workflowThreads && { workflowThreadPoolSize: opts.workflowThreads }),
};
const inProcess = opts.workerProcess
  ? undefined
  : await createWorker({ ...deps, temporal: stack.temporal, taskQueue, tuning });
const running = inProcess?.worker.run();
const workerChild = opts.workerProcess
  ? // BENCH_WORKER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", shows where the worker's time goes.
    spawn(
      process.execPath,
      [...(process.env.BENCH_WORKER_NODE_ARGS?.split(' ') ?? []), '--import', 'tsx', 'worker/main.ts'],
      {
        env: workerEnv(stack, taskQueue, { OVOP_METRICS_ADDRESS: workerMetrics, OVOP_LOG_FORMAT: 'json' }),
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    )
  : undefined;
if (workerChild) {
  for (let i = 0; ; i++) {
    if (
      await fetch(`http://${workerMetrics}/metrics`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 600 || workerChild.exitCode !== null) throw new Error('the worker process did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
}
const options = apiOptionsFromEnv({}, { logRequests: false });
options.rateLimits.actionsPerMinute = 1000;
const app = await buildApi({ db: deps.db, client: deps.client, mailer: deps.mailer, taskQueue, options });
const url = await app.listen({ host: '127.0.0.1', port: 0 });

// Setup (not timed): a user and token per dinas, a nomination per regency waiting for its attendance.
const codes = regencies(opts.dinas);
const ikmOf = (code: string) => `IKM Bench ${code}`;
const COORDINATOR_ID = 'bench-coordinator';
await upsertUser(deps.db, {
  id: COORDINATOR_ID,
  name: 'Koordinator Bench',
  email: `${COORDINATOR_ID}@bench.example`,
  role: 'coordinator',
  region: '00',
});
const sessions: { code: string; token: string; cookie: string; workflowId: string }[] = [];
/** A portal session of `userId`, as the cookie a browser would send after the mailed sign-in link. */
const cookieOf = async (userId: string) => `${SESSION_COOKIE}=${(await createSession(deps.db, userId, 2)).token}`;
for (let i = 0; i < codes.length; i += 20) {
  await Promise.all(
    codes.slice(i, i + 20).map(async (code) => {
      const id = `disperin-${code}`;
      await upsertUser(deps.db, {
        id,
        name: `Disperin ${code}`,
        email: `${id}@bench.example`,
        role: 'dinas_kabkota',
        region: code,
      });
      const { token } = await createApiToken(deps.db, id, { name: 'bench', ttlDays: 1 });
      const cookie = await cookieOf(id);
      const n = nominationInput(config, { regencyCode: code, ikmName: ikmOf(code) });
      const { workflowId } = await startNominationDirectly(deps, taskQueue, workflowInput(config, n));
      sessions.push({ code, token, cookie, workflowId });
    }),
  );
}
for (;;) {
  const waiting = await deps.db
    .selectFrom('nominations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('cycle_id', '=', config.id)
    .where('stage', '=', 'AWAITING_SOCIALIZATION')
    .executeTakeFirstOrThrow();
  if (Number(waiting.n) === sessions.length) break;
  await new Promise((r) => setTimeout(r, 500));
}
console.log(`${sessions.length} nominations waiting for their dinas; the rush starts`);

const times = {
  read: [] as number[],
  action: [] as number[],
  /** From sending the attendance until the nomination's page shows it (its answer or, after a 202, the projection). */
  attendanceShown: [] as number[],
  upload: [] as number[],
  download: [] as number[],
};
/** Answers 202: accepted and still being applied when the API's result wait ran out. */
const accepted = { attend: 0, upload: 0 };
/** What each nomination was sent, by kind, to check against PostgreSQL at the end (a 202 answer carries no checksum). */
const sentByNomination = new Map<string, Map<string, string>>();
const pageTtfb = { dinas: [] as number[], nomination: [] as number[], coordinator: [] as number[] };
/** Bytes of each page as last served, HTML only; the assets are added once at the end. */
const pageBytes = { dinas: 0, nomination: 0, coordinator: 0 };
const errors: string[] = [];
let mismatches = 0;
let uploadedBytes = 0;
/** 5 MB of shared filler; each document gets 32 random bytes of its own in front, so every checksum differs. */
const filler = randomBytes(Math.ceil(opts.maxMb * 1_000_000));

/** The answer's body when its status is `ok` (or 202, then `{ accepted: true }`); null after an error, recorded. */
async function timed<T>(
  bucket: number[],
  what: string,
  fn: () => Promise<Response>,
  ok = 200,
): Promise<T | { accepted: true } | null> {
  const t = performance.now();
  try {
    const res = await fn();
    const body = res.headers.get('content-type')?.includes('json')
      ? await res.json()
      : Buffer.from(await res.arrayBuffer());
    bucket.push(performance.now() - t);
    if (res.status === 202 && (body as { code?: string }).code === 'accepted') return { accepted: true };
    if (res.status !== ok) {
      errors.push(`${what}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
      return null;
    }
    return body as T;
  } catch (err) {
    errors.push(`${what}: ${(err as Error).message}`);
    return null;
  }
}

/** A portal page: the time until its status line and headers arrive (the first byte), then the whole body read. */
async function page(kind: keyof typeof pageTtfb, path: string, cookie: string, mustShow: string): Promise<void> {
  const t = performance.now();
  try {
    const res = await fetch(`${url}${path}`, { headers: { cookie }, redirect: 'manual' });
    pageTtfb[kind].push(performance.now() - t);
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) errors.push(`page ${path}: ${res.status} ${body.toString('utf8').slice(0, 200)}`);
    else if (!body.includes(mustShow)) errors.push(`page ${path}: does not show ${mustShow}`);
    else pageBytes[kind] = body.length;
  } catch (err) {
    errors.push(`page ${path}: ${(err as Error).message}`);
  }
}

async function rush(s: (typeof sessions)[number]): Promise<void> {
  const nominationPage = `/nominasi/${encodeURIComponent(s.workflowId)}`;
  await page('dinas', '/dinas', s.cookie, ikmOf(s.code));
  const auth = { authorization: `Bearer ${s.token}` };
  const path = `${url}/api/nominations/${encodeURIComponent(s.workflowId)}`;
  const json = { ...auth, 'content-type': 'application/json' };
  await timed(times.read, 'list', () => fetch(`${url}/api/nominations?cycle=${config.id}`, { headers: auth }));
  const attendT = performance.now();
  const attended = await timed<object>(times.action, 'attend', () =>
    fetch(`${path}/attendance`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ sessionId: config.sessions[0].id }),
    }),
  );
  if (!attended) return;
  // Accepted and still being applied: the dinas reloads its nomination every second until it shows the attendance.
  if ('accepted' in attended) {
    accepted.attend++;
    for (;;) {
      const now = await timed<{ stage: string }>(times.read, 'read', () => fetch(path, { headers: auth }));
      if (now && 'stage' in now && now.stage !== 'AWAITING_SOCIALIZATION') break;
      if (performance.now() - attendT > 600_000) {
        errors.push(`${s.workflowId}: the accepted attendance did not show within 10 minutes`);
        return;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  } else await timed(times.read, 'read', () => fetch(path, { headers: auth }));
  times.attendanceShown.push(performance.now() - attendT);
  await page('nomination', nominationPage, s.cookie, ikmOf(s.code));
  const sent = new Map<string, string>();
  let pendingUploads = 0;
  const sentKinds = new Map<string, string>();
  sentByNomination.set(s.workflowId, sentKinds);
  for (const [i, kind] of KINDS.entries()) {
    const type = TYPES[i % TYPES.length];
    const size = Math.round((opts.minMb + Math.random() * (opts.maxMb - opts.minMb)) * 1_000_000);
    const parts = sampleDocumentParts(type, [randomBytes(32), filler.subarray(0, size)]);
    const hash = createHash('sha256');
    for (const p of parts) hash.update(p);
    const sha = hash.digest('hex');
    sentKinds.set(kind, sha);
    const answer = await timed<{ document: { documentId: string; sha256: string; sizeBytes: number } }>(
      times.upload,
      `upload ${kind}`,
      () =>
        fetch(`${path}/documents/${kind}`, {
          method: 'POST',
          headers: { ...auth, 'content-type': type },
          body: Readable.from(parts) as unknown as RequestInit['body'],
          duplex: 'half',
        } as RequestInit),
      201,
    );
    if (!answer) continue;
    if ('accepted' in answer) {
      accepted.upload++;
      pendingUploads++;
      uploadedBytes += parts.reduce((n, p) => n + p.length, 0);
      continue;
    }
    uploadedBytes += answer.document.sizeBytes;
    if (answer.document.sha256 !== sha) mismatches++;
    sent.set(answer.document.documentId, sha);
  }
  type Detail = { stage: string; documents: { documentId: string; checksum: string }[] };
  let detail: Detail | null;
  // After uploads answered 202 the dinas reloads until its page lists them all, as a person would.
  for (const uploadsDone = performance.now(); ;) {
    const read = await timed<Detail>(times.read, 'read', () => fetch(path, { headers: auth }));
    detail = read && 'documents' in read ? read : null;
    if (!pendingUploads || (detail && detail.documents.length >= KINDS.length)) break;
    if (performance.now() - uploadsDone > 600_000) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  await page('nomination', nominationPage, s.cookie, ikmOf(s.code));
  await page('dinas', '/dinas', s.cookie, ikmOf(s.code));
  if (detail && detail.documents.length !== KINDS.length)
    errors.push(`${s.workflowId}: ${detail.documents.length} documents listed, ${KINDS.length} sent`);
  for (const [documentId, sha] of sent) {
    const bytes = await timed<Buffer>(times.download, 'download', () =>
      fetch(`${path}/documents/${documentId}`, { headers: auth }),
    );
    if (Buffer.isBuffer(bytes) && createHash('sha256').update(bytes).digest('hex') !== sha) mismatches++;
  }
}

const cpu0 = process.cpuUsage();
const workerChildCpu = () => (workerChild?.pid ? (treeCpuSeconds(workerChild.pid) ?? 0) : 0);
/** The dev server is this process's other child. */
const devServerCpu = () => (descendantsCpuSeconds() ?? 0) - workerChildCpu();
const devServer0 = devServerCpu();
const workerChild0 = workerChildCpu();
const metricsBefore = parsePrometheus(await (await fetch(`http://${workerMetrics}/metrics`)).text()).series;
const t0 = performance.now();
// The coordinator watches the dashboard through the rush, reloading it every second.
const coordinatorCookie = await cookieOf(COORDINATOR_ID);
let rushing = true;
const watching = (async () => {
  while (rushing) {
    await page('coordinator', `/koordinator?siklus=${encodeURIComponent(config.id)}`, coordinatorCookie, config.id);
    await new Promise((r) => setTimeout(r, 1000));
  }
})();
await Promise.all(sessions.map(rush));
const wallS = (performance.now() - t0) / 1000;
rushing = false;
await watching;
/** What every portal page loads besides its HTML (api/portal/layout.ts). */
let assetBytes = 0;
for (const asset of ['/aset/portal.css', '/aset/portal.js'])
  assetBytes += (await (await fetch(`${url}${asset}`)).arrayBuffer()).byteLength;
const kb = (bytes: number) => Math.round(((bytes + assetBytes) / 1024) * 10) / 10;
const cpu = process.cpuUsage(cpu0);
const devServerSeconds = devServerCpu() - devServer0;
const workerChildSeconds = workerChildCpu() - workerChild0;
const metricsAfter = parsePrometheus(await (await fetch(`http://${workerMetrics}/metrics`)).text()).series;
/** p50/p95 in ms of one of the worker's latency histograms, over the rush only (the set-up's counts taken off). */
function workerLatency(name: string) {
  const before = new Map(metricsBefore.map((x) => [`${x.name}${x.labels}`, x.value]));
  const rush = metricsAfter.map((x) => ({ ...x, value: x.value - (before.get(`${x.name}${x.labels}`) ?? 0) }));
  const count = rush.filter((x) => x.name === `${name}_count`).reduce((sum, x) => sum + x.value, 0);
  const ms = (q: number) => {
    const v = histogramQuantile(rush, name, q);
    return v === null ? null : Math.round(v * 1000);
  };
  return { count, p50: ms(0.5), p95: ms(0.95) };
}

// Stored checksums against what was sent, from PostgreSQL: every recorded document, also those answered 202.
const recorded = await deps.db
  .selectFrom('document_files')
  .innerJoin('documents', 'documents.document_id', 'document_files.id')
  .select(['document_files.workflow_id', 'document_files.kind', 'document_files.sha256'])
  .where('document_files.workflow_id', 'like', `ovop/${config.id}/%`)
  .execute();
for (const r of recorded) if (sentByNomination.get(r.workflow_id)?.get(r.kind) !== r.sha256) mismatches++;
const stored = await deps.db
  .selectFrom('document_files')
  .innerJoin('documents', 'documents.document_id', 'document_files.id')
  .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('document_files.size_bytes').as('bytes')])
  .where('document_files.workflow_id', 'like', `ovop/${config.id}/%`)
  .executeTakeFirstOrThrow();
const underReview = await deps.db
  .selectFrom('nominations')
  .select((eb) => eb.fn.countAll<number>().as('n'))
  .where('cycle_id', '=', config.id)
  .where('stage', '=', 'UNDER_REVIEW')
  .executeTakeFirstOrThrow();

const result = {
  dinas: sessions.length,
  documentsPerDinas: KINDS.length,
  sizeMb: [opts.minMb, opts.maxMb],
  database: stack.embedded.postgres ? 'PGlite' : 'PostgreSQL',
  wallSeconds: Math.round(wallS * 10) / 10,
  errors: errors.length,
  checksumMismatches: mismatches,
  documentsStoredAndRecorded: Number(stored.n),
  storedMb: Math.round(Number(stored.bytes ?? 0) / 100_000) / 10,
  uploadedMbPerSecond: Math.round((uploadedBytes / 1_000_000 / wallS) * 10) / 10,
  nominationsUnderReview: Number(underReview.n),
  readMs: summarize(times.read),
  actionMs: summarize(times.action),
  answeredAccepted202: accepted,
  attendanceShownMs: summarize(times.attendanceShown),
  uploadMs: summarize(times.upload),
  downloadMs: summarize(times.download),
  pages: {
    ttfbMs: {
      dinasList: summarize(pageTtfb.dinas),
      nomination: summarize(pageTtfb.nomination),
      coordinatorDashboard: summarize(pageTtfb.coordinator),
    },
    weightKbWithAssets: {
      dinasList: kb(pageBytes.dinas),
      nomination: kb(pageBytes.nomination),
      coordinatorDashboard: kb(pageBytes.coordinator),
    },
  },
  worker: {
    process: opts.workerProcess ? 'its own' : 'this one',
    tuning,
    workflowTaskScheduleToStartMs: workerLatency('temporal_workflow_task_schedule_to_start_latency'),
    workflowTaskExecutionMs: workerLatency('temporal_workflow_task_execution_latency'),
    activityScheduleToStartMs: workerLatency('temporal_activity_schedule_to_start_latency'),
    activityExecutionMs: workerLatency('temporal_activity_execution_latency'),
  },
  cpuSeconds: {
    [opts.workerProcess ? 'apiAndClients' : 'apiWorkerAndClients']:
      Math.round(((cpu.user + cpu.system) / 1e6) * 10) / 10,
    ...(opts.workerProcess && { worker: Math.round(workerChildSeconds * 10) / 10 }),
    devServer: Math.round(devServerSeconds * 10) / 10,
  },
  firstErrors: errors.slice(0, 10),
};
console.log(JSON.stringify(result, null, 2));
console.log(`written to ${writeResult(`api-${sessions.length}`, result)}`);

await app.close();
if (inProcess) {
  // A worker that stopped on a fatal error (its server gone) has nothing to shut down: say why it stopped, go on.
  if (inProcess.worker.getState() === 'RUNNING') inProcess.worker.shutdown();
  await running?.catch((err: Error) => console.error(`the worker had stopped: ${err.message}`));
  await inProcess.connection.close();
}
if (workerChild && workerChild.exitCode === null) {
  workerChild.kill('SIGTERM');
  await new Promise((r) => workerChild.once('exit', r));
}
await deps.close();
await stack.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(errors.length === 0 && mismatches === 0 ? 0 : 1);
