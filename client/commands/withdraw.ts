/** `ovop withdraw <nomination> --reason "…"`: the dinas (or a coordinator) withdraws a nomination. */
import type { Context, Outcome } from '../context';
import { act, viewOutcome } from '../nomination';

export async function withdraw(ctx: Context, id: string, opts: { reason: string }): Promise<Outcome> {
  const body = { reason: opts.reason };
  const view = await act(ctx, id, { path: 'withdrawal', body });
  return viewOutcome(view, `${view.ikmName} is withdrawn from cycle ${view.cycleId}: ${opts.reason}`);
}
