/**
 * Checks for text that people type: what Postgres cannot store (U+0000), what hides or reorders what a reader sees
 * (other control characters, bidi overrides), and text with nothing visible in it. Workflow-safe: validators use it.
 */

// C0/C1 controls except tab and newline, and the bidi embedding/override/isolate characters.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** A value as it may be quoted back to the sender: its type when it is not a string, and never more than 60 characters. */
export function shown(value: unknown): string {
  if (value === undefined || value === null) return '(missing)';
  if (typeof value !== 'string') return `(a ${Array.isArray(value) ? 'list' : typeof value})`;
  // eslint-disable-next-line no-control-regex -- control characters are what it masks
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
  return clean.length > 60 ? `"${clean.slice(0, 57)}…"` : `"${clean}"`;
}

/** A value as a refusal's param: what shown() quotes back, without its quotes (a reader's language places the value in
 * a sentence of its own), and a finite number as itself. */
export function shownParam(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  const text = shown(value);
  return typeof value === 'string' ? text.slice(1, -1) : text;
}

/** A problem with a value: the sentence, and a stable rule with the values it names (a workflow's refusal carries them
 * so that the portal can say it in the reader's language: workflows/validation.ts). */
export interface ValueProblem {
  message: string;
  rule: string;
  params: Record<string, string | number>;
}

/** Null when `value` is acceptable text of at most `max` characters; otherwise what is wrong, naming it `what`. */
export function textProblemOf(
  value: unknown,
  what: string,
  opts: { max: number; required?: boolean },
): ValueProblem | null {
  const problem = (message: string, rule: string, params: Record<string, string | number> = {}) => ({
    message,
    rule,
    params: { what, ...params },
  });
  if (value === undefined || value === null || value === '')
    return opts.required === false ? null : problem(`${what} is required`, 'text_required');
  if (typeof value !== 'string') return problem(`${what} must be text, got ${shown(value)}`, 'text_not_text');
  if (value.length > opts.max)
    return problem(`${what} must be at most ${opts.max} characters, got ${value.length}`, 'text_too_long', {
      max: opts.max,
      length: value.length,
    });
  if (FORBIDDEN.test(value)) return problem(`${what} contains control or text-direction characters`, 'text_control');
  if (!VISIBLE.test(value))
    return opts.required === false && value.trim() === ''
      ? null
      : problem(`${what} has no visible character`, 'text_invisible');
  return null;
}

/** Null when `value` is acceptable text of at most `max` characters; otherwise what is wrong, naming it `what`. */
export function textProblem(value: unknown, what: string, opts: { max: number; required?: boolean }): string | null {
  return textProblemOf(value, what, opts)?.message ?? null;
}

/** Strict ISO 8601 date-time with an explicit offset whose calendar date exists (no 30 February rolling over). */
export function isoInstantProblemOf(value: unknown, what: string): ValueProblem | null {
  const m =
    typeof value === 'string'
      ? /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.exec(value)
      : null;
  if (!m)
    return {
      message: `${what} must be an ISO 8601 date-time with an offset, such as 2027-05-31T23:59:00+07:00`,
      rule: 'instant_format',
      params: { what },
    };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (
    day.getUTCFullYear() !== y ||
    day.getUTCMonth() !== mo - 1 ||
    day.getUTCDate() !== d ||
    Number(m[4]) > 23 ||
    Number(m[5]) > 59
  ) {
    return {
      message: `${what} ${shown(value)} is not a real date and time`,
      rule: 'instant_not_real',
      params: { what, value: shownParam(value) },
    };
  }
  return null;
}

export function isoInstantProblem(value: unknown, what: string): string | null {
  return isoInstantProblemOf(value, what)?.message ?? null;
}

/** A calendar day written YYYY-MM-DD that exists. */
export function isoDateProblemOf(value: unknown, what: string): ValueProblem | null {
  const m = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (!m)
    return {
      message: `${what} must be a date written YYYY-MM-DD, got ${shown(value)}`,
      rule: 'date_format',
      params: { what },
    };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d)
    return {
      message: `${what} ${shown(value)} is not a real date`,
      rule: 'date_not_real',
      params: { what, value: shownParam(value) },
    };
  return null;
}

export function isoDateProblem(value: unknown, what: string): string | null {
  return isoDateProblemOf(value, what)?.message ?? null;
}
