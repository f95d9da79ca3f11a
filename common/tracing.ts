/**
 * OpenTelemetry traces (#16): an API request's span is the parent of the Temporal client's Start or Update span, which
 * is the parent of the workflow's spans and of its activities' (@temporalio/interceptors-opentelemetry), so one trace
 * follows an action from the HTTP request to the mails and rows it causes. Off unless the OTel SDK's own settings ask
 * for it (docs/deployment.md#settings): OTEL_TRACES_EXPORTER=otlp, or an OTLP endpoint; spans go out as OTLP/HTTP JSON.
 * Tracing is the process's (OTel's global tracer provider), started once by each service's entry point.
 */
import * as otel from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';

export interface TracingSettings {
  /** OTEL_SERVICE_NAME, else the service's own name (ovop-api, ovop-worker). */
  serviceName: string;
}

/**
 * Whether this process traces, from the OTel SDK's environment variables: OTEL_TRACES_EXPORTER=otlp turns tracing on,
 * =none (or unset, without an OTLP endpoint) leaves it off; OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT alone turns it on. The exporter reads its endpoint and headers itself. A setting
 * this build cannot honour is refused rather than silently ignored.
 */
export function tracingSettings(env: NodeJS.ProcessEnv, defaultServiceName: string): TracingSettings | undefined {
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  const endpoint = (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT)?.trim();
  if (exporter === 'none' || (!exporter && !endpoint)) return undefined;
  if (exporter && exporter !== 'otlp')
    throw new Error(`OTEL_TRACES_EXPORTER=${exporter} is not supported: use otlp (OTLP over HTTP) or none`);
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
  if (protocol && protocol !== 'http/json')
    throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: traces are sent as http/json`);
  return { serviceName: env.OTEL_SERVICE_NAME?.trim() || defaultServiceName };
}

/** The process's tracing: its provider (registered as OTel's global one) and where finished spans go. */
export class Tracing {
  readonly resource: Resource;
  private readonly provider: BasicTracerProvider;

  constructor(
    settings: TracingSettings,
    readonly spanProcessor: SpanProcessor,
  ) {
    this.resource = new Resource({ 'service.name': settings.serviceName });
    this.provider = new BasicTracerProvider({ resource: this.resource });
    this.provider.addSpanProcessor(spanProcessor);
    // The active span follows async calls (AsyncLocalStorage); trace context travels as W3C traceparent.
    this.provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  }

  /** The Temporal client's interceptor: its Start and Update spans, and the trace context in their headers. */
  clientInterceptors(): WorkflowClientInterceptor[] {
    return [new OpenTelemetryWorkflowClientInterceptor()];
  }

  /** An activity's span, the child of the workflow's span that scheduled it. */
  activityInterceptors(): ActivityInterceptorsFactory[] {
    return [
      (ctx) => ({
        inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
        outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
      }),
    ];
  }

  /** Sends what has ended so far (a test reads it at once; a stopping service loses nothing). */
  async flush(): Promise<void> {
    await this.provider.forceFlush();
  }

  async shutdown(): Promise<void> {
    if (active === this) active = undefined;
    await this.provider.shutdown();
    otel.trace.disable();
    otel.context.disable();
    otel.propagation.disable();
  }
}

let active: Tracing | undefined;

/** Starts the process's tracing over `spanProcessor` (by default: batched, to the OTLP endpoint of the environment). */
export function startTracing(settings: TracingSettings, spanProcessor?: SpanProcessor): Tracing {
  if (active) throw new Error('tracing is started already in this process');
  active = new Tracing(settings, spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter()));
  return active;
}

/** The process's tracing, if it was started. */
export function activeTracing(): Tracing | undefined {
  return active;
}

/**
 * The sink through which workflow code hands its spans out of the sandbox (workflows/tracing-interceptors.ts). Every
 * worker and replayer registers it, tracing or not: a traced workflow (one started by a traced API) may run on any of
 * them, and an unregistered sink is an error in the log at each of its tasks. Without tracing the spans are dropped;
 * replay never exports (the SDK calls no sink during replay unless asked to; replayers pass null, a sink that drops).
 */
export function workflowTracingSinks(
  tracing: Tracing | null | undefined = activeTracing(),
): InjectedSinks<OpenTelemetrySinks> {
  if (tracing) return { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) };
  return { exporter: { export: { fn: () => {} } } };
}
