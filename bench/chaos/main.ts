/**
 * `npm run chaos [-- --n 300 --kills 20 --smtp-down 60s …]`: N nominations through their whole lifecycle while the
 * worker (a child process running worker/main.ts) is SIGKILLed again and again, the SMTP server is down for a minute,
 * PostgreSQL is restarted and the Temporal dev server is stopped and started on the same SQLite file. Then it checks
 * that no nomination was lost, no email went out twice, and Postgres agrees with the workflows (check.ts), and
 * ends with one line:
 *
 *   nominations N, lost L, duplicate emails D, mismatches M
 *
 * exiting non-zero unless L, D and M are all 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '../../db/database';
import { connectClient, temporalSettings } from '../../common/temporal-connection';
import { parseChaosArgs } from './args';
import { checkChaos, finalLine } from './check';
import { FaultInjector, planFaults, type InfraFault } from './faults';
import { startChaosPostgres, type ChaosPostgres } from './postgres';
import { Progress } from './progress';
import { seededRandom } from '../shared/random';
import { ChaosSmtp } from './smtp';
import { ChaosTemporal } from './temporal';
import { ChildWorker } from './worker';
import { chaosCycles, finalizeCycle, planItems, runWorkload, startCycle } from './workload';

const t0 = Date.now();
const log = (msg: string) => {
  const s = Math.round((Date.now() - t0) / 1000);
  console.log(
    `[chaos ${new Date().toISOString().slice(11, 19)} +${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${msg}`,
  );
};

async function main(): Promise<number> {
  const args = parseChaosArgs(process.argv.slice(2));
  const rng = seededRandom(args.seed);
  const stateDir = mkdtempSync(join(tmpdir(), 'ovop-chaos-'));
  const tag = `chaos-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '').toLowerCase()}`;
  log(
    `n=${args.n} kills=${args.kills} smtp-down=${args.smtpDownMs / 1000}s concurrency=${args.concurrency} deadline-scale=${args.deadlineScale} seed=${args.seed}; state in ${stateDir}`,
  );

  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch((err) => log(`cleanup: ${(err as Error).message}`));
  };
  const onSignal = (sig: NodeJS.Signals) => {
    log(`${sig}: stopping`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  /** Child processes to end synchronously if this process dies of an uncaught error (no async cleanup then). */
  const emergency: (() => void)[] = [];
  process.once('uncaughtException', (err) => {
    log(`chaos run crashed: ${err.stack ?? err}`);
    for (const e of emergency.reverse()) {
      try {
        e();
      } catch {
        // best effort
      }
    }
    log(`state kept in ${stateDir}`);
    process.exit(1);
  });

  let exitCode: number;
  try {
    // ── the stack ──────────────────────────────────────────────────────────────────────────────────────────────────
    const temporal = await ChaosTemporal.start(stateDir);
    cleanups.push(() => temporal.stop());
    emergency.push(() => temporal.emergencyStop());
    log(`Temporal dev server on ${temporal.address}, history in ${temporal.dbFile} (WAL)`);
    const postgres: ChaosPostgres = await startChaosPostgres({ stateDir, forcePglite: args.pglite });
    cleanups.push(() => postgres.stop());
    emergency.push(() => postgres.emergencyStop());
    log(`PostgreSQL: ${postgres.description}`);
    const smtp = await ChaosSmtp.start(join(stateDir, 'mail'));
    cleanups.push(() => smtp.stop());
    log(`SMTP sink on ${smtp.url}, mail in ${smtp.mailDir}`);

    const taskQueue = `ovop-${tag}`;
    const worker = new ChildWorker({
      env: {
        DATABASE_URL: postgres.url,
        SMTP_URL: smtp.url,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: 'default',
        OVOP_TASK_QUEUE: taskQueue,
        // Otherwise the worker takes the engine's decision: the dev server refuses queries, so it caches.
        ...(args.noCache ? { OVOP_MAX_CACHED_WORKFLOWS: '0' } : {}),
      },
      logFile: join(stateDir, 'worker.log'),
      log,
    });
    cleanups.push(() => worker.stop());
    emergency.push(() => worker.emergencyStop());
    log('starting the worker child process (node --import tsx worker/main.ts)…');
    await worker.start();
    log(`worker pid ${worker.pid} polling ${taskQueue} after ${(worker.stats.startupMs[0] / 1000).toFixed(1)} s`);
    // The worker says its cache on the line after the ready line, which may come in the next chunk of its output.
    for (let i = 0; i < 50 && !worker.stats.cacheSizes.length; i++) await new Promise((r) => setTimeout(r, 100));
    log(`worker: Workflow cache ${worker.stats.cacheSizes.at(-1) ?? '(not said)'}: ${worker.stats.cacheReason ?? '-'}`);

    const client = await connectClient(temporalSettings({ address: temporal.address, namespace: 'default' }));
    cleanups.push(() => client.connection.close());
    const db = createDb(postgres.url, { max: 4 });
    cleanups.push(() => db.destroy());

    // ── workload and faults ────────────────────────────────────────────────────────────────────────────────────────
    const cycles = chaosCycles(tag, args.deadlineScale);
    const items = planItems(
      args.n,
      { late: args.lateShare, withdraw: args.withdrawShare, revision: args.revisionShare },
      cycles,
      rng,
    );
    const scripts = items.reduce<Record<string, number>>((m, i) => ((m[i.script] = (m[i.script] ?? 0) + 1), m), {});
    log(
      `cycles ${cycles.main.id} (deadlines ×${args.deadlineScale}) and ${cycles.late.id} (demo deadlines); scripts ${JSON.stringify(scripts)}`,
    );
    await startCycle(client, cycles.main, taskQueue);
    await startCycle(client, cycles.late, taskQueue);

    const progress = new Progress(items);
    const infra: InfraFault[] = ['smtp', 'temporal', ...(postgres.restart ? (['postgres'] as const) : [])];
    if (!postgres.restart)
      log('note: DATABASE_URL is set, so the PostgreSQL restart is skipped (the server is not ours to restart)');
    const plan = planFaults(rng, args.kills, infra);
    log(
      `fault plan (progress): kills at ${plan.kills.map((k) => `${Math.round(k * 100)}%`).join(' ')}; ${plan.infra.map((f) => `${f.fault} at ${Math.round(f.at * 100)}%`).join(', ')}`,
    );
    const injector = new FaultInjector({
      plan,
      progress,
      worker,
      smtp,
      postgres,
      temporal,
      smtpDownMs: args.smtpDownMs,
      temporalDownMs: args.temporalDownMs,
      rng,
      log,
    });

    const ticker = setInterval(() => {
      const down = [...injector.down].join('+') || 'none';
      log(
        `settled ${progress.settled}/${progress.total} (lost so far ${progress.lost}) · progress ${Math.round(progress.fraction() * 100)}% · ` +
          `kills ${injector.kills}/${args.kills}, worker gen ${worker.stats.generations}${worker.isReady ? '' : ' (starting)'}, unplanned exits ${worker.stats.unplannedExits} · ` +
          `down: ${down} · mails ${smtp.messages} (SMTP connection errors ${smtp.connectionErrors})${worker.stats.nondeterminismErrors ? ` · NONDETERMINISM ERRORS in worker log: ${worker.stats.nondeterminismErrors}` : ''} · in flight: ${progress.inFlight()}`,
      );
    }, 15_000);
    const tWork = Date.now();
    injector.start();
    const outcomes = await runWorkload({
      client,
      db,
      items,
      concurrency: args.concurrency,
      stuckAfterMs: args.stuckAfterMs,
      progress,
    }).finally(() => clearInterval(ticker));
    const workSeconds = (Date.now() - tWork) / 1000;
    await injector.stop();
    log(
      `all ${outcomes.length} nominations settled in ${workSeconds.toFixed(0)} s; faults injected: ${injector.kills}/${args.kills} kills, ${
        injector.records
          .filter((r) => r.fault !== 'kill')
          .map((r) => r.fault)
          .join(', ') || 'no other'
      }`,
    );
    const missing = [
      ...(injector.kills < args.kills ? [`${args.kills - injector.kills} kill(s)`] : []),
      ...plan.infra.filter((f) => !injector.records.some((r) => r.fault === f.fault)).map((f) => f.fault),
    ];
    if (missing.length) log(`WARNING: the run ended before these faults were injected: ${missing.join(', ')}`);

    // ── settle the cycles, then check ──────────────────────────────────────────────────────────────────────────────
    await worker.ready();
    log('finalizing both cycles…');
    const finalized: Record<string, Awaited<ReturnType<typeof finalizeCycle>>['view']> = {};
    // A cycle settles only when every one of its nominations has; with nominations given up, do not wait long.
    const givenUp = outcomes.filter((o) => !o.drive || o.drive.stuck).length;
    for (const c of [cycles.main, cycles.late]) {
      const r = await finalizeCycle(client, c, givenUp ? 30_000 : 300_000);
      finalized[c.id] = r.view;
      if (r.error) log(`cycle ${c.id}: ${r.error}`);
    }
    log('checking workflows, projection, event log and mail…');
    const report = await checkChaos({
      client,
      db,
      mailDir: smtp.mailDir,
      items: items.map((i) => ({
        workflowId: i.workflowId,
        script: i.script,
        expectedStage: i.expectedStage,
        cycleId: i.config.id,
      })),
      cycleIds: [cycles.main.id, cycles.late.id],
      finalizedCycles: finalized,
      faults: injector.records,
    });
    const stuck = outcomes.filter((o) => !o.drive || o.drive.stuck);
    for (const o of stuck)
      log(
        `driver gave up on ${o.item.workflowId} (${o.item.script}): ${o.error ?? o.drive?.lastError ?? 'stage did not move'}; last stage ${o.drive?.view?.stage ?? '-'}`,
      );

    const startup = worker.stats.startupMs;
    console.log('');
    console.log('Faults');
    for (const r of [...injector.records].sort((a, b) => a.at.localeCompare(b.at)))
      console.log(
        `  ${r.at.slice(11, 19)}  ${String(Math.round(r.progress * 100)).padStart(3)}%  ${r.fault.padEnd(8)}  ${r.detail}`,
      );
    if (!postgres.restart) console.log('  (PostgreSQL restart skipped: DATABASE_URL is set)');
    console.log('Figures');
    console.log(
      `  wall time ${workSeconds.toFixed(0)} s for ${args.n} nominations (${(args.n / workSeconds).toFixed(2)}/s); stages ${JSON.stringify(report.figures.byStage)}`,
    );
    console.log(
      `  worker processes ${worker.stats.generations} (kills ${worker.stats.kills}, unplanned exits ${worker.stats.unplannedExits}); startup median ${(median(startup) / 1000).toFixed(1)} s, max ${(Math.max(...startup) / 1000).toFixed(1)} s`,
    );
    const sizes = [...new Set(worker.stats.cacheSizes)];
    console.log(
      `  workflow cache ${sizes.join(', ') || '(not said)'} in ${worker.stats.cacheSizes.length} of ${worker.stats.generations} worker processes: ${worker.stats.cacheReason ?? '-'}`,
    );
    console.log(
      `  replayed ${report.figures.replayedRuns} runs (every run of every nomination and cycle) on the current code: ${report.figures.replayedRuns - report.figures.unreplayableRuns} replay, ${report.figures.unreplayableRuns} do not`,
    );
    console.log(
      `  events ${report.figures.events}; notification rows ${report.figures.notificationRows}; .eml files ${report.figures.mailFiles} for ${report.figures.distinctMailKeys} keys (SMTP stored ${smtp.messages} in all, received ${report.figures.receipts} messages for these cycles, ${report.figures.redeliveries} of them a key's second or later copy; ${smtp.connectionErrors} client connections ended in an error such as ECONNRESET)`,
    );
    const sum = (f: (o: (typeof outcomes)[number]) => number) => outcomes.reduce((s, o) => s + f(o), 0);
    console.log(
      `  driver: ${sum((o) => o.drive?.transientErrors ?? 0)} calls retried after a fault, ${sum((o) => o.drive?.refused ?? 0)} updates refused, ${sum((o) => o.drive?.holdsResolved ?? 0)} holds resolved, ${stuck.length} given up`,
    );
    const refusals = outcomes.flatMap((o) => (o.drive?.refusals ?? []).map((r) => `${o.item.workflowId}: ${r}`));
    for (const r of refusals.slice(0, 10)) console.log(`  refused: ${r}`);
    for (const n of report.notes.slice(0, 20)) console.log(`  note: ${n}`);
    if (report.notes.length > 20) console.log(`  … ${report.notes.length - 20} more notes`);
    if (worker.stats.nondeterminismErrors) {
      console.log(
        `  the worker logged ${worker.stats.nondeterminismErrors} nondeterminism error(s); first: ${worker.stats.firstNondeterminismError}`,
      );
    }
    if (report.lostIds.length) {
      console.log('Lost nominations replayed on the current workflow code');
      const { replayOnCurrentCode } = await import('./replay');
      for (const v of await replayOnCurrentCode(client, report.lostIds))
        console.log(`  ${v.workflowId}: ${v.ok ? 'replays cleanly' : v.message}`);
    }
    if (report.redeliveries.length) {
      console.log('Re-deliveries against the kills');
      for (const v of report.redeliveries) console.log(`  ${v.line}`);
    }
    if (report.problems.length) {
      console.log('Problems');
      for (const p of report.problems.slice(0, 50)) console.log(`  ${p}`);
      if (report.problems.length > 50) console.log(`  … ${report.problems.length - 50} more`);
    }
    const ok = report.lost === 0 && report.duplicateEmails === 0 && report.mismatches === 0;
    if (!ok || args.keep) log(`state kept in ${stateDir} (worker.log, temporal-server.log, temporal.sqlite, mail/)`);
    console.log(finalLine(report));
    exitCode = ok ? 0 : 1;
    if (ok && !args.keep) cleanups.unshift(async () => rmSync(stateDir, { recursive: true, force: true }));
  } catch (err) {
    log(`chaos run failed: ${(err as Error).stack ?? err}`);
    log(`state kept in ${stateDir}`);
    exitCode = 1;
  } finally {
    await cleanup();
  }
  return exitCode;
}

function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
