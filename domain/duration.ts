/**
 * Durations as written in cycle config: `500ms`, `20s`, `30m`, `12h`, `14d`, `2w`, decimals such as `1.5h`, and
 * compound forms such as `2h 30m` (what `formatDuration` prints, so the two round-trip).
 *
 * Workflow-safe: no Node built-ins, no I/O. Workflows turn these strings into timer lengths, so the same config can
 * stretch a stage over weeks in production and over seconds in tests and the demo.
 */

const MS_PER_UNIT = {
  w: 7 * 24 * 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
  h: 60 * 60 * 1000,
  m: 60 * 1000,
  s: 1000,
  ms: 1,
} as const;
type Unit = keyof typeof MS_PER_UNIT;

/** One `<number><unit>` part; `ms` is listed before `m` so that `500ms` is not read as 500 minutes and a stray `s`. */
const PART = /(\d+(?:\.\d+)?)(ms|w|d|h|m|s)/y;
const EXPECTED = 'expected a number followed by a unit (ms, s, m, h, d, w), e.g. "14d", "12h", "1.5h" or "2h 30m"';

/** Milliseconds in a duration text; throws an Error that quotes the text and says what is expected. */
export function parseDuration(text: string): number {
  if (typeof text !== 'string') throw new Error(`Invalid duration ${String(text)}: ${EXPECTED}`);
  const trimmed = text.trim();
  if (trimmed === '') throw new Error(`Invalid duration "${text}": empty; ${EXPECTED}`);
  if (trimmed.startsWith('-')) throw new Error(`Invalid duration "${text}": a duration cannot be negative`);

  let total = 0;
  let index = 0;
  while (index < trimmed.length) {
    PART.lastIndex = index;
    const match = PART.exec(trimmed);
    if (!match) {
      const hint = /^\d+(?:\.\d+)?$/.test(trimmed.slice(index)) ? 'the unit is missing; ' : '';
      throw new Error(`Invalid duration "${text}": ${hint}${EXPECTED}`);
    }
    total += Number(match[1]) * MS_PER_UNIT[match[2] as Unit];
    index = PART.lastIndex;
    // Parts may be separated by spaces ("2h 30m") or written together ("2h30m").
    while (trimmed[index] === ' ') index++;
  }
  // Timers take whole milliseconds; refuse `0.5ms` rather than silently rounding it away. The tolerance absorbs
  // binary floating-point noise such as 0.1h = 360000.00000000006 ms.
  const rounded = Math.round(total);
  if (Math.abs(total - rounded) > 1e-6)
    throw new Error(`Invalid duration "${text}": not a whole number of milliseconds`);
  return rounded;
}

/** Whether `parseDuration` accepts the text. */
export function isDuration(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

/** Compact human form: `14d`, `2h 30m`, `45s`, `1d 500ms`; weeks are shown as days because people plan in days. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new Error(`Cannot format duration ${ms}: not a finite number of milliseconds`);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  const parts: string[] = [];
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const count = Math.floor(rest / MS_PER_UNIT[unit]);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * MS_PER_UNIT[unit];
  }
  return parts.join(' ');
}
