/**
 * Drives one nomination to its end while the services under it come and go. The actors' decisions are those of
 * demo/next-actions.ts, with the scripts 'good', 'revision' (one request for changes), 'withdraw' (the dinas
 * withdraws at the document stage) and 'late' (the dinas never attends its socialization session, so the attendance
 * deadline passes).
 *
 * What differs from the bench driver is how it survives faults: every Update carries an id derived from the action,
 * so a call cut off by a dead worker or a restarting server is simply sent again (the server answers a known id with
 * the first outcome instead of running it twice); every call has a deadline; any error other than a validator's refusal
 * is retried after re-reading the state. It gives up only when the stage has not moved for `stuckAfterMs`.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { CycleConfig, Stage } from '../../domain/types';
import { isTerminal } from '../../domain/types';
import { nextActions, steadyScores, type ActorPlan } from '../../demo/next-actions';
import { nominationStateQuery, type NominationView } from '../../workflows/messages';

export type ChaosScript = 'good' | 'revision' | 'withdraw' | 'late';

/** The scripts as what their people do; a hold (a stage deadline passed during an outage, not part of any script) is
 * extended by the coordinator so that the nomination carries on (the check reports escalations). */
export function chaosPlan(script: ChaosScript): ActorPlan {
  return {
    attends: script !== 'late',
    withdraws: script === 'withdraw',
    requestsChanges: script === 'revision',
    score: steadyScores,
    extendHoldsBecause: 'chaos: outage',
  };
}

/** Where each script must end, whatever happened to the services meanwhile. */
export const EXPECTED_STAGE: Record<ChaosScript, Stage> = {
  good: 'DETERMINED',
  revision: 'DETERMINED',
  withdraw: 'WITHDRAWN',
  late: 'DISQUALIFIED',
};

/** Stage changes a driver sees on the way (IDENTIFIED not counted): the unit of the run's progress. */
export const EXPECTED_STEPS: Record<ChaosScript, number> = { good: 7, revision: 9, withdraw: 3, late: 2 };

export interface ChaosDriveResult {
  view: NominationView | null;
  /** Gave up: the stage did not move for stuckAfterMs (or the workflow never answered). */
  stuck: boolean;
  lastError?: string;
  /** Updates refused by a validator (expected now and then: a retry of an action that had gone through). */
  refused: number;
  /** The validators' messages, first few. */
  refusals: string[];
  /** Calls that failed for another reason and were retried. */
  transientErrors: number;
  /** A deadline that was not meant to pass put the nomination on hold; the driver extended it to carry on. */
  holdsResolved: number;
  /** The worker could not replay the workflow's history (nondeterminism error): it can never move again. */
  nondeterminism?: string;
}

