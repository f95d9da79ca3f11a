/**
 * The bench's own nomination driver: the actors' decisions of demo/next-actions.ts (script 'good', or 'revision'
 * for one request for changes), with every round trip timed, deciding as people's clients do: from each accepted
 * Update's answer, and between actions from the PostgreSQL projection the API and the portal read
 * (demo/projected-view.ts), never from a workflow query (without the sticky cache each query replays the
 * whole history: 4.1 s p50 in the 2026-12-02 bench). A projection read after an answer waits for the rows past the
 * answer's event sequence, so it never acts on a view older than the one it holds.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { requiredDocumentKinds } from '../../domain/documents';
import type { Commodity, CycleConfig } from '../../domain/types';
import { isTerminal } from '../../domain/types';
import { nextActions, steadyScores, type ActorPlan, type ActorView } from '../../demo/next-actions';
import type { NominationAnswer } from '../../workflows/messages';
import { projectedAfter, visitDue } from '../../demo/projected-view';
import { retryRpcTimeouts } from './rpc-retry';
import type { Recorder } from '../shared/stats';

export type BenchScript = 'good' | 'revision';

/** The bench's scripts as what their people do; a hold (a compressed deadline passed on a loaded machine) is extended
 * by the coordinator, so that the run still ends (counted, and reported). */
export function benchPlan(script: BenchScript): ActorPlan {
  return {
    attends: true,
    withdraws: false,
    requestsChanges: script === 'revision',
    score: steadyScores,
    extendHoldsBecause: 'bench: deadline passed under load',
  };
}

/** A refused action that the state still calls for is sent again after this long, at most MAX_RESENDS times. */
const RESEND_AFTER_MS = 1_000;
const MAX_RESENDS = 5;
/** Without a new event for this long the driver takes the projection's view as it stands (a refused action to send
 * again): at least 5 s, and twice the typical update round trip of the run, so that a loaded run does not give up on
 * an answer still on its way. */
const STILL_MS = 5_000;

/** The typical update round trip of a run lately, over all its actors: a running mean with weight 1/32, so that it
 * follows the load. */
export class RoundTripGauge {
  private value = 0;
  note(ms: number): void {
    this.value = this.value === 0 ? ms : this.value + (ms - this.value) / 32;
  }
  get ms(): number {
    return this.value;
  }
}

/** The view of a nomination just started by the cycle: everything in it follows from the nomination itself. */
export function startingView(
  workflowId: string,
  n: { regencyCode: string; commodity: Commodity },
  config: CycleConfig,
): ActorView {
  return {
    workflowId,
    stage: 'IDENTIFIED',
    regencyCode: n.regencyCode,
    revisionRound: 0,
    hold: null,
    requiredDocuments: requiredDocumentKinds(config.documents.checklist, n.commodity),
    documents: [],
    assessors: [],
    scoredBy: [],
  };
}

export interface DriveResult {
  /** What the driver last knew: the last answer's or projection's view, or the one known before either. */
  view: ActorView;
  refusedUpdates: number;
  /** The first few refusals, as `action: message`. */
  refusals: string[];
  /** Holds (a deadline passed under load) a coordinator extended so that the nomination could go on. */
  holdsResolved: number;
  /** Updates asked again after an RPC timeout (rpc-retry.ts). */
  rpcRetries: number;
  /** Updates whose outcome the server no longer knew when the client polled for it ('update "…" not found'). */
  lostAnswers: number;
  stuck: boolean;
}

