/**
 * The cycle keeps its history bounded by continuing as new, and nothing is lost across runs: counts, the nominated
 * total, deadline overrides, and the nominations themselves, which never depend on one run of the cycle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleWorkflowId, nominationWorkflowId } from '../../workflows/ids';
import { awardCycle } from '../../workflows/award-cycle.workflow';
import {
  cycleStateQuery,
  extendCycleDeadlineUpdate,
  finalizeCycleUpdate,
  nominateUpdate,
  nominationStateQuery,
  withdrawUpdate,
} from '../../workflows/messages';
import { coordinator, dinasOf, nominationInput, testConfig } from '../../bench/drivers';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { mailFor } from '../../embedded/mailbox';
import { retryOnTaskFailure } from '../../common/update-retry';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('cycle-can');
});
afterAll(async () => {
  await h?.stop();
});

const REGENCIES = [
  '32.05',
  '13.04',
  '34.71',
  '52.01',
  '33.26',
  '35.07',
  '73.71',
  '51.04',
  '12.17',
  '61.71',
  '74.71',
  '53.71',
];

describe('an award cycle with more history than one run may hold', () => {
  it('continues as new, carrying counts, total and overrides, and still finalizes with every nomination', async () => {
    const config = testConfig('uji-can', { mutate: (c) => (c.intakeWindow = '10m') });
    const workflowId = cycleWorkflowId(config.id);
    // A limit of 60 events forces several runs with a dozen nominations (each nominate adds ~6 events, each signal 1).
    await h.client.workflow.start(awardCycle, {
      workflowId,
      taskQueue: h.taskQueue,
      args: [{ config, historyEventsPerRun: 60, reconcileEvery: '1s' }],
    });
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const ids: string[] = [];
    for (const regencyCode of REGENCIES) {
      const n = nominationInput(config, { regencyCode, ikmName: `IKM Uji ${regencyCode}` });
      // `created` may be false when a retried update finds the nomination its lost first attempt started.
      const { workflowId: id } = await retryOnTaskFailure(() =>
        h.client.workflow.getHandle(workflowId).executeUpdate(nominateUpdate, { args: [n] }),
      );
      expect(id).toBe(nominationWorkflowId(config.id, regencyCode, n.ikmName));
      ids.push(id);
      if (ids.length === 3)
        await retryOnTaskFailure(() =>
          h.client.workflow
            .getHandle(workflowId)
            .executeUpdate(extendCycleDeadlineUpdate, { args: [{ actor: coordinator, stage: 'documents', until }] }),
        );
    }
    // Re-nominating an IKM accepted by an earlier run is caught by its workflow id, not by this run's memory.
    const again = await retryOnTaskFailure(() =>
      h.client.workflow.getHandle(workflowId).executeUpdate(nominateUpdate, {
        args: [nominationInput(config, { regencyCode: '32.05', ikmName: 'IKM Uji 32.05' })],
      }),
    );
    expect(again).toEqual({ workflowId: ids[0], created: false });

    const view = await waitFor(
      async () => {
        const v = await h.client.workflow.getHandle(workflowId).query(cycleStateQuery);
        return v.runs > 1 && v.counts.AWAITING_SOCIALIZATION === REGENCIES.length && v;
      },
      { what: 'a continued run counting every nomination' },
    );
    expect(view.nominated, JSON.stringify(view)).toBe(REGENCIES.length);
    expect(view.deadlineOverrides.documents).toBe(until);
    // Nominations started by earlier runs keep waiting on their own, whatever run the cycle is in.
    const last = await h.client.workflow.getHandle(ids[ids.length - 1]).query(nominationStateQuery);
    expect(last.stage).toBe('AWAITING_SOCIALIZATION');

    // Every nomination withdraws; the cycle (in whatever run it is now) settles and finalizes.
    for (const id of ids) {
      const regency = id.split('/')[3];
      await h.client.workflow
        .getHandle(id)
        .executeUpdate(withdrawUpdate, { args: [{ actor: dinasOf(regency), reason: 'uji' }] });
    }
    await retryOnTaskFailure(() =>
      h.client.workflow.getHandle(workflowId).executeUpdate(finalizeCycleUpdate, { args: [{ actor: coordinator }] }),
    );
    const final = await h.client.workflow.getHandle(workflowId).result();
    expect(final).toMatchObject({ finalized: true, nominated: REGENCIES.length });
    expect(final.runs).toBeGreaterThan(1);
    expect(final.counts.WITHDRAWN).toBe(REGENCIES.length);

    const row = await h.db.selectFrom('cycles').selectAll().where('id', '=', config.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('FINALIZED');
    const summary = await waitFor(async () =>
      (await mailFor(h.mailDir, workflowId)).find((m) => m.template === 'cycle_summary'),
    );
    expect(summary.text).toContain(`${REGENCIES.length} usulan`);
    // Each run's history stayed near the limit (it may overshoot by what arrives while handlers finish).
    const runs = [];
    for await (const wf of h.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(wf);
    expect(runs.length).toBe(final.runs);
    for (const run of runs) expect(run.historyLength).toBeLessThan(200);
  });
});

describe('an award cycle under a steady intake', () => {
  it('still continues as new: while a run drains, new nominations are turned away to be retried into the next run', async () => {
    const config = testConfig('uji-can-arus', { mutate: (c) => (c.intakeWindow = '10m') });
    const workflowId = cycleWorkflowId(config.id);
    const limit = 60;
    await h.client.workflow.start(awardCycle, {
      workflowId,
      taskQueue: h.taskQueue,
      args: [{ config, historyEventsPerRun: limit, reconcileEvery: '1s' }],
    });
    const cycle = h.client.workflow.getHandle(workflowId);
    // Six dinas offices nominate at once, five IKM each, so a nominate handler is nearly always in flight: a run that
    // waited for all of them to finish before continuing as new would never end.
    const streams = 6;
    const perStream = 5;
    const accepted = await Promise.all(
      Array.from({ length: streams }, async (_, s) => {
        const ids: string[] = [];
        for (let i = 0; i < perStream; i++) {
          const regencyCode = REGENCIES[(s * perStream + i) % REGENCIES.length];
          const n = nominationInput(config, { regencyCode, ikmName: `IKM Arus ${s}-${i}` });
          ids.push((await retryOnTaskFailure(() => cycle.executeUpdate(nominateUpdate, { args: [n] }))).workflowId);
        }
        return ids;
      }),
    );
    const ids = accepted.flat();
    expect(new Set(ids).size).toBe(streams * perStream);

    const view = await waitFor(
      async () => {
        const v = await cycle.query(cycleStateQuery);
        return v.counts.AWAITING_SOCIALIZATION === ids.length && v;
      },
      { what: 'every nomination counted by the current run' },
    );
    expect(view.nominated).toBe(ids.length);
    // Each nomination added ~8 events to the cycle (the update and its activity): 30 of them in one run
    // would be ~240. Bounded runs overshoot the limit only by what was in flight when the run began to drain.
    // The census keeps adding events, so the cycle may have moved on since the query: stop it, then look at its runs.
    await cycle.terminate('uji selesai');
    const runs = [];
    for await (const wf of h.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(wf);
    expect(runs.length).toBeGreaterThanOrEqual(view.runs);
    expect(view.runs).toBeGreaterThanOrEqual(3);
    const continued = runs.filter((r) => r.status.name === 'CONTINUED_AS_NEW');
    expect(continued.length).toBe(runs.length - 1);
    for (const run of continued) expect(run.historyLength, `run ${run.runId}`).toBeLessThan(limit + 60);
  });
});

describe('an award cycle counting from the projection', () => {
  it('follows the Postgres projection: a stray stage report by signal changes no count, and the cycle still finalizes', async () => {
    const config = testConfig('uji-census', { mutate: (c) => (c.intakeWindow = '10m') });
    const workflowId = cycleWorkflowId(config.id);
    await h.client.workflow.start(awardCycle, {
      workflowId,
      taskQueue: h.taskQueue,
      args: [{ config, reconcileEvery: '1s' }],
    });
    const cycle = h.client.workflow.getHandle(workflowId);
    const n = nominationInput(config, { regencyCode: '32.05', ikmName: 'IKM Sensus' });
    const { workflowId: id } = await retryOnTaskFailure(() => cycle.executeUpdate(nominateUpdate, { args: [n] }));
    await waitFor(async () => (await cycle.query(cycleStateQuery)).counts.AWAITING_SOCIALIZATION === 1);
    // A stage report by signal, as a caller going around the API might send one: the cycle has no such signal.
    await cycle.signal('stageChanged', { workflowId: id, from: null, to: 'AWAITING_DOCUMENTS', seq: 9_999 });
    await h.client.workflow
      .getHandle(id)
      .executeUpdate(withdrawUpdate, { args: [{ actor: dinasOf('32.05'), reason: 'uji sensus' }] });
    const view = await waitFor(
      async () => {
        const v = await cycle.query(cycleStateQuery);
        return v.counts.WITHDRAWN === 1 && v;
      },
      { what: 'the withdrawal counted' },
    );
    expect(view.counts).toEqual({ WITHDRAWN: 1 });

    await retryOnTaskFailure(() => cycle.executeUpdate(finalizeCycleUpdate, { args: [{ actor: coordinator }] }));
    const final = await cycle.result();
    expect(final).toMatchObject({ finalized: true, nominated: 1, counts: { WITHDRAWN: 1 } });
    const row = await h.db.selectFrom('cycles').selectAll().where('id', '=', config.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('FINALIZED');
  });
});
