/** Reading Prometheus text format in the benches: sums per metric name, and quantiles of a histogram. */

export interface Series {
  name: string;
  labels: string;
  value: number;
}

/** Sums of each metric name over its label sets, and every series. */
export function parsePrometheus(text: string): { sums: Map<string, number>; series: Series[] } {
  const sums = new Map<string, number>();
  const series: Series[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const value = Number(m[3]);
    series.push({ name: m[1], labels: m[2] ?? '', value });
    sums.set(m[1], (sums.get(m[1]) ?? 0) + value);
  }
  return { sums, series };
}

/**
 * The q-quantile of histogram `name` over all its label sets (its `_bucket` series added up by `le`), interpolated
 * linearly inside the bucket as Prometheus's histogram_quantile does; null when it has no observations.
 */
export function histogramQuantile(series: Series[], name: string, q: number): number | null {
  const byBound = new Map<number, number>();
  for (const s of series) {
    if (s.name !== `${name}_bucket`) continue;
    const le = /le="([^"]+)"/.exec(s.labels)?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    byBound.set(bound, (byBound.get(bound) ?? 0) + s.value);
  }
  const buckets = [...byBound].sort(([a], [b]) => a - b);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [bound, count] of buckets) {
    if (count >= rank) {
      // Beyond the last finite bound nothing is known but that bound.
      if (bound === Infinity) return lower;
      return lower + (bound - lower) * ((rank - below) / Math.max(count - below, 1e-9));
    }
    lower = bound;
    below = count;
  }
  return lower;
}
