/** Command-line options of `npm run bench`. */
import { Command } from 'commander';
import { nonNegative as num, parseOptions } from '../shared/args';

export interface BenchArgs {
  n: number;
  concurrency: number;
  maxActivities: number;
  /** The worker's workflow cache; undefined leaves it to the engine (createWorker asks the server: worker/workflow-cache.ts). */
  maxCached: number | undefined;
  maxWorkflowTasks: number;
  deadlineScale: number;
  revisionShare: number;
  historySample: number;
  baseline: boolean;
  /** The cached baseline's workflow cache; 0 skips that baseline. */
  cachedBaseline: number;
  /** PostgreSQL pool size; 0 = 1 for PGlite, 10 for DATABASE_URL. */
  pgPool: number;
}

export function parseArgs(argv: string[]): BenchArgs {
  const o = parseOptions(
    new Command('bench')
      .option('--n <count>', 'nominations', num, 1000)
      .option('--concurrency <count>', 'nominations in flight (nominate + drive)', num, 50)
      .option('--max-activities <count>', 'worker maxConcurrentActivityTaskExecutions', num, 100)
      .option(
        '--max-cached <count>',
        "worker maxCachedWorkflows (default: the engine's decision, 1,000 where the server refuses queries, as the embedded dev server does, else 0: worker/workflow-cache.ts)",
        num,
      )
      .option('--max-workflow-tasks <count>', 'worker maxConcurrentWorkflowTaskExecutions', num, 40)
      .option(
        '--deadline-scale <factor>',
        'multiply the demo deadlines, so that load does not turn into missed deadlines',
        num,
        10,
      )
      .option(
        '--revision-share <fraction>',
        "share of nominations driven with script 'revision' (the rest 'good')",
        num,
        0.05,
      )
      .option('--history-sample <count>', 'nominations whose history is inspected', num, 50)
      .option('--pg-pool <count>', 'PostgreSQL pool size (0: 1 for PGlite, 10 for DATABASE_URL)', num, 0)
      .option(
        '--cached-baseline <size>',
        "workflow cache of the second bare-workflow baseline, Temporal's own pace on this server (0: skip it; not run again when the first baseline, which takes ours' cache, already had it)",
        num,
        1000,
      )
      .option('--no-baseline', 'skip both bare-workflow baselines'),
    argv,
  );
  return {
    n: o.n,
    concurrency: o.concurrency,
    maxActivities: o.maxActivities,
    maxCached: o.maxCached,
    maxWorkflowTasks: o.maxWorkflowTasks,
    deadlineScale: o.deadlineScale,
    revisionShare: o.revisionShare,
    historySample: o.historySample,
    baseline: o.baseline,
    cachedBaseline: o.baseline ? o.cachedBaseline : 0,
    pgPool: o.pgPool,
  };
}
