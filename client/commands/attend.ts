/** `ovop attend <nomination> --session <id>`: the dinas attended its socialization session. */
import { attendSocializationUpdate } from '../../workflows/messages';
import type { Context, Outcome } from '../context';
import { act, viewOutcome } from '../nomination';

export async function attend(ctx: Context, id: string, opts: { session: string }): Promise<Outcome> {
  const actor = ctx.actor();
  const view = await act(
    ctx,
    id,
    attendSocializationUpdate,
    { actor, sessionId: opts.session.trim() },
    'the attendance',
  );
  return viewOutcome(view, `Attendance at ${view.attendedSession} recorded for ${view.ikmName}.`);
}
