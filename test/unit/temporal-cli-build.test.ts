/**
 * The first start's build of the Temporal CLI, run as a user would (`embedded/temporal-cli.ts` in child processes),
 * with a stand-in `go` that takes two seconds to "build": two starts at once build once; a lock left by a dead process
 * is taken over; a live holder is waited for; without Go, the advice names every place a start then looks, and a CLI
 * put in one of them is found.
 */
import { execFile } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMPORAL_CLI_VERSION } from '../../embedded/temporal-cli';
import { REPO_ROOT } from '../support/cli';

const SCRIPT = join(REPO_ROOT, 'embedded', 'temporal-cli.ts');

function which(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  throw new Error(`${name} is not on PATH`);
}

interface Sandbox {
  root: string;
  home: string;
  cacheDir: string;
  goLog: string;
  /** PATH for the child: only the stand-in go, when given (no real go or temporal can leak in). */
  bin: string;
  /** With `gated`, the stand-in build waits until this file exists. */
  release: string;
}

/**
 * A home, a cache and a bin folder; with `go`, a stand-in go that logs each install and writes a fake temporal. With
 * `gated`, its build lasts until the test creates `release`, so a test decides when a build ends, however loaded the
 * machine (a fixed duration let one start finish before the other began).
 */
function sandbox(opts: { go: boolean; gated?: boolean }): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'ovop-cli-build-'));
  const home = join(root, 'home');
  const bin = join(root, 'bin');
  mkdirSync(home);
  mkdirSync(bin);
  const goLog = join(root, 'go.log');
  const release = join(root, 'release');
  if (opts.go) {
    writeFileSync(
      join(bin, 'go'),
      [
        '#!/bin/sh',
        // `go env GOBIN GOPATH`: no GOBIN, the default GOPATH.
        `if [ "$1" = env ]; then printf '\\n%s\\n' "$HOME/go"; exit 0; fi`,
        `echo "install $$ into $GOBIN" >> "${goLog}"`,
        opts.gated ? `while [ ! -e "${release}" ]; do ${which('sleep')} 0.1; done` : `${which('sleep')} 2`,
        `printf '#!/bin/sh\\necho fake temporal\\n' > "$GOBIN/temporal"`,
        `${which('chmod')} +x "$GOBIN/temporal"`,
      ].join('\n'),
      { mode: 0o755 },
    );
  }
  return {
    root,
    home,
    bin,
    goLog,
    release,
    cacheDir: join(root, 'cache', 'ovop', 'temporal-cli', TEMPORAL_CLI_VERSION),
  };
}

function findCli(
  s: Sandbox,
  env: Record<string, string> = {},
  onStderr?: (text: string) => void,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', SCRIPT],
      {
        cwd: REPO_ROOT,
        env: { PATH: s.bin, HOME: s.home, XDG_CACHE_HOME: join(s.root, 'cache'), ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
    if (onStderr) child.stderr?.on('data', (chunk: Buffer) => onStderr(chunk.toString()));
  });
}

const installs = (s: Sandbox) => (existsSync(s.goLog) ? readFileSync(s.goLog, 'utf8').trim().split('\n') : []);

describe('building the Temporal CLI on a first start', { timeout: 60_000 }, () => {
  it('builds once when two first starts run at once; the second waits and uses the result', async () => {
    const s = sandbox({ go: true, gated: true });
    // The build ends once one of the two starts says it is waiting for the other.
    const releaseOnWait = (text: string) => {
      if (text.includes('Another process')) writeFileSync(s.release, '');
    };
    const [a, b] = await Promise.all([findCli(s, {}, releaseOnWait), findCli(s, {}, releaseOnWait)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const built = join(s.cacheDir, 'temporal');
    expect(a.stdout.trim()).toBe(built);
    expect(b.stdout.trim()).toBe(built);
    expect(installs(s)).toHaveLength(1);
    const waited = [a, b].filter((r) =>
      /Another process \(pid \d+ on .+\) is building the Temporal CLI/.test(r.stderr),
    );
    expect(waited).toHaveLength(1);
    // The lock is released and the build folder cleaned up: only the binary is left.
    expect(readdirSync(s.cacheDir)).toEqual(['temporal']);
    // A third start finds it at once.
    const c = await findCli(s);
    expect(c.stdout.trim()).toBe(built);
    expect(c.stderr).toBe('');
    expect(installs(s)).toHaveLength(1);
  });

  it('takes over a lock left by a process that is gone', async () => {
    const s = sandbox({ go: true });
    mkdirSync(s.cacheDir, { recursive: true });
    const dead = await new Promise<number>((resolve) => {
      const child = execFile(process.execPath, ['-e', '0'], () => resolve(child.pid!));
    });
    writeFileSync(
      join(s.cacheDir, 'build.lock'),
      JSON.stringify({ pid: dead, host: hostname(), since: new Date().toISOString() }),
    );
    const r = await findCli(s);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(join(s.cacheDir, 'temporal'));
    expect(r.stderr).not.toContain('Another process');
    expect(installs(s)).toHaveLength(1);
  });

  it('waits for a live holder, and uses what it built without building again', async () => {
    const s = sandbox({ go: true });
    mkdirSync(s.cacheDir, { recursive: true });
    const lock = join(s.cacheDir, 'build.lock');
    // This test process plays the holder: alive, on this host.
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
    const pending = findCli(s);
    await new Promise((r) => setTimeout(r, 2500));
    const built = join(s.cacheDir, 'temporal');
    writeFileSync(built, '#!/bin/sh\necho built by the holder\n', { mode: 0o755 });
    unlinkSync(lock);
    const r = await pending;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(built);
    expect(r.stderr).toContain(`Another process (pid ${process.pid} on ${hostname()}) is building the Temporal CLI`);
    expect(installs(s)).toEqual([]);
  });

  it('without Go, advises a setup that works, and finds the CLI where go install puts it', async () => {
    const s = sandbox({ go: false });
    const missing = await findCli(s);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('The Temporal CLI (temporal) was not found and Go is not installed to build it');
    expect(missing.stderr).toContain(`it builds the CLI once into ${s.cacheDir}`);
    expect(missing.stderr).toContain('npm start also looks in $GOBIN,\n    $GOPATH/bin and ~/go/bin');
    expect(missing.stderr).toContain('or set TEMPORAL_CLI to the path of a temporal binary');

    // What `go install` did on another machine (or before Go was removed): ~/go/bin, not on PATH.
    const goBin = join(s.home, 'go', 'bin');
    mkdirSync(goBin, { recursive: true });
    writeFileSync(join(goBin, 'temporal'), '#!/bin/sh\n', { mode: 0o755 });
    const found = await findCli(s);
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout.trim()).toBe(join(goBin, 'temporal'));

    // A GOPATH of one's own wins over the default, as for go install.
    const gopath = join(s.root, 'gopath');
    mkdirSync(join(gopath, 'bin'), { recursive: true });
    writeFileSync(join(gopath, 'bin', 'temporal'), '#!/bin/sh\n', { mode: 0o755 });
    expect((await findCli(s, { GOPATH: gopath })).stdout.trim()).toBe(join(gopath, 'bin', 'temporal'));

    // TEMPORAL_CLI as advised.
    expect((await findCli(s, { TEMPORAL_CLI: join(goBin, 'temporal') })).stdout.trim()).toBe(join(goBin, 'temporal'));
  });
});
