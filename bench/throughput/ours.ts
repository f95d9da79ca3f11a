/**
 * The engine under test: one worker in this process, one award cycle, N nominations each nominated through the
 * cycle's `nominate` Update and driven to a terminal stage, at most `concurrency` nominations in flight.
 */
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Mailer } from '../../activities/mailer';
import type { Database } from '../../db/database';
import { stageCounts } from '../../db/reports';
import type { Commodity, CycleConfig } from '../../domain/types';
import { COMMODITIES } from '../../domain/types';
import { createWorker } from '../../worker/create-worker';
import type { CacheDecision } from '../../worker/workflow-cache';
import type { TemporalSettings } from '../../common/temporal-connection';
import { awardCycle } from '../../workflows/award-cycle.workflow';
import { cycleWorkflowId } from '../../workflows/ids';
import { finalizeCycleUpdate, nominateUpdate, type CycleView } from '../../workflows/messages';
import { activityTiming } from './activity-timing';
import type { BenchArgs } from './args';
import { COORDINATOR } from '../../demo/next-actions';
import { driveTimed, RoundTripGauge, startingView, type BenchScript } from './driver';
import { perNomination, readPgCounters, type PgPerNomination } from './pg-stats';
import { mapPool } from '../shared/pool';
import { regencyCodesFor } from '../shared/regencies';
import { descendantsCpuSeconds, sampleRss, selfCpuSeconds, type RssPeak } from './resources';
import { Recorder } from '../shared/stats';
import { retryOnTaskFailure } from '../../common/update-retry';
import { describeError } from './errors';
import { retryRpcTimeouts } from './rpc-retry';
import { runUpdate } from '../../common/run-update';

export interface PhaseResult {
  wallSeconds: number;
  completed: number;
  throughput: number;
  rssStart: number;
  rssEnd: number;
  peak: RssPeak;
  cpu: { benchProcessSeconds: number; childProcessesSeconds: number | null };
  rec: Recorder;
}

export interface OursResult extends PhaseResult {
  workflowIds: string[];
  stuck: number;
  refusedUpdates: number;
  /** The first few refusals (action: message); each was sent again while the state still called for it. */
  refusalSamples: string[];
  /** Queries and updates asked again after an RPC timeout: a sign of an overloaded worker. */
  rpcRetries: number;
  /** Updates whose outcome the server no longer knew (driver.ts), sent again while the state called for them. */
  lostAnswers: number;
  /** Nominations held after a deadline passed under load, extended by the coordinator. */
  holdsResolved: number;
  finalStages: Record<string, number>;
  cycle: { workflowId: string; finalizeSeconds: number; view: CycleView };
  pg: PgPerNomination;
  /** The workflow cache the engine's worker ran with, and why (its own decision unless `--max-cached` was given). */
  cache: CacheDecision;
}

