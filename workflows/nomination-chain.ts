/**
 * Short runs: a nomination continues as new at its stage boundaries, so a workflow task rebuilds the events of the
 * current stage rather than the whole life (workers run without a cache: docs/workflow-cache.md). The state goes over
 * in the new run's input (`carried`); the lifecycle resumes at the boundary (`from`), and the event log's sequence
 * numbers, the reminders already sent and the deadlines (absolute times) go on where the last run stopped.
 */
import { ApplicationFailure } from '@temporalio/common';
import { allHandlersFinished, condition, makeContinueAsNewFunc, patched, workflowInfo } from '@temporalio/workflow';
import { DEADLINE_STAGES, STAGES, type Stage } from '../domain/types';
import { INVALID_INPUT } from './input-checks';
import type { CycleRules, NominationWorkflowInput } from './inputs';
import type { NominationState } from './nomination-state';
import { NOMINATION_SHORT_RUNS } from './patches';
import { refuseForNow } from './validation';

/** Where a run of the chain begins: the start, or the boundary the previous run stopped at. */
export const RESUME_POINTS = ['start', 'documents', 'review', 'assessment', 'determination'] as const;
export type ResumePoint = (typeof RESUME_POINTS)[number];

/** The nomination's state as it crosses into the next run: everything but the input, with sets as lists. */
export type CarriedState = Omit<NominationState, 'input' | 'workflowId' | 'admitted' | 'reminders' | 'escalations'> & {
  reminders: string[];
  escalations: string[];
};

export interface CarriedNomination {
  from: Exclude<ResumePoint, 'start'>;
  state: CarriedState;
  /** A nomination started with its rules by reference: its rules as its start check loaded them, stripped of names
   * and addresses, so a continued run needs no activity to have them. */
  rules?: CycleRules;
}

/** A nomination run's input: the cycle's input, plus the carried state in every run after the first. Started with
 * its rules by reference, it has no `rules` but a `rulesRef` (inputs.ts). */
export type NominationRunInput = Omit<NominationWorkflowInput, 'rules'> & {
  rules?: CycleRules;
  carried?: CarriedNomination;
};

/** Whether `point` is still ahead of (or at) the point this run began at. */
export const reaches = (from: ResumePoint, point: ResumePoint): boolean =>
  RESUME_POINTS.indexOf(from) <= RESUME_POINTS.indexOf(point);

export class NominationChain {
  private switching = false;

  constructor(private readonly s: NominationState) {}

  /** Turns an update away while the run hands over to the next; the client sends it again into the new run. */
  refuseWhileSwitching(): void {
    if (this.switching)
      refuseForNow(`nomination ${this.s.workflowId} is moving to its next run; send this again in a moment`);
  }

  /** Whether this run ends at its stage boundaries; false in histories from before short runs, which go on in one
   * run. Synchronous on purpose: an extra `await` where nothing switches would reorder an old history's commands. */
  switchesAtBoundaries(): boolean {
    // A determination accepted before the boundary answers only once the nomination has closed: draining would wait
    // for it for ever, so that run goes on to the end.
    return this.s.determination === null && patched(NOMINATION_SHORT_RUNS);
  }

  /** Lets the updates and signal handlers in flight finish, then continues as new at `next`. Never returns. */
  async continueAt(next: CarriedNomination['from']): Promise<never> {
    this.switching = true;
    await condition(allHandlersFinished);
    const info = workflowInfo();
    // Search attributes and memo go over as the run has them (the stage upserted last).
    const continueWith = makeContinueAsNewFunc<(input: NominationRunInput) => Promise<unknown>>({
      typedSearchAttributes: info.typedSearchAttributes,
      memo: info.memo,
    });
    const { rules, ...byReference } = this.s.input;
    // Rules loaded by reference go over in the carried state, so the next run's input stays its cycle's.
    if (byReference.rulesRef)
      return continueWith({ ...byReference, carried: { from: next, state: carryOf(this.s), rules } });
    return continueWith({ ...this.s.input, carried: { from: next, state: carryOf(this.s) } });
  }
}

function carryOf(s: NominationState): CarriedState {
  const { input: _input, workflowId: _id, admitted: _admitted, reminders, escalations, ...rest } = s;
  return { ...rest, reminders: [...reminders], escalations: [...escalations] };
}

/** The state of a continued run: the new state from the input, overwritten by what the last run carried. */
export function restoreState(s: NominationState, carried: CarriedNomination): void {
  const { reminders, escalations, timeline, documents, reviewNotes, prescreenNotes, sheets, evidence, ...rest } =
    carried.state;
  Object.assign(s, rest, {
    nominationOverrides: { ...carried.state.nominationOverrides },
    cycleOverrides: { ...carried.state.cycleOverrides },
  });
  s.timeline.push(...timeline);
  s.documents.push(...documents);
  s.reviewNotes.push(...reviewNotes);
  s.prescreenNotes.push(...prescreenNotes);
  s.sheets.push(...sheets);
  s.evidence.push(...evidence);
  for (const key of reminders) s.reminders.add(key);
  for (const key of escalations) s.escalations.add(key);
}

/**
 * The carried state is checked like a start input: in shape, and only in a run that Temporal continued from an
 * earlier one (`continuedFromExecutionRunId`, which no client can set), so a workflow started around the cycle cannot
 * claim a stage it never reached. Its content is the last run's, which the event log in PostgreSQL also holds.
 */
