/**
 * Curation lists (`ovop curation build|export`): a coordinator selects determined IKM of a cycle by stars, commodity,
 * province and score into a named list for a follow-up programme, stored in PostgreSQL; coordinators and auditors read
 * it back. The criteria follow the CLI's rules (client/commands/curation.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseCriteria } from '../../client/commands/curation';
import { CliError } from '../../client/errors';
import { buildCurationList, CurationConflict, readCurationList } from '../../db/curation';
import { COMMODITIES } from '../../domain/types';
import { principalOf } from '../auth';
import { requireRole } from '../authorization';
import { invalidRequest, notFound, refused } from '../errors';
import { CycleParams, errorResponses } from '../schemas';
import type { ApiDeps } from '../server';

const CurationList = z
  .object({
    cycleId: z.string(),
    name: z.string(),
    criteria: z.object({
      stars: z.array(z.number()),
      commodities: z.array(z.string()),
      provinces: z.array(z.string()),
      minScore: z.number().nullable(),
    }),
    builtBy: z.string(),
    builtAt: z.string(),
    members: z.array(
      z.object({
        workflowId: z.string(),
        ikmName: z.string(),
        regencyCode: z.string(),
        provinceCode: z.string(),
        commodity: z.string(),
        stars: z.number(),
        score: z.number().nullable(),
      }),
    ),
  })
  .meta({ id: 'CurationList' });

const ListName = z.string().regex(/^[a-z0-9-]{1,100}$/, 'a slug, e.g. go-global-2027');

export function curationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/cycles/:id/curation-lists',
    {
      schema: {
        summary:
          'Build a named curation list from the determined IKM of a cycle (the same name and criteria again answer the stored list)',
        tags: ['award'],
        params: CycleParams,
        body: z.strictObject({
          name: ListName,
          stars: z.array(z.number().int().min(1).max(5)).min(1).max(5).optional(),
          commodities: z.array(z.enum(COMMODITIES)).max(COMMODITIES.length).optional(),
          provinces: z
            .array(z.string().regex(/^\d{2}$/, 'a province code such as 32'))
            .max(38)
            .optional(),
          minScore: z.number().min(0).max(100).optional(),
        }),
        response: { 200: CurationList.extend({ created: z.boolean() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      requireRole(p, ['coordinator'], 'build a curation list');
      const b = req.body;
      let criteria;
      try {
        criteria = parseCriteria({
          name: b.name,
          stars: b.stars?.join(','),
          commodity: b.commodities?.join(','),
          province: b.provinces?.join(','),
          minScore: b.minScore === undefined ? undefined : String(b.minScore),
        });
      } catch (err) {
        if (err instanceof CliError) throw invalidRequest(err.message.replace(/--(\w+)/g, '$1'));
        throw err;
      }
      const cycle = await db.selectFrom('cycles').select('id').where('id', '=', req.params.id).executeTakeFirst();
      if (!cycle) throw notFound(`no cycle ${req.params.id}`);
      try {
        const { list, created } = await buildCurationList(db, {
          cycleId: req.params.id,
          name: b.name,
          criteria,
          builtBy: `${p.actor.role}:${p.actor.id}`,
        });
        return reply.code(created ? 201 : 200).send({ ...list, created });
      } catch (err) {
        if (err instanceof CurationConflict) throw refused(err.message);
        throw err;
      }
    },
  );

  r.get(
    '/api/cycles/:id/curation-lists/:name',
    {
      schema: {
        summary: 'A curation list as it was built: its criteria and its members (coordinators and auditors)',
        tags: ['award'],
        params: CycleParams.extend({ name: ListName }),
        response: { 200: CurationList, ...errorResponses },
      },
    },
    async (req) => {
      requireRole(principalOf(req), ['coordinator', 'auditor'], 'read a curation list');
      const list = await readCurationList(db, req.params.id, req.params.name);
      if (!list) throw notFound(`no curation list ${req.params.name} in cycle ${req.params.id}`);
      return list;
    },
  );
}
