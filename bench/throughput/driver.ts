/**
 * The bench's own nomination driver: the actors' decisions of demo/next-actions.ts (script 'good', or 'revision'
 * for one request for changes), with every round trip timed, and the state is read the way a client at scale would:
 * each accepted Update answers with the nomination's view, and between actions the driver watches the stage search
 * attribute (`describe`, answered by the server from the workflow's mutable state) rather than polling the state query.
 * Without a workflow cache every query rebuilds the workflow from its whole history (worker/workflow-cache.ts), so a
 * driver polling by query spends more of the worker than the nominations do (8 queries per nomination in the
 * 2026-11-28 bench). The query is still asked where the driver needs what only the view holds: on entering
 * IN_ASSESSMENT (who the assessors are) or REVISION_REQUESTED (the round), and when the stage has not moved for a while
 * (a hold, or a refused action to send again); the starting view follows from the nomination itself.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { requiredDocumentKinds } from '../../domain/documents';
import type { Commodity, CycleConfig, Stage } from '../../domain/types';
import { isTerminal } from '../../domain/types';
import { nextActions, steadyScores, type ActorPlan, type ActorView } from '../../demo/next-actions';
import { StageKey } from '../../workflows/search-attributes';
import { nominationStateQuery, type NominationAnswer } from '../../workflows/messages';
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

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A refused action that the state still calls for is sent again after this long, at most MAX_RESENDS times. */
const RESEND_AFTER_MS = 1_000;
const MAX_RESENDS = 5;
/** Without a stage change for this long, the driver asks the state query (holds and refusals show only there): at least
 * 5 s, and twice the typical update round trip of the run, so that a loaded run (p50 6 s at 1,000 nominations) does
 * not ask it for nothing. */
const QUERY_AFTER_STILL_MS = 5_000;

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
/** Stages whose view the driver cannot derive from the last one it holds: the assessors, or the revision round. */
const NEEDS_VIEW: readonly Stage[] = ['IN_ASSESSMENT', 'REVISION_REQUESTED'];
/** How long the driver waits for the projection's panel row before it asks the workflow instead. */
const PANEL_ROW_WAIT_MS = 30_000;

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
  /** What the driver last knew: the last answer's view, or the part of it known before the first answer. */
  view: ActorView;
  refusedUpdates: number;
  /** The first few refusals, as `action: message`. */
  refusals: string[];
  /** Holds (a deadline passed under load) a coordinator extended so that the nomination could go on. */
  holdsResolved: number;
  /** Queries and updates asked again after an RPC timeout (rpc-retry.ts). */
  rpcRetries: number;
  /** State queries asked (each rebuilds the workflow from its history when the worker has no cache). */
  queries: number;
  stuck: boolean;
}

/** Drives one nomination to a terminal stage; `stuckAfterMs` without a stage change gives up (reported, not thrown). */
export async function driveTimed(
  handle: WorkflowHandle,
  start: ActorView,
  script: BenchScript,
  config: CycleConfig,
  rec: Recorder,
  opts: {
    stuckAfterMs: number;
    typicalUpdate?: RoundTripGauge;
    /** The panel the projection records for a nomination (as the API reads it); without it the driver queries. */
    panelOf?: (workflowId: string) => Promise<string[]>;
  } = { stuckAfterMs: 180_000 },
): Promise<DriveResult> {
  const plan = benchPlan(script);
  let refused = 0;
  let rpcRetries = 0;
  let queries = 0;
  const refusals: string[] = [];
  const holds = new Set<string>();
  const retried = () => void (rpcRetries += 1);
  const query = () => {
    queries += 1;
    return rec.time('query:nominationState', () => retryRpcTimeouts(() => handle.query(nominationStateQuery), retried));
  };
  /** The view on entering assessment: the panel from the projection once its draw's row is written there (an
   * activity after the workflow task that drew it), as people's reads go; the query only when that row is late. */
  const assessmentView = async (): Promise<ActorView> => {
    const panelOf = opts.panelOf;
    if (panelOf) {
      const until = Date.now() + PANEL_ROW_WAIT_MS;
      let wait = 50;
      for (;;) {
        const panel = await rec.time('read:panel', () => panelOf(handle.workflowId));
        if (panel.length > 0) return { ...s, stage: 'IN_ASSESSMENT', assessors: panel, scoredBy: [] };
        if (Date.now() >= until) break;
        await pause(wait);
        wait = Math.min(400, wait * 2);
      }
    }
    return query();
  };
  /** The stage as the server last recorded it (search attribute upserted in the workflow task that entered it). */
  const recordedStage = async (): Promise<Stage | undefined> => {
    const d = await rec.time('describe', () => retryRpcTimeouts(() => handle.describe(), retried));
    return d.typedSearchAttributes.get(StageKey) as Stage | undefined;
  };
  /** Waits, with a short backoff, until the recorded stage differs from `stage`; undefined after `stillMs`. */
  const stageAfter = async (stage: Stage, stillMs: number): Promise<Stage | undefined> => {
    const until = Date.now() + stillMs;
    let wait = 20;
    for (;;) {
      const now = await recordedStage();
      if (now && now !== stage) return now;
      if (Date.now() >= until) return undefined;
      await pause(wait);
      wait = Math.min(400, wait * 2);
    }
  };

  let s: ActorView = start;
  /** Actions already answered (accepted or refused), so that a state the workflow has not moved past yet is not acted
   * on twice. */
  const sent = new Set<string>();
  /** Refused actions, sent again while the state still calls for them. A query can show a stage the workflow has not
   * committed yet (it answers with the events its next task will bring), while an update in that task is validated
   * before them: 24 of 1,000 bench nominations were refused "is IDENTIFIED; this action needs AWAITING_SOCIALIZATION"
   * that way and, never asked again, ran into their deadlines. */
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
      s = await rec.time(`update:${name}`, () => retryRpcTimeouts(() => send(updateId), retried));
      opts.typicalUpdate?.note(performance.now() - t0);
      return true;
    } catch (err) {
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
    holdsResolved: holds.size,
    queries,
    stuck,
  });
  for (;;) {
    if (isTerminal(s.stage)) {
      // The query answers from memory; the result waits for the last row and mail of the workflow.
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
    // Nothing (more) to send in this view: wait for the workflow to move on.
    const next = await stageAfter(s.stage, Math.max(QUERY_AFTER_STILL_MS, 2 * (opts.typicalUpdate?.ms ?? 0)));
    if (next === 'IN_ASSESSMENT' && !s.hold) s = await assessmentView();
    else if (next === undefined || NEEDS_VIEW.includes(next) || s.hold) s = await query();
    else s = { ...s, stage: next };
  }
}
