/**
 * Times as the CLI (and later the API) shows them: in the cycle's time zone with the name Indonesians use for it —
 * `2026-12-01 17:03 WIB` (Asia/Jakarta), WITA (Asia/Makassar), WIT (Asia/Jayapura) — and in JSON as ISO 8601 with that
 * zone's offset, `2026-12-01T17:03:00+07:00`. Temporal, the workflows and PostgreSQL keep UTC instants; only what is
 * printed changes. A zone that is not known (an answer from an older worker) is shown as UTC, never guessed.
 */
import { formatDuration } from '../domain/duration';

export const UTC = 'UTC';

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
const nameFormats = new Map<string, Intl.DateTimeFormat>();

function cached(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, make: () => Intl.DateTimeFormat) {
  let format = cache.get(timeZone);
  if (!format) {
    format = make();
    cache.set(timeZone, format);
  }
  return format;
}

/** `GMT+07:00`: the offset, read the same way in every locale. */
const offsetFormat = (timeZone: string) =>
  cached(offsetFormats, timeZone, () => new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }));

/** `WIB`, `WITA`, `WIT`: the Indonesian names, which only the id-ID locale gives. */
const nameFormat = (timeZone: string) =>
  cached(nameFormats, timeZone, () => new Intl.DateTimeFormat('id-ID', { timeZone, timeZoneName: 'short' }));

/** A zone the engine can print in, or UTC: `undefined`, empty or unknown names fall back. */
export function knownZone(timeZone: string | null | undefined): string {
  if (!timeZone) return UTC;
  try {
    offsetFormat(timeZone);
    return timeZone;
  } catch {
    return UTC;
  }
}

/** Minutes east of UTC in `timeZone` at `instant` (Indonesia has no daylight saving; other zones may). */
export function offsetMinutes(instant: number, timeZone: string): number {
  const name = offsetFormat(timeZone)
    .formatToParts(instant)
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** The zone's short name as Indonesian readers know it: WIB, WITA, WIT; `UTC`, or `GMT+1` for zones without one. */
export function zoneName(instant: number, timeZone: string): string {
  return (
    nameFormat(timeZone)
      .formatToParts(instant)
      .find((p) => p.type === 'timeZoneName')?.value ?? timeZone
  );
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The wall-clock fields of `instant` in `timeZone`, and its offset. */
function wallClock(instant: number, timeZone: string) {
  const offset = offsetMinutes(instant, timeZone);
  const d = new Date(instant + offset * 60_000);
  const sign = offset < 0 ? '-' : '+';
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    minutes: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`,
    seconds: pad(d.getUTCSeconds()),
    millis: d.getUTCMilliseconds(),
    offset: `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`,
  };
}

function instantOf(value: string | number | Date): number | undefined {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * `2026-12-01T10:03:05Z` → `2026-12-01 17:03 WIB` (with `seconds`: `17:03:05 WIB`). Empty for no time; a text that
 * is not a time is returned as it is.
 */
export function formatTime(
  value: string | number | Date | null | undefined,
  timeZone: string | null | undefined,
  opts: { seconds?: boolean } = {},
): string {
  if (value === null || value === undefined || value === '') return '';
  const instant = instantOf(value);
  if (instant === undefined) return String(value);
  const zone = knownZone(timeZone);
  const w = wallClock(instant, zone);
  return `${w.date} ${w.minutes}${opts.seconds ? `:${w.seconds}` : ''} ${zoneName(instant, zone)}`;
}

/** `2026-12-01T10:03:05.120Z` → `2026-12-01T17:03:05.120+07:00`: the same instant, ISO 8601 with the zone's offset. */
export function isoInZone(value: string | number | Date, timeZone: string | null | undefined): string {
  const instant = instantOf(value);
  if (instant === undefined) return String(value);
  const w = wallClock(instant, knownZone(timeZone));
  return `${w.date}T${w.minutes}:${w.seconds}${w.millis ? `.${pad(w.millis, 3)}` : ''}${w.offset}`;
}

/** An ISO 8601 instant as the engine writes them: a date, a time, and `Z` or an offset. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export const isIsoInstant = (value: unknown): value is string => typeof value === 'string' && ISO_INSTANT.test(value);

/**
 * A JSON document with every instant in it written in the zone (`--json` output): the one place where JSON times are
 * converted, so no command can forget a field. Dates without a time (`2027-02-16`) and other strings stay as they are.
 */
export function timesInZone<T>(value: T, timeZone: string | null | undefined): T {
  const zone = knownZone(timeZone);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return isIsoInstant(v) ? isoInZone(v, zone) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && !(v instanceof Date))
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x)]));
    if (v instanceof Date) return isoInZone(v, zone);
    return v;
  };
  return walk(value) as T;
}

/** How long ago, in whole seconds and up: `12s`, `3m 5s`, `2h 10m`, `1d 4h`. */
export function age(value: string | number | Date, now = Date.now()): string {
  const instant = instantOf(value);
  if (instant === undefined) return '';
  const seconds = Math.max(0, Math.round((now - instant) / 1000));
  // Two units say enough: `2h 10m`, not `2h 10m 42s`.
  return formatDuration(seconds * 1000)
    .split(' ')
    .slice(0, 2)
    .join(' ');
}
