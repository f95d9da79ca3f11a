/**
 * One award cycle: holds its config, takes nominations while intake is open, counts nominations per stage, pushes
 * cycle-wide deadline changes, and finalizes with a summary to the coordinators.
 *
 * Nominations run as independent workflows (started by an activity, not as children), so they never depend on one run
 * of this workflow, which continues-as-new to keep its history bounded. The cycle counts them from the Postgres
 * projection every nomination writes (a census every few minutes); runs from before the `counts-from-projection`
 * patch counted stage reports that each nomination sent by signal.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { CycleCensus } from '../activities/contracts';
import { parseDuration } from '../domain/duration';
import { type Actor, COMMODITIES, type CycleConfig, DEADLINE_STAGES, type DeadlineStage, isTerminal, type NominationInput, type Stage } from '../domain/types';
import { nominationWorkflowId, provinceOf } from './ids';
import { checkActor, checkText, parseInstant, refuse, refuseForNow } from './validation';
import { shown } from '../domain/text';
import {
  cycleStateQuery,
  type CycleExtendInput,
  type CycleView,
  extendCycleDeadlineUpdate,
  finalizeCycleUpdate,
  nominateUpdate,
  PATCH_COUNTS_FROM_PROJECTION,
  stageChangedSignal,
} from './messages';

/** Patch id: the run decides it is over its length only where a replay decides it too (see `draining`). */
export const PATCH_DRAIN_ON_EVENTS = 'drain-on-events';

type Activities = ReturnType<typeof createActivities>;
const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const mail = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', nonRetryableErrorTypes: ['InvalidRecipient', 'TemplateError'] },
});

/** What one run hands to the next on continue-as-new. */
export interface CycleCarry {
  startedAt: number;
  runs: number;
  nominated: number;
  /** The latest stage each nomination reported, with that report's sequence number, by workflow id. Counting from this
   * map rather than from +1/-1 deltas keeps counts right when reports arrive out of order (they do: two signals sent in
   * one workflow task race each other) or twice. At 10,000 nominations it is ~700 KB of carried input. */
  stages: Record<string, [Stage, number]>;
  deadlineOverrides: Partial<Record<DeadlineStage, string>>;
  finalizeRequested: boolean;
  /** The projection's last census (runs counting from the projection). */
  census?: CycleCensus & { at: number };
}

export interface AwardCycleInput {
  config: CycleConfig;
  carry?: CycleCarry;
  /** Events after which a run continues as new; an engine setting (tests lower it), not cycle policy. */
  historyEventsPerRun?: number;
  /** How often to count from the projection (engine setting; tests and the demo lower it). Runs from before the
   * `counts-from-projection` patch consult it only once intake has closed. */
  reconcileEvery?: string;
}

/**
 * Continue-as-new well before Temporal's history warnings (10,240 events / 10 MB). A worker without a workflow cache
 * (worker/workflow-cache.ts) rebuilds the cycle from its current run's history on every workflow task, and every
 * nomination passes through the cycle's tasks (its `nominate` Update), one task at a time: the run's length is the cost
 * of each task and so the wait of every dinas nominating. Runs started before the `shorter-cycle-runs` patch went on to
 * 8,000 events, those before `cycle-runs-of-300` to 1,000 (some 110 nominations' intake); newer runs stop at 300 (some
 * 30): in a 100-nomination bench the nominate round trip went from 5.6 to 5.2 s (p50) and throughput from 0.83 to 0.87
 * nominations per second, at the price of a continue-as-new (and a short drain, see `turnAwayWhileDraining`) every ~30
 * nominations.
 */
const HISTORY_EVENTS_PER_RUN = 300;
const HISTORY_EVENTS_PER_RUN_BEFORE_300 = 1_000;
const HISTORY_EVENTS_PER_RUN_BEFORE_PATCH = 8_000;
export const PATCH_SHORTER_CYCLE_RUNS = 'shorter-cycle-runs';
export const PATCH_CYCLE_RUNS_OF_300 = 'cycle-runs-of-300';
/** How often a cycle whose intake has closed checks the projection for nominations still in progress (runs from before
 * the `counts-from-projection` patch). */
const RECONCILE_EVERY = '1m';
/** How often a cycle counts its nominations from the projection: counts a few minutes old are fresh enough for a cycle
 * of months, and the cycle finalizes at most this long after its last nomination settles. */
