/**
 * `ovop score <nomination> --file scores.json`: an assessor's score sheet, a JSON object of criterion id → integer
 * score (`{ "A1": 3, "A2": 2, … }`). The sheet is checked before it is sent: its shape here, then every criterion and
 * the scale against the rules the nomination was started with (the same check the workflow's validator makes).
 */
import { readFileSync } from 'node:fs';
import { validateScoreSheet } from '../../domain/scoring';
import { submitScoresUpdate } from '../../workflows/messages';
import type { Context, Outcome } from '../context';
import { firstLine, refused, usage } from '../errors';
import { act, nominationHandle, viewOutcome } from '../nomination';
import { nominationRules } from '../nomination-rules';

export async function score(ctx: Context, id: string, opts: { file: string }): Promise<Outcome> {
  const scores = readScoreSheet(opts.file);
  // Through the API, the workflow's validator checks the sheet against the nomination's rules.
  if (ctx.viaApi) {
    const view = await act(
      ctx,
      id,
      { path: 'scores', body: { scores } },
      submitScoresUpdate,
      (actor) => ({ actor, scores }),
      'the score sheet',
    );
    return viewOutcome(view, `Your scores are recorded for ${view.ikmName}.`);
  }
  const actor = ctx.actor();
  const { ref } = await nominationHandle(ctx, id);
  const { client } = await ctx.temporal();
  const rules = await ctx.call(nominationRules(client, ref.workflowId), `the rules of ${ref.workflowId}`);
  if (rules) {
    const problem = validateScoreSheet(scores, rules.assessment);
    if (problem) throw refused(`invalid scores in ${opts.file}: ${problem}`);
  }
  const view = await act(
    ctx,
    id,
    { path: 'scores', body: { scores } },
    submitScoresUpdate,
    () => ({ actor, scores }),
    'the score sheet',
  );
  // Blind assessment: an assessor's answer names no other assessor, so it says only that its own sheet is in.
  return viewOutcome(view, `Scores of ${actor.id} recorded for ${view.ikmName}.`);
}

export function readScoreSheet(path: string): Record<string, number> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw usage(`cannot read ${path}: ${firstLine(err)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw usage(`${path} is not valid JSON: ${firstLine(err)}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw usage(`${path} must hold a JSON object of criterion id → score, e.g. { "A1": 3, "A2": 2 }`);
  }
  const issues = Object.entries(data)
    .filter(([, v]) => typeof v !== 'number' || !Number.isInteger(v))
    .map(([k, v]) => ({ path: k, message: `must be a whole number, got ${JSON.stringify(v)}` }));
  if (Object.keys(data).length === 0) issues.push({ path: '', message: 'the sheet is empty' });
  if (issues.length > 0) throw usage(`${path} is not a score sheet`, issues);
  return data as Record<string, number>;
}
