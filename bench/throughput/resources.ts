/**
 * Resource sampling during a phase: this process's RSS and CPU (worker, client, PGlite and the SMTP sink all live here)
 * and the CPU of child processes (the Temporal dev server), read from /proc, plus the worker's cached-workflow count.
 */
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100;

/** CPU seconds (user + system) of every descendant of this process, from /proc; null off Linux. */
export function descendantsCpuSeconds(): number | null {
  return treeCpuSeconds(process.pid, false);
}

/** CPU seconds of `root`'s descendants, and of `root` itself when `withRoot`; null off Linux. */
export function treeCpuSeconds(root: number, withRoot = true): number | null {
  try {
    const parent = new Map<number, number>();
    const cpu = new Map<number, number>();
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        parent.set(Number(d), Number(rest[1]));
        cpu.set(Number(d), (Number(rest[11]) + Number(rest[12])) / CLK_TCK);
      } catch {
        // the process ended meanwhile
      }
    }
    const inTree = (pid: number): boolean => {
      if (withRoot && pid === root) return true;
      for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === root) return true;
      return false;
    };
    let total = 0;
    for (const [pid, s] of cpu) if (inTree(pid)) total += s;
    return total;
  } catch {
    return null;
  }
}

export const selfCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export interface RssPeak {
  rssMax: number;
  cachedMax: number;
  /** RSS when the cached-workflow count peaked. */
  rssAtCachedMax: number;
}

/** Samples RSS and the cached-workflow count every `everyMs` until stopped. */
export function sampleRss(cached: () => number, everyMs = 250): { stop(): RssPeak } {
  const peak: RssPeak = { rssMax: 0, cachedMax: 0, rssAtCachedMax: 0 };
  const tick = () => {
    const rss = process.memoryUsage().rss;
    const c = cached();
    peak.rssMax = Math.max(peak.rssMax, rss);
    if (c >= peak.cachedMax) {
      peak.cachedMax = c;
      peak.rssAtCachedMax = rss;
    }
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return peak;
    },
  };
}
