/**
 * `ovop score <nomination> --file scores.json`: an assessor's score sheet, a JSON object of criterion id → integer
 * score (`{ "A1": 3, "A2": 2, … }`). Its shape is checked here; every criterion and the scale, against the rules the
 * nomination was started with, by the workflow's validator behind the API.
 */
import { readFileSync } from 'node:fs';
import type { Context, Outcome } from '../context';
import { firstLine, usage } from '../errors';
import { act, viewOutcome } from '../nomination';

export async function score(ctx: Context, id: string, opts: { file: string }): Promise<Outcome> {
  const scores = readScoreSheet(opts.file);
  // The workflow's validator checks the sheet against the nomination's rules; the API answers its refusal.
  const view = await act(ctx, id, { path: 'scores', body: { scores } });
  // Blind assessment: an assessor's answer names no other assessor, so it says only that its own sheet is in.
  return viewOutcome(view, `Your scores are recorded for ${view.ikmName}.`);
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
