/**
 * Drives one nomination to its end while the services under it come and go. The actors' decisions are those of
 * demo/next-actions.ts, with the scripts 'good', 'revision' (one request for changes), 'withdraw' (the dinas
 * withdraws at the document stage) and 'late' (the dinas never attends its socialization session, so the attendance
 * deadline passes).
 *
 * It decides as the bench driver does: from each accepted Update's answer, and between actions from the PostgreSQL
 * projection (demo/projected-view.ts), waiting for the rows past the last answer's events; never from a
 * workflow query. What differs is how it survives faults: every Update carries an id derived from the action, so a call
 * cut off by a dead worker or a restarting server is simply sent again (the server answers a known id with the first
 * outcome instead of running it twice); every call has a deadline; any error other than a validator's refusal is
 * retried after re-reading the state. It gives up only when the stage has not moved for `stuckAfterMs`.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CycleConfig, Stage } from '../../domain/types';
import { isTerminal } from '../../domain/types';
import { nextActions, steadyScores, type ActorPlan, type ActorView } from '../../demo/next-actions';
import type { NominationAnswer } from '../../workflows/messages';
import { projectedAfter, visitDue } from '../../demo/projected-view';

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
  /** The last answer's or projection's view. */
  view: ActorView | null;
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
/** Without progress for this long, the driver looks at the workflow task's attempts (a nondeterminism error fails
 * every task of the run, and the nomination can never move again). */
const NDE_GIVE_UP_MS = 60_000;
/** The longest wait for a new event before the view is taken as it stands (a refused action to send again). */
const STILL_MS = 3_000;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const describeError = (err: unknown) => {
  const e = err as Error & { cause?: Error };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}${e?.cause?.message ? ` (${e.cause.message})` : ''}`;
};

export async function driveThroughChaos(
  client: Client,
  db: Kysely<Database>,
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

  /** The view the driver decides from, and the sequence number of its newest event. */
  let s: ActorView | null = null;
  let known = 0;
  /** Actions sent and answered (accepted or refused); a cut-off call is forgotten so that it is sent again. */
  const done = new Set<string>();
  /** Refused actions: like a person, the actor tries again a little later while the state still calls for it. */
  const refusedAt = new Map<string, { at: number; times: number }>();
  /** Sends an action unless it was answered; true when this call's answer became the view. */
  const send = async (key: string, call: (updateId: string) => Promise<NominationAnswer>): Promise<boolean> => {
    const r = refusedAt.get(key);
    if (r && done.has(key) && r.times < MAX_RESENDS && Date.now() - r.at > RESEND_AFTER_MS) done.delete(key);
    if (done.has(key)) return false;
    // A resend after a refusal needs an update id of its own (the first one's outcome may be remembered).
    const updateId = r ? `${key}#${r.times}` : key;
    try {
      const answer = await withDeadline(() => call(updateId));
      done.add(key);
      errorBackoff = 250;
      // A resent id is answered with its first outcome, which may be older than the view already held.
      if (answer.eventCount < known) return false;
      [s, known] = [answer, answer.eventCount];
      return true;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        done.add(key);
        refusedAt.set(key, { at: Date.now(), times: (r?.times ?? 0) + 1 });
        result.refused++;
        if (result.refusals.length < 3)
          result.refusals.push(`${key}: ${(err.cause as Error | undefined)?.message ?? err.message}`);
        return false;
      }
      await transient(err);
      return false;
    }
  };

  let seen: Stage | null = null;
  let lastKey = '';
  let lastDescribe = 0;
  let answered = false;
  for (;;) {
    if (!answered) {
      // Nothing answered in the last pass: wait for the workflow's next event in the projection (or a visit's date).
      try {
        const still = Date.now() + STILL_MS;
        const due = s ? visitDue(s) : NaN;
        const p = await projectedAfter(db, workflowId, config, known, due > Date.now() ? Math.min(due, still) : still);
        if (p && p.seq >= known) [s, known] = [p.view, p.seq];
      } catch (err) {
        // PostgreSQL restarting: read again after a pause.
        await transient(err);
        if (timedOut()) return { ...result, stuck: true };
        continue;
      }
    }
    answered = false;
    if (!s) {
      if (timedOut()) return { ...result, stuck: true };
      continue;
    }
    const v: ActorView = s;
    result.view = v;
    if (v.stage !== seen) {
      seen = v.stage;
      if (v.stage !== 'IDENTIFIED') opts.onStage?.(v.stage);
    }
    if (isTerminal(v.stage)) {
      // The view may come before the workflow's last row and mail; the result waits until they are done.
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
    const r = v.revisionRound;
    for (const next of nextActions(v, plan, config)) {
      const before = done.has(next.key);
      if (await send(next.key, (updateId) => next.send(handle, updateId))) answered = true;
      if (next.update === 'resolveHold' && !before && done.has(next.key)) result.holdsResolved++;
    }
    const key = `${v.stage}|${r}|${v.documents.length}|${v.scoredBy.length}|${v.fieldVisit?.outstanding.length}|${v.hold ? 'h' : ''}|${done.size}`;
    if (key !== lastKey) {
      lastKey = key;
      lastProgress = Date.now();
    } else {
      if (timedOut()) return { ...result, stuck: true };
      // A workflow whose every task fails (e.g. on a nondeterminism error) writes no more rows: after a minute
      // without progress, look at the task's attempt count.
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
    }
  }
}
