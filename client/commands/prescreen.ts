/**
 * `ovop prescreen <nomination> --pass | --return "why" --missing k1,k2 | --reject "why"`: the dinas provinsi's
 * pre-screen of a proposal from its province, before the national administrative selection.
 */
import { type PrescreenInput } from '../../workflows/messages';
import type { Context, Outcome } from '../context';
import { usage } from '../errors';
import { act, viewOutcome } from '../nomination';

export interface PrescreenOptions {
  pass?: boolean;
  return?: string;
  missing?: string;
  reject?: string;
}

export async function prescreen(ctx: Context, id: string, opts: PrescreenOptions): Promise<Outcome> {
  const given = [
    opts.pass ? '--pass' : null,
    opts.return !== undefined ? '--return' : null,
    opts.reject !== undefined ? '--reject' : null,
  ].filter((x): x is string => x !== null);
  if (given.length !== 1) {
    throw usage(
      given.length === 0
        ? 'give a decision: --pass, --return "why" --missing kinds, or --reject "why"'
        : `give one decision, not ${given.join(' and ')}`,
    );
  }
  if (opts.return !== undefined && opts.missing === undefined)
    throw usage('--return needs --missing: the document kinds to complete, e.g. --missing legality,sentra_decree');
  if (opts.return === undefined && opts.missing !== undefined) throw usage('--missing goes only with --return');
  const input: Omit<PrescreenInput, 'actor'> = opts.pass
    ? { decision: 'pass' }
    : opts.return !== undefined
      ? {
          decision: 'return',
          reason: opts.return,
          missing: opts
            .missing!.split(',')
            .map((k) => k.trim())
            .filter((k) => k !== ''),
        }
      : { decision: 'reject', reason: opts.reject };
  const view = await act(ctx, id, { path: 'prescreen', body: input });
  const said = {
    pass: 'passed on to the national selection',
    return: `returned for completion (${input.missing?.join(', ')})`,
    reject: 'rejected',
  }[input.decision];
  return viewOutcome(view, `Proposal of ${view.ikmName} ${said}${input.reason ? `: ${input.reason}` : ''}.`);
}
