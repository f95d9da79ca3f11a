/**
 * `ovop panel conflict <nomination> --reason R`: an assigned assessor declares a conflict of interest and leaves the
 * panel; `ovop panel reassign <nomination> --assessor A --reason R`: a coordinator takes an assessor off it. Either way
 * a replacement is drawn at random, recorded in the workflow's history, and told by mail.
 */
import type { Context, Outcome } from '../context';
import { act, viewOutcome } from '../nomination';

export async function declareConflict(ctx: Context, id: string, opts: { reason: string }): Promise<Outcome> {
  const view = await act(ctx, id, { path: 'conflict-of-interest', body: { reason: opts.reason } });
  // The declarer's answer names nobody of the panel (blind assessment): only that a replacement was drawn.
  return viewOutcome(view, `You are off the panel of ${view.ikmName}; a replacement has been drawn.`);
}

export async function reassignAssessor(
  ctx: Context,
  id: string,
  opts: { assessor: string; reason: string },
): Promise<Outcome> {
  const view = await act(ctx, id, {
    path: 'assessor-reassignment',
    body: { assessorId: opts.assessor, reason: opts.reason },
  });
  const panel = view.assessors?.join(', ') ?? '';
  return viewOutcome(view, `Assessor ${opts.assessor} is off the panel of ${view.ikmName}; the panel is now ${panel}.`);
}
