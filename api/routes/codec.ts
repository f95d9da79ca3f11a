/**
 * The codec endpoint for operators' tools: POST /api/codec/decode and /api/codec/encode take and give
 * `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`, the format Temporal's Web UI (codec endpoint
 * `<OVOP_API_URL>/api/codec`) and `temporal --codec-endpoint … --codec-auth "Bearer <token>"` speak. It runs the
 * API's own payload codec (OVOP_PAYLOAD_KEYS), for auditors and coordinators only: decoded payloads hold names and
 * addresses. The Web UI calls it from the browser, so the origins of OVOP_CODEC_CORS_ORIGINS get CORS headers
 * (with credentials: the UI's "include cross-origin credentials" sends the session cookie).
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../auth';
import { requireRole } from '../authorization';
import { ApiError, notFound } from '../errors';
import { errorResponses } from '../schemas';
import type { ApiDeps } from '../server';

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const JsonPayload = z.object({ metadata: z.record(z.string(), Base64).optional(), data: Base64.optional() });
const Payloads = z.object({ payloads: z.array(JsonPayload).max(1000) });
type JsonPayload = z.infer<typeof JsonPayload>;

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** The origins allowed to call the codec from a browser (OVOP_CODEC_CORS_ORIGINS, comma-separated). */
export function codecCorsOrigins(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.OVOP_CODEC_CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim().replace(/\/$/, ''))
    .filter(Boolean);
}

export function codecRoutes(app: FastifyInstance, deps: ApiDeps, corsOrigins: readonly string[]): void {
  const codecs: PayloadCodec[] = deps.client.options.loadedDataConverter.payloadCodecs;
  const r = app.withTypeProvider<ZodTypeProvider>();

  const allowOrigin = (req: FastifyRequest, reply: FastifyReply) => {
    const origin = req.headers.origin;
    if (!origin || !corsOrigins.includes(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-allow-credentials', 'true');
    reply.header('vary', 'Origin');
  };
  // Before authentication, so that a refusal (401) reaches the Web UI's script too.
  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/api/codec/')) allowOrigin(req, reply);
  });
  app.options('/api/codec/:operation', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
    reply.header('access-control-allow-methods', 'POST');
    reply.header('access-control-allow-headers', 'content-type, x-namespace, authorization');
    reply.header('access-control-max-age', '600');
    return reply.code(204).send();
  });

  for (const operation of ['encode', 'decode'] as const) {
    r.post(
      `/api/codec/${operation}`,
      {
        // Reads nothing and changes nothing: no CSRF token, which the Web UI could not send.
        config: { csrfExempt: true },
        schema: {
          summary: `${operation === 'decode' ? 'Decrypts' : 'Encrypts'} Temporal payloads with the deployment's payload keys (Web UI / temporal CLI codec endpoint; auditors and coordinators)`,
          tags: ['audit'],
          body: Payloads,
          response: { 200: Payloads, ...errorResponses },
        },
      },
      async (req) => {
        requireRole(principalOf(req), ['auditor', 'coordinator'], `${operation} Temporal payloads`);
        if (codecs.length === 0)
          throw notFound('this API has no payload keys (OVOP_PAYLOAD_KEYS): Temporal holds its payloads unencrypted');
        let payloads = req.body.payloads.map(fromJson);
        try {
          if (operation === 'encode') for (const c of codecs) payloads = await c.encode(payloads);
          else for (const c of [...codecs].reverse()) payloads = await c.decode(payloads);
        } catch (err) {
          throw new ApiError(400, 'invalid_request', (err as Error).message);
        }
        return { payloads: payloads.map(toJson) };
      },
    );
  }
}
