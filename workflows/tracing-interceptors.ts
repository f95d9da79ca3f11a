/**
 * OpenTelemetry spans in workflow code (#16), from @temporalio/interceptors-opentelemetry, only where a caller is
 * traced: a run whose start carried a trace context (a traced API request, a traced activity that started it, the
 * traced run it continues), an Update or signal that carried one, and what the workflow calls (activities, children,
 * continue-as-new, signals) while such a span is open. With tracing off the API sends no trace context, so nothing is
 * traced and histories stay as before.
 *
 * The OTel interceptors' async wrappers move later promise resolutions, so a traced call takes another path than an
 * untraced one: it is taken behind patched(OTEL_TRACING), and otherwise each method hands its input straight to
 * `next` (no await of its own), which replays histories recorded before tracing existed unchanged. Span and trace ids
 * come from a random stream of their own, so a traced run's panel draw (Math.random) is the one it would have been.
 * Validators and queries are never traced: they leave no history, so nothing they did could be replayed.
 *
 * The OTel SDK is loaded at a run's first traced call, not with this module: without a sticky cache every workflow
 * task builds its workflow afresh, and evaluating the SDK's modules each time made every task ~10 ms slower.
 */
import type * as otelApi from '@opentelemetry/api';
import type * as otelWorkflow from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import {
  getRandomStream,
  patched,
  type ActivityInput,
  type ContinueAsNewInput,
  type DisposeInput,
  type GetLogAttributesInput,
  type LocalActivityInput,
  type Next,
  type SignalInput,
  type SignalWorkflowInput,
  type StartChildWorkflowExecutionInput,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowInternalsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { OTEL_TRACING } from './patches';

/** The header the OTel interceptors carry the W3C trace context in (their `TRACE_HEADER`). */
const TRACE_HEADER = '_tracer-data';

interface Otel {
  api: typeof otelApi;
  inbound: otelWorkflow.OpenTelemetryInboundInterceptor;
  outbound: otelWorkflow.OpenTelemetryOutboundInterceptor;
  internals: otelWorkflow.OpenTelemetryInternalsInterceptor;
}

/** The OTel interceptors of this run, made at its first traced call (making them registers a tracer provider). */
class Tracing {
  private otel?: Otel;

  get inbound(): otelWorkflow.OpenTelemetryInboundInterceptor {
    return this.made().inbound;
  }

  get outbound(): otelWorkflow.OpenTelemetryOutboundInterceptor {
    return this.made().outbound;
  }

  get internals(): otelWorkflow.OpenTelemetryInternalsInterceptor {
    return this.made().internals;
  }

  get started(): boolean {
    return this.otel !== undefined;
  }

  /** Runs `fn` with Math.random drawing from the tracing's own stream (span and trace ids). */
  ids<T>(fn: () => T): T {
    return getRandomStream(OTEL_TRACING).with(fn);
  }

  /** Whether a call with these headers is traced: it carries a W3C trace context, and the run takes the patch. */
  carried(headers: Headers): boolean {
    const payload = headers[TRACE_HEADER];
    if (payload === undefined) return false;
    const carrier = defaultPayloadConverter.fromPayload<Record<string, unknown>>(payload);
    return typeof carrier?.traceparent === 'string' && patched(OTEL_TRACING);
  }

  /** Whether a traced span is open where the workflow makes this call. */
  get inSpan(): boolean {
    const api = this.otel?.api;
    return api !== undefined && api.trace.getSpan(api.context.active()) !== undefined;
  }

  private made(): Otel {
    return (this.otel ??= this.ids(() => {
      // Loaded here, in a traced run only (see above); the workflow bundle holds the modules all the same.
      /* eslint-disable @typescript-eslint/no-require-imports */
      const api = require('@opentelemetry/api') as typeof otelApi;
      const wf = require('@temporalio/interceptors-opentelemetry/lib/workflow/index.js') as typeof otelWorkflow;
      /* eslint-enable @typescript-eslint/no-require-imports */
      return {
        api,
        inbound: new wf.OpenTelemetryInboundInterceptor(),
        outbound: new wf.OpenTelemetryOutboundInterceptor(),
        internals: new wf.OpenTelemetryInternalsInterceptor(),
      };
    }));
  }
}

class TracingInbound implements WorkflowInboundCallsInterceptor {
  constructor(private readonly t: Tracing) {}

  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    if (!this.t.carried(input.headers)) return next(input);
    return this.t.ids(() => this.t.inbound.execute(input, next));
  }

  handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    if (!this.t.carried(input.headers)) return next(input);
    return this.t.ids(() => this.t.inbound.handleUpdate(input, next));
  }

  handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    if (!this.t.carried(input.headers)) return next(input);
    return this.t.ids(() => this.t.inbound.handleSignal(input, next));
  }
}

class TracingOutbound implements WorkflowOutboundCallsInterceptor {
  constructor(private readonly t: Tracing) {}

  scheduleActivity(
    input: ActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>,
  ): Promise<unknown> {
    if (!this.t.inSpan) return next(input);
    return this.t.ids(() => this.t.outbound.scheduleActivity(input, next));
  }

  scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ): Promise<unknown> {
    if (!this.t.inSpan) return next(input);
    return this.t.ids(() => this.t.outbound.scheduleLocalActivity(input, next));
  }

  startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
  ): Promise<[Promise<string>, Promise<unknown>]> {
    if (!this.t.inSpan) return next(input);
    return this.t.ids(() => this.t.outbound.startChildWorkflowExecution(input, next));
  }

  continueAsNew(input: ContinueAsNewInput, next: Next<WorkflowOutboundCallsInterceptor, 'continueAsNew'>) {
    if (!this.t.inSpan) return next(input);
    return this.t.ids(() => this.t.outbound.continueAsNew(input, next));
  }

  signalWorkflow(input: SignalWorkflowInput, next: Next<WorkflowOutboundCallsInterceptor, 'signalWorkflow'>) {
    if (!this.t.inSpan) return next(input);
    return this.t.ids(() => this.t.outbound.signalWorkflow(input, next));
  }

  /** A log line written inside a traced span carries its trace and span ids. */
  getLogAttributes(
    input: GetLogAttributesInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>,
  ): Record<string, unknown> {
    if (!this.t.inSpan) return next(input);
    return this.t.outbound.getLogAttributes(input, next);
  }
}

class TracingInternals implements WorkflowInternalsInterceptor {
  constructor(private readonly t: Tracing) {}

  /** Releases the run's trace context storage, when tracing made one (the OTel method is async only in name: it
   * disables the storage and calls `next` at once). */
  dispose(input: DisposeInput, next: Next<WorkflowInternalsInterceptor, 'dispose'>): void {
    if (!this.t.started) return next(input);
    void this.t.internals.dispose(input, next);
  }
}

export const interceptors = (): WorkflowInterceptors => {
  const t = new Tracing();
  return { inbound: [new TracingInbound(t)], outbound: [new TracingOutbound(t)], internals: [new TracingInternals(t)] };
};
