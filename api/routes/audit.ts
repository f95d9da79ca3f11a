/**
 * The audit export (`ovop audit export`): one nomination's full workflow history from Temporal, in Temporal's JSON
 * history format with its workflow id at the top, the file `ovop audit replay --file` replays on today's code.
 * Auditors and coordinators only. (The audit trail from PostgreSQL is GET /api/nominations/:id/events.)
 */
import { WorkflowNotFoundError } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { historyToJSON } from '../../client/history-json';
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
          200: z.object({ workflowId: z.string(), events: z.array(z.record(z.string(), z.unknown())) }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      requireRole(principalOf(req), ['auditor', 'coordinator'], 'export a workflow history');
      const { row } = await nominationScope(db, req.params.id);
      let history;
      try {
        history = await client.workflow.getHandle(row.workflow_id).fetchHistory();
      } catch (err) {
        if (err instanceof WorkflowNotFoundError)
          throw notFound(`the history of ${row.workflow_id} is no longer kept by Temporal`);
        throw err;
      }
      const { events } = JSON.parse(historyToJSON(history)) as { events: Record<string, unknown>[] };
      reply.header(
        'content-disposition',
        `attachment; filename="${row.workflow_id.replace(/[^A-Za-z0-9.-]+/g, '_')}.json"`,
      );
      return { workflowId: row.workflow_id, events };
    },
  );
}
