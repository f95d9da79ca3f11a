/** API tokens for scripts and the CLI: made by a signed-in user for themselves, shown once, listed, revoked. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createApiToken, revokeApiToken } from '../../db/credentials';
import { logAccess } from '../access-log';
import { principalOf } from '../auth';
import { notFound } from '../errors';
import { errorResponses } from '../schemas';
import type { ApiDeps } from '../server';

export function tokenRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db, options } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/tokens',
    {
      schema: {
        summary: 'Make an API token for yourself; the token is in this answer only',
        tags: ['tokens'],
        body: z.strictObject({
          name: z.string().trim().min(1).max(100),
          expiresInDays: z.number().int().min(1).max(options.maxTokenTtlDays).optional(),
        }),
        response: { 201: z.object({ id: z.string(), token: z.string(), expiresAt: z.string() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const made = await createApiToken(db, p.user.id, {
        name: req.body.name,
        ttlDays: req.body.expiresInDays ?? options.tokenTtlDays,
      });
      await logAccess(db, req, { event: 'token_created', message: `token ${made.id} (${req.body.name})` });
      return reply.code(201).send({ id: made.id, token: made.token, expiresAt: made.expiresAt.toISOString() });
    },
  );

  r.get(
    '/api/tokens',
    {
      schema: {
        summary: 'Your API tokens (never the secret)',
        tags: ['tokens'],
        response: {
          200: z.array(
            z.object({
              id: z.string(),
              name: z.string(),
              createdAt: z.string(),
              expiresAt: z.string(),
              revokedAt: z.string().nullable(),
              lastUsedAt: z.string().nullable(),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const rows = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('user_id', '=', p.user.id)
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map((t) => ({
        id: t.id,
        name: t.name,
        createdAt: t.created_at.toISOString(),
        expiresAt: t.expires_at.toISOString(),
        revokedAt: t.revoked_at?.toISOString() ?? null,
        lastUsedAt: t.last_used_at?.toISOString() ?? null,
      }));
    },
  );

  r.delete(
    '/api/tokens/:tokenId',
    {
      schema: {
        summary: 'Revoke one of your API tokens',
        tags: ['tokens'],
        params: z.strictObject({ tokenId: z.uuid() }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      if (!(await revokeApiToken(db, req.params.tokenId, p.user.id)))
        throw notFound(`you have no active token ${req.params.tokenId}`);
      await logAccess(db, req, { event: 'token_revoked', message: `token ${req.params.tokenId}` });
      return reply.code(204).send(null);
    },
  );
}
