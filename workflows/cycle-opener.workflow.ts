/**
 * What a recurring cycle schedule (`ovop cycle schedule`) starts at each firing: it names the cycle of that firing
 * (domain/cycle-series.ts) and starts its `awardCycle` under the usual id, `ovop/<cycle>/cycle`, then ends.
 *
 * A Schedule's action is fixed at creation, and Temporal appends the start time to the workflow id it starts; an
 * opener in between gives every cycle its own id and the id every other command expects. The cycle is started as an
 * abandoned child, so it outlives its opener and runs (and continues as new) like a cycle opened by `ovop cycle start`.
 * Id uniqueness is what keeps two firings from opening one cycle twice: a firing whose cycle id is taken (a manual
 * trigger in a year already opened, or a cycle started by hand) fails with a message and opens nothing.
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  defineSearchAttributeKey,
  SearchAttributeType,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/common';
import { configForOpening, cycleIdOf, type CycleIdBy } from '../domain/cycle-series';
import type { CycleConfig } from '../domain/types';
import { awardCycle } from './award-cycle.workflow';
import { cycleWorkflowId } from './ids';
import { CycleKey } from './search-attributes';

export interface CycleOpenerInput {
  /** The config the schedule was given; each opening gets it under its own id (configForOpening). */
  config: CycleConfig;
  series: string;
  idBy: CycleIdBy;
  /** Engine settings passed on to the cycle (tests and the demo lower them). */
  reconcileEvery?: string;
}

export interface CycleOpening {
  cycleId: string;
  workflowId: string;
  scheduledAt: string;
}

/** Set by the server on every workflow a Schedule starts: the time the action was due (not when it ran). */
const ScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export async function cycleOpener(input: CycleOpenerInput): Promise<CycleOpening> {
  const scheduledAt = scheduledTime();
  const cycleId = cycleIdOf(input.series, scheduledAt, input.config.timezone, input.idBy);
  const config = configForOpening(input.config, cycleId, scheduledAt);
  const workflowId = cycleWorkflowId(cycleId);
  // Lists the opener among its cycle's workflows (ovop audit verify finds them by OvopCycle).
  upsertSearchAttributes([{ key: CycleKey, value: cycleId }]);
  try {
    await startChild(awardCycle, {
      workflowId,
      args: [{ config, reconcileEvery: input.reconcileEvery }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // As `ovop cycle start`: a cycle id is used once; only a failed or terminated run may be started again.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw ApplicationFailure.nonRetryable(
        `cycle ${cycleId} already exists (workflow ${workflowId}); this firing (due ${scheduledAt.toISOString()}) opened nothing`,
        'CycleExists',
      );
    }
    throw err;
  }
  return { cycleId, workflowId, scheduledAt: scheduledAt.toISOString() };
}

/**
 * When this firing was due: the server's search attribute, else the time the Schedule appended to the workflow id
 * (`…-2027-02-01T01:00:00Z`), else the start of this run (an opener started by hand).
 */
function scheduledTime(): Date {
  const info = workflowInfo();
  const typed = info.typedSearchAttributes.get(ScheduledStartTime);
  if (typed instanceof Date && !Number.isNaN(typed.getTime())) return typed;
  const suffix = /-(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)$/.exec(info.workflowId)?.[1];
  if (suffix) return new Date(suffix);
  return info.runStartTime;
}
