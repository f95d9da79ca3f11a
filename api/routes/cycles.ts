/**
 * Award cycles: open one from its config, read its status from the projection, and steer it (a cycle-wide deadline
 * extension, the decree that determines its recommended stars, finalization), all the coordinators'. Nominating into
 * a cycle is in intake.ts. Updates go to the cycle's workflow as cycle-lookup.ts finds it (a schedule may have opened
 * it under another id).
 */
import { ScheduleNotFoundError, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cycleConfigFromBody } from '../cycle-config-body';
import { parseDuration } from '../../domain/duration';
import { DECREE_SIGNATORIES } from '../../domain/types';
import { cycleWorkflowId } from '../../workflows/ids';
import { extendCycleDeadlineUpdate, finalizeCycleUpdate, issueDecreeUpdate } from '../../workflows/messages';
import { scheduledOpening, scheduleIdOf } from '../../client/cycle-ref';
import { principalOf } from '../auth';
import { requireRole } from '../authorization';
import { cycleWorkflowOf } from '../cycle-lookup';
import { CycleStatus, cycleStatus } from '../cycle-status';
import { ApiError, notFound, refused } from '../errors';
import { actionResponses, CycleParams, CycleView, DeadlineExtension, DecreeOutcome, errorResponses } from '../schemas';
import type { ApiDeps } from '../server';
import { workflowPollers } from '../task-queue';
import { executeUpdate } from '../workflow-calls';

