/**
 * `npm run bench:cache-hazard [-- --tries 10]`: the SDK 1.24 cache hazard's sequence (bench/shared/cache-hazard.ts)
 * on two dev servers side by side, one that answers queries and one that refuses them (system.disallowQuery, as the
 * engine's servers do), each with a worker that caches; and, unless `--no-uncached`, on the answering server a worker
 * without a cache, the engine's choice there. Per worker: tries, queries answered and refused, Updates answered, and
 * histories that fail replay. The tries take turns across the workers, so the machine's load falls on all of them.
 * Writes results/<date>-cache-hazard.json; exits 1 if a query reached a worker on the refusing server or one of its
 * histories failed replay.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, makeTelemetryFilterString, NativeConnection, Runtime } from '@temporalio/worker';
import { Command } from 'commander';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { devServerDynamicConfig, startDevServer, type DevServer } from '../../embedded/dev-server';
import { freePort } from '../../embedded/ports';
import { nonNegative, parseOptions } from '../shared/args';
import { bundleHazardWorkflows, HazardWorker, runHazardTry, type HazardTry } from '../shared/cache-hazard';
import { writeResult } from '../shared/report';

const { tries: TRIES, uncached } = parseOptions<{ tries: number; uncached: boolean }>(
  new Command('bench:cache-hazard')
    .option('--tries <count>', 'tries of the sequence per worker', nonNegative, 10)
    .option('--no-uncached', 'skip the worker without a cache on the answering server'),
);
/** The cache of the hazard's own reproduction: any size above 0 keeps the workflow between its tasks. */
const CACHE = 100;

Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
});
const dir = mkdtempSync(join(tmpdir(), 'ovop-cache-hazard-'));

interface Side {
  name: string;
  server: DevServer;
  maxCachedWorkflows: number;
  client?: Client;
  connection?: Connection;
  nativeConnection?: NativeConnection;
  worker?: HazardWorker;
  tries: HazardTry[];
}

const server = (name: string, answerQueries: boolean) =>
  freePort().then((port) =>
    startDevServer({
      port,
      headless: true,
      logFile: join(dir, name, 'temporal-server.log'),
      dynamicConfig: devServerDynamicConfig(process.env, { answerQueries }),
    }),
  );
const [answering, refusing] = await Promise.all([server('answering', true), server('refusing', false)]);
const sides: Side[] = [
  { name: 'answers queries, cache 100', server: answering, maxCachedWorkflows: CACHE, tries: [] },
  { name: 'refuses queries, cache 100', server: refusing, maxCachedWorkflows: CACHE, tries: [] },
  ...(uncached ? [{ name: 'answers queries, no cache', server: answering, maxCachedWorkflows: 0, tries: [] }] : []),
];

const bundle = await bundleHazardWorkflows();
const run = Date.now();
try {
  for (const [i, side] of sides.entries()) {
    side.nativeConnection = await NativeConnection.connect({ address: side.server.address });
    side.connection = await Connection.connect({ address: side.server.address });
    side.client = new Client({ connection: side.connection, namespace: 'default' });
    side.worker = await HazardWorker.start({
      connection: side.nativeConnection,
      taskQueue: `cache-hazard-${run}-${i}`,
      maxCachedWorkflows: side.maxCachedWorkflows,
      workflowBundle: bundle,
    });
  }
  for (let t = 0; t < TRIES; t++) {
    // The order turns each round, so no worker always goes first on a machine just freed.
    for (let k = 0; k < sides.length; k++) {
      const side = sides[(t + k) % sides.length];
      const tried = await runHazardTry(side.client!, side.worker!, `${side.worker!.taskQueue}/try-${t}`, bundle);
      side.tries.push(tried);
    }
    console.log(`try ${t + 1} of ${TRIES} done (load ${loadavg()[0].toFixed(1)})`);
  }
} finally {
  for (const side of sides) {
    await side.worker?.stop();
    await side.nativeConnection?.close();
    await side.connection?.close();
  }
  await answering.stop();
  await refusing.stop();
  rmSync(dir, { recursive: true, force: true });
}

const summary = sides.map((side) => ({
  worker: side.name,
  tries: side.tries.length,
  queriesAnswered: side.tries.filter((t) => t.query.answered).length,
  queriesRefused: side.tries.filter((t) => !t.query.answered && /not allowed to query/.test(t.query.message)).length,
  updatesAnswered: side.tries.filter((t) => t.update.ok).length,
  acceptanceNotFirst: side.tries.filter((t) => t.orderAfterGate[0] !== 'UpdateAccepted').length,
  replayFailures: side.tries.filter((t) => !t.replay.ok).length,
}));

const columns = [
  'worker',
  'tries',
  'queries answered',
  'queries refused',
  'updates answered',
  'acceptance not first',
  'replay failures',
] as const;
const rows = summary.map((s) => [
  s.worker,
  s.tries,
  s.queriesAnswered,
  s.queriesRefused,
  s.updatesAnswered,
  s.acceptanceNotFirst,
  s.replayFailures,
]);
const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells: readonly unknown[]) =>
  '  ' + cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
console.log(line(columns));
for (const r of rows) console.log(line(r));

const sdkVersion = (
  JSON.parse(readFileSync(createRequire(import.meta.url).resolve('@temporalio/worker/package.json'), 'utf8')) as {
    version: string;
  }
).version;
const path = writeResult('cache-hazard', {
  at: new Date().toISOString(),
  sdk: sdkVersion,
  triesPerWorker: TRIES,
  cache: CACHE,
  load: loadavg(),
  summary,
  tries: Object.fromEntries(
    sides.map((side) => [
      side.name,
      side.tries.map((t) => ({
        workflowId: t.workflowId,
        query: t.query.answered ? { answered: t.query.value } : { refused: t.query.message },
        update: t.update,
        orderAfterGate: t.orderAfterGate,
        // The nondeterminism itself, not the SDK's wrapping around it.
        replay: t.replay.ok ? 'ok' : (/\[TMPRL\d+\][^"]*/.exec(t.replay.message)?.[0] ?? t.replay.message),
      })),
    ]),
  ),
});
console.log(`Written ${path}`);

const unsafe = summary.find((s) => s.worker.startsWith('refuses') && (s.queriesAnswered > 0 || s.replayFailures > 0));
if (unsafe) {
  console.error(
    `The server that refuses queries let a query through or recorded an unreplayable history: ${JSON.stringify(unsafe)}`,
  );
  process.exit(1);
}
process.exit(0);
