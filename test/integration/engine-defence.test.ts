/**
 * The engine defends itself against a caller holding only the Temporal address (issue 13, item 7): a nomination or a
 * cycle started around the CLI with forged or malformed input ends at once with a clear failure, writing no row and
 * sending no mail; null, garbage and forged signals are logged and dropped, leaving every workflow task healthy (the
 * harness fails the file on any unexpected WorkflowTaskFailed); an activity's programming error is not retried.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { recordCycleDeadlineChange, recordIntake } from '../../activities/intake.activity';
import type { CycleConfig } from '../../domain/types';
import { readMailbox } from '../../embedded/mailbox';
import { cycleWorkflowId, nominationWorkflowId } from '../../workflows/ids';
import {
  attendSocializationUpdate,
  cycleStateQuery,
  finalizeCycleUpdate,
  nominateUpdate,
  nominationStateQuery,
  withdrawUpdate,
} from '../../workflows/messages';
import {
  coordinator,
  dinasOf,
  nominationInput,
  startNominationDirectly,
  testConfig,
  workflowInput,
} from '../../bench/drivers';
import { retryOnTaskFailure } from '../../common/update-retry';
import { startHarness, waitFor, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('engine-defence');
});
afterAll(async () => {
  await h?.stop();
});

const EVIL = 'penyusup@evil.example';

/** What a workflow left behind in PostgreSQL: its rows in every table a nomination writes. */
async function rowsOf(workflowId: string) {
  const count = async (table: 'nominations' | 'nomination_events' | 'notifications' | 'documents') =>
    (await h.db.selectFrom(table).select('workflow_id').where('workflow_id', '=', workflowId).execute()).length;
  return {
    nominations: await count('nominations'),
    nomination_events: await count('nomination_events'),
    notifications: await count('notifications'),
    documents: await count('documents'),
  };
}
const NO_ROWS = { nominations: 0, nomination_events: 0, notifications: 0, documents: 0 };

/** Every message the SMTP sink received about `workflowId` or addressed to `address`. */
async function mailAbout(workflowId: string, address = EVIL) {
  return (await readMailbox(h.mailDir)).filter(
    (m) => m.workflowId === workflowId || m.to.includes(address) || m.cc.includes(address),
  );
}

/** The failure a workflow ended with: its type and message (the activity's, when an activity failed it). */
async function failureOf(result: Promise<unknown>): Promise<{ type: string | undefined; message: string }> {
  const err = await result.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  let cause = (err as WorkflowFailedError).cause;
  if (cause instanceof ActivityFailure) cause = cause.cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return { type: (cause as ApplicationFailure).type ?? undefined, message: cause!.message };
}

async function activityTypesIn(workflowId: string): Promise<string[]> {
  const { events } = await h.client.workflow.getHandle(workflowId).fetchHistory();
  return (events ?? []).flatMap((e) =>
    e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name ?? ''] : [],
  );
}

/** The forger's version of the cycle: coordinators, the dinas address pattern and the star thresholds of its choosing. */
function forged(config: CycleConfig): CycleConfig {
  const copy = structuredClone(config);
  copy.contacts.coordinators = [EVIL];
  copy.contacts.dinasKabKota = 'penyusup+{regency}@evil.example';
  copy.stars.thresholds = { '1': 1, '2': 2, '3': 3, '4': 4, '5': 5 };
  return copy;
}

