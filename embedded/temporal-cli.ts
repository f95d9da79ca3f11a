/**
 * Finds the `temporal` CLI that serves the local dev server, building it once with Go when it is missing.
 *
 * Order: `$TEMPORAL_CLI`, then `temporal` on PATH, then a per-user cache outside the repository (so a fresh clone,
 * as CI makes, reuses an earlier build). Nothing is downloaded at run time other than Go modules from the module proxy.
 * Run directly (`npx tsx embedded/temporal-cli.ts`) it prints the path, building first if needed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** v1.5.1 is the newest tag that `go install` accepts: later go.mod files carry a `replace` directive. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const MODULE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

export class MissingPrerequisiteError extends Error {
  override name = 'MissingPrerequisiteError';
}

export function temporalCliCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'ovop', 'temporal-cli', TEMPORAL_CLI_VERSION);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Returns the CLI's path without building anything, or undefined. */
export function findTemporalCli(): string | undefined {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!isExecutable(fromEnv))
      throw new MissingPrerequisiteError(`TEMPORAL_CLI is set to ${fromEnv}, which is not an executable file.`);
    return fromEnv;
  }
  const cached = join(temporalCliCacheDir(), 'temporal');
  return onPath('temporal') ?? (isExecutable(cached) ? cached : undefined);
}

/** Returns the CLI's path, building it into the per-user cache with `go install` when it is nowhere to be found. */
export function ensureTemporalCli(log: (line: string) => void = (l) => process.stderr.write(l + '\n')): string {
  const found = findTemporalCli();
  if (found) return found;
  const go = onPath('go');
  if (!go) {
    throw new MissingPrerequisiteError(
      `The Temporal CLI was not found and Go is not installed to build it: install Go ≥ 1.25 and run ` +
        `"go install ${MODULE}", or set TEMPORAL_CLI to the path of a temporal binary.`,
    );
  }
  const dir = temporalCliCacheDir();
  mkdirSync(dir, { recursive: true });
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${dir} (first run only, a few minutes)…`);
  const result = spawnSync(go, ['install', MODULE], {
    env: { ...process.env, GOBIN: dir, CGO_ENABLED: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const built = join(dir, 'temporal');
  if (result.status !== 0 || !isExecutable(built)) {
    throw new MissingPrerequisiteError(
      `Building the Temporal CLI with "go install ${MODULE}" failed (exit ${result.status}); see the Go output above.`,
    );
  }
  return built;
}

export function temporalCliVersion(path: string): string {
  return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const path = ensureTemporalCli();
    process.stdout.write(path + '\n');
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}
