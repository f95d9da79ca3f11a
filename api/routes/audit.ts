/**
 * The audit export (`ovop audit export`): one nomination's full workflow history from Temporal, in Temporal's JSON
 * history format with its workflow id at the top (the runs it continued into at its stage boundaries beside it), the file `ovop audit replay --file` replays on today's code.
 * Auditors and coordinators only. (The audit trail from PostgreSQL is GET /api/nominations/:id/events.)
 */
import { WorkflowNotFoundError } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { historyToJSON } from '../../client/history-json';
import { fetchRunChain, type RunHistory } from '../../client/run-chain';
import { principalOf } from '../auth';
import { requireRole } from '../authorization';
import { notFound } from '../errors';
import { nominationScope } from '../nomination-reads';
import { errorResponses, NominationParams } from '../schemas';
import type { ApiDeps } from '../server';

export function auditRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db, client } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/nominations/:id/history',
    {
      schema: {
        summary:
          "The nomination's workflow history in Temporal's JSON format, for ovop audit replay (auditors and coordinators)",
        tags: ['audit'],
        params: NominationParams,
        response: {
          200: z.object({
            workflowId: z.string(),
            events: z.array(z.record(z.string(), z.unknown())),
            /** The runs it continued as new into at its stage boundaries, oldest first (short runs). */
            continuedRuns: z
              .array(z.object({ runId: z.string(), events: z.array(z.record(z.string(), z.unknown())) }))
              .optional(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      requireRole(principalOf(req), ['auditor', 'coordinator'], 'export a workflow history');
      const { row } = await nominationScope(db, req.params.id);
      let runs;
      try {
        runs = await fetchRunChain(client, row.workflow_id);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError)
          throw notFound(`the history of ${row.workflow_id} is no longer kept by Temporal`);
        throw err;
      }
      const eventsOf = (r: RunHistory) =>
        (JSON.parse(historyToJSON(r.history)) as { events: Record<string, unknown>[] }).events;
      const [first, ...continued] = runs;
      reply.header(
        'content-disposition',
        `attachment; filename="${row.workflow_id.replace(/[^A-Za-z0-9.-]+/g, '_')}.json"`,
      );
      return {
        workflowId: row.workflow_id,
        events: eventsOf(first),
        ...(continued.length > 0 && {
          continuedRuns: continued.map((r) => ({ runId: r.runId, events: eventsOf(r) })),
        }),
      };
    },
  );
}