describe('a nomination started around its cycle', () => {
  it('with forged rules and no intake record fails before any row or mail', async () => {
    const config = testConfig('uji-bela-palsu');
    const n = nominationInput(config, { regencyCode: '32.05', ikmName: 'IKM Palsu', dinasEmail: EVIL });
    const workflowId = nominationWorkflowId(config.id, n.regencyCode, n.ikmName);
    const handle = await h.client.workflow.start('nomination', {
      workflowId,
      taskQueue: h.taskQueue,
      args: [workflowInput(forged(config), n)],
    });
    const failure = await failureOf(handle.result());
    expect(failure).toEqual({
      type: 'NotStartedByCycle',
      message: `nomination ${workflowId} was not started by its cycle: no intake record of it`,
    });
    // The one activity it ran is the check; nothing was written or sent.
    expect(await activityTypesIn(workflowId)).toEqual(['verifyNominationStart']);
    expect(await rowsOf(workflowId)).toEqual(NO_ROWS);
    expect(await mailAbout(workflowId)).toEqual([]);
  });

  it('with rules other than those its cycle recorded for it fails, naming what differs', async () => {
    const config = testConfig('uji-bela-beda');
    const n = nominationInput(config, { regencyCode: '32.05', ikmName: 'IKM Beda Aturan' });
    const workflowId = nominationWorkflowId(config.id, n.regencyCode, n.ikmName);
    // The cycle recorded the genuine input; the caller starts the same nomination on its own rules.
    await recordIntake(h.db, workflowId, workflowInput(config, n));
    const handle = await h.client.workflow.start('nomination', {
      workflowId,
      taskQueue: h.taskQueue,
      args: [workflowInput(forged(config), n)],
    });
    const failure = await failureOf(handle.result());
    expect(failure.type).toBe('NotStartedByCycle');
    expect(failure.message).toBe(
      `nomination ${workflowId} was started with other input than its cycle gave it (differs in ` +
        'rules.contacts.coordinators[0], rules.contacts.dinasKabKota, rules.stars.thresholds.1, rules.stars.thresholds.2, rules.stars.thresholds.3)',
    );
    expect(await rowsOf(workflowId)).toEqual(NO_ROWS);
    expect(await mailAbout(workflowId)).toEqual([]);
  });

  it('with malformed input fails with every problem named, and no workflow task fails', async () => {
    const config = testConfig('uji-bela-rusak');
    const n = nominationInput(config, { regencyCode: '32.05', ikmName: 'IKM Rusak' });
    const workflowId = nominationWorkflowId(config.id, n.regencyCode, n.ikmName);
    const { deadlines: _deadlines, ...rules } = workflowInput(config, n).rules;
    const handle = await h.client.workflow.start('nomination', {
      workflowId,
      taskQueue: h.taskQueue,
      args: [{ nomination: { ...n, sentraSize: 2, nominatedBy: null }, rules, regencyName: 'Kab. Garut' }],
    });
    expect(await failureOf(handle.result())).toEqual({
      type: 'InvalidInput',
      message:
        'the nomination input is invalid: nomination.sentraSize must be a whole number from 5 to 1000000; ' +
        'nomination.nominatedBy must be an object; rules.deadlines must be an object; provinceName is required',
    });
    expect(await activityTypesIn(workflowId)).toEqual([]);
    expect(await rowsOf(workflowId)).toEqual(NO_ROWS);
  });
});

describe('an award cycle started around the CLI', () => {
  it('with a config it cannot run fails at once, recording and mailing nothing', async () => {
    const config = testConfig('uji-bela-siklus-rusak');
    const broken = { ...config, intakeWindow: 'sebentar', contacts: { ...config.contacts, coordinators: [] } };
    const workflowId = cycleWorkflowId(config.id);
    const cycle = await h.client.workflow.start('awardCycle', {
      workflowId,
      taskQueue: h.taskQueue,
      args: [{ config: broken }],
    });
    expect(await failureOf(cycle.result())).toEqual({
      type: 'InvalidInput',
      message:
        'the cycle input is invalid: config.contacts.coordinators must be a list of at least 1; ' +
        'config.intakeWindow must be a duration such as 14d or 20s',
    });
    expect(await h.db.selectFrom('cycles').select('id').where('id', '=', config.id).execute()).toEqual([]);
    expect(await mailAbout(workflowId)).toEqual([]);
  });

  it('under the id of a recorded cycle with other rules fails without touching its record or mailing', async () => {
    const config = testConfig('uji-bela-siklus-kembar', { mutate: (c) => (c.intakeWindow = '10m') });
    const genuine = await h.client.workflow.start('awardCycle', {
      workflowId: cycleWorkflowId(config.id),
      taskQueue: h.taskQueue,
      args: [{ config, reconcileEvery: '1s' }],
    });
    const recorded = await waitFor(
      () => h.db.selectFrom('cycles').selectAll().where('id', '=', config.id).executeTakeFirst(),
      { what: "the genuine cycle's row" },
    );
    const twin = await h.client.workflow.start('awardCycle', {
      workflowId: `${cycleWorkflowId(config.id)}-kembar`,
      taskQueue: h.taskQueue,
      args: [{ config: forged(config) }],
    });
    const failure = await failureOf(twin.result());
    expect(failure.type).toBe('CycleConflict');
    expect(failure.message).toMatch(
      new RegExp(
        `^cycle ${config.id} is already recorded with other rules \\(differs in contacts.coordinators\\[0\\], `,
      ),
    );
    const after = await h.db.selectFrom('cycles').selectAll().where('id', '=', config.id).executeTakeFirstOrThrow();
    expect(after.config).toEqual(recorded.config);
    expect(await mailAbout(twin.workflowId)).toEqual([]);
    await genuine.terminate('uji selesai');
  });
});

