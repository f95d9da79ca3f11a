/** `ovop cycle extend <cycle> --stage S --until T` and `ovop cycle finalize <cycle>`: a coordinator steers the cycle,
 * through the API. */
import type { DeadlineStage } from '../../domain/types';
import type { CycleView } from '../../workflows/messages';
import { cyclePath } from '../api-client';
import type { Context, Outcome } from '../context';
import { parseCycleId } from '../ids';
import { formatTime } from '../time';

export async function cycleExtend(
  ctx: Context,
  cycleArg: string,
  opts: { stage: DeadlineStage; until: string },
): Promise<Outcome> {
  const cycleId = parseCycleId(cycleArg);
  ctx.subject = { kind: 'cycle', id: cycleId };
  const view = await ctx.api().request<CycleView>('POST', cyclePath(cycleId, '/deadline-extension'), {
    json: { stage: opts.stage, until: opts.until.trim() },
  });
  const until = formatTime(view.deadlineOverrides[opts.stage] ?? opts.until.trim(), view.timezone);
  return {
    json: view,
    timezone: view.timezone,
    text: `Cycle ${cycleId}: the ${opts.stage} deadline is now ${until} for every open nomination (they are told by signal).`,
  };
}

export async function cycleFinalize(ctx: Context, cycleArg: string): Promise<Outcome> {
  const cycleId = parseCycleId(cycleArg);
  ctx.subject = { kind: 'cycle', id: cycleId };
  const view = await ctx.api().request<CycleView>('POST', cyclePath(cycleId, '/finalization'), { json: {} });
  return {
    json: view,
    timezone: view.timezone,
    text: [
      `Cycle ${cycleId}: finalization requested; intake is closed.`,
      'The cycle finalizes, and mails its summary to the coordinators, once every nomination is closed or awaits only its star determination.',
    ].join('\n'),
  };
}
