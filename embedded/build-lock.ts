/**
 * A lock file for a one-time build that several processes may start at once (two `npm start`s, a test run beside
 * `npm start`): the first creates the file with O_EXCL and builds; the others wait until it is gone, then find the
 * result. The file names its holder (pid, host, time), so a lock left by a process that died is taken over: at once
 * when that pid no longer runs on this host, after `staleAfterMs` when the holder is on another host (a shared home).
 *
 * The lock only saves a second build: the build itself writes into a folder of its own and renames the result into
 * place, so even two builds that ran at once (after a stale lock was taken over twice) leave a whole binary.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

export interface LockOptions {
  /** Called once when another process holds the lock, with that holder. */
  onWait?: (holder: LockHolder | undefined) => void;
  /** How often to look again, 500 ms by default. */
  pollMs?: number;
  /** A holder on another host counts as gone after this long; 30 minutes by default (a Go build takes a few). */
  staleAfterMs?: number;
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    return typeof holder.pid === 'number' && typeof holder.host === 'string' && typeof holder.since === 'string'
      ? (holder as LockHolder)
      : undefined;
  } catch {
    return undefined;
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the lock at `path` was left by a holder that is gone. */
function isStale(path: string, staleAfterMs: number): boolean {
  const holder = readHolder(path);
  if (!holder) {
    // Unreadable: a holder between creating the file and writing it, or a crash right there. Give it a moment.
    try {
      return Date.now() - statSync(path).mtimeMs > 10_000;
    } catch {
      return false;
    }
  }
  if (holder.host === hostname()) return !running(holder.pid);
  return Date.now() - Date.parse(holder.since) > staleAfterMs;
}

/** Creates the lock file if nobody holds it; true when this process now holds it. */
function tryAcquire(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    const holder: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    writeSync(fd, JSON.stringify(holder));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Runs `fn` holding the lock at `path`; waits while another live process holds it. */
export async function withLock<T>(path: string, fn: () => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
  const staleAfterMs = opts.staleAfterMs ?? 30 * 60_000;
  let told = false;
  for (let looks = 0; !tryAcquire(path); looks++) {
    if (isStale(path, staleAfterMs)) {
      try {
        unlinkSync(path);
      } catch {
        // Another waiter removed it first; the next attempt decides.
      }
      continue;
    }
    const holder = readHolder(path);
    // A holder between creating the file and writing its name is named at the next look, not as "another process".
    if (!told && (holder || looks > 0)) {
      told = true;
      opts.onWait?.(holder);
    }
    await new Promise((resolve) => setTimeout(resolve, opts.pollMs ?? 500));
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(path);
    } catch {
      // Already gone (removed by hand); nothing to release.
    }
  }
}
