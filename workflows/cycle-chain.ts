/**
 * The cycle's chain of runs: a run over its length drains (takes no new long-running work), lets its handlers finish,
 * and continues as new with the carry (cycle-state.ts), so its history stays short.
 */
import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { CycleView } from './messages';
import type { AwardCycleInput, CycleState } from './cycle-state';
import { refuseForNow } from './validation';

/**
 * Continue-as-new well before Temporal's history warnings (10,240 events / 10 MB). A worker without a workflow cache
 * (docs/workflow-cache.md) rebuilds the cycle from its current run's history on every workflow task, and every
 * nomination's intake passes through the cycle's tasks one at a time, so the run's length is what each dinas waits for
 * when nominating; short runs keep it small at the price of a continue-as-new (and a short drain) every ~30 nominations.
 */
const HISTORY_EVENTS_PER_RUN = 300;

export class CycleChain {
  private over = false;

  constructor(
    private readonly c: CycleState,
    private readonly input: AwardCycleInput,
  ) {}

  /** Whether this run is over its limit and drains. */
  get draining(): boolean {
    return this.over;
  }

  /**
   * Whether the run is over its limit, as the run decides it: only in code that a replay runs again at the same point,
   * that is in handlers of accepted updates and in the main loop after an activity or a timer. The length grows in
   * every workflow task, also in the speculative task of an update its validator turns away, and a replay has no such
   * task: a wait whose predicate read the length itself could wake there live and a task later on replay.
   */
  noteLength(): void {
    if (!this.over && this.tooLong()) this.over = true;
  }

  /** A run over its limit takes no new long-running work, so its handlers finish and it can continue as new; under a
   * steady intake there would otherwise always be a nominate handler in flight. The turned-away caller retries
   * (common/update-retry.ts) and lands in the next run. Validators must not change state: they only read `draining`. */
  turnAwayWhileDraining(): void {
    if (this.over) refuseForNow(`cycle ${this.c.config.id} is starting its next run; send this again in a moment`);
  }

  /** Once the run is over its limit: lets the handlers in flight finish, then continues as new with the carry. */
  async continueIfTooLong(): Promise<void> {
    this.noteLength();
    if (!this.over) return;
    await condition(allHandlersFinished);
    await continueAsNew<(input: AwardCycleInput) => Promise<CycleView>>({
      config: this.c.config,
      carry: this.c.carry,
      historyEventsPerRun: this.input.historyEventsPerRun,
      reconcileEvery: this.input.reconcileEvery,
    });
  }

  private tooLong(): boolean {
    return (
      workflowInfo().continueAsNewSuggested ||
      workflowInfo().historyLength > (this.input.historyEventsPerRun ?? HISTORY_EVENTS_PER_RUN)
    );
  }
}
