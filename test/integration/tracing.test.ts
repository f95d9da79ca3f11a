/**
 * OpenTelemetry traces (#16), end to end on the real API, Temporal client, worker and workflow: tracing is switched on
 * by the OTel settings (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME) and its spans are read where an operator's
 * collector would read them, from an OTLP/HTTP receiver on loopback. One attendance recorded through the HTTP API is
 * one trace: the request → the client's Update → the workflow's handling of it → the activity it scheduled → that
 * activity's run, each the parent of the next. The history it leaves (a traced Update, the tracing patch's marker)
 * replays on the workflow bundle, as the committed untraced ones do (replay.test.ts).
 */
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startOtlpReceiver, testConfig, type OtlpReceiver, type ReceivedSpan } from '../../bench/drivers';
import { dataConverterOf } from '../../common/temporal-connection';
import { startTracing, tracingSettings, workflowTracingSinks, type Tracing } from '../../common/tracing';
import { OTEL_TRACING } from '../../workflows/patches';
import { call, nominationPath, openCycle, startApi, type ApiUnderTest } from '../support/api';
import { startHarness, waitFor, type Harness } from '../support/harness';

let receiver: OtlpReceiver;
let tracing: Tracing;
let h: Harness;
let api: ApiUnderTest;
const config = testConfig('uji-tracing', { mutate: (c) => void (c.intakeWindow = '10m') });
const saved = { endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT, service: process.env.OTEL_SERVICE_NAME };

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // As an operator turns it on: the exporter reads its endpoint from the environment.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
  process.env.OTEL_SERVICE_NAME = 'ovop-tracing-test';
  tracing = startTracing(tracingSettings(process.env, 'ovop-api')!);
  // The worker is made after tracing starts: its activities get spans and its workflows' spans an exporter.
  h = await startHarness('tracing');
  // The API's Temporal client as connectClient makes it in a traced process: with the OTel client interceptor.
  const client = new Client({
    connection: h.client.connection,
    namespace: 'default',
    dataConverter: dataConverterOf({}),
    interceptors: { workflow: tracing.clientInterceptors() },
  });
  api = await startApi({ ...h, client });
});
afterAll(async () => {
  await api?.stop();
  await h?.stop();
  await tracing?.shutdown();
  receiver?.close();
  for (const [name, value] of [
    ['OTEL_EXPORTER_OTLP_ENDPOINT', saved.endpoint],
    ['OTEL_SERVICE_NAME', saved.service],
  ] as const)
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
});

describe('tracing settings', () => {
  it('is off unless the OTel settings ask for it, and refuses what it cannot send', () => {
    expect(tracingSettings({}, 'ovop-api')).toBeUndefined();
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' }, 'a')).toBe(
      undefined,
    );
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'ovop-api')).toEqual({
      serviceName: 'ovop-api',
    });
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SERVICE_NAME: 'api-1' }, 'ovop-api')).toEqual({
      serviceName: 'api-1',
    });
    expect(() => tracingSettings({ OTEL_TRACES_EXPORTER: 'jaeger' }, 'ovop-api')).toThrow(
      'OTEL_TRACES_EXPORTER=jaeger is not supported: use otlp (OTLP over HTTP) or none',
    );
    expect(() =>
      tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'ovop-api'),
    ).toThrow('OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported: traces are sent as http/json');
  });
});

