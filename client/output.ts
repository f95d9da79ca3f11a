/**
 * What the CLI prints: plain tables and lines for people, one JSON document with `--json`, CSV for spreadsheets, and a
 * progress bar on stderr. Results go to stdout; messages and progress to stderr, so `--json | jq` always works. Times
 * are formatted by ./time.ts.
 */
import { SingleBar } from 'cli-progress';
import { regionDisplayName } from '../domain/regions';
import { COMMODITIES, type Actor } from '../domain/types';

export type Cell = string | number | boolean | null | undefined;

/** A left-aligned text table; numbers are right-aligned. */
export function table(headers: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === null || r[i] === undefined),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

/** RFC 4180 CSV with a header row. */
export function csv(headers: string[], rows: Cell[][]): string {
  const quote = (c: Cell) => {
    const s = c === null || c === undefined ? '' : String(c);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [headers, ...rows].map((r) => r.map(quote).join(',')).join('\n');
}

export const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** An actor as the audit trail writes it: `role:id:regionCode`, e.g. `dinas_kabkota:disperin-32.05:32.05`. */
export const formatActor = (a: Actor): string => `${a.role}:${a.id}:${a.region}`;

/** Commodity groups as the ministry writes them: `makanan_minuman` → `makanan & minuman`. */
export function commodityLabel(code: string): string {
  if (code === 'makanan_minuman') return 'makanan & minuman';
  return (COMMODITIES as readonly string[]).includes(code) ? code.replaceAll('_', ' ') : code;
}

/** A region as reports write it (`32` → `Jawa Barat`, `32.05` → `Kab. Garut`); the code itself when unknown. */
export function regionName(code: string): string {
  try {
    return regionDisplayName(code);
  } catch {
    return code;
  }
}

export interface Progress {
  increment(label?: string): void;
  stop(): void;
}

/**
 * A progress bar on stderr: drawn in place on a terminal; on a pipe (logs, CI) only when not `--json`, as a line now
 * and then. With `--json` on a pipe there is none, so machine readers see nothing but the result.
 */
export function progress(total: number, what: string, opts: { json: boolean }): Progress {
  const tty = process.stderr.isTTY === true;
  if (total === 0 || (!tty && opts.json)) return { increment() {}, stop() {} };
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${what} [{bar}] {value}/{total} {label}`,
    barCompleteChar: '#',
    barIncompleteChar: '.',
    hideCursor: tty,
    clearOnComplete: false,
    noTTYOutput: !tty,
    notTTYSchedule: 1000,
    etaBuffer: 20,
  });
  bar.start(total, 0, { label: '' });
  return {
    increment(label = '') {
      bar.increment(1, { label });
    },
    stop() {
      bar.stop();
    },
  };
}
