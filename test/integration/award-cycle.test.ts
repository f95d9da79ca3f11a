/**
 * The award cycle: it opens with a mail to the coordinators, takes nominations while intake is open, counts them per
 * stage from the Postgres projection (a census every second here), and finalizes with a summary once every nomination
 * is terminal or awaits determination.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, CycleConfig } from '../../domain/types';
import { cycleWorkflowId } from '../../workflows/ids';
import {
  attendSocializationUpdate,
  cycleStateQuery,
  nominateUpdate,
  nominationStateQuery,
  reviewDocumentsUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
  withdrawUpdate,
  type CycleView,
} from '../../workflows/messages';
import { coordinator, dinasOf, nominationInput, scoresFor, sha256, testConfig } from '../../bench/drivers';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { mailFor, type ReceivedMail } from '../../embedded/mailbox';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('award-cycle');
});
afterAll(async () => {
  await h?.stop();
});

const COORDINATOR_MAIL = 'ditjen-ikma@ovop.kemenperin.example';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts per stage without the stages a nomination has left (their count is 0). */
const nonZero = (counts: CycleView['counts']) => Object.fromEntries(Object.entries(counts).filter(([, c]) => c));

const sameCounts = (x: Record<string, unknown>, y: Record<string, unknown>) =>
  JSON.stringify(Object.entries(x).sort()) === JSON.stringify(Object.entries(y).sort());

async function countsBecome(cycle: WorkflowHandle, expected: Record<string, number>): Promise<CycleView> {
  return waitFor(
    async () => {
      const v = await cycle.query(cycleStateQuery);
      return sameCounts(nonZero(v.counts), expected) && v;
    },
    { what: `counts ${JSON.stringify(expected)}` },
  );
}

async function stageOf(handle: WorkflowHandle, stage: string) {
  return waitFor(
    async () => {
      const s = await handle.query(nominationStateQuery);
      return s.stage === stage && s;
    },
    { what: `stage ${stage}` },
  );
}

async function mailUntil(workflowId: string, template: string): Promise<ReceivedMail> {
  return waitFor(async () => (await mailFor(h.mailDir, workflowId)).find((m) => m.template === template), {
    what: `${template} mail`,
    timeoutMs: 15_000,
  });
}

async function startCycle(config: CycleConfig) {
  const workflowId = cycleWorkflowId(config.id);
  const handle = await h.client.workflow.start('awardCycle', {
    workflowId,
    taskQueue: h.taskQueue,
    args: [{ config, reconcileEvery: '1s' }],
  });
  return { handle, workflowId };
}

