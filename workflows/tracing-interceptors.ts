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
 */
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import { TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import * as otel from '@opentelemetry/api';
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

/** The OTel interceptors of this run, made at its first traced call (making them registers a tracer provider). */
class Tracing {
  private otel?: { inbound: OpenTelemetryInboundInterceptor; outbound: OpenTelemetryOutboundInterceptor };

  get inbound(): OpenTelemetryInboundInterceptor {
    return this.made().inbound;
  }

  get outbound(): OpenTelemetryOutboundInterceptor {
    return this.made().outbound;
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
    return this.started && otel.trace.getSpan(otel.context.active()) !== undefined;
  }

  private made() {
    return (this.otel ??= this.ids(() => ({
      inbound: new OpenTelemetryInboundInterceptor(),
      outbound: new OpenTelemetryOutboundInterceptor(),
    })));
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
  private readonly otel = new OpenTelemetryInternalsInterceptor();

  constructor(private readonly t: Tracing) {}

  /** Releases the run's trace context storage, when tracing made one (the OTel method is async only in name: it
   * disables the storage and calls `next` at once). */
  dispose(input: DisposeInput, next: Next<WorkflowInternalsInterceptor, 'dispose'>): void {
    if (!this.t.started) return next(input);
    void this.otel.dispose(input, next);
  }
}

export const interceptors = (): WorkflowInterceptors => {
  const t = new Tracing();
  return { inbound: [new TracingInbound(t)], outbound: [new TracingOutbound(t)], internals: [new TracingInternals(t)] };
};