/** A refused action that the state still calls for is sent again after this long, at most MAX_RESENDS times. */
const RESEND_AFTER_MS = 3_000;
const MAX_RESENDS = 5;
/** How long a query may keep failing with a nondeterminism error before the nomination is given up. */
const NDE_GIVE_UP_MS = 60_000;
const isNondeterminism = (err: unknown) =>
  /TMPRL1100|[Nn]ondeterminism|Workflow Task in failed state/.test(
    `${(err as Error)?.message} ${(err as Error & { cause?: Error })?.cause?.message}`,
  );

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const describeError = (err: unknown) => {
  const e = err as Error & { cause?: Error };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}${e?.cause?.message ? ` (${e.cause.message})` : ''}`;
};

export async function driveThroughChaos(
  client: Client,
  workflowId: string,
  script: ChaosScript,
  config: CycleConfig,
  opts: { stuckAfterMs: number; onStage?: (stage: Stage) => void; callTimeoutMs?: number },
): Promise<ChaosDriveResult> {
  const handle = client.workflow.getHandle(workflowId);
  const plan = chaosPlan(script);
  const callTimeoutMs = opts.callTimeoutMs ?? 60_000;
  const result: ChaosDriveResult = {
    view: null,
    stuck: false,
    refused: 0,
    refusals: [],
    transientErrors: 0,
    holdsResolved: 0,
  };
  let lastProgress = Date.now();
  let errorBackoff = 250;
  const withDeadline = <T>(fn: () => Promise<T>) => client.withDeadline(Date.now() + callTimeoutMs, fn);
  const transient = async (err: unknown) => {
    result.transientErrors++;
    result.lastError = describeError(err);
    await pause(errorBackoff);
    errorBackoff = Math.min(5_000, errorBackoff * 2);
  };
  const timedOut = () => Date.now() - lastProgress > opts.stuckAfterMs;

  /** Actions sent and answered (accepted or refused); a cut-off call is forgotten so that it is sent again. */
  const done = new Set<string>();
  /** Refused actions: like a person, the actor tries again a little later while the state still calls for it. */
  const refusedAt = new Map<string, { at: number; times: number }>();
  const send = async (key: string, call: (updateId: string) => Promise<unknown>) => {
    const r = refusedAt.get(key);
    if (r && done.has(key) && r.times < MAX_RESENDS && Date.now() - r.at > RESEND_AFTER_MS) done.delete(key);
    if (done.has(key)) return;
    // A resend after a refusal needs an update id of its own (the first one's outcome may be remembered).
    const updateId = r ? `${key}#${r.times}` : key;
    try {
      await withDeadline(() => call(updateId));
      done.add(key);
      errorBackoff = 250;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        done.add(key);
        refusedAt.set(key, { at: Date.now(), times: (r?.times ?? 0) + 1 });
        result.refused++;
        if (result.refusals.length < 3)
          result.refusals.push(`${key}: ${(err.cause as Error | undefined)?.message ?? err.message}`);
        return;
      }
      await transient(err);
    }
  };

  let seen: Stage | null = null;
  let lastKey = '';
  let pollBackoff = 50;
  let ndeSince = 0;
  let lastDescribe = 0;
  for (;;) {
    let s: NominationView;
    try {
      s = await withDeadline(() => handle.query(nominationStateQuery));
      ndeSince = 0;
    } catch (err) {
      if (isNondeterminism(err)) {
        ndeSince ||= Date.now();
        if (Date.now() - ndeSince > NDE_GIVE_UP_MS)
          return { ...result, stuck: true, nondeterminism: describeError(err) };
      } else ndeSince = 0;
      await transient(err);
      if (timedOut()) return { ...result, stuck: true };
      continue;
    }
    result.view = s;
    if (s.stage !== seen) {
      seen = s.stage;
      if (s.stage !== 'IDENTIFIED') opts.onStage?.(s.stage);
    }
    if (isTerminal(s.stage)) {
      // The query answers from memory; the result waits until the workflow's last row and mail are done.
      for (;;) {
        try {
          await withDeadline(() => handle.result());
          break;
        } catch (err) {
          await transient(err);
          if (timedOut()) return { ...result, stuck: true };
        }
      }
      return result;
    }
    const r = s.revisionRound;
    for (const next of nextActions(s, plan, config)) {
      const answered = done.has(next.key);
      await send(next.key, (updateId) => next.send(handle, updateId));
      if (next.update === 'resolveHold' && !answered && done.has(next.key)) result.holdsResolved++;
    }
    const key = `${s.stage}|${r}|${s.documents.length}|${s.scoredBy.length}|${s.fieldVerified}|${s.hold ? 'h' : ''}|${done.size}`;
    if (key !== lastKey) {
      lastKey = key;
      lastProgress = Date.now();
      pollBackoff = 50;
    } else {
      if (timedOut()) return { ...result, stuck: true };
      // The query may still answer from a worker's cache while every workflow task of the run fails (e.g. on a
      // nondeterminism error): after a minute without progress, look at the task's attempt count.
      if (Date.now() - lastProgress > NDE_GIVE_UP_MS && Date.now() - lastDescribe > 15_000) {
        lastDescribe = Date.now();
        const attempt = await withDeadline(() => handle.describe())
          .then((d) => Number(d.raw.pendingWorkflowTask?.attempt ?? 0))
          .catch(() => 0);
        if (attempt >= 5)
          return {
            ...result,
            stuck: true,
            nondeterminism: `workflow task failing repeatedly (attempt ${attempt}); see the worker log`,
          };
      }
      await pause(pollBackoff);
      pollBackoff = Math.min(script === 'late' ? 2_000 : 1_000, pollBackoff * 2);
    }
  }
}
