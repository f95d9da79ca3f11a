/**
 * `ovop approve-determination <nomination> --approve|--refuse --reason R`: a second coordinator decides a determination
 * above the recommendation (four eyes); the coordinator who made it is refused. Approved, the nomination is determined.
 */
import type { Context, Outcome } from '../context';
import { usage } from '../errors';
import { act, viewOutcome } from '../nomination';

export async function approveDetermination(
  ctx: Context,
  id: string,
  opts: { approve?: boolean; refuse?: boolean; reason: string },
): Promise<Outcome> {
  if (!!opts.approve === !!opts.refuse) throw usage('give one of --approve or --refuse');
  const body = { decision: opts.approve ? ('approve' as const) : ('refuse' as const), reason: opts.reason };
  const view = await act(ctx, id, { path: 'determination-approval', body });
  return viewOutcome(
    view,
    body.decision === 'approve'
      ? `${view.ikmName} is determined Bintang ${view.stars ?? 0}, approved by a second coordinator.`
      : `The determination of ${view.ikmName} is refused; it awaits a determination again.`,
  );
}
