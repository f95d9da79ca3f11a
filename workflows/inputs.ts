/** What a nomination workflow is started with: the nomination and the cycle rules it lives by. */
import type { CycleConfig, DeadlineStage, NominationInput } from '../domain/types';

/** The cycle's configuration without the region tables (the nomination needs only its own names). */
export type CycleRules = Omit<CycleConfig, 'regencies' | 'provinces'>;

export interface NominationWorkflowInput {
  nomination: NominationInput;
  rules: CycleRules;
  regencyName: string;
  provinceName: string;
  /** Cycle-wide deadline extensions already in force when this nomination starts (ISO datetimes). */
  cycleDeadlineOverrides?: Partial<Record<DeadlineStage, string>>;
}

export interface NominationOutcome {
  stage: string;
  stars: number | null;
  score: number | null;
}
