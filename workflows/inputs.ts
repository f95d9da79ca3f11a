/** What a nomination workflow is started with: the nomination and the cycle rules it lives by. */
import type { CycleConfig, DeadlineStage, NominationInput } from '../domain/types';

/** The cycle's configuration without the region tables (the nomination needs only its own names). */
export type CycleRules = Omit<CycleConfig, 'regencies' | 'provinces'>;

/** A cycle's rules as stored in `cycle_rules`: its id and the SHA-256 of their canonical JSON. */
export interface RulesRef {
  cycleId: string;
  sha256: string;
}

/** The nomination as a workflow holds it: with its rules, the whole of them in inputs of nominations started before
 * rules by reference, or (once loaded by the start check) stripped of names and addresses
 * (activities/rules-by-reference.ts). */
export interface NominationWorkflowInput {
  nomination: NominationInput;
  rules: CycleRules;
  /** Set when the nomination was started with its rules by reference. */
  rulesRef?: RulesRef;
  regencyName: string;
  provinceName: string;
  /** Cycle-wide deadline extensions already in force when this nomination starts (ISO datetimes). */
  cycleDeadlineOverrides?: Partial<Record<DeadlineStage, string>>;
}

/** What the cycle starts a nomination with since rules by reference: no rules, no dinas address, only the reference;
 * the start check loads the rules (issue #16 item 4). */
export type NominationStartInput = Omit<NominationWorkflowInput, 'rules' | 'rulesRef'> & { rulesRef: RulesRef };

export interface NominationOutcome {
  stage: string;
  stars: number | null;
  score: number | null;
}
