/**
 * `ovop certificate <nomination> --date D --by WHO [--notes TEXT]`: records that the award certificate was handed over
 * to the IKM (often by its kabupaten/kota, weeks after the announcement). Its dinas kabupaten/kota, its dinas provinsi
 * or a coordinator records it, once.
 */
import { type CertificateHandoverInput } from '../../workflows/messages';
import type { Context, Outcome } from '../context';
import { act, viewOutcome } from '../nomination';
import { awardLines } from '../award-lines';

export async function certificate(
  ctx: Context,
  id: string,
  opts: { date: string; by: string; notes?: string },
): Promise<Outcome> {
  const body: Omit<CertificateHandoverInput, 'actor'> = {
    date: opts.date.trim(),
    handedOverBy: opts.by,
    ...(opts.notes !== undefined ? { notes: opts.notes } : {}),
  };
  const view = await act(ctx, id, { path: 'certificate', body });
  return viewOutcome(view, `The certificate of ${view.ikmName} is recorded as handed over.`, awardLines(view));
}
