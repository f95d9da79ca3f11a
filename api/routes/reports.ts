/**
 * The reports of `ovop report --by province|commodity|funnel|participation|stars`, from the projection (db/reports.ts,
 * ../stars-report.ts):
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
import { StarsReport, starsReport } from '../stars-report';

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
const CycleHeading = { name: z.string(), status: z.string() };
const Participation = z.object({ participating: z.number(), total: z.number(), rate: z.number() });

export function reportRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  /** The province the reader's report is limited to (undefined: all) and the cycle, after its role and the cycle are
   * checked. */
  async function scopeAndCycle(req: FastifyRequest, cycleId: string, asked: string | undefined) {
    const p = principalOf(req);
    requireRole(p, ['coordinator', 'auditor', 'dinas_provinsi'], 'read cycle reports');
    let province = asked;
    if (p.actor.role === 'dinas_provinsi') {
      if (asked !== undefined && asked !== p.actor.region)
        throw forbidden(`you act for province ${p.actor.region}; the report of province ${asked} is not yours to read`);
      province = p.actor.region;
    }
    const cycle = await db
      .selectFrom('cycles')
      .select(['id', 'name', 'status'])
      .where('id', '=', cycleId)
      .executeTakeFirst();
    if (!cycle) throw notFound(`no cycle ${cycleId}`);
    return { province, cycle };
  }

  for (const by of ['province', 'commodity'] as const) {
    r.get(
      `/api/cycles/:id/reports/stars-by-${by}`,
      {
        schema: {
          summary: `The stars of a cycle per ${by === 'province' ? 'province' : 'commodity group'}, and the starred IKM`,
          tags: ['reports'],
          params: CycleParams,
          querystring: ReportQuery,
          response: { 200: StarsReport, ...errorResponses },
        },
      },
      async (req) => {
        const { province, cycle } = await scopeAndCycle(req, req.params.id, req.query.province);
        return starsReport(db, cycle, by, province);
      },
    );
  }

  /** A report of one cycle: its id and heading, then what `read` finds for the reader's province (or all). */
  function cycleReport<Body extends z.ZodRawShape>(
    name: string,
    summary: string,
    body: Body,
    read: (cycleId: string, province: string | undefined) => Promise<z.input<z.ZodObject<Body>>>,
  ) {
    // Typed by hand: the zod type provider cannot resolve a reply type over a generic body; the schemas still
    // validate the request and serialize the answer.
    app.get<{ Params: z.infer<typeof CycleParams>; Querystring: z.infer<typeof ReportQuery> }>(
      `/api/cycles/:id/reports/${name}`,
      {
        schema: {
          summary,
          tags: ['reports'],
          params: CycleParams,
          querystring: ReportQuery,
          response: { 200: z.object({ cycleId: z.string(), ...CycleHeading, ...body }), ...errorResponses },
        },
      },
      async (req) => {
        const { province, cycle } = await scopeAndCycle(req, req.params.id, req.query.province);
        return {
          ...(await read(req.params.id, province)),
          cycleId: req.params.id,
          name: cycle.name,
          status: cycle.status,
        };
      },
    );
  }

  cycleReport(
    'funnel',
    'How far the proposals of each province got: proposed, pre-screened, passed admin, assessed, starred',
    {
      prescreen: z.boolean(),
      provinces: z.array(FunnelCounts.extend({ provinceCode: z.string(), province: z.string() })),
      total: FunnelCounts,
    },
    (cycleId, province) => funnelByProvince(db, cycleId, province),
  );

  cycleReport(
    'participation',
    'Which provinces and kabupaten/kota proposed anything, against the Kemendagri catalogue',
    {
      proposals: z.number(),
      provinces: Participation,
      regencies: Participation,
      byProvince: z.array(
        z.object({ provinceCode: z.string(), province: z.string(), proposals: z.number(), regencies: Participation }),
      ),
    },
    (cycleId, province) => participation(db, cycleId, province),
  );

  cycleReport(
    'stars',
    'Determined stars per province and commodity group',
    {
      stars: z.array(
        z.object({
          provinceCode: z.string(),
          province: z.string(),
          commodity: z.string(),
          stars: z.number(),
          count: z.number(),
        }),
      ),
    },
    async (cycleId, province) => ({
      stars: (await starsByProvinceAndCommodity(db, cycleId, province)).map((s) => ({
        provinceCode: s.province,
        province: regionDisplayName(s.province),
        commodity: s.commodity,
        stars: s.stars,
        count: s.count,
      })),
    }),
  );
}
