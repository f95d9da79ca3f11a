/**
 * `ovop cycle decree <cycle> --number N --date D --signatory minister|director_general --signed-by NAME`: a coordinator
 * records the decree that determines the cycle's recommended stars (POST /api/cycles/<cycle>/decree). The cycle lists
 * the nominations it covers (every STAR_RECOMMENDED nomination no earlier decree covers), determines each at its
 * recommended level and answers with what it did. Sending the same decree again determines nothing twice: it answers
 * with the decree's record.
 */
import { DECREE_SIGNATORIES, type DecreeSignatory } from '../../domain/types';
import type { DecreeOutcome } from '../../workflows/messages';
import { cyclePath } from '../api-client';
import type { Context, Outcome } from '../context';
import { usage } from '../errors';
import { parseCycleId } from '../ids';

export interface DecreeOptions {
  number: string;
  date: string;
  signatory: string;
  signedBy: string;
}

export async function cycleDecree(ctx: Context, cycleArg: string, opts: DecreeOptions): Promise<Outcome> {
  const cycleId = parseCycleId(cycleArg);
  const office = opts.signatory.trim().replace('-', '_');
  if (!DECREE_SIGNATORIES.includes(office as DecreeSignatory))
    throw usage(`--signatory ${opts.signatory} is not one of ${DECREE_SIGNATORIES.join(', ')}`);
  ctx.subject = { kind: 'cycle', id: cycleId };
  const decree = {
    number: opts.number.trim(),
    date: opts.date.trim(),
    signatory: { office: office as DecreeSignatory, name: opts.signedBy.trim() },
  };
  const outcome = await ctx.api().request<DecreeOutcome>('POST', cyclePath(cycleId, '/decree'), { json: decree });
  const lines = [
    outcome.alreadyRecorded
      ? `Decree ${decree.number} of cycle ${cycleId} was already recorded; nothing was determined again.`
      : `Decree ${decree.number} of ${decree.date} (${decree.signatory.name}) determined ${outcome.determined.length} nomination${outcome.determined.length === 1 ? '' : 's'} of cycle ${cycleId}.`,
    ...outcome.determined.map((d) => `  Bintang ${d.stars}  ${d.ikmName}  ${d.workflowId}`),
  ];
  if (outcome.skipped.length > 0) {
    lines.push(`Not determined by this decree (${outcome.skipped.length}):`);
    lines.push(...outcome.skipped.map((d) => `  ${d.ikmName}  ${d.workflowId}: ${d.reason}`));
  }
  return { json: outcome, text: lines.join('\n') };
}
