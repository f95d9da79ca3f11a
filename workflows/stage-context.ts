/**
 * What each stage of a nomination's life works with: its state, its effects (rows, mails), its deadline clock and the
 * chain of runs it continues in.
 */
import type { DeadlineClock } from './deadline-clock';
import type { NominationChain } from './nomination-chain';
import type { NominationEffects } from './nomination-effects';
import type { NominationState } from './nomination-state';

export interface StageContext {
  s: NominationState;
  fx: NominationEffects;
  clock: DeadlineClock;
  chain: NominationChain;
}
