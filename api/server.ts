/**
 * Assembles the HTTP API (Fastify 5): zod schemas for validation, answers and the OpenAPI document
 * (GET /api/openapi.json), cookies, rate limits, authentication, the error format `{ code, message }`, and the routes
 * of each resource. The API is the only door for people: it derives the actor from the signed-in user, authorizes on
 * the server, reads from PostgreSQL and writes by Updates.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { Mailer } from '../activities/mailer';
import type { Database } from '../db/database';
import { checkDocumentStorage, openDocumentStorage } from '../db/document-storage';
import { logAccess } from './access-log';
import { answerRequestId, requestLogOptions, type LogDestination } from './request-log';
import { traceRequests } from './request-tracing';
import { registerAuthentication } from './auth';
import { ApiError } from './errors';
import type { ApiOptions } from './options';
import { auditRoutes } from './routes/audit';
import { codecCorsOrigins, codecRoutes } from './routes/codec';
import { curationRoutes } from './routes/curation';
import { portal } from './portal';
import { cycleRoutes } from './routes/cycles';
import { documentRoutes } from './routes/documents';
import { intakeRoutes } from './routes/intake';
import { healthRoutes } from './routes/health';
import { nominationRoutes } from './routes/nominations';
import { oidcRoutes } from './routes/oidc';
import { reportRoutes } from './routes/reports';
import { scheduleRoutes } from './routes/schedules';
import { signInRoutes } from './routes/sign-in';
import { tokenRoutes } from './routes/tokens';
import { scheduleUploadSweep } from './upload-sweep';
import type { ApiMetrics } from './metrics';

export interface ApiDeps {
  db: Kysely<Database>;
  client: Client;
  mailer: Mailer;
  /** Where new cycles' workflows run (the workers' task queue). */
  taskQueue: string;
  options: ApiOptions;
  /** Counts requests by route and status for Prometheus (api/metrics.ts); unset: nothing is counted. */
  metrics?: ApiMetrics;
  /** Where the log's JSON lines go; unset: standard output. */
  logStream?: LogDestination;
}

/** Refusals worth a row in the access log: who was turned away, not who mistyped a field. */
const LOGGED_STATUSES = new Set([401, 403, 409, 429]);

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const { options } = deps;
  const app = Fastify({
    ...requestLogOptions(
      options.logRequests,
      process.env.OVOP_API_TRUST_PROXY === '1',
      deps.logStream,
      options.logDebug,
    ),
    // Behind the ministry's reverse proxy: the client's address comes from X-Forwarded-For.
    trustProxy: process.env.OVOP_API_TRUST_PROXY === '1',
    bodyLimit: 2 * 1024 * 1024,
  });
  answerRequestId(app);
  traceRequests(app);
  deps.metrics?.instrument(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The portal's forms (the sign-in page's button posts an empty one). A field sent more than once stays a list, as
  // a form's checkboxes send it; the portal refuses a list where it asked for one value.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, body === '' ? undefined : formFields(new URLSearchParams(body as string))),
  );

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OVOP nomination engine API',
        description:
          'The one door to the Penghargaan OVOP nomination engine. Sign in with a mailed link (session cookie; send the CSRF token in X-CSRF-Token on state-changing requests) or an API token (Authorization: Bearer). Errors are { code, message }.',
        version: '1',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'ovop_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifyCookie);
  // Limits apply per route (sign-in by address, actions by user) after authentication has named the user.
  await app.register(fastifyRateLimit, {
    global: false,
    hook: 'preHandler',
    errorResponseBuilder: (_req, ctx) =>
      new ApiError(429, 'rate_limited', `too many requests; try again in ${Math.ceil(ctx.ttl / 1000)} s`),
  });
  registerAuthentication(app, deps.db, options);

  app.setErrorHandler(async (err: FastifyError | ApiError, req, reply) => {
    let status: number;
    let code: string;
    let message: string;
    if (err instanceof ApiError) {
      ({ statusCode: status, code, message } = err);
    } else if (hasZodFastifySchemaValidationErrors(err)) {
      status = 400;
      code = 'invalid_request';
      message = `invalid ${err.validationContext ?? 'request'}: ${err.validation
        .map((v) => {
          const where = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
          const keys = (v.params as { keys?: string[] }).keys;
          if (v.keyword === 'unrecognized_keys' && keys)
            return `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => (where ? `${where}.${k}` : k)).join(', ')}`;
          return where ? `${where}: ${v.message}` : v.message;
        })
        .join('; ')}`;
    } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's own refusals: a malformed JSON body, an unsupported media type, a body over the limit.
      status = err.statusCode;
      code = 'invalid_request';
      message = err.message;
    } else {
      req.log.error({ err }, 'request failed');
      status = 500;
      code = 'internal';
      message = 'the API failed to answer; the error is in its log';
    }
    // A refused sign-in link is logged by its route, with the user it belonged to.
    if (LOGGED_STATUSES.has(status) && !code.startsWith('link_')) {
      req.log.info({ status, code, reason: message, user: req.principal?.user.id }, 'refused');
      await logAccess(deps.db, req, { event: 'refused', status, code, message });
    }
    const refusal = err instanceof ApiError ? err.refusal : undefined;
    return reply.code(status).send({ code, message, ...refusal });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );

  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  healthRoutes(app, deps);
  signInRoutes(app, deps);
  if (options.oidc) oidcRoutes(app, deps, options.oidc);
  tokenRoutes(app, deps);
  nominationRoutes(app, deps);
  const storage = openDocumentStorage(deps.db, options.documentStorage);
  documentRoutes(app, deps, storage);
  scheduleUploadSweep(app, storage, options.unrecordedUploadHours);
  // A bucket that is missing or refuses these credentials stops the API at its start, not at the first upload.
  app.addHook('onReady', () => checkDocumentStorage(storage, options.documentStorage));
  app.addHook('onClose', async () => storage.close?.());
  cycleRoutes(app, deps);
  intakeRoutes(app, deps);
  reportRoutes(app, deps);
  curationRoutes(app, deps);
  auditRoutes(app, deps);
  codecRoutes(app, deps, options.codecCorsOrigins ?? codecCorsOrigins());
  scheduleRoutes(app, deps);
  // The people's pages (api/portal/): the same reads and routes, rendered as HTML.
  await app.register(portal, { ...deps, api: app });
  return app;
}

/** A form's fields by name: one value as a string, a repeated field as the list of its values in order. */
function formFields(params: URLSearchParams): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of params) {
    const had = fields[name];
    fields[name] = had === undefined ? value : [...[had].flat(), value];
  }
  return fields;
}
