/**
 * The benches' one command-line parser: commander, with the value parsers the suites share. Each suite declares its
 * options on a `new Command(name)` and reads them with `parseOptions`, so `--help` and bad values behave alike.
 */
import type { Command, OptionValues } from 'commander';

/** A number of at least 0 (counts, shares, factors). */
export function nonNegative(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`not a non-negative number: ${text}`);
  return n;
}

/** "60", "60s", "90000ms", "2m" → milliseconds (a bare number is seconds). */
export function parseSeconds(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text} (e.g. 60, 60s, 2m, 500ms)`);
  const v = Number(m[1]);
  return Math.round(m[2] === 'ms' ? v : m[2] === 'm' ? v * 60_000 : v * 1000);
}

/** The options of `command` from the arguments after the script's name (`npm run x -- …`). */
export function parseOptions<T extends OptionValues>(command: Command, argv: string[] = process.argv.slice(2)): T {
  return command.parse(argv, { from: 'user' }).opts<T>();
}
