/**
 * What one run of an award cycle works with: what it was started with, what the runs before it carried over, and when
 * its intake closes. The cycle's rooms (intake, deadline extensions, decrees, the census, finalization) share this one
 * object, as the nomination's rooms share its state (nomination-state.ts).
 */
import type { CycleCensus } from '../activities/contracts';
import { parseDuration } from '../domain/duration';
import type { CycleConfig, DeadlineStage, Stage } from '../domain/types';
import type { CycleRules } from './inputs';
import type { DecreeRef } from './messages';

/** How often a cycle counts its nominations from the projection: counts a few minutes old are fresh enough for a cycle
 * of months, and the cycle finalizes at most this long after its last nomination settles. */
const CENSUS_EVERY = '5m';

export interface AwardCycleInput {
  config: CycleConfig;
  carry?: CycleCarry;
  /** Events after which a run continues as new; an engine setting (tests lower it), not cycle policy. */
  historyEventsPerRun?: number;
  /** How often to count from the projection (engine setting; tests and the demo lower it). */
  reconcileEvery?: string;
}

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

export interface CycleState {
  readonly config: CycleConfig;
  /** The config without its region tables: what each nomination is started with and what the cycle's row records. */
  readonly rules: CycleRules;
  readonly carry: CycleCarry;
  readonly intakeClosesAt: number;
  /** How often the census counts (a duration; cycle-census.ts). */
  readonly censusEvery: string;
  /** Set once the summary is recorded; coordinators' changes are refused from then on. */
  finalized: boolean;
}

/** The state of a run: the carry of the run before it (or a fresh one in the first run), counted as one run more. */
export function newCycleState(input: AwardCycleInput): CycleState {
  const config = input.config;
  const { regencies: _regencies, provinces: _provinces, ...rules } = config;
  const carry: CycleCarry = input.carry ?? {
    startedAt: Date.now(),
    runs: 0,
    nominated: 0,
    deadlineOverrides: {},
    finalizeRequested: false,
  };
  carry.runs += 1;
  return {
    config,
    rules,
    carry,
    intakeClosesAt: carry.startedAt + parseDuration(config.intakeWindow),
    censusEvery: input.reconcileEvery ?? CENSUS_EVERY,
    finalized: false,
  };
}

/** Intake closes at the end of its window, or earlier when a coordinator asks for finalization. */
export const intakeOpen = (c: CycleState): boolean => !c.carry.finalizeRequested && Date.now() < c.intakeClosesAt;

/** Nominations by stage, as the last census counted them. */
export const counts = (c: CycleState): Partial<Record<Stage, number>> => ({ ...c.carry.census?.byStage });
