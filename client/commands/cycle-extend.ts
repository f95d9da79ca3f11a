/** `ovop cycle extend <cycle> --stage S --until T` and `ovop cycle finalize <cycle>`: a coordinator steers the cycle. */
import type { DeadlineStage } from '../../domain/types';
import { extendCycleDeadlineUpdate, finalizeCycleUpdate } from '../../workflows/messages';
import type { Context, Outcome } from '../context';
import { findCycle, updateCycle } from '../cycle-ref';
import { parseCycleId } from '../ids';
import { formatTime } from '../time';

export async function cycleExtend(
  ctx: Context,
  cycleArg: string,
  opts: { stage: DeadlineStage; until: string },
): Promise<Outcome> {
  const cycleId = parseCycleId(cycleArg);
  const actor = ctx.actor();
  const cycle = await findCycle(ctx, cycleId);
  const view = await updateCycle(
    ctx,
    cycle,
    (handle) =>
      handle.executeUpdate(extendCycleDeadlineUpdate, {
        args: [{ actor, stage: opts.stage, until: opts.until.trim() }],
      }),
    `the deadline extension of cycle ${cycleId}`,
  );
  const until = formatTime(view.deadlineOverrides[opts.stage] ?? opts.until.trim(), view.timezone);
  return {
    json: view,
    timezone: view.timezone,
    text: `Cycle ${cycleId}: the ${opts.stage} deadline is now ${until} for every open nomination (they are told by signal).`,
  };
}

export async function cycleFinalize(ctx: Context, cycleArg: string): Promise<Outcome> {
  const cycleId = parseCycleId(cycleArg);
  const actor = ctx.actor();
  const cycle = await findCycle(ctx, cycleId);
  const view = await updateCycle(
    ctx,
    cycle,
    (handle) => handle.executeUpdate(finalizeCycleUpdate, { args: [{ actor }] }),
    `the finalization of cycle ${cycleId}`,
  );
  return {
    json: view,
    timezone: view.timezone,
    text: [
      `Cycle ${cycleId}: finalization requested; intake is closed.`,
      'The cycle finalizes, and mails its summary to the coordinators, once every nomination is closed or awaits only its star determination.',
    ].join('\n'),
  };
}
