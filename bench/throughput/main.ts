/**
 * `npm run bench [-- --n 1000 --concurrency 50 …]`: throughput and cost of the nomination engine on its own embedded
 * stack (Temporal dev server on a SQLite file in WAL mode, PGlite or DATABASE_URL, SMTP sink), against a bare-workflow
 * baseline of the same shape on the same server. Writes bench/results/<date>-<n>.json and prints a table.
 */
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devServerDynamicConfig } from '../../embedded/dev-server';
import { startStack } from '../../embedded/stack';
import { parseArgs } from './args';
import { runBaseline } from './baseline';
import type { BaselineShape } from '../shared/baseline.workflow';
import { benchConfig } from '../shared/config';
import { bootstrap } from '../../worker/bootstrap';
import { eventShape, sampleHistories } from '../shared/history';
import { runOurs, type PhaseResult } from './ours';
import { mb, printTable, writeResult } from '../shared/report';
import { summarize } from '../shared/stats';
import { describeError } from './errors';

const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

function progress(label: string, total: number) {
  let last = 0;
  return (done: number) => {
    if (done === total || done - last >= Math.max(1, Math.floor(total / 10))) {
      last = done;
      log(`${label}: ${done}/${total}`);
    }
  };
}

const perCached = (p: { rssGrowthPerCachedWorkflowKb: number | null; cachedWorkflowsMax: number }) =>
  p.rssGrowthPerCachedWorkflowKb === null
    ? `— (peak ${p.cachedWorkflowsMax} cached: no workflow cache)`
    : `${p.rssGrowthPerCachedWorkflowKb} (peak ${p.cachedWorkflowsMax} cached)`;

function phaseSummary(p: PhaseResult) {
  const updates = summarize(p.rec.pooled((n) => n.startsWith('update:') && n !== 'update:finalizeCycle'));
  // Without a workflow cache (the default, worker/workflow-cache.ts) the worker holds only the workflows of the tasks in
  // hand; growth per cached workflow is then noise (a negative figure once), so it is reported only for a real cache.
  const growth = p.peak.cachedMax >= 10 ? (p.peak.rssAtCachedMax - p.rssStart) / p.peak.cachedMax : null;
  return {
    wallSeconds: Math.round(p.wallSeconds * 10) / 10,
    completed: p.completed,
    nominationsPerSecond: Math.round(p.throughput * 100) / 100,
    updateRoundTripMs: updates,
    rssMb: { start: mb(p.rssStart), end: mb(p.rssEnd), max: mb(p.peak.rssMax) },
    cachedWorkflowsMax: p.peak.cachedMax,
    rssGrowthPerCachedWorkflowKb: growth === null ? null : Math.round(growth / 1024),
    cpuSeconds: {
      benchProcess: Math.round(p.cpu.benchProcessSeconds * 10) / 10,
      childProcesses: p.cpu.childProcessesSeconds === null ? null : Math.round(p.cpu.childProcessesSeconds * 10) / 10,
    },
    timings: p.rec.byName(),
  };
}

/** Set once the bench closes its connections; a request still retrying may then find its gRPC channel shut. */
let tearingDown = false;
let failedEarly = false;

