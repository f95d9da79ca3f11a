/**
 * `ovop samples receive <nomination> --date YYYY-MM-DD --condition good|damaged|incomplete --by "who" [--notes …]`:
 * a coordinator records that a proposal's product samples arrived.
 */
import { SAMPLE_CONDITIONS, type SampleCondition } from '../../domain/types';
import type { Context, Outcome } from '../context';
import { usage } from '../errors';
import { act, viewOutcome } from '../nomination';

export async function samplesReceive(
  ctx: Context,
  id: string,
  opts: { date: string; condition: string; by: string; notes?: string },
): Promise<Outcome> {
  if (!(SAMPLE_CONDITIONS as readonly string[]).includes(opts.condition))
    throw usage(`--condition must be one of ${SAMPLE_CONDITIONS.join(', ')}`);
  const body = {
    receivedOn: opts.date,
    condition: opts.condition as SampleCondition,
    receivedBy: opts.by,
    ...(opts.notes !== undefined ? { notes: opts.notes } : {}),
  };
  const view = await act(ctx, id, { path: 'samples', body });
  return viewOutcome(
    view,
    `Product samples of ${view.ikmName} received on ${opts.date} by ${opts.by}, condition ${opts.condition}${opts.notes ? `: ${opts.notes}` : ''}.`,
  );
}
