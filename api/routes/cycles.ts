/**
 * Award cycles: open one from its config, read its status from the projection, nominate into it, and steer it
 * (a cycle-wide deadline extension, finalization). Opening and steering are the coordinators'; a dinas kabupaten/kota
 * nominates for its own kabupaten/kota only.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { stageCounts } from '../../db/reports';
import { CycleConfigError, parseCycleConfig } from '../../domain/cycle-config';
import { parseDuration } from '../../domain/duration';
import { COMMODITIES } from '../../domain/types';
import { cycleWorkflowId } from '../../workflows/ids';
import { extendCycleDeadlineUpdate, finalizeCycleUpdate, nominateUpdate } from '../../workflows/messages';
import { principalOf } from '../auth';
import { requireRole } from '../authorization';
import { ApiError, forbidden, invalidRequest, notFound } from '../errors';
import { CycleParams, CycleView, DeadlineExtension, errorResponses } from '../schemas';
import type { ApiDeps } from '../server';
import { executeUpdate } from '../workflow-calls';

export function cycleRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db, client, taskQueue, options } = deps;
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
          201: z.object({ cycleId: z.string(), name: z.string(), workflowId: z.string(), intakeClosesAt: z.string() }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      requireRole(p, ['coordinator'], 'open a cycle');
      let config;
      try {
        const text = typeof req.body.config === 'string' ? req.body.config : JSON.stringify(req.body.config);
        config = parseCycleConfig(text, 'in the request');
      } catch (err) {
        if (err instanceof CycleConfigError) throw invalidRequest(err.message);
        throw err;
      }
      const workflowId = cycleWorkflowId(config.id);
      try {
        await client.workflow.start('awardCycle', {
          workflowId,
          taskQueue,
          args: [{ config }],
          workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
          staticSummary: `${config.name} (opened by ${p.actor.id})`,
        });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError)
          throw new ApiError(409, 'refused', `cycle ${config.id} already runs or ran; a cycle id is used once`);
        throw err;
      }
      const intakeClosesAt = new Date(Date.now() + parseDuration(config.intakeWindow)).toISOString();
      return reply.code(201).send({ cycleId: config.id, name: config.name, workflowId, intakeClosesAt });
    },
  );

  r.get(
    '/api/cycles/:id',
    {
      schema: {
        summary: 'A cycle from the projection: its status and its nominations per stage (coordinators and auditors)',
        tags: ['cycles'],
        params: CycleParams,
        response: {
          200: z.object({
            cycleId: z.string(),
            name: z.string(),
            status: z.string(),
            startedAt: z.string(),
            finalizedAt: z.string().nullable(),
            stages: z.record(z.string(), z.number()),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      requireRole(principalOf(req), ['coordinator', 'auditor'], 'read a cycle');
      const cycle = await db.selectFrom('cycles').selectAll().where('id', '=', req.params.id).executeTakeFirst();
      if (!cycle) throw notFound(`no cycle ${req.params.id}`);
      return {
        cycleId: cycle.id,
        name: cycle.name,
        status: cycle.status,
        startedAt: cycle.started_at.toISOString(),
        finalizedAt: cycle.finalized_at?.toISOString() ?? null,
        stages: await stageCounts(db, cycle.id),
      };
    },
  );

  r.post(
    '/api/cycles/:id/nominations',
    {
      config: { rateLimit: actionLimit },
      schema: {
        summary: 'Nominate one IKM (a dinas kabupaten/kota for its own kabupaten/kota, or a coordinator)',
        tags: ['cycles'],
        params: CycleParams,
        body: z.strictObject({
          regencyCode: z.string().regex(/^\d{2}\.\d{2}$/, 'a kabupaten/kota code such as 32.05'),
          ikmName: z.string().trim().min(1).max(200),
          sentraName: z.string().trim().min(1).max(200),
          commodity: z.enum(COMMODITIES),
          product: z.string().trim().min(1).max(200),
          sentraSize: z.number().int(),
          dinasEmail: z.email().optional(),
          previousStars: z.strictObject({ cycleId: z.string(), stars: z.number().int() }).optional(),
        }),
        response: { 201: z.object({ workflowId: z.string(), created: z.boolean() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      requireRole(p, ['dinas_kabkota', 'coordinator'], 'nominate');
      if (p.actor.role === 'dinas_kabkota' && req.body.regencyCode !== p.actor.region)
        throw forbidden(`you act for kabupaten/kota ${p.actor.region}, not ${req.body.regencyCode}`);
      const result = await executeUpdate(
        client,
        cycleWorkflowId(req.params.id),
        nominateUpdate,
        { ...req.body, cycleId: req.params.id, nominatedBy: p.actor },
        'the nomination',
      );
      return reply.code(result.created ? 201 : 200).send(result);
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
        response: { 200: CycleView, ...errorResponses },
      },
    },
    async (req) => {
      const p = principalOf(req);
      requireRole(p, ['coordinator'], 'extend a cycle deadline');
      return executeUpdate(
        client,
        cycleWorkflowId(req.params.id),
        extendCycleDeadlineUpdate,
        { actor: p.actor, ...req.body },
        `the deadline extension of cycle ${req.params.id}`,
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
        response: { 200: CycleView, ...errorResponses },
      },
    },
    async (req) => {
      const p = principalOf(req);
      requireRole(p, ['coordinator'], 'finalize a cycle');
      return executeUpdate(
        client,
        cycleWorkflowId(req.params.id),
        finalizeCycleUpdate,
        { actor: p.actor },
        `the finalization of cycle ${req.params.id}`,
      );
    },
  );
}