describe('the award cycle', () => {
  it('opens with a mail to the coordinators, closes intake at its deadline, counts stages from the projection, and finalizes with a summary', async () => {
    // Intake stays open long enough for two nominations and an attendance on a loaded machine; the test then waits
    // for its close rather than for a fixed time.
    const config = testConfig('uji-siklus', { mutate: (c) => (c.intakeWindow = '30s') });
    const { handle: cycle, workflowId: cycleId } = await startCycle(config);

    const opened = await mailUntil(cycleId, 'cycle_opened');
    expect(opened.to).toEqual([COORDINATOR_MAIL]);
    expect(opened.subject).toBe('[OVOP] Siklus dibuka: Uji uji-siklus');
    expect(
      await h.db.selectFrom('cycles').select(['status', 'name']).where('id', '=', 'uji-siklus').executeTakeFirst(),
    ).toEqual({ status: 'OPEN', name: 'Uji uji-siklus' });

    const garut = await cycle.executeUpdate(nominateUpdate, {
      args: [nominationInput(config, { regencyCode: '32.05', ikmName: 'Tenun Siklus Garut' })],
    });
    const yogya = await cycle.executeUpdate(nominateUpdate, {
      args: [nominationInput(config, { regencyCode: '34.71', ikmName: 'Batik Siklus Yogya', commodity: 'kain_batik' })],
    });
    expect([garut.created, yogya.created]).toEqual([true, true]);
    const a = h.client.workflow.getHandle(garut.workflowId);
    const b = h.client.workflow.getHandle(yogya.workflowId);
    expect((await countsBecome(cycle, { AWAITING_SOCIALIZATION: 2 })).nominated).toBe(2);

    await stageOf(a, 'AWAITING_SOCIALIZATION');
    await a.executeUpdate(attendSocializationUpdate, {
      args: [{ actor: dinasOf('32.05'), sessionId: 'sesi-1-yogyakarta' }],
    });
    await countsBecome(cycle, { AWAITING_SOCIALIZATION: 1, AWAITING_DOCUMENTS: 1 });

    // Intake closes 30 s after the cycle started.
    const { intakeClosesAt } = await cycle.query(cycleStateQuery);
    await sleep(Math.max(0, Date.parse(intakeClosesAt) - Date.now()) + 300);
    const late = await cycle
      .executeUpdate(nominateUpdate, {
        args: [nominationInput(config, { regencyCode: '32.04', ikmName: 'Tenun Terlambat Daftar' })],
      })
      .catch((e: unknown) => e);
    expect(late).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((late as WorkflowUpdateFailedError).cause?.message).toBe('intake for cycle uji-siklus is closed');
    // A query answers as of the cycle's last workflow task; the one at the intake deadline may still be under way.
    const closed = await waitFor(
      async () => {
        const v = await cycle.query(cycleStateQuery);
        return !v.intakeOpen && v;
      },
      { what: 'the cycle to show intake closed' },
    );
    expect(closed).toMatchObject({ intakeOpen: false, nominated: 2, finalized: false });
    // Open nominations keep the cycle from finalizing.
    expect((await cycle.describe()).status.name).toBe('RUNNING');

    await stageOf(b, 'AWAITING_SOCIALIZATION');
    await b.executeUpdate(withdrawUpdate, { args: [{ actor: dinasOf('34.71'), reason: 'IKM pindah usaha' }] });
    await countsBecome(cycle, { AWAITING_DOCUMENTS: 1, WITHDRAWN: 1 });
    expect((await cycle.describe()).status.name).toBe('RUNNING');

    await a.executeUpdate(submitDocumentUpdate, {
      args: [
        { actor: dinasOf('32.05'), kind: 'legality', fileName: 'nib.pdf', checksum: sha256('nib'), sizeBytes: 900 },
      ],
    });
    await stageOf(a, 'UNDER_REVIEW');
    await a.executeUpdate(reviewDocumentsUpdate, { args: [{ actor: coordinator, decision: 'approve' }] });
    const assessing = await stageOf(a, 'IN_ASSESSMENT');
    for (const id of assessing.assessors) {
      const actor: Actor = {
        role: 'assessor',
        id,
        region: config.assessment.assessors.find((x) => x.id === id)!.province,
      };
      await a.executeUpdate(submitScoresUpdate, { args: [{ actor, scores: scoresFor(config, 2) }] });
    }
    await stageOf(a, 'STAR_RECOMMENDED');
    // Nominations no longer report stages by signal (patch counts-from-projection): the cycle counted from Postgres.
    const signalsSent =
      (await a.fetchHistory()).events?.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes) ?? [];
    expect(signalsSent).toEqual([]);

    // Every nomination is terminal or awaits determination: the cycle finalizes.
    const result = await cycle.result();
    expect(result).toMatchObject({ cycleId: 'uji-siklus', finalized: true, intakeOpen: false, nominated: 2 });
    expect(Date.parse(result.countedAt ?? '')).toBeGreaterThan(Date.parse(intakeClosesAt));
    expect(nonZero(result.counts)).toEqual({ STAR_RECOMMENDED: 1, WITHDRAWN: 1 });

    const summaryMail = await mailUntil(cycleId, 'cycle_summary');
    expect(summaryMail.to).toEqual([COORDINATOR_MAIL]);
    expect(summaryMail.subject).toBe('[OVOP] Ringkasan siklus Uji uji-siklus');
    expect(summaryMail.text).toContain('selesai dengan 2 usulan');
    expect(summaryMail.text).toContain('Rekomendasi bintang: 1');
    expect(summaryMail.text).toContain('Ditarik: 1');
    expect(summaryMail.text).toContain('32 · kain_tenun · Bintang 2: 1');

    const row = await h.db.selectFrom('cycles').selectAll().where('id', '=', 'uji-siklus').executeTakeFirstOrThrow();
    expect(row.status).toBe('FINALIZED');
    expect(row.finalized_at).not.toBeNull();
    expect(row.summary).toEqual({
      cycleId: 'uji-siklus',
      nominations: 2,
      byStage: { STAR_RECOMMENDED: 1, WITHDRAWN: 1 },
      stars: [{ province: '32', commodity: 'kain_tenun', stars: 2, count: 1 }],
    });
    expect(nonZero(row.counts as CycleView['counts'])).toEqual({ STAR_RECOMMENDED: 1, WITHDRAWN: 1 });
    const cycleMail = await mailFor(h.mailDir, cycleId);
    expect(cycleMail.map((m) => m.template)).toEqual(['cycle_opened', 'cycle_summary']);
  });

  it('finalizes with an empty summary when its intake closes without a nomination', async () => {
    const config = testConfig('uji-siklus-kosong', { mutate: (c) => (c.intakeWindow = '2s') });
    const { handle: cycle, workflowId: cycleId } = await startCycle(config);
    const result = await cycle.result();
    expect(result).toMatchObject({ finalized: true, nominated: 0, counts: {} });
    const summaryMail = await mailUntil(cycleId, 'cycle_summary');
    expect(summaryMail.text).toContain('selesai dengan 0 usulan');
    const row = await h.db
      .selectFrom('cycles')
      .selectAll()
      .where('id', '=', 'uji-siklus-kosong')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'FINALIZED',
      summary: { cycleId: 'uji-siklus-kosong', nominations: 0, byStage: {}, stars: [] },
    });
  });
});
