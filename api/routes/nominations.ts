/**
 * Nominations: the scoped list, one nomination, its audit trail (reads from the PostgreSQL projection), and one POST
 * route per entry of NOMINATION_ACTIONS (writes as Updates; the answer is the Update's result). Every route checks the
 * caller's role and reach before anything is sent, so a refused call leaves no event and no row.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { STAGES } from '../../domain/types';
import type { NominationAnswer as Answer } from '../../workflows/messages';
import { principalOf, type Principal } from '../auth';
import { requireRead, requireRole, seesAssessors } from '../authorization';
import { blindAnswer } from '../../workflows/blind-view';
import { NOMINATION_ACTIONS } from '../nomination-actions';
import {
  assessmentsOf,
  assessorStatus,
  documentsOf,
  eventsOf,
  listNominations,
  nominationScope,
  nominationSummary,
} from '../nomination-reads';
import {
  actionResponses,
  errorResponses,
  NominationAnswer,
  NominationDetail,
  NominationEvent,
  NominationParams,
  NominationSummary,
} from '../schemas';
import type { ApiDeps } from '../server';
import { addressFor } from '../../activities/recipients';
import { executeUpdate } from '../workflow-calls';

/** An Update's answer as this reader may see it (workflows/blind-view.ts): a dinas or an assessor never learns who
 * assesses, nor the aggregate before the determination. */
export function scopedAnswer(p: Principal, answer: Answer): Answer {
  if (seesAssessors(p)) return answer;
  const { assessors: _a, scoredBy: _s, ...rest } = blindAnswer(answer, p.actor.role);
  const visit = rest.fieldVisit;
  const fieldVisit = visit && {
    ...visit,
    team: undefined,
    evidence: visit.evidence.map(({ recordedBy: _r, ...e }) => e),
  };
  return { ...rest, fieldVisit } as Answer;
}

export function nominationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db, client, options } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/nominations',
    {
      schema: {
        summary: 'The nominations you may read (your regency, your province, your assignments, or all)',
        tags: ['nominations'],
        querystring: z.strictObject({
          cycle: z.string().max(63).optional(),
          stage: z.enum(STAGES).optional(),
          regency: z.string().max(5).optional(),
          province: z.string().max(2).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ nominations: z.array(NominationSummary) }), ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      const p = principalOf(req);
      const rows = await listNominations(db, p, {
        cycleId: q.cycle,
        stage: q.stage,
        regencyCode: q.regency,
        provinceCode: q.province,
        limit: q.limit,
        offset: q.offset,
      });
      return { nominations: rows.map((row) => nominationSummary(row, p)) };
    },
  );

  r.get(
    '/api/nominations/:id',
    {
      schema: {
        summary: 'One nomination, with its documents (and, for coordinators and auditors, its assessors and sheets)',
        tags: ['nominations'],
        params: NominationParams,
        response: { 200: NominationDetail, ...errorResponses },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const { row, scope } = await nominationScope(db, req.params.id);
      requireRead(p, scope);
      const [documents, cycle] = await Promise.all([
        documentsOf(db, row.workflow_id),
        db.selectFrom('cycles').select('config').where('id', '=', row.cycle_id).executeTakeFirst(),
      ]);
      const timezone = (cycle?.config as { timezone?: string } | undefined)?.timezone ?? null;
      if (!seesAssessors(p)) return { ...nominationSummary(row, p), timezone, documents };
      const assessments = await assessmentsOf(db, row.workflow_id);
      return {
        ...nominationSummary(row, p),
        timezone,
        documents,
        assessors: assessorStatus(scope.assessors, assessments),
        assessments,
      };
    },
  );

  r.get(
    '/api/nominations/:id/events',
    {
      schema: {
        summary: "The nomination's audit trail: every event recorded, in order (coordinators and auditors)",
        tags: ['audit'],
        params: NominationParams,
        response: { 200: z.object({ events: z.array(NominationEvent) }), ...errorResponses },
      },
    },
    async (req) => {
      const p = principalOf(req);
      requireRole(p, ['coordinator', 'auditor'], 'read the audit trail');
      const { row } = await nominationScope(db, req.params.id);
      return { events: await eventsOf(db, row.workflow_id) };
    },
  );

  for (const a of NOMINATION_ACTIONS) {
    r.post(
      `/api/nominations/:id/${a.path}`,
      {
        config: {
          rateLimit: {
            max: options.rateLimits.actionsPerMinute,
            timeWindow: '1 minute',
            keyGenerator: (req) => `action:${req.principal?.user.id ?? req.ip}`,
          },
        },
        schema: {
          summary: a.summary,
          tags: ['actions'],
          params: NominationParams,
          body: a.body,
          response: { 200: NominationAnswer, ...actionResponses },
        },
      },
      async (req) => {
        const p = principalOf(req);
        requireRole(p, a.roles, a.what);
        const { scope } = await nominationScope(db, req.params.id);
        await (a.reach ?? requireRead)(p, scope, db);
        const answer = await executeUpdate(
          client,
          scope.workflowId,
          a.update,
          a.input(req.body, p.actor) as never,
          `the request to ${a.what}`,
          options.actionWaits,
        );
        // A nomination with its rules by reference names its coaching office by reference (activities/recipients.ts).
        const coaching = answer.coaching && {
          ...answer.coaching,
          office: await addressFor(db, scope.workflowId, answer.coaching.office),
        };
        return scopedAnswer(p, { ...answer, coaching });
      },
    );
  }
}
