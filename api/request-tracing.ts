/**
 * Each API request's span, when the process traces (common/tracing.ts): opened as the request arrives, made the active
 * context before the handlers run, so the Temporal client's Start or Update span — and through it the workflow's and
 * its activities' spans — are its children; ended with the answer's status. A caller's W3C `traceparent` (a proxy, a
 * traced client) makes the request part of the caller's trace.
 */
import * as otel from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { activeTracing } from '../common/tracing';
import { nominationIdsOf } from './request-log';

export function traceRequests(app: FastifyInstance): void {
  if (!activeTracing()) return;
  const tracer = otel.trace.getTracer('ovop-api');
  const open = new WeakMap<FastifyRequest, { span: otel.Span; context: otel.Context }>();

  app.addHook('onRequest', (req, _reply, done) => {
    const caller = otel.propagation.extract(otel.ROOT_CONTEXT, req.headers);
    const route = req.routeOptions.url;
    const { workflowId, cycleId } = nominationIdsOf(req.url);
    const span = tracer.startSpan(
      route ? `${req.method} ${route}` : req.method,
      {
        kind: otel.SpanKind.SERVER,
        attributes: {
          'http.request.method': req.method,
          'url.path': req.url.split('?')[0],
          ...(route ? { 'http.route': route } : {}),
          'ovop.request_id': req.id,
          ...(workflowId ? { 'ovop.workflow_id': workflowId } : {}),
          ...(cycleId ? { 'ovop.cycle_id': cycleId } : {}),
        },
      },
      caller,
    );
    open.set(req, { span, context: otel.trace.setSpan(caller, span) });
    done();
  });

  // After the body is read (its stream's events would lose the context) and before every handler: whatever the
  // request's handlers call runs with its span active.
  app.addHook('preHandler', (req, _reply, done) => {
    const traced = open.get(req);
    if (traced) otel.context.with(traced.context, done);
    else done();
  });

  const end = (req: FastifyRequest, status?: number) => {
    const traced = open.get(req);
    if (!traced) return;
    open.delete(req);
    if (status !== undefined) traced.span.setAttribute('http.response.status_code', status);
    if (status === undefined || status >= 500) traced.span.setStatus({ code: otel.SpanStatusCode.ERROR });
    traced.span.end();
  };
  app.addHook('onResponse', (req, reply, done) => {
    end(req, reply.statusCode);
    done();
  });
  app.addHook('onRequestAbort', (req, done) => {
    end(req);
    done();
  });
}