describe('one trace from an API request to the activities it causes', () => {
  let nominationId: string;
  /** The run that handled the attendance (the nomination continues as new at its next stage). */
  let runId: string;

  it('follows an attendance from the HTTP request through the Update and the workflow to its activity', async () => {
    await openCycle(api, config);
    const made = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
      token: api.tokens.garut,
      body: {
        regencyCode: '32.05',
        ikmName: 'Batik Tulis Garutan',
        sentraName: 'Sentra Batik Garut',
        commodity: 'kain_batik',
        product: 'Kain batik tulis',
        sentraSize: 12,
      },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    nominationId = made.body.workflowId;
    const stage = () =>
      h.db.selectFrom('nominations').select('stage').where('workflow_id', '=', nominationId).executeTakeFirst();
    await waitFor(async () => (await stage())?.stage === 'AWAITING_SOCIALIZATION', { what: 'the nomination' });

    const attended = await call(api, 'POST', nominationPath(nominationId, '/attendance'), {
      token: api.tokens.garut,
      body: { sessionId: 'sesi-1-yogyakarta' },
    });
    expect(attended.status, JSON.stringify(attended.body)).toBe(200);
    const requestId = attended.headers.get('x-request-id');

    const named = (prefix: string, parent?: ReceivedSpan) =>
      receiver.spans.find((s) => s.name.startsWith(prefix) && (parent ? s.parentSpanId === parent.spanId : true));
    let http: ReceivedSpan | undefined;
    let update: ReceivedSpan | undefined;
    let handled: ReceivedSpan | undefined;
    let scheduled: ReceivedSpan | undefined;
    let ran: ReceivedSpan | undefined;
    await waitFor(
      async () => {
        await tracing.flush();
        http = receiver.spans.find((s) => s.attributes['ovop.request_id'] === requestId);
        update = http && named('StartWorkflowUpdate:', http);
        handled = update && named('HandleUpdate:', update);
        scheduled = handled && named('StartActivity:', handled);
        ran = scheduled && named('RunActivity:', scheduled);
        return ran !== undefined;
      },
      { what: 'the spans of the attendance, from the request to the activity' },
    );

    expect(receiver.requests.every((r) => r.startsWith('POST /v1/traces application/json'))).toBe(true);
    expect(http).toMatchObject({
      name: 'POST /api/nominations/:id/attendance',
      kind: 2, // SERVER
      service: 'ovop-tracing-test',
      attributes: {
        'http.request.method': 'POST',
        'http.response.status_code': 200,
        'ovop.workflow_id': nominationId,
        'url.path': nominationPath(nominationId, '/attendance'),
      },
    });
    expect(http!.parentSpanId ?? '').toBe('');
    expect(update!.attributes.temporalWorkflowId).toBe(nominationId);
    runId = String(update!.attributes.run_id);
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(handled!.name).toBe('HandleUpdate:attendSocialization');
    expect(scheduled!.name).toBe('StartActivity:recordNominationEvent');
    expect(ran).toMatchObject({
      name: 'RunActivity:recordNominationEvent',
      attributes: { temporalWorkflowId: nominationId },
    });
    // One trace, end to end.
    expect(new Set([http, update, handled, scheduled, ran].map((s) => s!.traceId)).size).toBe(1);
    expect(http!.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('leaves a history that replays: the traced Update behind the tracing patch, the untraced start without it', async () => {
    const history = await h.client.workflow.getHandle(nominationId, runId).fetchHistory();
    const events = history.events ?? [];
    const marker = events.findIndex(
      (e) =>
        e.markerRecordedEventAttributes?.markerName === 'core_patch' &&
        Buffer.from(e.markerRecordedEventAttributes.details?.['patch-data']?.payloads?.[0]?.data ?? [])
          .toString()
          .includes(OTEL_TRACING),
    );
    const accepted = events.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    // The nomination was started by the cycle's activity through the test's untraced client: no trace, no marker,
    // until the traced Update came.
    expect(events[0].workflowExecutionStartedEventAttributes?.header?.fields?.['_tracer-data']).toBeUndefined();
    expect(accepted).toBeGreaterThan(0);
    expect(
      events[accepted].workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.header?.fields?.[
        '_tracer-data'
      ],
    ).toBeDefined();
    expect(marker).toBeGreaterThan(accepted);
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: { codePath: inject('workflowBundlePath') }, sinks: workflowTracingSinks(null) },
        history,
        nominationId,
      ),
    ).resolves.toBeUndefined();
  });
});
