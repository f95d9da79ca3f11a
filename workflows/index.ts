/** The workflow bundle's entry: every workflow type the worker registers. */
export { nomination } from './nomination.workflow';
export { awardCycle } from './award-cycle.workflow';
export { cycleOpener } from './cycle-opener.workflow';
