/**
 * The API's log (pino through Fastify, one JSON object a line): each request's lines carry its id (`reqId`), and the
 * lines of a request on a nomination carry its workflow and cycle ids (`workflowId`, `cycleId`), so an operator can
 * follow one action from the API's log into Temporal's history and the worker's log. The request id is answered in
 * `X-Request-Id`; behind the ministry's proxy (OVOP_API_TRUST_PROXY=1) the proxy's own X-Request-Id is kept.
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';

export interface LogDestination {
  write(line: string): void;
}

/**
 * Fastify's logger and request-id options: `info` with request logging (OVOP_API_LOG), `warn` without, `debug` with
 * `debug` (OVOP_API_LOG=debug).
 */
export function requestLogOptions(
  logRequests: boolean,
  behindProxy: boolean,
  stream?: LogDestination,
  debug = false,
): Pick<FastifyServerOptions, 'logger' | 'genReqId' | 'requestIdHeader' | 'childLoggerFactory'> {
  return {
    logger: { level: debug ? 'debug' : logRequests ? 'info' : 'warn', ...(stream ? { stream } : {}) },
    // Unique across the API's replicas and restarts, unlike Fastify's default counter (req-1, req-2, …).
    genReqId: () => randomUUID(),
    requestIdHeader: behindProxy ? 'x-request-id' : false,
    // Made once the route is found and before the first line ("incoming request"), so every line has the ids.
    childLoggerFactory: (logger, bindings, opts, rawReq) =>
      logger.child({ ...bindings, ...nominationIdsOf(rawReq.url ?? '') }, opts),
  };
}

/** `/api/nominations/<workflow id, URL-encoded>[/…]` → the workflow id and, for `ovop/<cycle>/nomination/…`, the cycle. */
export function nominationIdsOf(url: string): { workflowId?: string; cycleId?: string } {
  const encoded = /^\/api\/nominations\/([^/?#]+)/.exec(url)?.[1];
  if (!encoded) return {};
  let workflowId: string;
  try {
    workflowId = decodeURIComponent(encoded);
  } catch {
    return {}; // not a path any route answers
  }
  const cycleId = /^ovop\/([^/]+)\/nomination\//.exec(workflowId)?.[1];
  return cycleId ? { workflowId, cycleId } : { workflowId };
}

/** Answers each request's id in X-Request-Id, so a user's report of a failure can be found in the log. */
export function answerRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
}
