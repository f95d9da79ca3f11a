/**
 * `ovop determine <nomination> [--stars N --reason R]`: the coordinator determines the stars: the recommendation, or
 * another level with a reason. The nomination announces the result and closes.
 */
import { awardLines } from '../award-lines';
import { type DetermineInput } from '../../workflows/messages';
import type { Context, Outcome } from '../context';
import { usage } from '../errors';
import { act, resultLines, viewOutcome } from '../nomination';

export async function determine(ctx: Context, id: string, opts: { stars?: string; reason?: string }): Promise<Outcome> {
  let stars: number | undefined;
  if (opts.stars !== undefined) {
    if (!/^[0-5]$/.test(opts.stars.trim()))
      throw usage(`--stars ${opts.stars} is not a star level; give 0 (not classified) to 5`);
    stars = Number(opts.stars);
  }
  const body: Omit<DetermineInput, 'actor'> = {
    ...(stars !== undefined ? { stars } : {}),
    ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
  };
  const view = await act(ctx, id, { path: 'determination', body });
  if (view.awaitingApproval)
    return viewOutcome(
      view,
      `Bintang ${view.awaitingApproval.stars} for ${view.ikmName} is above the recommendation: it awaits a second ` +
        `coordinator's approval until ${view.awaitingApproval.until} (ovop approve-determination).`,
    );
  const final = view.stars ?? 0;
  return viewOutcome(
    view,
    final > 0 ? `${view.ikmName} is determined Bintang ${final}.` : `${view.ikmName} is not classified.`,
    [...resultLines(view), ...awardLines(view)],
  );
}