export function cycleRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db, client, taskQueue, options } = deps;

  /** A cycle that a schedule opens (or opened) is not opened by hand as well. */
  async function refuseIfScheduled(cycleId: string): Promise<void> {
    const due = await scheduledOpening(client, cycleId);
    if (due) throw refused(`cycle ${cycleId} is scheduled: ${due}; delete that schedule first to open it now`);
    // A one-off schedule of this very cycle, made by a release before series.
    const legacy = await client.schedule
      .getHandle(scheduleIdOf(cycleId))
      .describe()
      .catch((err: unknown) => {
        if (err instanceof ScheduleNotFoundError) return undefined;
        throw err;
      });
    if (legacy)
      throw refused(
        `cycle ${cycleId} has a schedule of its own (${legacy.scheduleId}); delete it first to open it now`,
      );
  }

  /** The refusal for a cycle id that is taken: running now, or already run to its end. */
  async function alreadyStarted(cycleId: string): Promise<ApiError> {
    const workflowId = cycleWorkflowId(cycleId);
    const status = await client.workflow
      .getHandle(workflowId)
      .describe()
      .then((d) => d.status.name)
      .catch(() => 'RUNNING');
    return refused(
      status === 'RUNNING'
        ? `cycle ${cycleId} already runs (workflow ${workflowId})`
        : `cycle ${cycleId} already ran (its workflow is ${status.toLowerCase()}); a cycle id is used once, so give the new cycle another id`,
    );
  }
  const r = app.withTypeProvider<ZodTypeProvider>();
  const actionLimit = {
    max: options.rateLimits.actionsPerMinute,
    timeWindow: '1 minute',
    keyGenerator: (req: { principal?: { user: { id: string } }; ip: string }) =>
      `action:${req.principal?.user.id ?? req.ip}`,
  };

  r.post(
    '/api/cycles',
    {
      config: { rateLimit: actionLimit },
      schema: {
        summary: 'Open an award cycle from its config (YAML text, or the same as a JSON object)',
        tags: ['cycles'],
        body: z.strictObject({ config: z.union([z.string().max(1_000_000), z.record(z.string(), z.unknown())]) }),
        response: {
          201: z.object({
            cycleId: z.string(),
            name: z.string(),
            workflowId: z.string(),
            intakeClosesAt: z.string(),
            taskQueue: z.string(),
            workersPolling: z
              .number()
              .nullable()
              .describe(
                'workers polling its task queue now (null: the server would not say); 0 means nothing runs yet',
              ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      requireRole(p, ['coordinator'], 'open a cycle');
      const config = cycleConfigFromBody(req.body.config);
      const workflowId = cycleWorkflowId(config.id);
      await refuseIfScheduled(config.id);
      try {
        await client.workflow.start('awardCycle', {
          workflowId,
          taskQueue,
          args: [{ config }],
          workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
          staticSummary: `${config.name} (opened by ${p.actor.id})`,
        });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw await alreadyStarted(config.id);
        throw err;
      }
      const intakeClosesAt = new Date(Date.now() + parseDuration(config.intakeWindow)).toISOString();
      const pollers = await workflowPollers(client, taskQueue);
      return reply.code(201).send({
        cycleId: config.id,
        name: config.name,
        workflowId,
        intakeClosesAt,
        taskQueue,
        workersPolling: pollers?.length ?? null,
      });
    },
  );

  r.get(
    '/api/cycles/:id',
    {
      schema: {
        summary:
          'A cycle from the projection: its status, its nominations per stage, province and commodity, and its deadline extensions (coordinators and auditors)',
        tags: ['cycles'],
        params: CycleParams,
        response: { 200: CycleStatus, ...errorResponses },
      },
    },
    async (req) => {
      requireRole(principalOf(req), ['coordinator', 'auditor'], 'read a cycle');
      const status = await cycleStatus(db, req.params.id);
      if (!status) {
        // Says when a scheduled cycle opens, or that there is no such cycle at all.
        await cycleWorkflowOf(client, req.params.id);
        throw notFound(`cycle ${req.params.id} has opened but has no row in PostgreSQL yet; try again in a moment`);
      }
      return status;
    },
  );

  r.post(
    '/api/cycles/:id/deadline-extension',
    {
      config: { rateLimit: actionLimit },
      schema: {
        summary: "Extend a stage's deadline for every open nomination of the cycle",
        tags: ['cycles'],
        params: CycleParams,
        body: DeadlineExtension,
        response: { 200: CycleView, ...actionResponses },
      },
    },
    async (req) => {
      const p = principalOf(req);
      requireRole(p, ['coordinator'], 'extend a cycle deadline');
      return executeUpdate(
        client,
        await cycleWorkflowOf(client, req.params.id),
        extendCycleDeadlineUpdate,
        { actor: p.actor, ...req.body },
        `the deadline extension of cycle ${req.params.id}`,
        options.actionWaits,
      );
    },
  );

  r.post(
    '/api/cycles/:id/finalization',
    {
      config: { rateLimit: actionLimit },
      schema: {
        summary: 'Close intake and finalize the cycle once its nominations are settled',
        tags: ['cycles'],
        params: CycleParams,
        body: z.strictObject({}).optional(),
        response: { 200: CycleView, ...actionResponses },
      },
    },
    async (req) => {
      const p = principalOf(req);
      requireRole(p, ['coordinator'], 'finalize a cycle');
      return executeUpdate(
        client,
        await cycleWorkflowOf(client, req.params.id),
        finalizeCycleUpdate,
        { actor: p.actor },
        `the finalization of cycle ${req.params.id}`,
        options.actionWaits,
      );
    },
  );

  r.post(
    '/api/cycles/:id/decree',
    {
      config: { rateLimit: actionLimit },
      schema: {
        summary:
          "Record the decree that determines the cycle's recommended stars; the answer lists what it determined and what it could not",
        tags: ['cycles'],
        params: CycleParams,
        body: z.strictObject({
          number: z.string().trim().min(1).max(100),
          date: z.iso.date().describe('the day it was signed, YYYY-MM-DD'),
          signatory: z.strictObject({ office: z.enum(DECREE_SIGNATORIES), name: z.string().trim().min(1).max(200) }),
        }),
        response: { 200: DecreeOutcome, ...actionResponses },
      },
    },
    async (req) => {
      const p = principalOf(req);
      requireRole(p, ['coordinator'], 'record a decree');
      return executeUpdate(
        client,
        await cycleWorkflowOf(client, req.params.id),
        issueDecreeUpdate,
        { actor: p.actor, ...req.body },
        `the decree ${req.body.number} of cycle ${req.params.id}`,
        options.actionWaits,
      );
    },
  );
}
