/**
 * A replay's failure as Core reports it: a debug rendering of the workflow task's failure. With the engine's failure
 * converter (common/failure-converter.cjs) the failure's message travels in its encoded attributes, so the rendering
 * says only "Encoded failure" and prints those attributes in base64 — the whole JSON when it is short, else its first
 * and last bytes joined by "..". This reads the message back from them, as far as Core printed it.
 */

const ENCODED_ATTRIBUTES = /encoded_attributes: Some\(\[([A-Za-z0-9+/=.]+)\]\)/;
/** The start of `{"message":"…"`, up to the closing quote when it was printed. */
const MESSAGE_START = /^\{"message":"((?:[^"\\]|\\.)*)(")?/;

/** The failure's message from Core's rendering; ends in "…" where Core left part of it out; undefined if none. */
export function encodedFailureMessage(rendering: string): string | undefined {
  const encoded = ENCODED_ATTRIBUTES.exec(rendering)?.[1];
  if (!encoded) return undefined;
  const [start, end] = encoded.split('..').map((part) => Buffer.from(part, 'base64').toString('utf8'));
  const whole = end === undefined ? start : joinOverlapping(start, end);
  if (whole) {
    try {
      const message = (JSON.parse(whole) as { message?: unknown }).message;
      if (typeof message === 'string') return message;
    } catch {
      // Not the whole JSON after all: read what its start holds.
    }
  }
  const m = MESSAGE_START.exec(start);
  if (!m) return undefined;
  const text = unescapeJson(m[1]);
  return m[2] ? text : `${text}…`;
}

/** The two printed ends as one string when they overlap (a payload shorter than both together), else undefined. */
function joinOverlapping(start: string, end: string): string | undefined {
  for (let k = Math.min(start.length, end.length); k >= 1; k--)
    if (start.endsWith(end.slice(0, k))) return start + end.slice(k);
  return undefined;
}

function unescapeJson(s: string): string {
  try {
    return JSON.parse(`"${s.replace(/\\$/, '')}"`) as string;
  } catch {
    return s;
  }
}
