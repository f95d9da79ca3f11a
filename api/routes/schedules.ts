/**
 * Cycle schedules (`ovop cycle schedule [create]|list|pause|unpause|delete`): the Temporal Schedules that open a
 * series' cycles, `ovop/<series>/schedule`. Each firing starts a `cycleOpener`, which names that firing's cycle
 * (`<series>-<year>`, domain/cycle-series.ts) and starts its `awardCycle` as `ovop/<cycle>/cycle`. Listing is for
 * coordinators and auditors; creating, pausing, unpausing and deleting for coordinators. A schedule is Temporal's own
 * record (no workflow query): it is read with its description.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  WorkflowExecutionAlreadyStartedError,
  type ScheduleDescription,
} from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { scheduleIdOf, viewOf, type SeriesMemo } from '../../client/cycle-ref';
import { cycleConfigFromBody } from '../cycle-config-body';
import { cycleIdOf, seriesOf, type CycleIdBy } from '../../domain/cycle-series';
import type { cycleOpener } from '../../workflows/cycle-opener.workflow';
import { cycleWorkflowId } from '../../workflows/ids';
import { principalOf } from '../auth';
import { requireRole } from '../authorization';
import { notFound, refused } from '../errors';
import { scheduleSpec } from '../schedule-spec';
import { errorResponses } from '../schemas';
import type { ApiDeps } from '../server';

const ScheduleView = z
  .object({
    scheduleId: z.string(),
    series: z.string(),
    cadence: z.string(),
    timezone: z.string().nullable(),
    paused: z.boolean(),
    note: z.string().nullable(),
    next: z.array(z.object({ at: z.string(), cycleId: z.string().nullable() })),
    opened: z.array(z.object({ at: z.string(), cycleId: z.string().nullable(), workflowId: z.string() })),
  })
  .meta({ id: 'CycleSchedule' });

const SeriesParams = z.strictObject({
  series: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "a series: the cycle config's id without the year"),
});

export function scheduleRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { client, options, taskQueue } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const actionLimit = {
    max: options.rateLimits.actionsPerMinute,
    timeWindow: '1 minute',
    keyGenerator: (req: { principal?: { user: { id: string } }; ip: string }) =>
      `action:${req.principal?.user.id ?? req.ip}`,
  };

  async function describe(series: string): Promise<ScheduleDescription> {
    try {
      return await client.schedule.getHandle(scheduleIdOf(series)).describe();
    } catch (err) {
      if (err instanceof ScheduleNotFoundError)
        throw notFound(`series ${series} has no schedule (${scheduleIdOf(series)})`);
      throw err;
    }
  }

  r.get(
    '/api/cycle-schedules',
    {
      schema: {
        summary: 'Every cycle schedule with its cadence, state, coming and past openings',
        tags: ['cycles'],
        response: { 200: z.object({ schedules: z.array(ScheduleView) }), ...errorResponses },
      },
    },
    async (req) => {
      requireRole(principalOf(req), ['coordinator', 'auditor'], 'read cycle schedules');
      const ids: string[] = [];
      for await (const s of client.schedule.list())
        if (/^ovop\/[^/]+\/schedule$/.test(s.scheduleId)) ids.push(s.scheduleId);
      const views = await Promise.all(
        ids.sort().map((id) =>
          client.schedule
            .getHandle(id)
            .describe()
            .then(viewOf)
            .catch((err: unknown) => {
              if (err instanceof ScheduleNotFoundError) return undefined; // deleted since it was listed
              throw err;
            }),
        ),
      );
      return { schedules: views.filter((v) => v !== undefined) };
    },
  );

  r.post(
    '/api/cycle-schedules',
    {
      config: { rateLimit: actionLimit },
      schema: {
        summary:
          "Create a series' schedule from a cycle config (the series is its id without a trailing year): it opens a cycle <series>-<year> on the calendar date, yearly or every two years as the config's cadence says",
        tags: ['cycles'],
        body: z.strictObject({
          config: z.union([z.string().max(1_000_000), z.record(z.string(), z.unknown())]),
          at: z
            .string()
            .max(40)
            .optional()
            .describe(
              "the first opening: 2027-02-01 or 2027-02-01T08:00 in the cycle's time zone, or an ISO instant with offset (default: phases.kickoff at 08:00)",
            ),
          every: z
            .string()
            .max(20)
            .optional()
            .describe(
              'TESTS AND DEMOS ONLY: open a cycle every <duration> (e.g. 20s, at least 5s); its cycles are named <series>-<yyyymmdd>-<hhmmss>',
            ),
        }),
        response: { 201: ScheduleView.extend({ taskQueue: z.string() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      requireRole(p, ['coordinator'], 'schedule cycles');
      const config = cycleConfigFromBody(req.body.config);
      const { spec, first, everyMs } = scheduleSpec(config, { at: req.body.at?.trim(), every: req.body.every?.trim() });
      const series = seriesOf(config.id);
      const idBy: CycleIdBy = everyMs === undefined ? 'year' : 'second';
      const cadence = everyMs === undefined ? config.cadence : `every ${req.body.every!.trim()}`;
      // The first cycle's id may already be taken (opened by hand); its opening would fail, so say so now.
      const firstCycle = cycleIdOf(series, new Date(Math.max(first, Date.now())), config.timezone, idBy);
      if (idBy === 'year') {
        const taken = await client.workflow
          .getHandle(cycleWorkflowId(firstCycle))
          .describe()
          .then(() => true)
          .catch(() => false);
        if (taken)
          throw refused(
            `cycle ${firstCycle}, the first this schedule would open, already runs or ran; a cycle id is used once`,
          );
      }
      const scheduleId = scheduleIdOf(series);
      const memo: SeriesMemo = { series, configId: config.id, cadence, idBy, timezone: config.timezone };
      try {
        await client.schedule.create({
          scheduleId,
          spec,
          action: {
            type: 'startWorkflow',
            workflowType: 'cycleOpener',
            workflowId: `ovop/${series}/opener`,
            taskQueue,
            args: [{ config, series, idBy }] satisfies Parameters<typeof cycleOpener>,
            staticSummary: `opens the next cycle of ${config.name} (scheduled by ${p.actor.id})`,
          },
          policies: {
            // A server that was down on the date still opens the cycle within a week (a compressed one within a minute).
            catchupWindow: everyMs === undefined ? '7 days' : '1 minute',
            // An opener lasts a moment; a firing is never skipped because an earlier one is still starting its cycle.
            overlap: 'ALLOW_ALL',
          },
          memo: { ovop: memo },
          state: { note: `opens ${series} cycles ${cadence}; scheduled by ${p.actor.role}:${p.actor.id}` },
        });
      } catch (err) {
        if (err instanceof ScheduleAlreadyRunning || err instanceof WorkflowExecutionAlreadyStartedError)
          throw refused(
            `series ${series} already has a schedule (${scheduleId}); see ovop cycle schedule list, or remove it with ovop cycle schedule delete ${series}`,
          );
        throw err;
      }
      return reply.code(201).send({ ...viewOf(await client.schedule.getHandle(scheduleId).describe()), taskQueue });
    },
  );

  for (const change of ['pause', 'unpause'] as const) {
    r.post(
      `/api/cycle-schedules/:series/${change}`,
      {
        config: { rateLimit: actionLimit },
        schema: {
          summary:
            change === 'pause'
              ? 'Pause a series’ schedule: no cycle opens until it is unpaused'
              : 'Unpause a series’ schedule',
          tags: ['cycles'],
          params: SeriesParams,
          body: z.strictObject({ note: z.string().trim().min(1).max(500).optional() }).optional(),
          response: { 200: ScheduleView, ...errorResponses },
        },
      },
      async (req) => {
        const p = principalOf(req);
        requireRole(p, ['coordinator'], `${change} a cycle schedule`);
        const { series } = req.params;
        const before = await describe(series);
        const note = `${change}d by ${p.actor.role}:${p.actor.id}${req.body?.note ? `: ${req.body.note}` : ''}`;
        const handle = client.schedule.getHandle(before.scheduleId);
        if (change === 'pause') {
          if (before.state.paused)
            throw refused(`the schedule of series ${series} is already paused (${before.state.note})`);
          await handle.pause(note);
        } else {
          if (!before.state.paused) throw refused(`the schedule of series ${series} is not paused`);
          await handle.unpause(note);
        }
        return viewOf(await handle.describe());
      },
    );
  }

  r.delete(
    '/api/cycle-schedules/:series',
    {
      config: { rateLimit: actionLimit },
      schema: {
        summary: 'Delete a series’ schedule: no further cycle opens; the cycles it opened run on',
        tags: ['cycles'],
        params: SeriesParams,
        response: { 200: ScheduleView, ...errorResponses },
      },
    },
    async (req) => {
      requireRole(principalOf(req), ['coordinator'], 'delete a cycle schedule');
      const before = await describe(req.params.series);
      await client.schedule.getHandle(before.scheduleId).delete();
      return { ...viewOf(before), next: [] };
    },
  );
}