async function main(): Promise<void> {
  process.on('uncaughtException', (err) => {
    // @temporalio/client's grpc-retry re-issues a call from a timer; after the connection is closed grpc-js throws
    // there, outside any promise. During teardown that is expected noise, not the bench's result.
    if (tearingDown && /Channel has been shut down/.test(err?.message ?? '')) {
      console.error(`[bench] ignored during teardown: ${err.message}`);
      return;
    }
    console.error(`bench crashed (uncaught): ${describeError(err)}`);
    process.exit(1);
  });
  const args = parseArgs(process.argv.slice(2));
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
  });
  const stateDir = mkdtempSync(join(tmpdir(), 'ovop-bench-'));
  log(
    `n=${args.n} concurrency=${args.concurrency} maxActivities=${args.maxActivities} maxCached=${args.maxCached ?? "the engine's decision"} deadlineScale=${args.deadlineScale}; state in ${stateDir}`,
  );
  const stack = await startStack({ stateDir, persistent: true, headless: true });
  const poolMax = args.pgPool || (stack.embedded.postgres ? 1 : 10);
  const deps = await bootstrap({
    temporal: stack.temporal,
    databaseUrl: stack.databaseUrl,
    smtpUrl: stack.smtpUrl,
    poolMax,
  });
  try {
    log(`stack up (postgres: ${stack.embedded.postgres ? 'PGlite' : 'DATABASE_URL'}, pool ${poolMax}); running ours`);
    // Intake stays open for the whole drive (a slow machine must not close it on the last nominations); the bench asks
    // the coordinator's finalize once every nomination has been driven to its end.
    const config = benchConfig({ deadlineScale: args.deadlineScale, intakeWindow: '12h' });
    const ours = await runOurs({
      args,
      config,
      temporal: stack.temporal,
      client: deps.client,
      db: deps.db,
      mailer: deps.mailer,
      embeddedPostgres: stack.embedded.postgres,
      onCache: (c) => log(`ours: workflow cache ${c.size} (${c.reason})`),
      onProgress: progress('ours', args.n),
    });
    log(
      `ours: ${ours.completed} nominations in ${ours.wallSeconds.toFixed(1)} s; cycle finalized ${ours.cycle.finalizeSeconds.toFixed(1)} s later; sampling histories`,
    );

    const nominations = await sampleHistories(deps.client, ours.workflowIds, args.historySample);
    const cycleDescribe = await deps.client.workflow.getHandle(ours.cycle.workflowId).describe();
    // Every run of the cycle (it continues as new), oldest first: each must stay under Temporal's history warnings.
    const cycleRunLengths: number[] = [];
    for await (const run of deps.client.workflow.list({ query: `WorkflowId = '${ours.cycle.workflowId}'` }))
      cycleRunLengths.push(run.historyLength);
    cycleRunLengths.reverse();
    const cycleShape = await eventShape(deps.client, ours.cycle.workflowId);
    const shape: BaselineShape = {
      updates: Math.round(nominations.meanShape.updatesAccepted),
      activities: Math.round(nominations.meanShape.activitiesScheduled),
      timers: Math.round(nominations.meanShape.timersStarted),
    };

    let baseline: (PhaseResult & { workflowIds: string[] }) | undefined;
    let baselineHistory: Awaited<ReturnType<typeof sampleHistories>> | undefined;
    // The baseline takes the cache ours got, so that ratioToBaseline compares like with like.
    const cacheSize = ours.cache.size;
    if (args.baseline) {
      log(
        `baseline shape per nomination: ${JSON.stringify(shape)}; running baseline with a workflow cache of ${cacheSize}`,
      );
      baseline = await runBaseline({
        args,
        shape,
        temporal: stack.temporal,
        client: deps.client,
        runTag: config.id,
        maxCached: cacheSize,
        onProgress: progress('baseline', args.n),
      });
      baselineHistory = await sampleHistories(deps.client, baseline.workflowIds, Math.min(10, args.historySample));
    }
    let cachedBaseline: (PhaseResult & { workflowIds: string[] }) | undefined;
    // When ours already ran with the cached baseline's cache, the baseline above is that phase: not run twice.
    const cachedIsBaseline = args.cachedBaseline > 0 && args.cachedBaseline === cacheSize;
    if (args.cachedBaseline > 0 && !cachedIsBaseline) {
      log(`running the baseline with a workflow cache of ${args.cachedBaseline}`);
      cachedBaseline = await runBaseline({
        args,
        shape,
        temporal: stack.temporal,
        client: deps.client,
        runTag: `${config.id}-cached`,
        maxCached: args.cachedBaseline,
        onProgress: progress('cached baseline', args.n),
      });
    }

    const o = phaseSummary(ours);
    const b = baseline ? phaseSummary(baseline) : undefined;
    const ratio = baseline ? Math.round((ours.throughput / baseline.throughput) * 1000) / 1000 : null;
    const cb = cachedBaseline ? phaseSummary(cachedBaseline) : undefined;
    const cachedRatio = cachedBaseline
      ? Math.round((ours.throughput / cachedBaseline.throughput) * 1000) / 1000
      : cachedIsBaseline
        ? ratio
        : null;
    const result = {
      date: new Date().toISOString(),
      args: { ...args, maxCached: args.maxCached ?? null },
      environment: {
        postgres: stack.embedded.postgres ? 'PGlite (embedded, wire protocol)' : 'PostgreSQL (DATABASE_URL)',
        temporal: stack.embedded.temporal ? 'dev server, SQLite file (WAL)' : 'TEMPORAL_ADDRESS',
        smtp: stack.embedded.smtp ? 'embedded SMTP sink' : 'SMTP_URL',
        cpus: (await import('node:os')).cpus().length,
        node: process.version,
        pgPoolMax: poolMax,
        devServerDynamicConfig: stack.embedded.temporal ? devServerDynamicConfig() : null,
      },
      cycleId: config.id,
      ours: {
        workflowCache: ours.cache,
        ...o,
        stuck: ours.stuck,
        refusedUpdates: ours.refusedUpdates,
        refusalSamples: ours.refusalSamples,
        rpcRetries: ours.rpcRetries,
        lostAnswers: ours.lostAnswers,
        holdsResolved: ours.holdsResolved,
        finalStages: ours.finalStages,
        postgres: ours.pg,
        history: {
          perNomination: nominations,
          cycle: {
            runs: ours.cycle.view.runs,
            historyLengthPerRun: cycleRunLengths,
            historyLengthCurrentRun: cycleDescribe.historyLength,
            shapeCurrentRun: cycleShape,
            finalizeSeconds: Math.round(ours.cycle.finalizeSeconds * 10) / 10,
            nominated: ours.cycle.view.nominated,
          },
        },
      },
      baseline: b ? { shape, maxCachedWorkflows: cacheSize, ...b, history: baselineHistory } : null,
      cachedBaseline: cb
        ? { shape, maxCachedWorkflows: args.cachedBaseline, ...cb }
        : cachedIsBaseline
          ? { sameRunAs: 'baseline', maxCachedWorkflows: args.cachedBaseline }
          : null,
      ratioToBaseline: ratio,
      ratioToCachedBaseline: cachedRatio,
    };
    const path = writeResult(args.n, result);

    console.log('');
    const u = (s: PhaseResult | undefined) =>
      s ? summarize(s.rec.pooled((n) => n.startsWith('update:') && n !== 'update:finalizeCycle')) : undefined;
    const uo = u(ours)!;
    const ub = u(baseline);
    console.log(`workflow cache of ours: ${ours.cache.size} — ${ours.cache.reason}`);
    printTable([
      ['workflow cache (workflows)', ours.cache.size, b ? cacheSize : undefined],
      [
        'nominations completed',
        `${ours.completed}/${args.n}`,
        baseline ? `${baseline.completed}/${args.n}` : undefined,
      ],
      ['wall time (s)', o.wallSeconds, b?.wallSeconds],
      ['nominations / s', o.nominationsPerSecond, b?.nominationsPerSecond],
      // Without a baseline (--no-baseline, --scale) there is no ratio to print.
      ...(b
        ? ([
            [`ratio to baseline (both with a cache of ${cacheSize})`, ratio, undefined],
            [
              `ratio to the baseline with a cache of ${args.cachedBaseline}`,
              cachedRatio,
              cb ? `${cb.nominationsPerSecond} / s` : cachedIsBaseline ? 'the baseline above' : undefined,
            ],
          ] as [string, unknown, unknown?][])
        : []),
      [
        'update p50 / p95 / p99 (ms)',
        `${uo.p50} / ${uo.p95} / ${uo.p99}`,
        ub ? `${ub.p50} / ${ub.p95} / ${ub.p99}` : undefined,
      ],
      ['updates per nomination', shape.updates, b ? shape.updates : undefined],
      [
        'RSS start / end / max (MB)',
        `${o.rssMb.start} / ${o.rssMb.end} / ${o.rssMb.max}`,
        b ? `${b.rssMb.start} / ${b.rssMb.end} / ${b.rssMb.max}` : undefined,
      ],
      ['RSS per cached workflow (KB)', perCached(o), b ? perCached(b) : undefined],
      [
        'CPU s: bench process / dev server',
        `${o.cpuSeconds.benchProcess} / ${o.cpuSeconds.childProcesses}`,
        b ? `${b.cpuSeconds.benchProcess} / ${b.cpuSeconds.childProcesses}` : undefined,
      ],
      [
        'PG commits / rows per nomination',
        ours.pg.commitsPerNomination === null
          ? `null (${ours.pg.note})`
          : `${ours.pg.commitsPerNomination} / ${ours.pg.rowsPerNomination}`,
        undefined,
      ],
      [
        'history events / nomination (median, max)',
        `${nominations.historyLengthMedian}, ${nominations.historyLengthMax}`,
        baselineHistory ? `${baselineHistory.historyLengthMedian}, ${baselineHistory.historyLengthMax}` : undefined,
      ],
      [
        'workflow task wait p50 / p95 (ms)',
        `${nominations.workflowTaskWaitMs.p50} / ${nominations.workflowTaskWaitMs.p95}`,
        baselineHistory
          ? `${baselineHistory.workflowTaskWaitMs.p50} / ${baselineHistory.workflowTaskWaitMs.p95}`
          : undefined,
      ],
      [
        'workflow task on worker p50 / p95 (ms)',
        `${nominations.workflowTaskRunMs.p50} / ${nominations.workflowTaskRunMs.p95}`,
        baselineHistory
          ? `${baselineHistory.workflowTaskRunMs.p50} / ${baselineHistory.workflowTaskRunMs.p95}`
          : undefined,
      ],
      [
        'activities / timers per nomination',
        `${nominations.meanShape.activitiesScheduled} / ${nominations.meanShape.timersStarted}`,
        b ? `${shape.activities} / ${shape.timers}` : undefined,
      ],
      [
        'cycle: runs, events per run (max)',
        `${ours.cycle.view.runs}, ${Math.max(cycleDescribe.historyLength, ...cycleRunLengths)}`,
        undefined,
      ],
      ['cycle finalize after last nomination (s)', result.ours.history.cycle.finalizeSeconds, undefined],
      [
        'stuck / refused updates / RPC retries / lost answers / holds extended',
        `${ours.stuck} / ${ours.refusedUpdates} / ${ours.rpcRetries} / ${ours.lostAnswers} / ${ours.holdsResolved}`,
        undefined,
      ],
    ]);
    console.log('\nSlowest activities (p50 / p95 ms, schedule-to-start p95 ms):');
    for (const [name, s] of Object.entries(o.timings).filter(([k]) => k.startsWith('activity:'))) {
      const type = name.slice('activity:'.length);
      const sts = o.timings[`scheduleToStart:${type}`];
      console.log(
        `  ${type.padEnd(28)} n=${String(s.count).padStart(6)}  ${s.p50} / ${s.p95}   wait ${sts?.p95 ?? '—'}`,
      );
    }
    console.log(`\nResult written to ${path}`);
  } catch (err) {
    // Before the teardown below, so that nothing it provokes can hide the error that stopped the bench.
    console.error(`bench failed: ${describeError(err)}`);
    failedEarly = true;
    throw err;
  } finally {
    tearingDown = true;
    await deps.close();
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

// `--scale` runs this bench at two sizes, each in a child process (scale.ts).
const scale = process.argv.includes('--scale');
(scale ? import('./scale').then(({ runScale }) => runScale(process.argv.slice(2))) : main()).catch((err) => {
  if (!failedEarly) console.error(`bench failed: ${describeError(err)}`);
  process.exit(1);
});
