/**
 * The CI slice of `npm run chaos`: ~20 nominations on a task queue of their own, served by worker/main.ts running as a
 * child process that is SIGKILLed 3 times at random moments (and restarted at once), then the chaos run's checks
 * restricted to these nominations: each reached the end its script leads to (by query and projection), each mail key
 * reached the SMTP server once, the projection equals the workflow state, the event log has no gap, and every recorded
 * run replays on the current code.
 *
 * The SMTP outage and the PostgreSQL and Temporal restarts of the full run are left out: the sink, the database and the
 * dev server are shared by the whole test run. A re-delivery the sink absorbed (same Message-ID, not stored twice; see
 * embedded/mail-store.ts) is shown in the output, not counted as a duplicate.
 */
import { Client, Connection } from '@temporalio/client';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  chaosCycles,
  checkChaos,
  ChildWorker,
  explainDuplicates,
  FaultInjector,
  finalizeCycle,
  finalLine,
  planFaults,
  planItems,
  Progress,
  replayOnCurrentCode,
  runWorkload,
  seededRandom,
  startCycle,
} from '../../bench/drivers';
import { createDb } from '../../db/database';

const N = 20;
const KILLS = 3;

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

describe('chaos slice', () => {
  it(`${N} nominations survive ${KILLS} SIGKILLs of the worker process: nothing lost, no mail twice, projection = workflow`, async () => {
    const seed = Number(process.env.OVOP_CHAOS_SEED) || Math.floor(Math.random() * 2 ** 31);
    const rng = seededRandom(seed);
    const tag = `chaos-slice-${Date.now()}`;
    const taskQueue = `test-${tag}`;
    const lines: string[] = [];
    const log = (line: string) => {
      const stamped = `${new Date().toISOString().slice(11, 23)} ${line}`;
      lines.push(stamped);
      console.log(`[chaos slice] ${stamped}`);
    };

    const worker = new ChildWorker({
      env: {
        DATABASE_URL: inject('databaseUrl'),
        SMTP_URL: inject('smtpUrl'),
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_NAMESPACE: 'default',
        OVOP_TASK_QUEUE: taskQueue,
      },
      // OVOP_CHAOS_LOG_DIR keeps the worker's log after the run (the state dir goes with the test run).
      logFile: join(process.env.OVOP_CHAOS_LOG_DIR || inject('stateDir'), `${tag}-worker.log`),
      log,
    });
    cleanups.push(() => worker.stop());
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default' });
    const db = createDb(inject('databaseUrl'));
    cleanups.push(() => db.destroy());
    await worker.start();

    const cycles = chaosCycles(tag, 20);
    const items = planItems(N, { late: 0.05, withdraw: 0.05, revision: 0.1 }, cycles, rng);
    await startCycle(client, cycles.main, taskQueue);
    await startCycle(client, cycles.late, taskQueue);
    const progress = new Progress(items);
    // Kills early in the run: whatever a dead worker held is retried only when its activity's start-to-close timeout
    // (up to a minute for mail) runs out, so every kill stretches the test by up to that much after it.
    const plan = planFaults(rng, KILLS, [], [0.02, 0.12]);
    const injector = new FaultInjector({ plan, progress, worker, smtpDownMs: 0, temporalDownMs: 0, rng, log });
    injector.start();
    const ticker = setInterval(
      () =>
        log(
          `settled ${progress.settled}/${N}, progress ${Math.round(progress.fraction() * 100)}%, kills ${injector.kills}/${KILLS}, in flight: ${progress.inFlight()}`,
        ),
      10_000,
    );
    const outcomes = await runWorkload({ client, items, concurrency: N, stuckAfterMs: 150_000, progress }).finally(() =>
      clearInterval(ticker),
    );
    await injector.stop();
    await worker.ready();
    const finalized: Record<string, Awaited<ReturnType<typeof finalizeCycle>>['view']> = {};
    const givenUp = outcomes.some((o) => !o.drive || o.drive.stuck);
    for (const c of [cycles.main, cycles.late])
      finalized[c.id] = (await finalizeCycle(client, c, givenUp ? 15_000 : 120_000)).view;

    const report = await checkChaos({
      client,
      db,
      mailDir: inject('mailDir'),
      items: items.map((i) => ({
        workflowId: i.workflowId,
        script: i.script,
        expectedStage: i.expectedStage,
        cycleId: i.config.id,
      })),
      cycleIds: [cycles.main.id, cycles.late.id],
      finalizedCycles: finalized,
    });
    const replays = report.lostIds.length ? await replayOnCurrentCode(client, report.lostIds, 3) : [];
    const context = [
      `seed ${seed} (OVOP_CHAOS_SEED=${seed} replays the fault plan)`,
      ...lines,
      ...(worker.stats.nondeterminismErrors
        ? [
            `worker logged ${worker.stats.nondeterminismErrors} nondeterminism error(s): ${worker.stats.firstNondeterminismError}`,
          ]
        : []),
      ...replays.map((v) => `replay of lost ${v.workflowId}: ${v.ok ? 'clean' : v.message}`),
      ...outcomes
        .filter((o) => !o.drive || o.drive.stuck)
        .map((o) => `driver gave up on ${o.item.workflowId}: ${o.error ?? o.drive?.lastError}`),
      ...explainDuplicates(report.duplicates, injector.records),
      ...report.notes,
      ...report.problems,
      `mail: ${report.figures.mailFiles} stored for ${report.figures.distinctMailKeys} keys, ${report.figures.redeliveries} re-deliveries absorbed`,
      finalLine(report),
    ].join('\n');
    console.log(context);

    expect(injector.kills, context).toBe(KILLS);
    expect(report.problems, context).toEqual([]);
    expect(
      { lost: report.lost, duplicateEmails: report.duplicateEmails, mismatches: report.mismatches },
      context,
    ).toEqual({ lost: 0, duplicateEmails: 0, mismatches: 0 });
  }, 300_000);
});
