/**
 * The chaos run's workload: two award cycles and N nominations through them, each nominated with the cycle's
 * `nominate` Update and driven to its end by drive.ts, at most `concurrency` at a time.
 *
 * - The main cycle has the demo deadlines scaled up (`deadlineScale`), so that no outage makes anyone miss one.
 * - The late cycle keeps the demo's short attendance deadline: its nominations are scripted never to attend, and must
 *   end DISQUALIFIED after their reminders and escalation, outages or not.
 */
import { WorkflowUpdateFailedError, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import pRetry, { AbortError } from 'p-retry';
import type { Database } from '../../db/database';
import type { Commodity, CycleConfig } from '../../domain/types';
import { COMMODITIES } from '../../domain/types';
import { awardCycle } from '../../workflows/award-cycle.workflow';
import { cycleWorkflowId, nominationWorkflowId } from '../../workflows/ids';
import { finalizeCycleUpdate, nominateUpdate, type CycleView } from '../../workflows/messages';
import { isTransientUpdateFailure } from '../../common/update-retry';
import { benchConfig } from '../shared/config';
import { driveThroughChaos, EXPECTED_STAGE, type ChaosDriveResult, type ChaosScript } from './drive';
import type { Progress } from './progress';
import type { Random } from '../shared/random';
import { COORDINATOR } from '../../demo/next-actions';
import { mapPool } from '../shared/pool';
import { regencyCodesFor } from '../shared/regencies';
import { runUpdate } from '../../common/run-update';

export interface ChaosCycles {
  main: CycleConfig;
  late: CycleConfig;
}

export interface ChaosItem {
  index: number;
  script: ChaosScript;
  config: CycleConfig;
  regencyCode: string;
  ikmName: string;
  commodity: Commodity;
  workflowId: string;
  expectedStage: string;
}

export interface ChaosOutcome {
  item: ChaosItem;
  nominated: boolean;
  drive: ChaosDriveResult | null;
  error?: string;
}

/** Two cycle configs under one run tag: `<tag>` (scaled deadlines) and `<tag>-late` (the demo's attendance deadline). */
export function chaosCycles(tag: string, deadlineScale: number): ChaosCycles {
  // Intake stays open until the run finalizes the cycles (finalizeCycle closes it), however long the outages last.
  const main = benchConfig({ deadlineScale, intakeWindow: '6h' });
  main.id = tag;
  main.name = 'Penghargaan OVOP (chaos)';
  const late = benchConfig({ deadlineScale: 1, intakeWindow: '6h' });
  late.id = `${tag}-late`;
  late.name = 'Penghargaan OVOP (chaos, tenggat singkat)';
  return { main, late };
}

/** N nominations with their scripts, shuffled by the seeded random source so the scripts interleave. */
export function planItems(
  n: number,
  shares: { late: number; withdraw: number; revision: number },
  cycles: ChaosCycles,
  rng: Random,
): ChaosItem[] {
  const count = (share: number) => Math.min(n, Math.round(n * share));
  const scripts: ChaosScript[] = [];
  for (const [script, c] of [
    ['late', count(shares.late)],
    ['withdraw', count(shares.withdraw)],
    ['revision', count(shares.revision)],
  ] as const) {
    for (let i = 0; i < c && scripts.length < n; i++) scripts.push(script);
  }
  while (scripts.length < n) scripts.push('good');
  for (let i = scripts.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [scripts[i], scripts[j]] = [scripts[j], scripts[i]];
  }
  const regencies = regencyCodesFor(cycles.main, n);
  return scripts.map((script, i) => {
    const config = script === 'late' ? cycles.late : cycles.main;
    const ikmName = `IKM Chaos ${String(i).padStart(5, '0')}`;
    return {
      index: i,
      script,
      config,
      regencyCode: regencies[i],
      ikmName,
      commodity: COMMODITIES[i % COMMODITIES.length] as Commodity,
      workflowId: nominationWorkflowId(config.id, regencies[i], ikmName),
      expectedStage: EXPECTED_STAGE[script],
    };
  });
}

/** Starts a cycle workflow; one already running under that id (a retry) is fine. Up to 20 attempts, 1 s apart. */
export async function startCycle(client: Client, config: CycleConfig, taskQueue: string): Promise<void> {
  await pRetry(
    async () => {
      try {
        await client.workflow.start(awardCycle, {
          workflowId: cycleWorkflowId(config.id),
          taskQueue,
          args: [{ config, reconcileEvery: '2s' }],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    },
    { retries: 19, minTimeout: 1_000, factor: 1 },
  );
}

/**
 * The cycle's nominate Update, sent again with the same update id until it answers, so that a call cut off after it
 * went through is applied once. A run draining before it continues as new turns nominations away for a moment
 * (`TryAgain`, see common/update-retry.ts): that one is sent again under a new update id, as the CLI does.
 */
async function nominate(client: Client, item: ChaosItem, giveUpAfterMs: number): Promise<void> {
  const cycle = client.workflow.getHandle(cycleWorkflowId(item.config.id));
  const dinas = { role: 'dinas_kabkota' as const, id: `disperin-${item.regencyCode}`, region: item.regencyCode };
  let turnedAway = 0;
  const send = async (): Promise<void> => {
    try {
      const r = await client.withDeadline(Date.now() + 60_000, () =>
        runUpdate(cycle, nominateUpdate, {
          updateId: `nominate:${item.workflowId}${turnedAway ? `#${turnedAway}` : ''}`,
          args: [
            {
              cycleId: item.config.id,
              nominatedBy: dinas,
              regencyCode: item.regencyCode,
              ikmName: item.ikmName,
              sentraName: `Sentra ${item.ikmName}`,
              commodity: item.commodity,
              product: `Produk ${item.commodity}`,
              sentraSize: 12,
            },
          ],
        }),
      );
      if (r.workflowId !== item.workflowId)
        throw new AbortError(`nominate answered ${r.workflowId}, expected ${item.workflowId}`);
    } catch (err) {
      // A resend after a cut-off call that had gone through: the cycle's validator says so.
      if (
        err instanceof WorkflowUpdateFailedError &&
        /already nominated/.test(String((err.cause as Error | undefined)?.message))
      )
        return;
      throw err;
    }
  };
  await pRetry(send, {
    retries: Number.POSITIVE_INFINITY,
    maxRetryTime: giveUpAfterMs,
    minTimeout: 250,
    factor: 2,
    maxTimeout: 5_000,
    shouldRetry: ({ error }) => {
      // Cut off, or the server away: the same update id again.
      if (!(error instanceof WorkflowUpdateFailedError)) return true;
      // Refused by the validator: an answer.
      if (!isTransientUpdateFailure(error)) return false;
      // Turned away while the cycle drains: a new update id, since the server keeps the first outcome of an id.
      turnedAway += 1;
      return true;
    },
  });
}

export async function runWorkload(opts: {
  client: Client;
  /** The projection the drivers decide from. */
  db: Kysely<Database>;
  items: readonly ChaosItem[];
  concurrency: number;
  stuckAfterMs: number;
  progress: Progress;
}): Promise<ChaosOutcome[]> {
  const { client, progress } = opts;
  return mapPool(opts.items, opts.concurrency, async (item): Promise<ChaosOutcome> => {
    progress.nominating(item.workflowId);
    try {
      await nominate(client, item, opts.stuckAfterMs);
    } catch (err) {
      progress.settle(item.workflowId, item.script, false);
      return { item, nominated: false, drive: null, error: `nominate: ${(err as Error).message}` };
    }
    progress.nominated(item.workflowId);
    const drive = await driveThroughChaos(client, opts.db, item.workflowId, item.script, item.config, {
      stuckAfterMs: opts.stuckAfterMs,
      onStage: (stage) => progress.stageSeen(item.workflowId, item.script, stage),
    });
    progress.settle(item.workflowId, item.script, !drive.stuck && drive.view?.stage === item.expectedStage);
    return { item, nominated: true, drive };
  });
}

/** Asks the coordinator's finalization of a cycle and waits for its summary (it needs every nomination settled); both
 * asked again 1 s apart until `timeoutMs` has passed. */
export async function finalizeCycle(
  client: Client,
  config: CycleConfig,
  timeoutMs: number,
): Promise<{ view: CycleView | null; error?: string }> {
  const handle = client.workflow.getHandle(cycleWorkflowId(config.id));
  const until = Date.now() + timeoutMs;
  const untilThen = () => ({
    retries: Number.POSITIVE_INFINITY,
    maxRetryTime: Math.max(0, until - Date.now()),
    minTimeout: 1_000,
    factor: 1,
  });
  try {
    await pRetry(async () => {
      try {
        await client.withDeadline(Date.now() + 30_000, () =>
          runUpdate(handle, finalizeCycleUpdate, { updateId: 'finalize', args: [{ actor: COORDINATOR }] }),
        );
      } catch (err) {
        // Refused as "already requested": a resend after a cut-off call.
        if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      }
    }, untilThen());
  } catch (err) {
    return { view: null, error: `finalizeCycle: ${(err as Error).message}` };
  }
  try {
    return {
      view: (await pRetry(
        () => client.withDeadline(Date.now() + 30_000, () => handle.result()),
        untilThen(),
      )) as CycleView,
    };
  } catch (err) {
    // No view (the server refuses queries): the final check reports the unfinished cycle from its run's status and the
    // projection's counts.
    const status = await client
      .withDeadline(Date.now() + 10_000, () => handle.describe())
      .then((d) => d.status.name)
      .catch(() => 'unknown');
    return {
      view: null,
      error: `cycle did not finish within ${Math.round(timeoutMs / 1000)} s (its run is ${status}): ${(err as Error).message}`,
    };
  }
}
