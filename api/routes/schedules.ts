/**
 * Cycle schedules (`ovop cycle schedule list|pause|unpause|delete`): the Temporal Schedules that open a series' cycles,
 * `ovop/<series>/schedule`. Listing is for coordinators and auditors; pausing, unpausing and deleting for coordinators.
 * A schedule is Temporal's own record (no workflow query): it is read with its description.
 */
import { ScheduleNotFoundError, type ScheduleDescription } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { scheduleIdOf, viewOf } from '../../client/cycle-ref';
import { principalOf } from '../auth';
import { requireRole } from '../authorization';
import { notFound, refused } from '../errors';
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
  const { client, options } = deps;
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
