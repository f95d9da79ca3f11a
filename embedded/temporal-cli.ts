/**
 * Finds the `temporal` CLI that serves the local dev server, building it once with Go when it is missing.
 *
 * Order: `$TEMPORAL_CLI`, then `temporal` on PATH, then a per-user cache outside the repository (so a fresh clone,
 * as CI makes, reuses an earlier build), then where `go install` puts binaries ($GOBIN, $GOPATH/bin, ~/go/bin), so a
 * CLI built by hand is found without changing PATH. Nothing is downloaded at run time other than Go modules from the
 * module proxy. Two first starts at once build it once: the second waits on a lock in the cache folder.
 * Run directly (`npx tsx embedded/temporal-cli.ts`) it prints the path, building first if needed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { withLock } from './build-lock';

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

/** Where `go install` puts binaries: $GOBIN, else the first $GOPATH entry's bin, else ~/go/bin; and what `go env` says. */
function goBinDirs(): string[] {
  const dirs: string[] = [];
  const add = (gobin: string | undefined, gopath: string | undefined) => {
    if (gobin) dirs.push(gobin);
    for (const p of (gopath ?? '').split(delimiter)) if (p) dirs.push(join(p, 'bin'));
  };
  add(process.env.GOBIN, process.env.GOPATH);
  dirs.push(join(homedir(), 'go', 'bin'));
  const go = onPath('go');
  if (go) {
    try {
      // `go env -w` settings live in Go's own config file, not in the environment.
      const [gobin, gopath] = execFileSync(go, ['env', 'GOBIN', 'GOPATH'], { encoding: 'utf8', timeout: 10_000 })
        .split('\n')
        .map((l) => l.trim());
      add(gobin, gopath);
    } catch {
      // A broken Go install: the build below reports it.
    }
  }
  return [...new Set(dirs)];
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
  return (
    onPath('temporal') ??
    (isExecutable(cached) ? cached : undefined) ??
    goBinDirs()
      .map((dir) => join(dir, 'temporal'))
      .find(isExecutable)
  );
}

/** The advice when the CLI is missing and cannot be built here: each way leads to a start that finds it. */
function missingCliAdvice(): string {
  return [
    'The Temporal CLI (temporal) was not found and Go is not installed to build it. Either:',
    `  - install Go ≥ 1.25 and run npm start again: it builds the CLI once into ${temporalCliCacheDir()};`,
    `  - or build it where Go is installed with "go install ${MODULE}": npm start also looks in $GOBIN,`,
    '    $GOPATH/bin and ~/go/bin, where go install puts it;',
    '  - or set TEMPORAL_CLI to the path of a temporal binary (e.g. TEMPORAL_CLI=/opt/temporal/temporal npm start).',
  ].join('\n');
}

/**
 * Returns the CLI's path, building it into the per-user cache with `go install` when it is nowhere to be found. A
 * concurrent first start waits for the build under way and uses its result.
 */
export async function ensureTemporalCli(
  log: (line: string) => void = (l) => process.stderr.write(l + '\n'),
): Promise<string> {
  const found = findTemporalCli();
  if (found) return found;
  const go = onPath('go');
  if (!go) throw new MissingPrerequisiteError(missingCliAdvice());
  const dir = temporalCliCacheDir();
  mkdirSync(dir, { recursive: true });
  const built = join(dir, 'temporal');
  return withLock(
    join(dir, 'build.lock'),
    async () => {
      // Built by the holder this process waited for.
      if (isExecutable(built)) return built;
      log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${dir} (first run only, a few minutes)…`);
      // Into a folder of its own, then renamed into place: `built` is either absent or whole, never half-written.
      const staging = mkdtempSync(join(dir, 'build-'));
      try {
        const status = await goInstall(go, staging);
        if (status !== 0 || !isExecutable(join(staging, 'temporal'))) {
          throw new MissingPrerequisiteError(
            `Building the Temporal CLI with "go install ${MODULE}" failed (exit ${status}); see the Go output above.`,
          );
        }
        renameSync(join(staging, 'temporal'), built);
      } finally {
        rmSync(staging, { recursive: true, force: true });
      }
      return built;
    },
    {
      onWait: (holder) =>
        log(
          `Another process${holder ? ` (pid ${holder.pid} on ${holder.host})` : ''} is building the Temporal CLI into ${dir}; waiting for it…`,
        ),
    },
  );
}

function goInstall(go: string, gobin: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(go, ['install', MODULE], {
      env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

export function temporalCliVersion(path: string): string {
  return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  ensureTemporalCli().then(
    (path) => process.stdout.write(path + '\n'),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
