/**
 * An API refusal in the reader's language: the catalogue of the dictionary is keyed by the API's stable error codes
 * (api/errors.ts), so a page never parses the API's English sentence to translate it. A code the catalogue does not
 * hold (a workflow validator's `refused`, whose sentence names the very rule) is shown as the API wrote it.
 */
import type { ApiAnswer } from './context';
import type { Dictionary } from './lang/id';

export interface RefusalVars {
  /** The cycle's size limit per document, for `too_large`. */
  limitMb?: string;
}

export function refusalText(t: Dictionary, answer: ApiAnswer, vars: RefusalVars = {}): string {
  const body = answer.body as { code?: string; message?: string } | null;
  const translated = body?.code ? t.refusals[body.code]?.(vars) : undefined;
  return translated ?? body?.message ?? `HTTP ${answer.status}`;
}
