/** `ovop verify-field <nomination> --passed | --failed [--notes …]`: a coordinator records the field verification. */
import type { Context, Outcome } from '../context';
import { usage } from '../errors';
import { act, viewOutcome } from '../nomination';

export async function verifyField(
  ctx: Context,
  id: string,
  opts: { passed?: boolean; failed?: boolean; notes?: string },
): Promise<Outcome> {
  if (!!opts.passed === !!opts.failed) throw usage('give one result: --passed or --failed');
  const body = { passed: !!opts.passed, ...(opts.notes ? { notes: opts.notes } : {}) };
  const view = await act(ctx, id, { path: 'field-verification', body });
  return viewOutcome(
    view,
    `Field verification of ${view.ikmName} ${opts.passed ? 'passed' : 'failed'}${opts.notes ? `: ${opts.notes}` : ''}.`,
  );
}
