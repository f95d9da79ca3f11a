/**
 * `ovop audit export <nomination> --out h.json`: the nomination's full history in Temporal's JSON history format (the
 * one `temporal workflow show --output json` writes), with the workflow id added at the top so a replay knows it.
 */
import { historyToJSON } from '../history-json';
import { writeFileSync } from 'node:fs';
import type { Context, Outcome } from '../context';
import { firstLine, usage } from '../errors';
import { nominationHandle } from '../nomination';

export async function auditExport(ctx: Context, id: string, opts: { out: string }): Promise<Outcome> {
  const { ref, handle } = await nominationHandle(ctx, id);
  const history = await ctx.call(handle.fetchHistory(), `the history of ${ref.workflowId}`);
  const document = { workflowId: ref.workflowId, ...(JSON.parse(historyToJSON(history)) as { events: unknown[] }) };
  const text = `${JSON.stringify(document, null, 2)}\n`;
  try {
    writeFileSync(opts.out, text);
  } catch (err) {
    throw usage(`cannot write ${opts.out}: ${firstLine(err)}`);
  }
  const events = document.events.length;
  return {
    json: { workflowId: ref.workflowId, events, out: opts.out, bytes: Buffer.byteLength(text) },
    text: `Wrote ${events} history events of ${ref.workflowId} to ${opts.out}.\nReplay them against the current code with: ovop audit replay --file ${opts.out}`,
  };
}
