/**
 * The topology's traces: the API and both workers send their spans (OTEL_EXPORTER_OTLP_ENDPOINT) to a receiver in
 * this process, and the run reports how many attendances are traced whole — from the API's request through the
 * client's Update and the workflow's handling of it to the run of the activity it scheduled — all in one trace.
 */
import type { ReceivedSpan } from '../shared/otlp-receiver';

export interface TraceFigures {
  spans: number;
  services: string[];
  attendances: number;
  /** Attendances whose request span has the whole chain below it, in its own trace. */
  whole: number;
}

const CHAIN = ['StartWorkflowUpdate:', 'HandleUpdate:', 'StartActivity:', 'RunActivity:'];

export function traceFigures(spans: readonly ReceivedSpan[]): TraceFigures {
  const children = new Map<string, ReceivedSpan[]>();
  for (const s of spans) {
    if (!s.parentSpanId) continue;
    const key = `${s.traceId}/${s.parentSpanId}`;
    children.set(key, [...(children.get(key) ?? []), s]);
  }
  /** Whether a descent through the chain's span names exists below `span`. */
  const reaches = (span: ReceivedSpan, rest: string[]): boolean =>
    rest.length === 0 ||
    (children.get(`${span.traceId}/${span.spanId}`) ?? []).some(
      (c) => c.name.startsWith(rest[0]) && reaches(c, rest.slice(1)),
    );
  const attendances = spans.filter((s) => s.attributes['http.route'] === '/api/nominations/:id/attendance');
  return {
    spans: spans.length,
    services: [...new Set(spans.map((s) => s.service))].sort(),
    attendances: attendances.length,
    whole: attendances.filter((s) => reaches(s, CHAIN)).length,
  };
}

export const traceLine = (t: TraceFigures) =>
  `traces: ${t.spans} spans from ${t.services.join(', ') || 'no service'}; ${t.whole} of ${t.attendances} attendances traced whole, from the API request through the Update and the workflow to the activity's run`;
