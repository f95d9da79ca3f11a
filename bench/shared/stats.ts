/** Latency samples per operation name, and the percentiles the report prints. */
export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarize(values: readonly number[]): Percentiles {
  const s = [...values].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    count: s.length,
    p50: round(percentile(s, 50)),
    p95: round(percentile(s, 95)),
    p99: round(percentile(s, 99)),
    max: round(s[s.length - 1] ?? NaN),
    mean: round(s.reduce((a, b) => a + b, 0) / (s.length || 1)),
  };
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Collects round-trip times (ms) per operation name. */
export class Recorder {
  readonly samples = new Map<string, number[]>();

  async time<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.add(name, performance.now() - t0);
    }
  }

  add(name: string, ms: number): void {
    let list = this.samples.get(name);
    if (!list) this.samples.set(name, (list = []));
    list.push(ms);
  }

  /** All samples whose name passes `filter`, pooled. */
  pooled(filter: (name: string) => boolean = () => true): number[] {
    return [...this.samples.entries()].filter(([n]) => filter(n)).flatMap(([, v]) => v);
  }

  byName(): Record<string, Percentiles> {
    return Object.fromEntries(
      [...this.samples.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([n, v]) => [n, summarize(v)]),
    );
  }
}