const CENSUS_EVERY = '5m';
/** Patch id: the projection census after intake closes (added after the v1–v3 histories). */
export const PATCH_PROJECTION_CENSUS = 'projection-census';

export async function awardCycle(input: AwardCycleInput): Promise<CycleView> {
  const config = input.config;
  const { regencies, provinces, ...rules } = config;
  const carry: CycleCarry = input.carry ?? {
    startedAt: Date.now(),
    runs: 0,
    nominated: 0,
    stages: {},
    deadlineOverrides: {},
    finalizeRequested: false,
  };
  carry.runs += 1;
  /** Decided once per run (a new patch id, so where it is first asked does not matter to older histories). */
  const fromProjection = patched(PATCH_COUNTS_FROM_PROJECTION);
  /** Decided once per run, likewise: see `draining`. */
  const drainOnEvents = patched(PATCH_DRAIN_ON_EVENTS);
  const intakeClosesAt = carry.startedAt + parseDuration(config.intakeWindow);
  let finalized = false;
  /** IKM ids accepted in this run; earlier runs' duplicates are caught by workflow-id uniqueness at start. */
  const seenThisRun = new Set<string>();

  const counts = (): Partial<Record<Stage, number>> => {
    if (fromProjection) return { ...carry.census?.byStage };
    const out: Partial<Record<Stage, number>> = {};
    for (const [stage] of Object.values(carry.stages)) out[stage] = (out[stage] ?? 0) + 1;
    return out;
  };
  const intakeOpen = () => !carry.finalizeRequested && Date.now() < intakeClosesAt;
  const view = (): CycleView => ({
    cycleId: config.id,
    name: config.name,
    intakeOpen: intakeOpen(),
    intakeClosesAt: new Date(intakeClosesAt).toISOString(),
    // `carry.nominated` counts the starts this cycle saw succeed; a start whose answer was lost (its workflow task
    // failed and the update was sent again) shows up only in the census (or among the reports), so the larger of the
    // two is the truth.
    nominated: Math.max(carry.nominated, fromProjection ? (carry.census?.total ?? 0) : Object.keys(carry.stages).length),
    counts: counts(),
    countedAt: fromProjection && carry.census ? new Date(carry.census.at).toISOString() : null,
    deadlineOverrides: { ...carry.deadlineOverrides },
    finalizeRequested: carry.finalizeRequested,
    finalized,
    runs: carry.runs,
  });
  /** Set once the run knows its limit (below: where `patched` was first called, which must not move). Until then the
   * run is young: only a first run's opening activities come before it. */
  let tooLong = (): boolean => false;
  /**
   * Whether the run is over its limit, as the run decides it: only in code that a replay runs again at the same point,
   * that is in handlers of accepted updates and signals and in the main loop after an activity or a timer. The length
   * grows in every workflow task, also in the speculative task of an update its validator turns away, and a replay
   * has no such task: a wait whose predicate read the length itself could wake there live and a task later on replay
   * ("[TMPRL1100] No command scheduled for event TimerCanceled", once in the test suite). Runs from before the
   * `drain-on-events` patch still read the length in their predicates.
   */
  let draining = false;
  const noteLength = () => {
    if (drainOnEvents && !draining && tooLong()) draining = true;
  };
  const overLimit = () => (drainOnEvents ? draining : tooLong());
  /** A run over its limit takes no new long-running work, so its handlers finish and it can continue as new. Without
   * this, a steady intake always has a nominate handler in flight and the run never ends (a 1,000-nomination bench
   * grew one run to 9,024 events). The refused caller retries and lands in the next run. Validators do not run on
   * replay, so this changes no recorded history (and they must not change state: they only read `overLimit`). */
  const turnAwayWhileDraining = () => {
    if (overLimit()) refuseForNow(`cycle ${config.id} is starting its next run; send this again in a moment`);
  };
  const requireCoordinator = (actor: Actor | undefined) => {
    checkActor(actor);
    if (actor.role !== 'coordinator') refuse(`role ${actor.role} may not do this; only a coordinator may`);
  };

  setHandler(cycleStateQuery, view);

  setHandler(
    nominateUpdate,
    async (n: NominationInput) => {
      noteLength();
      const result = await acts.startNomination({
        nomination: { ...n, cycleId: config.id },
        rules,
        regencyName: regencies[n.regencyCode],
        provinceName: provinces[provinceOf(n.regencyCode)],
        cycleDeadlineOverrides: carry.deadlineOverrides,
        cycleWorkflowId: workflowInfo().workflowId,
      });
      seenThisRun.add(result.workflowId);
      if (result.created) carry.nominated += 1;
      noteLength();
      return result;
    },
    {
      validator: (n: NominationInput) => {
        if (!n || typeof n !== 'object') refuse('nomination is missing');
        const actor = n.nominatedBy;
        checkActor(actor);
        if (actor.role !== 'dinas_kabkota' && actor.role !== 'coordinator') {
          refuse(`role ${actor.role} may not nominate; a dinas kabupaten/kota nominates its own IKM`);
        }
        if (!intakeOpen()) refuse(`intake for cycle ${config.id} is closed`);
        turnAwayWhileDraining();
        if (n.cycleId !== undefined && n.cycleId !== config.id) refuse(`this is cycle ${config.id}, not ${shown(n.cycleId)}`);
        if (typeof n.regencyCode !== 'string' || !Object.hasOwn(regencies, n.regencyCode)) refuse(`unknown regency code ${shown(n.regencyCode)} (expected a Kemendagri code such as 32.05)`);
        if (actor.role === 'dinas_kabkota' && actor.region !== n.regencyCode) refuse(`dinas ${actor.region} may only nominate IKM of its own kabupaten/kota, not ${n.regencyCode}`);
        const province = provinceOf(n.regencyCode);
        if (!config.sessions.some((s) => s.provinces.includes(province))) refuse(`province ${province} (${provinces[province]}) has no socialization session in cycle ${config.id}`);
        for (const field of ['ikmName', 'sentraName', 'product'] as const) checkText(n[field], field, { max: 200 });
        if (!/[A-Za-z0-9]/.test(n.ikmName)) refuse('ikmName must contain at least one letter or digit');
        if (!COMMODITIES.includes(n.commodity)) refuse(`commodity must be one of ${COMMODITIES.join(', ')}`);
        if (!Number.isInteger(n.sentraSize) || n.sentraSize < 5 || n.sentraSize > 1_000_000) refuse('a sentra must count at least 5 businesses making the same product (and at most 1,000,000)');
        if (n.dinasEmail !== undefined) {
          checkText(n.dinasEmail, 'dinasEmail', { max: 254 });
          if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(n.dinasEmail)) refuse('dinasEmail must be an email address');
        }
        if (n.previousStars !== undefined && (!Number.isInteger(n.previousStars?.stars) || n.previousStars.stars < 1 || n.previousStars.stars > 5)) {
          refuse('previousStars.stars must be 1 to 5');
        }
        if (seenThisRun.has(nominationWorkflowId(config.id, n.regencyCode, n.ikmName))) refuse(`${n.ikmName} of ${n.regencyCode} is already nominated in cycle ${config.id}`);
      },
    },
  );

  setHandler(
    extendCycleDeadlineUpdate,
    async (u: CycleExtendInput) => {
      noteLength();
      carry.deadlineOverrides[u.stage] = u.until;
      await acts.broadcastCycleDeadline({ cycleId: config.id, stage: u.stage, until: u.until, actor: u.actor });
      return view();
    },
    {
      validator: (u: CycleExtendInput) => {
        requireCoordinator(u?.actor);
        if (!DEADLINE_STAGES.includes(u.stage)) refuse(`stage must be one of ${DEADLINE_STAGES.join(', ')}`);
        const until = parseInstant(u.until, 'until');
        if (until <= Date.now()) refuse('the new deadline must be in the future');
        const current = carry.deadlineOverrides[u.stage];
        if (current && until <= Date.parse(current)) refuse(`the cycle's ${u.stage} deadline is already ${current}`);
        if (finalized) refuse(`cycle ${config.id} is finalized`);
        turnAwayWhileDraining();
      },
    },
  );

  setHandler(
    finalizeCycleUpdate,
    async () => {
      noteLength();
      carry.finalizeRequested = true;
      return view();
    },
    {
      validator: (u) => {
        requireCoordinator(u?.actor);
        if (carry.finalizeRequested) refuse(`finalization of cycle ${config.id} is already requested`);
      },
    },
  );

  setHandler(stageChangedSignal, ({ workflowId, to, seq }) => {
    noteLength();
    const known = carry.stages[workflowId];
    if (!known || seq === undefined || seq > known[1]) carry.stages[workflowId] = [to, seq ?? 0];
  });

  if (carry.runs === 1) {
    await acts.recordCycle({ cycleId: config.id, name: config.name, config: rules, status: 'OPEN', counts: {} });
    await mail.sendNotification({
      key: `ovop/${config.id}|cycle_opened`,
      workflowId: workflowInfo().workflowId,
      to: config.contacts.coordinators,
      template: 'cycle_opened',
      data: { cycleName: config.name, deadline: new Date(intakeClosesAt).toISOString(), timezone: config.timezone, workflowId: workflowInfo().workflowId },
    });
  }

  const historyLimit =
    input.historyEventsPerRun ??
    (patched(PATCH_CYCLE_RUNS_OF_300) ? HISTORY_EVENTS_PER_RUN : patched(PATCH_SHORTER_CYCLE_RUNS) ? HISTORY_EVENTS_PER_RUN_BEFORE_300 : HISTORY_EVENTS_PER_RUN_BEFORE_PATCH);
  tooLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyLimit;
  const continueIfTooLong = async () => {
    noteLength();
    if (!overLimit()) return;
    await condition(allHandlersFinished);
    await continueAsNew<typeof awardCycle>({ config, carry, historyEventsPerRun: input.historyEventsPerRun, reconcileEvery: input.reconcileEvery });
  };

  if (fromProjection) await untilCensusSettles();
  else await untilReportsSettle();

  /** A census of the projection every `reconcileEvery`, until intake has closed and every nomination the cycle started
   * is terminal or waits only for the coordinator's star determination. */
  async function untilCensusSettles(): Promise<void> {
    const everyMs = parseDuration(input.reconcileEvery ?? CENSUS_EVERY);
    for (;;) {
      const wait = intakeOpen() ? Math.min(everyMs, Math.max(1, intakeClosesAt - Date.now())) : everyMs;
      const requested = carry.finalizeRequested;
      // Also wake when a coordinator's finalize closes intake early, so the census runs right away.
      await condition(() => overLimit() || carry.finalizeRequested !== requested, wait);
      await continueIfTooLong();
      carry.census = { ...(await acts.cycleCensus({ cycleId: config.id })), at: Date.now() };
      noteLength();
      if (!intakeOpen() && carry.census.inProgress === 0 && carry.census.total >= carry.nominated) return;
    }
  }

  /** Runs from before the `counts-from-projection` patch: counts from the nominations' stage reports. */
  async function untilReportsSettle(): Promise<void> {
    /** Every nomination has reported, and each is terminal or waiting only for the coordinator's star determination. */
    const settled = () => {
      const reported = Object.values(carry.stages);
      return reported.length >= carry.nominated && reported.every(([stage]) => isTerminal(stage) || stage === 'STAR_RECOMMENDED');
    };
    // Safety net for the stage reports: a bench of 1,000 nominations saw 29 final reports never reach the cycle across
    // its continues-as-new (cause not found). Once intake has closed, the cycle also asks the Postgres projection, which
    // every nomination writes before it reports, and finalizes when that shows nothing left in progress.
    const reconcileMs = parseDuration(input.reconcileEvery ?? RECONCILE_EVERY);
    for (;;) {
      const census = !intakeOpen() && patched(PATCH_PROJECTION_CENSUS);
      const wait = intakeOpen() ? Math.max(1, intakeClosesAt - Date.now()) : census ? reconcileMs : undefined;
      const requested = carry.finalizeRequested;
      // Also wake when a coordinator's finalize closes intake early, so the census starts right away. (Not on the clock
      // passing the intake deadline: that is the timer's job, and a predicate racing it would not replay.)
      const woke = await condition(() => overLimit() || carry.finalizeRequested !== requested || (!intakeOpen() && settled()), wait);
      await continueIfTooLong();
      if (!intakeOpen() && settled()) return;
      if (!woke && census) {
        const { total, inProgress } = await acts.cycleCensus({ cycleId: config.id });
        if (inProgress === 0 && total >= carry.nominated) return;
      }
    }
  }

  await condition(allHandlersFinished);
  const summary = await acts.finalizeCycleReport({ cycleId: config.id });
  await mail.sendNotification({
    key: `ovop/${config.id}|cycle_summary`,
    workflowId: workflowInfo().workflowId,
    to: config.contacts.coordinators,
    template: 'cycle_summary',
    data: { cycleName: config.name, summary, timezone: config.timezone, workflowId: workflowInfo().workflowId },
  });
  await acts.recordCycle({ cycleId: config.id, name: config.name, config: rules, status: 'FINALIZED', counts: counts() as Record<string, number> });
  finalized = true;
  return view();
}
