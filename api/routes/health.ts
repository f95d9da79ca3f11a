/**
 * GET /api/health, public: 200 when the API can reach what every request needs (PostgreSQL and Temporal), 503 naming
 * the one that does not answer. The container's HEALTHCHECK and a load balancer probe it.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { ApiError } from '../errors';
import { errorResponses } from '../schemas';
import type { ApiDeps } from '../server';

/** A probe must answer quickly even when a dependency hangs rather than refuses. */
const PROBE_TIMEOUT_MS = 3000;

async function answers(name: string, probe: () => Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`)), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
  } catch (err) {
    throw new ApiError(503, 'unavailable', `${name} does not answer: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/health',
    {
      config: { public: true },
      schema: {
        summary: 'Whether the API reaches PostgreSQL and Temporal',
        tags: ['health'],
        security: [],
        response: { 200: z.object({ status: z.literal('ok') }), ...errorResponses },
      },
    },
    async () => {
      await answers('PostgreSQL', () => sql`select 1`.execute(deps.db));
      await answers('Temporal', () => deps.client.workflowService.getSystemInfo({}));
      return { status: 'ok' as const };
    },
  );
}
