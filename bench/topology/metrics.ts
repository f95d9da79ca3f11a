/**
 * A few figures from the topology's Prometheus endpoints at the end of the run: the API's requests by status and
 * their mean latency, each worker's workflow tasks and activities (the SDK's metrics; the killed worker's count from
 * its restart), and how many series the Temporal server exports.
 */
import { parsePrometheus } from '../shared/prometheus';

/** Scrapes `url`; throws unless each of `expected` is among its metric names. */
async function scrape(url: string, expected: string[]) {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  const parsed = parsePrometheus(await res.text());
  const missing = expected.filter((name) => !parsed.sums.has(name));
  if (missing.length) throw new Error(`${url} has no ${missing.join(', ')}`);
  return parsed;
}

const API_METRICS = [
  'ovop_api_requests_total',
  'ovop_api_request_duration_seconds_count',
  'ovop_nominations',
  'process_cpu_seconds_total',
];
const WORKER_METRICS = [
  'temporal_workflow_task_execution_latency_count',
  'temporal_activity_execution_latency_count',
  'temporal_request_total',
];

export async function scrapeFigures(at: {
  /** The run's cycle and its size: the API's projection gauge must count them all DETERMINED. */
  cycleId: string;
  nominations: number;
  apiMetrics: string;
  workerMetrics: string[];
  temporalMetrics: string;
}): Promise<string[]> {
  const out: string[] = [];
  const api = await scrape(at.apiMetrics, API_METRICS);
  const byClass: Record<string, number> = {};
  for (const s of api.series.filter((x) => x.name === 'ovop_api_requests_total')) {
    const status = /status="(\d+)"/.exec(s.labels)?.[1] ?? '?';
    byClass[status] = (byClass[status] ?? 0) + s.value;
  }
  const count = api.sums.get('ovop_api_request_duration_seconds_count') ?? 0;
  const sum = api.sums.get('ovop_api_request_duration_seconds_sum') ?? 0;
  out.push(
    `metrics: API ${count} requests (by status ${Object.entries(byClass)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}), mean ${count ? ((sum / count) * 1000).toFixed(0) : '-'} ms (${at.apiMetrics})`,
  );
  const determined = api.series.find(
    (x) =>
      x.name === 'ovop_nominations' &&
      x.labels.includes(`cycle="${at.cycleId}"`) &&
      x.labels.includes('stage="DETERMINED"'),
  )?.value;
  if (determined !== at.nominations)
    throw new Error(
      `ovop_nominations counts ${determined ?? 'no'} DETERMINED in ${at.cycleId}, ${at.nominations} expected`,
    );
  out.push(`metrics: API ovop_nominations{stage="DETERMINED"} ${determined} for the cycle`);
  for (const [i, url] of at.workerMetrics.entries()) {
    const w = await scrape(url, WORKER_METRICS);
    out.push(
      `metrics: worker-${i + 1} ${w.sums.get('temporal_workflow_task_execution_latency_count') ?? 0} workflow tasks, ${w.sums.get('temporal_activity_execution_latency_count') ?? 0} activities, ${w.sums.get('temporal_request_failure_total') ?? 0} failed requests to Temporal (${url})`,
    );
  }
  const t = await scrape(at.temporalMetrics, ['service_requests']);
  out.push(
    `metrics: temporal-server ${t.series.length} series, ${t.sums.get('service_requests') ?? 0} service requests (${at.temporalMetrics})`,
  );
  return out;
}