describe('signals nobody should trust', () => {
  it('null, garbage and forged cycleDeadline signals to a nomination are dropped; a recorded one applies under its recorded actor', async () => {
    const config = testConfig('uji-bela-sinyal');
    const n = nominationInput(config, { regencyCode: '32.05', ikmName: 'IKM Sinyal' });
    const { handle, workflowId } = await startNominationDirectly(h, h.taskQueue, workflowInput(config, n));
    const before = await waitFor(async () => {
      const v = await handle.query(nominationStateQuery);
      return v.stage === 'AWAITING_SOCIALIZATION' && v;
    });
    // The state answers before the projection has written all its rows (the stage's event, the intake mail): read
    // them once they are there, so that the comparison below sees only what the signals did.
    const eventsBefore = await waitFor(async () => {
      const rows = await rowsOf(workflowId);
      return rows.nomination_events === before.eventCount && rows.notifications > 0 && rows;
    });
    const intruder = { role: 'coordinator', id: 'penyusup', region: '00' };
    const far = '2099-01-01T00:00:00.000Z';
    const garbage: unknown[] = [
      null,
      'garbage',
      42,
      [],
      {},
      { stage: 'attendance', until: 'besok', actor: intruder },
      { stage: 'bogus', until: far, actor: intruder },
      // Well-formed, but no cycle ever recorded it: the invented actor does not make it so.
      { stage: 'attendance', until: far, actor: intruder },
    ];
    for (const payload of garbage) await handle.signal('cycleDeadline', payload);
    // The forged well-formed one is looked up in the cycle's record; wait for that look-up to finish.
    await waitFor(async () => (await activityTypesIn(workflowId)).includes('recordedCycleDeadline'));
    await waitFor(async () => {
      const { events } = await handle.fetchHistory();
      return (events ?? []).some((e) => e.activityTaskCompletedEventAttributes) && !(await hasPendingActivity());
    });
    const after = await handle.query(nominationStateQuery);
    expect(after.deadline).toEqual(before.deadline);
    expect(after.eventCount).toBe(before.eventCount);
    expect(await rowsOf(workflowId)).toEqual(eventsBefore);

    // A change the cycle did record (its broadcast writes the record before signalling) applies, under the
    // coordinator of the record, whatever actor the signal claims.
    const until = new Date(Date.now() + 2 * 3600_000).toISOString();
    await recordCycleDeadlineChange(h.db, { cycleId: config.id, stage: 'attendance', until, actor: coordinator });
    await handle.signal('cycleDeadline', { stage: 'attendance', until, actor: intruder });
    const extended = await waitFor(async () => {
      const v = await handle.query(nominationStateQuery);
      return v.deadline?.at === until && v;
    });
    expect(extended.deadline).toEqual({ stage: 'attendance', at: until });
    const rows = await h.db
      .selectFrom('nomination_events')
      .select(['type', 'actor_role', 'actor_id', 'payload'])
      .where('workflow_id', '=', workflowId)
      .where('type', '=', 'deadline.extended')
      .execute();
    expect(rows).toEqual([
      {
        type: 'deadline.extended',
        actor_role: 'coordinator',
        actor_id: coordinator.id,
        payload: { deadlineStage: 'attendance', until, scope: 'cycle' },
      },
    ]);
    // The nomination goes on as before.
    const answer = await handle.executeUpdate(attendSocializationUpdate, {
      args: [{ actor: dinasOf('32.05'), sessionId: config.sessions.find((s) => s.provinces.includes('32'))!.id }],
    });
    expect(answer.attendedSession).not.toBeNull();
    await handle.executeUpdate(withdrawUpdate, { args: [{ actor: dinasOf('32.05'), reason: 'uji selesai' }] });

    async function hasPendingActivity() {
      return ((await handle.describe()).raw.pendingActivities ?? []).length > 0;
    }
  });

  it('null and garbage signals to a cycle are dropped, and the cycle still takes nominations and finalizes', async () => {
    const config = testConfig('uji-bela-sinyal-siklus', { mutate: (c) => (c.intakeWindow = '10m') });
    const cycle = await h.client.workflow.start('awardCycle', {
      workflowId: cycleWorkflowId(config.id),
      taskQueue: h.taskQueue,
      args: [{ config, reconcileEvery: '1s' }],
    });
    for (const [name, payload] of [
      ['stageChanged', null],
      ['stageChanged', { workflowId: 'x', from: null, to: 'DETERMINED', seq: 1 }],
      ['cycleDeadline', null],
      ['cycleDeadline', { stage: 'documents', until: '2099-01-01T00:00:00Z', actor: { role: 'coordinator' } }],
      ['nominate', 'garbage'],
    ] as const) {
      await cycle.signal(name, payload);
    }
    const n = nominationInput(config, { regencyCode: '32.05', ikmName: 'IKM Setelah Sinyal' });
    const { workflowId } = await retryOnTaskFailure(() => cycle.executeUpdate(nominateUpdate, { args: [n] }));
    await waitFor(async () => (await cycle.query(cycleStateQuery)).counts.AWAITING_SOCIALIZATION === 1);
    await h.client.workflow
      .getHandle(workflowId)
      .executeUpdate(withdrawUpdate, { args: [{ actor: dinasOf('32.05'), reason: 'uji selesai' }] });
    await retryOnTaskFailure(() => cycle.executeUpdate(finalizeCycleUpdate, { args: [{ actor: coordinator }] }));
    const final = await cycle.result();
    expect(final).toMatchObject({ finalized: true, nominated: 1, counts: { WITHDRAWN: 1 }, deadlineOverrides: {} });
    const { events } = await cycle.fetchHistory();
    expect((events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(5);
  });
});

describe('an activity that meets a programming error', () => {
  it('fails at once with the error as its cause: a TypeError is not retried', async () => {
    // A probe workflow calls the real projection activity, under the real retry policy, with an event that has no
    // actor: the activity's code reads `actor.role` and throws a TypeError.
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const taskQueue = `${h.taskQueue}-probe`;
    const worker = await Worker.create({
      connection,
      namespace: 'default',
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../support/activity-probe.workflow.ts', import.meta.url)),
      activities: createActivities({ db: h.db, mailer: h.mailer, client: h.client }),
    });
    const workflowId = `uji-bela-typeerror-${Date.now()}`;
    await worker.runUntil(async () => {
      const handle = await h.client.workflow.start('activityProbe', { workflowId, taskQueue, args: [workflowId] });
      const err = await handle.result().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const activity = (err as WorkflowFailedError).cause as ActivityFailure;
      expect(activity).toBeInstanceOf(ActivityFailure);
      expect(activity.retryState).toBe(RetryState.NON_RETRYABLE_FAILURE);
      expect(activity.cause).toBeInstanceOf(ApplicationFailure);
      expect((activity.cause as ApplicationFailure).type).toBe('TypeError');
      const { events } = await handle.fetchHistory();
      const started = (events ?? []).flatMap((e) => (e.activityTaskStartedEventAttributes ? [e] : []));
      expect(started.map((e) => e.activityTaskStartedEventAttributes?.attempt)).toEqual([1]);
    });
    await connection.close();
    expect(await rowsOf(workflowId)).toEqual(NO_ROWS);
  });
});
