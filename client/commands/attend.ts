/** `ovop attend <nomination> --session <id>`: the dinas attended its socialization session. */
import type { Context, Outcome } from '../context';
import { act, viewOutcome } from '../nomination';

export async function attend(ctx: Context, id: string, opts: { session: string }): Promise<Outcome> {
  const body = { sessionId: opts.session.trim() };
  const view = await act(ctx, id, { path: 'attendance', body });
  return viewOutcome(view, `Attendance at ${view.attendedSession} recorded for ${view.ikmName}.`);
}
