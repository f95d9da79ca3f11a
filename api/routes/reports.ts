/**
 * The cycle-wide reports of `ovop report --by funnel|participation|stars`, from the projection (db/reports.ts):
 * coordinators and auditors read every province (or one, by `?province=`); a dinas provinsi reads its own province
 * only, so the SQL is limited to it rather than the answer trimmed afterwards.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { funnelByProvince, participation, starsByProvinceAndCommodity } from '../../db/reports';
import { regionDisplayName } from '../../domain/regions';
import { principalOf } from '../auth';
import { requireRole } from '../authorization';
import { forbidden, notFound } from '../errors';
import { CycleParams, errorResponses } from '../schemas';
import type { ApiDeps } from '../server';

const ReportQuery = z.strictObject({
  province: z
    .string()
    .regex(/^\d{2}$/, 'a province code such as 32')
    .optional(),
});

const FunnelCounts = z.object({
  proposed: z.number(),
  prescreenPassed: z.number().nullable(),
  adminPassed: z.number(),
  assessed: z.number(),
  starred: z.number(),
});
const Participation = z.object({ participating: z.number(), total: z.number(), rate: z.number() });

export function reportRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  /** The province the reader's report is limited to (undefined: all), after its role and the cycle are checked. */
  async function scopeOf(req: FastifyRequest, cycleId: string, asked: string | undefined): Promise<string | undefined> {
    const p = principalOf(req);
    requireRole(p, ['coordinator', 'auditor', 'dinas_provinsi'], 'read cycle reports');
    let province = asked;
    if (p.actor.role === 'dinas_provinsi') {
      if (asked !== undefined && asked !== p.actor.region)
        throw forbidden(`you act for province ${p.actor.region}; the report of province ${asked} is not yours to read`);
      province = p.actor.region;
    }
    const cycle = await db.selectFrom('cycles').select('id').where('id', '=', cycleId).executeTakeFirst();
    if (!cycle) throw notFound(`no cycle ${cycleId}`);
    return province;
  }

  r.get(
    '/api/cycles/:id/reports/funnel',
    {
      schema: {
        summary: 'How far the proposals of each province got: proposed, pre-screened, passed admin, assessed, starred',
        tags: ['reports'],
        params: CycleParams,
        querystring: ReportQuery,
        response: {
          200: z.object({
            cycleId: z.string(),
            prescreen: z.boolean(),
            provinces: z.array(FunnelCounts.extend({ provinceCode: z.string(), province: z.string() })),
            total: FunnelCounts,
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => funnelByProvince(db, req.params.id, await scopeOf(req, req.params.id, req.query.province)),
  );

  r.get(
    '/api/cycles/:id/reports/participation',
    {
      schema: {
        summary: 'Which provinces and kabupaten/kota proposed anything, against the Kemendagri catalogue',
        tags: ['reports'],
        params: CycleParams,
        querystring: ReportQuery,
        response: {
          200: z.object({
            cycleId: z.string(),
            proposals: z.number(),
            provinces: Participation,
            regencies: Participation,
            byProvince: z.array(
              z.object({
                provinceCode: z.string(),
                province: z.string(),
                proposals: z.number(),
                regencies: Participation,
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => participation(db, req.params.id, await scopeOf(req, req.params.id, req.query.province)),
  );

  r.get(
    '/api/cycles/:id/reports/stars',
    {
      schema: {
        summary: 'Determined stars per province and commodity group',
        tags: ['reports'],
        params: CycleParams,
        querystring: ReportQuery,
        response: {
          200: z.object({
            cycleId: z.string(),
            stars: z.array(
              z.object({
                provinceCode: z.string(),
                province: z.string(),
                commodity: z.string(),
                stars: z.number(),
                count: z.number(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const rows = await starsByProvinceAndCommodity(
        db,
        req.params.id,
        await scopeOf(req, req.params.id, req.query.province),
      );
      return {
        cycleId: req.params.id,
        stars: rows.map((s) => ({
          provinceCode: s.province,
          province: regionDisplayName(s.province),
          commodity: s.commodity,
          stars: s.stars,
          count: s.count,
        })),
      };
    },
  );
}
