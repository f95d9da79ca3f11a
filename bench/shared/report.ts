/** The bench's result: one JSON document under bench/results/, and a short table on the console. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

export function writeResult(label: number | string, result: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${new Date().toISOString().slice(0, 10)}-${label}.json`);
  writeFileSync(path, JSON.stringify(result, null, 2) + '\n');
  return path;
}

export const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

export function printTable(
  rows: [string, unknown, unknown?][],
  header: [string, string, string] = ['metric', 'ours', 'baseline'],
): void {
  const w0 = Math.max(header[0].length, ...rows.map((r) => r[0].length));
  const w1 = Math.max(header[1].length, ...rows.map((r) => String(r[1] ?? '—').length));
  const line = (a: string, b: string, c: string) => `  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`;
  console.log(line(...header));
  console.log(line('-'.repeat(w0), '-'.repeat(w1), '--------'));
  for (const [k, a, b] of rows) console.log(line(k, String(a ?? '—'), b === undefined ? '' : String(b ?? '—')));
}
