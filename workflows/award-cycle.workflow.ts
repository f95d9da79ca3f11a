/**
 * One award cycle: holds its config, takes nominations while intake is open, counts nominations per stage, pushes
 * cycle-wide deadline changes, and finalizes with a summary to the coordinators.
 *
 * Nominations run as independent workflows (started by an activity, not as children), so they never depend on one run
 * of this workflow, which continues-as-new to keep its history bounded. The cycle counts them from the PostgreSQL
 * projection every nomination writes, with a census every few minutes, instead of receiving a signal per stage change.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setDefaultSignalHandler,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { createActivities } from '../activities';
import type { CycleCensus } from '../activities/contracts';
import { parseDuration } from '../domain/duration';
import {
  type Actor,
  COMMODITIES,
  type CycleConfig,
  DEADLINE_STAGES,
  type DeadlineStage,
  type NominationInput,
  type Stage,
} from '../domain/types';
import { provinceOf } from '../domain/region-codes';
import { cycleActivity, decreeActivity, mailActivity, nominationStartActivity } from './activity-options';
import { checkCycleInput } from './input-checks';
import { checkDecree } from './nomination-rules';
import { CYCLE_INPUT_CHECKED, DETERMINATION_BY_DECREE, PREVIOUS_STARS_FROM_RECORD } from './patches';
import { nominationWorkflowId, sentraKey } from './ids';
import { checkActor, checkText, parseInstant, refuse, refuseForNow } from './validation';
import { shown, shownParam } from '../domain/text';
import {
  cycleStateQuery,
  type CycleExtendInput,
  type CycleView,
  type DecreeRef,
  type IssueDecreeInput,
  issueDecreeUpdate,
  extendCycleDeadlineUpdate,
  finalizeCycleUpdate,
  nominateUpdate,
} from './messages';

type Activities = ReturnType<typeof createActivities>;

const sentraKeyOf = (regencyCode: string, sentraName: string) => `${regencyCode}/${sentraKey(sentraName)}`;
const sentraTaken = (n: NominationInput, holder: string) =>
  `sentra ${shown(n.sentraName)} of ${n.regencyCode} has a nomination in this cycle already (${holder}); a sentra is proposed once per cycle, with its lead firm as the nominee`;
const sentraTakenReason = (n: NominationInput) => ({
  rule: 'sentra_taken',
  params: { sentra: shownParam(n.sentraName), regency: n.regencyCode },
});
const acts = proxyActivities<Activities>(cycleActivity);
const mail = proxyActivities<Activities>(mailActivity);
const decreeActs = proxyActivities<Activities>(decreeActivity);
const starts = proxyActivities<Activities>(nominationStartActivity);

/** What one run hands to the next on continue-as-new. */
export interface CycleCarry {
  startedAt: number;
  runs: number;
  nominated: number;
  deadlineOverrides: Partial<Record<DeadlineStage, string>>;
  finalizeRequested: boolean;
  /** The projection's last census. */
  census?: CycleCensus & { at: number };
  /** Decrees recorded, by number (absent in runs from before decrees): what a retry or a conflicting number is told. */
  decrees?: Record<string, DecreeSummary>;
}

/** A decree as the cycle remembers it across runs; its full record is in PostgreSQL (`decrees`). */
export interface DecreeSummary {
  decree: DecreeRef;
  determined: number;
  skipped: number;
}

export interface AwardCycleInput {
  config: CycleConfig;
  carry?: CycleCarry;
  /** Events after which a run continues as new; an engine setting (tests lower it), not cycle policy. */
  historyEventsPerRun?: number;
  /** How often to count from the projection (engine setting; tests and the demo lower it). */
  reconcileEvery?: string;
}

/**
 * Continue-as-new well before Temporal's history warnings (10,240 events / 10 MB). A worker without a workflow cache
 * (docs/workflow-cache.md) rebuilds the cycle from its current run's history on every workflow task, and every
 * nomination's intake passes through the cycle's tasks one at a time, so the run's length is what each dinas waits for
 * when nominating; short runs keep it small at the price of a continue-as-new (and a short drain) every ~30 nominations.
 */
