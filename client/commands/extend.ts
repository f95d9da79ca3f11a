/**
 * `ovop extend <nomination> --stage S --until T`: a coordinator extends one nomination's deadline (`ovop cycle extend`
 * does it for the whole cycle); `ovop resolve-hold <nomination> --extend-until T | --disqualify`: decides a nomination
 * held after a missed deadline.
 */
import type { DeadlineStage } from '../../domain/types';
import { type ResolveHoldInput } from '../../workflows/messages';
import type { Context, Outcome } from '../context';
import { usage } from '../errors';
import { act, viewOutcome } from '../nomination';
import { formatTime } from '../time';

export async function extend(
  ctx: Context,
  id: string,
  opts: { stage: DeadlineStage; until: string },
): Promise<Outcome> {
  const body = { stage: opts.stage, until: opts.until.trim() };
  const view = await act(ctx, id, { path: 'deadline-extension', body });
  return viewOutcome(
    view,
    `The ${opts.stage} deadline of ${view.ikmName} is now ${formatTime(opts.until.trim(), view.timezone)}.`,
  );
}

export async function resolveHold(
  ctx: Context,
  id: string,
  opts: { extendUntil?: string; disqualify?: boolean; reason?: string },
): Promise<Outcome> {
  if ((opts.extendUntil !== undefined) === !!opts.disqualify)
    throw usage('give one decision: --extend-until <time> or --disqualify');
  const body: Omit<ResolveHoldInput, 'actor'> = opts.disqualify
    ? { decision: 'disqualify', ...(opts.reason ? { reason: opts.reason } : {}) }
    : { decision: 'extend', until: opts.extendUntil!.trim(), ...(opts.reason ? { reason: opts.reason } : {}) };
  const view = await act(ctx, id, { path: 'hold-resolution', body });
  return viewOutcome(
    view,
    opts.disqualify
      ? `${view.ikmName} is disqualified.`
      : `${view.ikmName} may go on until ${formatTime(opts.extendUntil!.trim(), view.timezone)}.`,
  );
}