export async function runOurs(opts: {
  args: BenchArgs;
  config: CycleConfig;
  temporal: TemporalSettings;
  client: Client;
  db: Kysely<Database>;
  mailer: Mailer;
  embeddedPostgres: boolean;
  /** Told the worker's cache once it is decided, before the first nomination. */
  onCache?(cache: CacheDecision): void;
  onProgress(done: number): void;
}): Promise<OursResult> {
  const { args, config, client } = opts;
  const rec = new Recorder();
  /** Shared by every actor of the run: how long updates take lately (an actor waits twice that for a new event before it
   * takes the projection as it stands). */
  const typicalUpdate = new RoundTripGauge();
  const taskQueue = `ovop-bench-${config.id}`;
  const { worker, connection, cache } = await createWorker({
    temporal: opts.temporal,
    client,
    db: opts.db,
    mailer: opts.mailer,
    taskQueue,
    tuning: {
      maxConcurrentActivityTaskExecutions: args.maxActivities,
      maxConcurrentWorkflowTaskExecutions: args.maxWorkflowTasks,
      // Left out unless given, so that the worker decides as it does in production (worker/workflow-cache.ts).
      ...(args.maxCached === undefined ? {} : { maxCachedWorkflows: args.maxCached }),
      interceptors: { activity: [activityTiming(rec)] },
    },
  });
  opts.onCache?.(cache);
  const running = worker.run();
  try {
    const rssStart = process.memoryUsage().rss;
    const sampler = sampleRss(() => worker.getStatus().numCachedWorkflows);
    const cycleId = cycleWorkflowId(config.id);
    // A census every 5 s (not the engine's 5 minutes), so that the finalize time measures the engine, not the interval.
    await client.workflow.start(awardCycle, {
      workflowId: cycleId,
      taskQueue,
      args: [{ config, reconcileEvery: '5s' }],
    });
    // Without a run id, so that updates follow the cycle across continue-as-new.
    const cycle = client.workflow.getHandle(cycleId);
    const pgBefore = await readPgCounters(opts.db);
    const regencies = regencyCodesFor(config, args.n);
    const everyRevision = args.revisionShare > 0 ? Math.round(1 / args.revisionShare) : 0;
    const items = regencies.map((regencyCode, i) => ({
      regencyCode,
      commodity: COMMODITIES[i % COMMODITIES.length] as Commodity,
      ikmName: `IKM Bench ${String(i).padStart(5, '0')}`,
      script: (everyRevision && i % everyRevision === everyRevision - 1 ? 'revision' : 'good') as BenchScript,
    }));

    const cpuSelf0 = selfCpuSeconds();
    const cpuKids0 = descendantsCpuSeconds();
    const t0 = performance.now();
    let lastTerminal = t0;
    let done = 0;
    let stuck = 0;
    let refused = 0;
    let rpcRetries = 0;
    let lostAnswers = 0;
    const refusalSamples: string[] = [];
    let holdsResolved = 0;
    const ids = await mapPool(items, args.concurrency, async (it, i) => {
      const dinas = { role: 'dinas_kabkota' as const, id: `disperin-${it.regencyCode}`, region: it.regencyCode };
      let step = 'update nominate on the cycle';
      let workflowId: string | undefined;
      try {
        // A resend after an RPC timeout is safe: nominating is idempotent by the nomination's workflow id.
        ({ workflowId } = await rec.time('update:nominate', () =>
          retryRpcTimeouts(
            () =>
              retryOnTaskFailure(() =>
                runUpdate(cycle, nominateUpdate, {
                  args: [
                    {
                      cycleId: config.id,
                      nominatedBy: dinas,
                      regencyCode: it.regencyCode,
                      ikmName: it.ikmName,
                      sentraName: `Sentra ${it.ikmName}`,
                      commodity: it.commodity,
                      product: `Produk ${it.commodity}`,
                      sentraSize: 12,
                    },
                  ],
                }),
              ),
            () => void (rpcRetries += 1),
          ),
        ));
        step = `driving ${workflowId}`;
        const r = await driveTimed(
          client.workflow.getHandle(workflowId),
          startingView(workflowId, it, config),
          it.script,
          config,
          rec,
          { db: opts.db, stuckAfterMs: 180_000, typicalUpdate },
        );
        if (r.stuck) {
          stuck++;
          console.error(
            `[bench] nomination #${i} (${workflowId}) stuck at ${r.view.stage}${r.refusals.length ? `; refused: ${r.refusals.join(' | ')}` : ''}`,
          );
        }
        refused += r.refusedUpdates;
        for (const x of r.refusals) if (refusalSamples.length < 5) refusalSamples.push(x);
        rpcRetries += r.rpcRetries;
        lostAnswers += r.lostAnswers;
        holdsResolved += r.holdsResolved;
      } catch (err) {
        // Printed here, at once: the caller's teardown must not be what shows first.
        console.error(
          `[bench] nomination #${i} (${it.ikmName}, ${it.regencyCode}) failed at ${step} after ${done} done: ${describeError(err)}`,
        );
        throw err;
      }
      lastTerminal = Math.max(lastTerminal, performance.now());
      opts.onProgress(++done);
      return workflowId!;
    });
    const wallSeconds = (lastTerminal - t0) / 1000;
    const cpuSelf1 = selfCpuSeconds();
    const cpuKids1 = descendantsCpuSeconds();

    const f0 = performance.now();
    await rec.time('update:finalizeCycle', () =>
      retryOnTaskFailure(() => runUpdate(cycle, finalizeCycleUpdate, { args: [{ actor: COORDINATOR }] })),
    );
    const view = (await cycle.result()) as CycleView;
    const finalizeSeconds = (performance.now() - f0) / 1000;

    const rssEnd = process.memoryUsage().rss;
    const peak = sampler.stop();
    // pg_stat_database is flushed about once a second.
    await new Promise((r) => setTimeout(r, 1500));
    const pgAfter = await readPgCounters(opts.db);
    return {
      wallSeconds,
      completed: done - stuck,
      throughput: (done - stuck) / wallSeconds,
      rssStart,
      rssEnd,
      peak,
      cpu: {
        benchProcessSeconds: cpuSelf1 - cpuSelf0,
        childProcessesSeconds: cpuKids0 === null || cpuKids1 === null ? null : cpuKids1 - cpuKids0,
      },
      rec,
      workflowIds: ids,
      stuck,
      refusedUpdates: refused,
      refusalSamples,
      rpcRetries,
      lostAnswers,
      holdsResolved,
      finalStages: await stageCounts(opts.db, config.id),
      cycle: { workflowId: cycleId, finalizeSeconds, view },
      pg: perNomination(pgBefore, pgAfter, args.n, opts.embeddedPostgres),
      cache,
    };
  } finally {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    // A graceful-shutdown timeout here is about draining pollers, not about the measured work.
    await running.catch((err) => console.error(`worker stopped with: ${(err as Error).message}`));
    await connection.close();
  }
}