const HISTORY_EVENTS_PER_RUN = 300;
/** How often a cycle counts its nominations from the projection: counts a few minutes old are fresh enough for a cycle
 * of months, and the cycle finalizes at most this long after its last nomination settles. */
const CENSUS_EVERY = '5m';

export async function awardCycle(input: AwardCycleInput): Promise<CycleView> {
  // A cycle started around the CLI with a config it cannot run ends here, before it records or mails anything.
  if (patched(CYCLE_INPUT_CHECKED)) checkCycleInput(input);
  const config = input.config;
  const { regencies, provinces, ...rules } = config;
  const carry: CycleCarry = input.carry ?? {
    startedAt: Date.now(),
    runs: 0,
    nominated: 0,
    deadlineOverrides: {},
    finalizeRequested: false,
  };
  carry.runs += 1;
  const intakeClosesAt = carry.startedAt + parseDuration(config.intakeWindow);
  let finalized = false;
  /** IKM ids accepted in this run; earlier runs' duplicates are caught by workflow-id uniqueness at start. */
  const seenThisRun = new Set<string>();
  /** Sentra keys accepted in this run, with the nomination that holds each; earlier runs' are caught by the claim the
   * start activity writes to PostgreSQL. */
  const sentraThisRun = new Map<string, string>();

  const counts = (): Partial<Record<Stage, number>> => ({ ...carry.census?.byStage });
  const intakeOpen = () => !carry.finalizeRequested && Date.now() < intakeClosesAt;
  const view = (): CycleView => ({
    cycleId: config.id,
    name: config.name,
    timezone: config.timezone,
    intakeOpen: intakeOpen(),
    intakeClosesAt: new Date(intakeClosesAt).toISOString(),
    // `carry.nominated` counts the starts this cycle saw succeed; a start whose answer was lost (its workflow task
    // failed and the update was sent again) shows up only in the census, so the larger of the two is the truth.
    nominated: Math.max(carry.nominated, carry.census?.total ?? 0),
    counts: counts(),
    countedAt: carry.census ? new Date(carry.census.at).toISOString() : null,
    countEvery: input.reconcileEvery ?? CENSUS_EVERY,
    deadlineOverrides: { ...carry.deadlineOverrides },
    finalizeRequested: carry.finalizeRequested,
    finalized,
    runs: carry.runs,
    decrees: Object.values(carry.decrees ?? {}).map((d) => ({
      number: d.decree.number,
      date: d.decree.date,
      determined: d.determined,
      skipped: d.skipped,
    })),
  });
  const tooLong = () =>
    workflowInfo().continueAsNewSuggested ||
    workflowInfo().historyLength > (input.historyEventsPerRun ?? HISTORY_EVENTS_PER_RUN);
  /**
   * Whether the run is over its limit, as the run decides it: only in code that a replay runs again at the same point,
   * that is in handlers of accepted updates and in the main loop after an activity or a timer. The length grows in
   * every workflow task, also in the speculative task of an update its validator turns away, and a replay has no such
   * task: a wait whose predicate read the length itself could wake there live and a task later on replay.
   */
  let draining = false;
  const noteLength = () => {
    if (!draining && tooLong()) draining = true;
  };
  /** A run over its limit takes no new long-running work, so its handlers finish and it can continue as new; under a
   * steady intake there would otherwise always be a nominate handler in flight. The turned-away caller retries
   * (common/update-retry.ts) and lands in the next run. Validators must not change state: they only read `draining`. */
  const turnAwayWhileDraining = () => {
    if (draining) refuseForNow(`cycle ${config.id} is starting its next run; send this again in a moment`);
  };
  const requireCoordinator = (actor: Actor | undefined) => {
    checkActor(actor);
    if (actor.role !== 'coordinator')
      refuse(`role ${actor.role} may not do this; only a coordinator may`, {
        rule: 'coordinator_only',
        params: { role: actor.role },
      });
  };

  setHandler(cycleStateQuery, view);
  // The cycle takes no signals: nominations report through the projection, people act by Update. A signal sent to it
  // anyway (a caller going around the API) is logged and dropped rather than buffered for the run's whole life.
  setDefaultSignalHandler((name: string) => {
    log.warn(`signal ${JSON.stringify(name).slice(0, 80)} dropped: the award cycle takes no signals`, {
      cycleId: config.id,
    });
  });

  setHandler(
    nominateUpdate,
    async (n: NominationInput) => {
      noteLength();
      const result = await starts.startNomination({
        nomination: { ...n, cycleId: config.id },
        rules,
        regencyName: regencies[n.regencyCode],
        provinceName: provinces[provinceOf(n.regencyCode)],
        cycleDeadlineOverrides: carry.deadlineOverrides,
      });
      // The earlier award it claims is not on record: nothing was started (activities/cycle.activity.ts).
      if (result.previousRefused && patched(PREVIOUS_STARS_FROM_RECORD)) {
        noteLength();
        refuse(result.previousRefused);
      }
      // The sentra was claimed by another nomination (in an earlier run, or by a racing update): nothing was started.
      if (result.sentraTakenBy) {
        noteLength();
        refuse(sentraTaken(n, result.sentraTakenBy));
      }
      seenThisRun.add(result.workflowId);
      sentraThisRun.set(sentraKeyOf(n.regencyCode, n.sentraName), result.workflowId);
      if (result.created) carry.nominated += 1;
      noteLength();
      return result;
    },
    {
      validator: (n: NominationInput) => {
        if (!n || typeof n !== 'object') refuse('nomination is missing', { rule: 'nomination_missing' });
        const actor = n.nominatedBy;
        checkActor(actor);
        if (actor.role !== 'dinas_kabkota' && actor.role !== 'coordinator') {
          refuse(`role ${actor.role} may not nominate; a dinas kabupaten/kota nominates its own IKM`, {
            rule: 'nominate_dinas_only',
            params: { role: actor.role },
          });
        }
        if (!intakeOpen())
          refuse(`intake for cycle ${config.id} is closed`, { rule: 'intake_closed', params: { cycle: config.id } });
        turnAwayWhileDraining();
        if (n.cycleId !== undefined && n.cycleId !== config.id)
          refuse(`this is cycle ${config.id}, not ${shown(n.cycleId)}`, {
            rule: 'other_cycle',
            params: { cycle: config.id, asked: shownParam(n.cycleId) },
          });
        if (typeof n.regencyCode !== 'string' || !Object.hasOwn(regencies, n.regencyCode))
          refuse(`unknown regency code ${shown(n.regencyCode)} (expected a Kemendagri code such as 32.05)`, {
            rule: 'unknown_regency',
            params: { code: shownParam(n.regencyCode) },
          });
        if (actor.role === 'dinas_kabkota' && actor.region !== n.regencyCode)
          refuse(`dinas ${actor.region} may only nominate IKM of its own kabupaten/kota, not ${n.regencyCode}`, {
            rule: 'nominate_other_regency',
            params: { region: actor.region, regency: n.regencyCode },
          });
        const province = provinceOf(n.regencyCode);
        if (!config.sessions.some((s) => s.provinces.includes(province)))
          refuse(`province ${province} (${provinces[province]}) has no socialization session in cycle ${config.id}`, {
            rule: 'province_no_session',
            params: { province },
          });
        for (const field of ['ikmName', 'sentraName', 'product'] as const) checkText(n[field], field, { max: 200 });
        if (!/[A-Za-z0-9]/.test(n.ikmName))
          refuse('ikmName must contain at least one letter or digit', {
            rule: 'text_no_letter',
            params: { what: 'ikmName' },
          });
        if (!COMMODITIES.includes(n.commodity))
          refuse(`commodity must be one of ${COMMODITIES.join(', ')}`, { rule: 'commodity_invalid' });
        // The regulation's floor is 5 units; a cycle may ask more (sentra.minUnits).
        const minUnits = config.sentra?.minUnits ?? 5;
        const sentraRule = `a sentra must count at least ${minUnits} businesses making the same product`;
        if (!Number.isInteger(n.sentraSize) || n.sentraSize > 1_000_000)
          refuse(`${sentraRule} (and at most 1,000,000)`, { rule: 'sentra_size_invalid', params: { min: minUnits } });
        if (n.sentraSize < minUnits)
          refuse(`${sentraRule}; sentra ${shown(n.sentraName)} counts ${n.sentraSize}`, {
            rule: 'sentra_too_small',
            params: { min: minUnits, size: n.sentraSize },
          });
        if (!/[A-Za-z0-9]/.test(n.sentraName))
          refuse('sentraName must contain at least one letter or digit', {
            rule: 'text_no_letter',
            params: { what: 'sentraName' },
          });
        if (n.dinasEmail !== undefined) {
          checkText(n.dinasEmail, 'dinasEmail', { max: 254 });
          if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(n.dinasEmail))
            refuse('dinasEmail must be an email address', { rule: 'email_invalid', params: { what: 'dinasEmail' } });
        }
        if (
          n.previousStars !== undefined &&
          (!Number.isInteger(n.previousStars?.stars) || n.previousStars.stars < 1 || n.previousStars.stars > 5)
        ) {
          refuse('previousStars.stars must be 1 to 5', { rule: 'previous_stars_invalid' });
        }
        const id = nominationWorkflowId(config.id, n.regencyCode, n.ikmName);
        if (seenThisRun.has(id))
          refuse(`${n.ikmName} of ${n.regencyCode} is already nominated in cycle ${config.id}`, {
            rule: 'already_nominated',
            params: { ikm: n.ikmName, regency: n.regencyCode },
          });
        const holder = sentraThisRun.get(sentraKeyOf(n.regencyCode, n.sentraName));
        if (holder !== undefined && holder !== id) refuse(sentraTaken(n, holder), sentraTakenReason(n));
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
        if (!DEADLINE_STAGES.includes(u.stage))
          refuse(`stage must be one of ${DEADLINE_STAGES.join(', ')}`, { rule: 'deadline_stage_invalid' });
        if (!config.deadlines[u.stage])
          refuse(`cycle ${config.id} has no ${u.stage} step`, { rule: 'no_such_step', params: { deadline: u.stage } });
        const until = parseInstant(u.until, 'until');
        if (until <= Date.now()) refuse('the new deadline must be in the future', { rule: 'deadline_in_past' });
        const current = carry.deadlineOverrides[u.stage];
        if (current && until <= Date.parse(current))
          refuse(`the cycle's ${u.stage} deadline is already ${current}`, {
            rule: 'cycle_deadline_not_later',
            params: { deadline: u.stage, currentAt: current },
          });
        if (finalized)
          refuse(`cycle ${config.id} is finalized`, { rule: 'cycle_finalized', params: { cycle: config.id } });
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
        if (carry.finalizeRequested)
          refuse(`finalization of cycle ${config.id} is already requested`, {
            rule: 'finalization_requested',
            params: { cycle: config.id },
          });
      },
    },
  );

  /** Decree numbers whose handler is running in this run: a second call for one waits for the first's record. */
  const decreesInFlight = new Set<string>();
  setHandler(
    issueDecreeUpdate,
    async (u: IssueDecreeInput) => {
      noteLength();
      const decree: DecreeRef = { number: u.number, date: u.date, signatory: u.signatory };
      const known = carry.decrees?.[u.number];
      if (decreesInFlight.has(u.number)) await condition(() => !decreesInFlight.has(u.number));
      decreesInFlight.add(u.number);
      try {
        // Recording is idempotent by (cycle, number): a retried decree reads its own record and applies only what is
        // still pending, so nothing is determined twice (activities/decree.activity.ts).
        const recorded = await decreeActs
          .recordDecree({ cycleId: config.id, decree, actor: u.actor })
          .catch((err: unknown) => {
            // The record's own refusal (a number taken by another decree meanwhile) is the update's answer.
            const cause = err instanceof ActivityFailure ? err.cause : undefined;
            if (cause instanceof ApplicationFailure && cause.type === 'Refused') refuse(cause.message);
            throw err;
          });
        const outcome = await decreeActs.applyDecree({ cycleId: config.id, decree, actor: u.actor });
        (carry.decrees ??= {})[u.number] = {
          decree,
          determined: outcome.determined.length,
          skipped: outcome.skipped.length,
        };
        if (!known && recorded.created) {
          await mail.sendNotification({
            key: `ovop/${config.id}|decree|${u.number}`,
            workflowId: workflowInfo().workflowId,
            to: config.contacts.coordinators,
            template: 'decree_recorded',
            data: {
              cycleName: config.name,
              decree,
              decreeOutcome: outcome,
              timezone: config.timezone,
              workflowId: workflowInfo().workflowId,
            },
          });
        }
        noteLength();
        return { ...outcome, alreadyRecorded: !recorded.created };
      } finally {
        decreesInFlight.delete(u.number);
      }
    },
    {
      validator: (u: IssueDecreeInput) => {
        requireCoordinator(u?.actor);
        checkDecree(u);
        const known = carry.decrees?.[u.number]?.decree;
        if (
          known &&
          (known.date !== u.date ||
            known.signatory.office !== u.signatory.office ||
            known.signatory.name !== u.signatory.name)
        )
          refuse(
            `decree ${u.number} is already recorded, dated ${known.date} and signed by ${known.signatory.name}; a new decree needs a number of its own`,
            { rule: 'decree_number_taken', params: { number: u.number } },
          );
        if (finalized)
          refuse(`cycle ${config.id} is finalized`, { rule: 'cycle_finalized', params: { cycle: config.id } });
        turnAwayWhileDraining();
      },
    },
  );

  if (carry.runs === 1) {
    await acts.recordCycle({ cycleId: config.id, name: config.name, config: rules, status: 'OPEN', counts: {} });
    await mail.sendNotification({
      key: `ovop/${config.id}|cycle_opened`,
      workflowId: workflowInfo().workflowId,
      to: config.contacts.coordinators,
      template: 'cycle_opened',
      data: {
        cycleName: config.name,
        deadline: new Date(intakeClosesAt).toISOString(),
        timezone: config.timezone,
        workflowId: workflowInfo().workflowId,
      },
    });
  }

  const continueIfTooLong = async () => {
    noteLength();
    if (!draining) return;
    await condition(allHandlersFinished);
    await continueAsNew<typeof awardCycle>({
      config,
      carry,
      historyEventsPerRun: input.historyEventsPerRun,
      reconcileEvery: input.reconcileEvery,
    });
  };

  await untilCensusSettles();

  /** A census of the projection every `reconcileEvery`, until intake has closed and every nomination the cycle started
   * is terminal or waits only for the coordinator's star determination. */
  async function untilCensusSettles(): Promise<void> {
    const everyMs = parseDuration(input.reconcileEvery ?? CENSUS_EVERY);
    for (;;) {
      const wait = intakeOpen() ? Math.min(everyMs, Math.max(1, intakeClosesAt - Date.now())) : everyMs;
      const requested = carry.finalizeRequested;
      // Also wake when a coordinator's finalize closes intake early, so the census runs right away.
      await condition(() => draining || carry.finalizeRequested !== requested, wait);
      await continueIfTooLong();
      carry.census = { ...(await acts.cycleCensus({ cycleId: config.id })), at: Date.now() };
      noteLength();
      // A cycle determined by decree waits for it: its recommended nominations count as still in progress (r4).
      const awaitingDecree =
        config.award?.determination === 'decree' && patched(DETERMINATION_BY_DECREE)
          ? (carry.census.byStage.STAR_RECOMMENDED ?? 0)
          : 0;
      if (!intakeOpen() && carry.census.inProgress + awaitingDecree === 0 && carry.census.total >= carry.nominated)
        return;
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
  await acts.recordCycle({
    cycleId: config.id,
    name: config.name,
    config: rules,
    status: 'FINALIZED',
    counts: counts() as Record<string, number>,
  });
  finalized = true;
  return view();
}
