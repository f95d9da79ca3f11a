/**
 * An API refusal in the reader's language: the catalogue of the dictionary is keyed by the API's stable error codes
 * (api/errors.ts), and a workflow's `refused` by the rule it names (workflows/validation.ts), so a page never parses
 * the API's English sentence to translate it. The rule's values are put in the reader's words first: stages, fields and
 * regions by name, instants (a name ending in `At`) in the cycle's time zone with its name (WIB, WITA, WIT). A code or
 * rule the catalogue does not hold is shown as the API wrote it.
 */
import { regionDisplayName } from '../../domain/regions';
import type { ApiAnswer } from './context';
import { formatWhen } from './format';
import type { Dictionary } from './lang/id';

export interface RefusalVars {
  /** The cycle's size limit per document, for `too_large`. */
  limitMb?: string;
  /** The nomination's cycle's time zone, for the instants a rule names. */
  timeZone?: string;
}

interface RefusalBody {
  code?: string;
  message?: string;
  rule?: string;
  params?: Record<string, string | number>;
}

export function refusalText(t: Dictionary, answer: ApiAnswer, vars: RefusalVars = {}): string {
  const body = answer.body as RefusalBody | null;
  const rule = body?.code === 'refused' && body.rule ? t.rules[body.rule] : undefined;
  const translated = rule
    ? rule(wordsOf(t, body!.params ?? {}, vars.timeZone ?? 'Asia/Jakarta'))
    : body?.code
      ? t.refusals[body.code]?.(vars)
      : undefined;
  return translated ?? body?.message ?? `HTTP ${answer.status}`;
}

const regionName = (code: string) => {
  try {
    return regionDisplayName(code);
  } catch {
    return code;
  }
};

function wordsOf(t: Dictionary, params: Record<string, string | number>, timeZone: string): Record<string, string> {
  const stage = (s: string) => (t.stages as Record<string, string>)[s] ?? s;
  const words: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    const text = String(value);
    if (name.endsWith('At')) words[name] = formatWhen(t, text, timeZone);
    else if (name === 'stage') words[name] = stage(text);
    else if (name === 'needs') words[name] = text.split(',').map(stage).join(' / ');
    else if (name === 'deadline') words[name] = (t.actions as Record<string, string>)[text] ?? text;
    else if (name === 'role') words[name] = (t.roles as Record<string, string>)[text] ?? text;
    else if (name === 'what') words[name] = t.fieldNames[text] ?? text;
    else if (name === 'region' || name === 'regency' || name === 'province') words[name] = regionName(text);
    else words[name] = text;
  }
  return words;
}