/** Drives one nomination to a terminal stage; `stuckAfterMs` without progress gives up (reported, not thrown). */
export async function driveTimed(
  handle: WorkflowHandle,
  start: ActorView,
  script: BenchScript,
  config: CycleConfig,
  rec: Recorder,
  opts: { db: Kysely<Database>; stuckAfterMs: number; typicalUpdate?: RoundTripGauge },
): Promise<DriveResult> {
  const plan = benchPlan(script);
  let refused = 0;
  let rpcRetries = 0;
  let lostAnswers = 0;
  const refusals: string[] = [];
  const holds = new Set<string>();
  const retried = () => void (rpcRetries += 1);

  let s: ActorView = start;
  /** The sequence number of the newest event `s` includes (an answer's `eventCount`, or the projection's). */
  let known = 0;
  /** Actions already answered (accepted or refused), so that a state the workflow has not moved past yet is not acted
   * on twice. */
  const sent = new Set<string>();
  /** Refused actions, sent again while the state still calls for them. */
  const refusedAt = new Map<string, { at: number; times: number }>();
  let lastKey = '';
  let lastProgress = Date.now();
  /** The key doubles as the update id (with the resend's number), so that a resend after an RPC timeout is applied once. */
  /** Resolves true when this call sent the action and the workflow accepted it; its answer becomes the driver's view. */
  const once = async (
    key: string,
    name: string,
    send: (updateId: string) => Promise<NominationAnswer>,
  ): Promise<boolean> => {
    const r = refusedAt.get(key);
    if (r && r.times < MAX_RESENDS && Date.now() - r.at > RESEND_AFTER_MS) sent.delete(key);
    if (sent.has(key)) return false;
    sent.add(key);
    const updateId = r ? `${key}#${r.times}` : key;
    try {
      const t0 = performance.now();
      const answer = await rec.time(`update:${name}`, () => retryRpcTimeouts(() => send(updateId), retried));
      opts.typicalUpdate?.note(performance.now() - t0);
      [s, known] = [answer, answer.eventCount];
      return true;
    } catch (err) {
      // 'update "review:0" not found': an outcome polled from a run after the one that accepted the update, seen
      // under load while the actions went through the SDK's executeUpdate (common/run-update.ts). Counted, so that a
      // run shows it stays at 0, and sent again while the projection still calls for it (an applied repeat is refused).
      if (err instanceof WorkflowNotFoundError && /update .* not found/i.test(err.message)) {
        lostAnswers++;
        refusedAt.set(key, { at: Date.now(), times: (r?.times ?? 0) + 1 });
        if (refusals.length < 3) refusals.push(`${key}: ${err.message}`);
        return false;
      }
      if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      refused++;
      refusedAt.set(key, { at: Date.now(), times: (r?.times ?? 0) + 1 });
      if (refusals.length < 3) refusals.push(`${key}: ${err.cause?.message ?? err.message}`);
      return false;
    }
  };
  const result = (stuck: boolean): DriveResult => ({
    view: s,
    refusedUpdates: refused,
    refusals,
    rpcRetries,
    lostAnswers,
    holdsResolved: holds.size,
    stuck,
  });
  for (;;) {
    if (isTerminal(s.stage)) {
      // The view may come before the workflow's last row and mail; the result waits for them.
      await rec.time('result', () => handle.result());
      return result(false);
    }
    const before = sent.size;
    const r = s.revisionRound;
    for (const next of nextActions(s, plan, config)) {
      const accepted = await once(next.key, next.update, (updateId) => next.send(handle, updateId));
      if (accepted && next.update === 'resolveHold') holds.add(next.key);
    }
    const key = `${s.stage}|${r}|${s.documents.length}|${s.assessors.length}|${s.scoredBy.length}|${s.hold ? 'h' : ''}`;
    if (key !== lastKey || sent.size !== before) {
      lastKey = key;
      lastProgress = Date.now();
      if (sent.size !== before) continue;
    } else if (Date.now() - lastProgress > opts.stuckAfterMs) {
      return result(true);
    }
    // Nothing (more) to send in this view: wait for the workflow's next event in the projection, or, with a field
    // visit scheduled, for its date, when the team records what it found.
    const visitAt = visitDue(s);
    const still = Date.now() + Math.max(STILL_MS, 2 * (opts.typicalUpdate?.ms ?? 0));
    const until = visitAt > Date.now() ? Math.min(visitAt, still) : still;
    const p = await rec.time('wait:projection', () => projectedAfter(opts.db, handle.workflowId, config, known, until));
    if (p && p.seq >= known) [s, known] = [p.view, p.seq];
  }
}
