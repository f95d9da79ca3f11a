/**
 * The baseline phase: the bare workflow of bench/shared/baseline.workflow.ts on its own worker (own bundle, own task queue, same
 * tuning, same server), N runs at the same concurrency, each sent the same number of Updates as a real nomination.
 */
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { TemporalSettings } from '../../common/temporal-connection';
import { activityTiming } from './activity-timing';
import * as activities from '../shared/baseline.activities';
import { BENCH_WORKFLOWS_PATH } from '../shared/baseline-worker';
import type { BenchArgs } from './args';
import { baselineNomination, baselineStepUpdate, type BaselineShape } from '../shared/baseline.workflow';
import type { PhaseResult } from './ours';
import { mapPool } from '../shared/pool';
import { descendantsCpuSeconds, sampleRss, selfCpuSeconds } from './resources';
import { Recorder } from '../shared/stats';
import { runUpdate } from '../../common/run-update';

export async function runBaseline(opts: {
  args: BenchArgs;
  shape: BaselineShape;
  temporal: TemporalSettings;
  client: Client;
  /** Names the phase's task queue and workflow ids, so that two baselines on one server do not meet. */
  runTag: string;
  /** The worker's workflow cache: the size ours ran with, or the cached baseline's. */
  maxCached: number;
  onProgress(done: number): void;
}): Promise<PhaseResult & { workflowIds: string[] }> {
  const { args, shape, client, maxCached } = opts;
  const rec = new Recorder();
  const tag = opts.runTag;
  const taskQueue = `ovop-bench-baseline-${tag}`;
  const connection = await NativeConnection.connect(opts.temporal.connectionOptions);
  const worker = await Worker.create({
    connection,
    namespace: opts.temporal.namespace,
    taskQueue,
    workflowsPath: BENCH_WORKFLOWS_PATH,
    activities,
    maxConcurrentActivityTaskExecutions: args.maxActivities,
    maxConcurrentWorkflowTaskExecutions: args.maxWorkflowTasks,
    maxCachedWorkflows: maxCached,
    interceptors: { activity: [activityTiming(rec)] },
    shutdownGraceTime: '5 seconds',
  });
  const running = worker.run();
  try {
    const rssStart = process.memoryUsage().rss;
    const sampler = sampleRss(() => worker.getStatus().numCachedWorkflows);
    const cpuSelf0 = selfCpuSeconds();
    const cpuKids0 = descendantsCpuSeconds();
    const t0 = performance.now();
    let lastTerminal = t0;
    let done = 0;
    const ids = await mapPool(
      Array.from({ length: args.n }, (_, i) => i),
      args.concurrency,
      async (i) => {
        const workflowId = `bench-baseline/${tag}/${i}`;
        const handle = await rec.time('start', () =>
          client.workflow.start(baselineNomination, { workflowId, taskQueue, args: [shape] }),
        );
        for (let u = 0; u < shape.updates; u++)
          await rec.time('update:baselineStep', () => runUpdate(handle, baselineStepUpdate));
        await rec.time('result', () => handle.result());
        lastTerminal = Math.max(lastTerminal, performance.now());
        opts.onProgress(++done);
        return workflowId;
      },
    );
    const wallSeconds = (lastTerminal - t0) / 1000;
    const cpuSelf1 = selfCpuSeconds();
    const cpuKids1 = descendantsCpuSeconds();
    const rssEnd = process.memoryUsage().rss;
    return {
      wallSeconds,
      completed: done,
      throughput: done / wallSeconds,
      rssStart,
      rssEnd,
      peak: sampler.stop(),
      cpu: {
        benchProcessSeconds: cpuSelf1 - cpuSelf0,
        childProcessesSeconds: cpuKids0 === null || cpuKids1 === null ? null : cpuKids1 - cpuKids0,
      },
      rec,
      workflowIds: ids,
    };
  } finally {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    // A graceful-shutdown timeout here is about draining pollers, not about the measured work.
    await running.catch((err) => console.error(`worker stopped with: ${(err as Error).message}`));
    await connection.close();
  }
}
