/** Command-line options of `npm run chaos`. */
import { Command } from 'commander';
import { nonNegative as num, parseOptions, parseSeconds } from '../shared/args';

export interface ChaosArgs {
  /** Nominations driven through their whole lifecycle. */
  n: number;
  /** SIGKILLs of the worker child process. */
  kills: number;
  /** How long the SMTP server stays down (ms). */
  smtpDownMs: number;
  /** How long the Temporal dev server stays down between stop and start (ms). */
  temporalDownMs: number;
  concurrency: number;
  /** Multiplies the demo deadlines of the main cycle, so that outages do not turn into missed deadlines. */
  deadlineScale: number;
  /** Share of nominations scripted to miss their attendance deadline (in a second cycle with the demo's short deadline). */
  lateShare: number;
  withdrawShare: number;
  revisionShare: number;
  seed: number;
  /** A nomination whose stage has not moved for this long is given up as lost (ms). */
  stuckAfterMs: number;
  /** Keep the state directory (logs, SQLite file, mail) after the run. */
  keep: boolean;
  /** Use PGlite even when PostgreSQL binaries are installed (the fallback path). */
  pglite: boolean;
  /** Run the worker without its workflow cache (OVOP_MAX_CACHED_WORKFLOWS=0); otherwise the engine decides it. */
  noCache: boolean;
}

export function parseChaosArgs(argv: string[]): ChaosArgs {
  const o = parseOptions(
    new Command('chaos')
      .description(
        'Drives N nominations while the worker is SIGKILLed, SMTP, PostgreSQL and Temporal go down; then checks that nothing was lost or sent twice.',
      )
      .option('--n <count>', 'nominations', num, 300)
      .option('--kills <count>', 'SIGKILLs of the worker child process', num, 20)
      .option('--smtp-down <duration>', 'how long the SMTP server is down (60, 60s, 1m)', parseSeconds, 60_000)
      .option(
        '--temporal-down <duration>',
        'pause between stopping and starting the Temporal dev server',
        parseSeconds,
        5_000,
      )
      .option('--concurrency <count>', 'nominations in flight', num, 40)
      .option('--deadline-scale <factor>', 'multiply the demo deadlines of the main cycle', num, 20)
      .option('--late-share <fraction>', 'share of nominations scripted to miss the attendance deadline', num, 0.05)
      .option('--withdraw-share <fraction>', 'share of nominations withdrawn by their dinas', num, 0.05)
      .option('--revision-share <fraction>', 'share of nominations sent back for one revision round', num, 0.1)
      .option('--seed <number>', 'seed of the fault schedule (default: random)', num)
      .option(
        '--stuck-after <duration>',
        'give a nomination up as lost when its stage has not moved for this long',
        parseSeconds,
        600_000,
      )
      .option('--keep', 'keep the state directory (logs, Temporal SQLite file, mail) afterwards', false)
      .option('--pglite', 'use PGlite even when PostgreSQL binaries are installed (the fallback path)', false)
      .option(
        '--no-cache',
        "run the worker without its workflow cache (OVOP_MAX_CACHED_WORKFLOWS=0); by default it takes the engine's decision",
      ),
    argv,
  );
  if (!Number.isInteger(o.n) || o.n < 1) throw new Error('--n must be a whole number of at least 1');
  return {
    n: o.n,
    kills: Math.floor(o.kills),
    smtpDownMs: o.smtpDown,
    temporalDownMs: o.temporalDown,
    concurrency: Math.max(1, Math.floor(o.concurrency)),
    deadlineScale: o.deadlineScale,
    lateShare: o.lateShare,
    withdrawShare: o.withdrawShare,
    revisionShare: o.revisionShare,
    seed: o.seed ?? Math.floor(Math.random() * 2 ** 31),
    stuckAfterMs: o.stuckAfter,
    keep: !!o.keep,
    pglite: !!o.pglite,
    noCache: o.cache === false,
  };
}