export function checkCarried(
  carried: unknown,
  input: Omit<NominationRunInput, 'carried'>,
): asserts carried is CarriedNomination {
  const problems: string[] = [];
  const fail = (): never => {
    throw ApplicationFailure.nonRetryable(`invalid carried state: ${problems.join('; ')}`, INVALID_INPUT);
  };
  if (!workflowInfo().continuedFromExecutionRunId) {
    problems.push('a nomination may carry state only into a run continued from its previous one');
    fail();
  }
  const c = carried as Partial<CarriedNomination> | null;
  if (!c || typeof c !== 'object') {
    problems.push('must be an object');
    fail();
  }
  if (!RESUME_POINTS.slice(1).includes(c!.from as ResumePoint))
    problems.push(`from must be one of ${RESUME_POINTS.slice(1).join(', ')}`);
  const st = c!.state as Record<string, unknown> | undefined;
  if (!st || typeof st !== 'object') {
    problems.push('state must be an object');
    fail();
  }
  const state = st!;
  const int = (k: string, min = 0) => {
    const v = state[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) problems.push(`state.${k} must be a whole number`);
  };
  const list = (k: string) => {
    if (!Array.isArray(state[k])) problems.push(`state.${k} must be a list`);
  };
  const numOrNull = (k: string) => {
    const v = state[k];
    if (v !== null && (typeof v !== 'number' || !Number.isFinite(v)))
      problems.push(`state.${k} must be a number or null`);
  };
  const objOrNull = (k: string) => {
    const v = state[k];
    if (v !== null && (typeof v !== 'object' || Array.isArray(v)))
      problems.push(`state.${k} must be an object or null`);
  };
  if (!STAGES.includes(state.stage as Stage)) problems.push(`state.stage must be one of the stages`);
  int('stageEnteredAt');
  int('seq', 1);
  int('revisionRound');
  int('prescreenReturns');
  int('sheetsWritten');
  int('deadlineVersion');
  for (const k of ['timeline', 'documents', 'resubmit', 'reviewNotes', 'prescreenNotes', 'sheets']) list(k);
  for (const k of ['evidence', 'cappedBy', 'reminders', 'escalations']) list(k);
  for (const k of ['provisional', 'recommended', 'stars']) numOrNull(k);
  for (const k of ['reviewDecision', 'prescreenDecision', 'sampleReceipt', 'aspectScores', 'fieldVisit']) objOrNull(k);
  for (const k of ['determination', 'coaching', 'certificate', 'hold']) objOrNull(k);
  for (const k of ['nominationOverrides', 'cycleOverrides']) {
    const v = state[k];
    if (!v || typeof v !== 'object' || Array.isArray(v)) problems.push(`state.${k} must be an object`);
    else
      for (const [stage, at] of Object.entries(v as Record<string, unknown>))
        if (!(DEADLINE_STAGES as readonly string[]).includes(stage) || typeof at !== 'number' || !Number.isFinite(at))
          problems.push(`state.${k}.${stage} must be a deadline stage's time`);
  }
  if (Array.isArray(state.timeline) && state.timeline.length !== state.seq)
    problems.push('state.timeline must hold one entry per recorded event');
  const rules = input.rules ?? (c!.rules as CycleRules | undefined);
  if (input.rulesRef && (input.rules !== undefined || !Array.isArray(rules?.assessment?.assessors)))
    problems.push('a nomination started with its rules by reference carries its rules, and only in the carried state');
  else problems.push(...panelProblems(state, rules, input));
  if (problems.length) fail();
}

/**
 * The panel as it crosses over: assessors of the cycle's pool, none of the nomination's own province, none both on the
 * panel and excluded (a declared conflict, a reassignment); and a determination awaiting approval in its shape. Runs
 * continued before these keys existed carry neither `excluded` nor `pendingDetermination`.
 */
function panelProblems(
  state: Record<string, unknown>,
  rules: CycleRules | undefined,
  input: Omit<NominationRunInput, 'carried'>,
): string[] {
  const problems: string[] = [];
  const pool = rules?.assessment?.assessors ?? [];
  const province = input.nomination?.regencyCode?.slice(0, 2);
  const ids = (k: string, v: unknown): string[] => {
    if (!Array.isArray(v) || v.some((id) => typeof id !== 'string')) {
      problems.push(`state.${k} must be a list of assessor ids`);
      return [];
    }
    const list = v as string[];
    if (new Set(list).size !== list.length) problems.push(`state.${k} must not name an assessor twice`);
    for (const id of list) {
      const a = pool.find((p) => p.id === id);
      if (!a) problems.push(`state.${k} names ${id}, who is not in the cycle's assessor pool`);
      else if (k === 'assessors' && a.province === province)
        problems.push(`state.assessors names ${id}, of the nomination's own province ${province}`);
    }
    return list;
  };
  const panel = ids('assessors', state.assessors);
  const excluded = state.excluded === undefined ? [] : ids('excluded', state.excluded);
  for (const id of panel.filter((x) => excluded.includes(x)))
    problems.push(`state.assessors names ${id}, who is excluded from this nomination`);
  const p = state.pendingDetermination as Record<string, unknown> | null | undefined;
  if (p !== undefined && p !== null) {
    const whole = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
    if (
      typeof p !== 'object' ||
      !p.actor ||
      typeof p.actor !== 'object' ||
      (p.actor as { role?: unknown }).role !== 'coordinator' ||
      !whole(p.stars) ||
      (p.stars as number) < 0 ||
      (p.stars as number) > 5 ||
      typeof p.reason !== 'string' ||
      !whole(p.requestedAt) ||
      !whole(p.until)
    )
      problems.push("state.pendingDetermination must be a coordinator's stars, reason, requestedAt and until");
  }
  return problems;
}
