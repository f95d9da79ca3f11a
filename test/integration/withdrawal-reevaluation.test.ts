/**
 * The other ways a nomination ends or travels: withdrawal by its dinas, re-evaluation of an IKM starred in an earlier
 * cycle, administrative rejection and revision rounds, low scores that skip field verification, and a coordinator
 * determining no stars.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, CycleConfig, NominationInput } from '../../domain/types';
import {
  attendSocializationUpdate,
  determineStarsUpdate,
  nominationStateQuery,
  reviewDocumentsUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
  verifyFieldUpdate,
  withdrawUpdate,
  type NominationView,
} from '../../workflows/messages';
import {
  coordinator,
  dinasOf,
  nominationInput,
  scoresFor,
  sha256,
  testConfig,
  startNominationDirectly,
  workflowInput,
} from '../../bench/drivers';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { mailFor, type ReceivedMail } from '../../embedded/mailbox';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('withdrawal');
});
afterAll(async () => {
  await h?.stop();
});

const dinas = dinasOf('32.05');

async function startNomination(config: CycleConfig, over: Partial<NominationInput> & { ikmName: string }) {
  const n = nominationInput(config, { regencyCode: '32.05', ...over });
  return startNominationDirectly(h, h.taskQueue, workflowInput(config, n));
}

async function stageOf(handle: WorkflowHandle, stage: string): Promise<NominationView> {
  return waitFor(
    async () => {
      const s = await handle.query(nominationStateQuery);
      return s.stage === stage && s;
    },
    { what: `stage ${stage}` },
  );
}

async function mailUntil(workflowId: string, template: string): Promise<ReceivedMail[]> {
  return waitFor(
    async () => {
      const m = await mailFor(h.mailDir, workflowId);
      return m.some((x) => x.template === template) && m;
    },
    { what: `${template} mail`, timeoutMs: 15_000 },
  );
}

/**
 * The projection row, once it shows `expected` (the projection is written by an activity, so it may trail the state query
 * by a moment); after 5 s, the row as it is, for the assertion to report.
 */
async function projection(workflowId: string, expected: Record<string, unknown> = {}) {
  const giveUp = Date.now() + 5000;
  for (;;) {
    const row = await h.db
      .selectFrom('nominations')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .executeTakeFirst();
    const shows = (k: string, v: unknown) => {
      const actual = (row as Record<string, unknown> | undefined)?.[k];
      return (actual instanceof Date ? actual.toISOString() : actual) === v;
    };
    if ((row && Object.entries(expected).every(([k, v]) => shows(k, v))) || Date.now() > giveUp) return row;
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return (error as WorkflowUpdateFailedError).cause?.message ?? '';
}

const doc = (kind = 'legality', name = 'nib') => ({
  actor: dinas,
  kind,
  fileName: `${name}.pdf`,
  checksum: sha256(name),
  sizeBytes: 2048,
});

async function attendAndSubmit(handle: WorkflowHandle): Promise<void> {
  await stageOf(handle, 'AWAITING_SOCIALIZATION');
  await handle.executeUpdate(attendSocializationUpdate, { args: [{ actor: dinas, sessionId: 'sesi-1-yogyakarta' }] });
  await stageOf(handle, 'AWAITING_DOCUMENTS');
  await handle.executeUpdate(submitDocumentUpdate, { args: [doc()] });
  await stageOf(handle, 'UNDER_REVIEW');
}

/** Approves the documents and has every assigned assessor score `value` on every criterion. */
async function approveAndScore(config: CycleConfig, handle: WorkflowHandle, value: number): Promise<void> {
  await handle.executeUpdate(reviewDocumentsUpdate, { args: [{ actor: coordinator, decision: 'approve' }] });
  const s = await stageOf(handle, 'IN_ASSESSMENT');
  for (const id of s.assessors) {
    const actor: Actor = {
      role: 'assessor',
      id,
      region: config.assessment.assessors.find((a) => a.id === id)!.province,
    };
    await handle.executeUpdate(submitScoresUpdate, { args: [{ actor, scores: scoresFor(config, value) }] });
  }
}

describe('withdrawal', () => {
  it('lets the own dinas withdraw at AWAITING_DOCUMENTS: WITHDRAWN in state, result, projection and a withdrawn mail', async () => {
    const config = testConfig('uji-tarik');
    const { handle, workflowId } = await startNomination(config, { ikmName: 'Tenun Ditarik Garut' });
    await stageOf(handle, 'AWAITING_SOCIALIZATION');
    await handle.executeUpdate(attendSocializationUpdate, { args: [{ actor: dinas, sessionId: 'sesi-1-yogyakarta' }] });
    await stageOf(handle, 'AWAITING_DOCUMENTS');

    const view = await handle.executeUpdate(withdrawUpdate, {
      args: [{ actor: dinas, reason: 'Pemilik IKM mengundurkan diri' }],
    });
    expect(view.stage).toBe('WITHDRAWN');
    expect(await handle.result()).toMatchObject({ stage: 'WITHDRAWN', stars: null });
    expect(await projection(workflowId, { stage: 'WITHDRAWN' })).toMatchObject({ stage: 'WITHDRAWN', stars: null });
    const mail = await mailUntil(workflowId, 'withdrawn');
    const withdrawn = mail.find((m) => m.template === 'withdrawn')!;
    expect(withdrawn.to).toEqual(['disperin.32.05@daerah.example']);
    expect(withdrawn.cc).toEqual(['disperin.32@daerah.example']);
    expect(withdrawn.text).toContain('Pemilik IKM mengundurkan diri');
    const last = await h.db
      .selectFrom('nomination_events')
      .select(['type', 'actor_role', 'actor_region', 'payload'])
      .where('workflow_id', '=', workflowId)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(last).toMatchObject({
      type: 'nomination.withdrawn',
      actor_role: 'dinas_kabkota',
      actor_region: '32.05',
      payload: { reason: 'Pemilik IKM mengundurkan diri' },
    });
  });

  it('refuses a withdrawal once the stars are determined', async () => {
    const config = testConfig('uji-tarik-terlambat');
    const { handle, workflowId } = await startNomination(config, { ikmName: 'Tenun Sudah Ditetapkan' });
    await attendAndSubmit(handle);
    await approveAndScore(config, handle, 2);
    await stageOf(handle, 'STAR_RECOMMENDED');
    await handle.executeUpdate(determineStarsUpdate, { args: [{ actor: coordinator }] });
    expect(await handle.result()).toEqual({ stage: 'DETERMINED', stars: 2, score: 50 });

    // The determined nomination has completed: the server itself refuses any further update.
    await expect(
      handle.executeUpdate(withdrawUpdate, { args: [{ actor: dinas, reason: 'terlambat' }] }),
    ).rejects.toThrow('workflow execution already completed');
    expect((await handle.query(nominationStateQuery)).stage).toBe('DETERMINED');
    expect(await projection(workflowId, { stage: 'DETERMINED' })).toMatchObject({ stage: 'DETERMINED', stars: 2 });
    expect((await mailFor(h.mailDir, workflowId)).map((m) => m.template)).not.toContain('withdrawn');
  });
});

describe('re-evaluation of an IKM starred in an earlier cycle', () => {
  it('skips socialization, waits first for documents, and ends with the new determination; the projection keeps the previous stars', async () => {
    const config = testConfig('uji-evaluasi-ulang');
    const { handle, workflowId } = await startNomination(config, {
      ikmName: 'Tenun Bintang Lama',
      previousStars: { cycleId: 'ovop-2025', stars: 4 },
    });
    const first = await stageOf(handle, 'AWAITING_DOCUMENTS');
    expect(first).toMatchObject({
      reevaluation: true,
      previousStars: 4,
      attendedSession: null,
      deadline: { stage: 'documents' },
    });
    expect(first.history.map((e) => e.stage)).not.toContain('AWAITING_SOCIALIZATION');
    expect(await projection(workflowId, { stage: 'AWAITING_DOCUMENTS' })).toMatchObject({
      stage: 'AWAITING_DOCUMENTS',
      previous_stars: 4,
    });

    await handle.executeUpdate(submitDocumentUpdate, { args: [doc()] });
    await stageOf(handle, 'UNDER_REVIEW');
    await approveAndScore(config, handle, 3);
    await stageOf(handle, 'FIELD_VERIFICATION');
    await handle.executeUpdate(verifyFieldUpdate, { args: [{ actor: coordinator, passed: true }] });
    await stageOf(handle, 'STAR_RECOMMENDED');
    const final = await handle.executeUpdate(determineStarsUpdate, { args: [{ actor: coordinator }] });
    expect(final).toMatchObject({ stage: 'DETERMINED', stars: 5, previousStars: 4 });
    expect(await handle.result()).toEqual({ stage: 'DETERMINED', stars: 5, score: 100 });

    expect(await projection(workflowId, { stage: 'DETERMINED' })).toMatchObject({
      stage: 'DETERMINED',
      stars: 5,
      previous_stars: 4,
    });
    const stages = await h.db
      .selectFrom('nomination_events')
      .select('stage')
      .where('workflow_id', '=', workflowId)
      .orderBy('seq')
      .execute();
    expect(stages.map((e) => e.stage)).not.toContain('AWAITING_SOCIALIZATION');
    const mail = await mailUntil(workflowId, 'announcement');
    expect(mail.find((m) => m.template === 'announcement')!.subject).toBe(
      '[OVOP] Penetapan Bintang 5: Tenun Bintang Lama',
    );
  });
});

describe('administrative review', () => {
  it('ends ADMIN_REJECTED with an admin_rejected mail when the coordinator rejects with a reason', async () => {
    const config = testConfig('uji-tolak');
    const { handle, workflowId } = await startNomination(config, { ikmName: 'Tenun Tanpa Izin' });
    await attendAndSubmit(handle);
    await handle.executeUpdate(reviewDocumentsUpdate, {
      args: [{ actor: coordinator, decision: 'reject', reason: 'NIB tidak sesuai nama IKM' }],
    });
    await stageOf(handle, 'ADMIN_REJECTED');
    expect(await handle.result()).toMatchObject({ stage: 'ADMIN_REJECTED' });
    expect(await projection(workflowId, { stage: 'ADMIN_REJECTED' })).toMatchObject({ stage: 'ADMIN_REJECTED' });
    const rejected = (await mailUntil(workflowId, 'admin_rejected')).find((m) => m.template === 'admin_rejected')!;
    expect(rejected.to).toEqual(['disperin.32.05@daerah.example']);
    expect(rejected.cc).toEqual(['disperin.32@daerah.example']);
    expect(rejected.text).toContain('Alasan: NIB tidak sesuai nama IKM');
  });

  it('asks for a revision, takes the resubmitted document in round 1, and rejects when the revision rounds are exhausted', async () => {
    const config = testConfig('uji-revisi', { mutate: (c) => (c.documents.revisionRounds = 1) });
    const { handle, workflowId } = await startNomination(config, { ikmName: 'Tenun Revisi Garut' });
    await attendAndSubmit(handle);

    await handle.executeUpdate(reviewDocumentsUpdate, {
      args: [{ actor: coordinator, decision: 'request_changes', reason: 'Scan NIB buram' }],
    });
    const revising = await waitFor(async () => {
      const st = await handle.query(nominationStateQuery);
      return st.stage === 'REVISION_REQUESTED' && st.deadline !== null && st;
    });
    expect(revising.revisionRound).toBe(1);
    expect(revising.deadline?.stage).toBe('revision');
    const revisionMail = (await mailUntil(workflowId, 'revision_requested')).find(
      (m) => m.template === 'revision_requested',
    )!;
    expect(revisionMail.text).toContain('Catatan: Scan NIB buram');

    await handle.executeUpdate(submitDocumentUpdate, { args: [doc('legality', 'nib-jelas')] });
    expect(await stageOf(handle, 'UNDER_REVIEW')).toMatchObject({ revisionRound: 1 });
    const docs = await h.db
      .selectFrom('documents')
      .select(['kind', 'round', 'checksum'])
      .where('workflow_id', '=', workflowId)
      .orderBy('round')
      .execute();
    expect(docs).toEqual([
      { kind: 'legality', round: 0, checksum: sha256('nib') },
      { kind: 'legality', round: 1, checksum: sha256('nib-jelas') },
    ]);

    await handle.executeUpdate(reviewDocumentsUpdate, {
      args: [{ actor: coordinator, decision: 'request_changes', reason: 'Masih buram' }],
    });
    await stageOf(handle, 'ADMIN_REJECTED');
    expect(await projection(workflowId, { stage: 'ADMIN_REJECTED' })).toMatchObject({ stage: 'ADMIN_REJECTED' });
    const rejected = (await mailUntil(workflowId, 'admin_rejected')).find((m) => m.template === 'admin_rejected')!;
    expect(rejected.text).toContain('revision rounds exhausted (1): Masih buram');
    const last = await h.db
      .selectFrom('nomination_events')
      .select(['type', 'payload'])
      .where('workflow_id', '=', workflowId)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(last).toMatchObject({
      type: 'review.rejected',
      payload: { reason: 'revision rounds exhausted (1): Masih buram' },
    });
  });
});

describe('scores and determination', () => {
  it('skips FIELD_VERIFICATION below its threshold: scores of 2 give 50 and Bintang 2 straight to STAR_RECOMMENDED', async () => {
    const config = testConfig('uji-bintang-dua');
    const { handle, workflowId } = await startNomination(config, { ikmName: 'Tenun Bintang Dua' });
    await attendAndSubmit(handle);
    await approveAndScore(config, handle, 2);
    const recommended = await stageOf(handle, 'STAR_RECOMMENDED');
    expect(recommended).toMatchObject({ provisionalScore: 50, recommendedStars: 2, fieldVerified: null });
    expect(recommended.history.map((e) => e.stage)).not.toContain('FIELD_VERIFICATION');
    expect(await projection(workflowId, { stage: 'STAR_RECOMMENDED' })).toMatchObject({
      stage: 'STAR_RECOMMENDED',
      provisional_score: 50,
      recommended_stars: 2,
    });
    const mail = await mailUntil(workflowId, 'star_recommended');
    expect(mail.map((m) => m.template)).not.toContain('field_verification');
  });

  it('ends NOT_CLASSIFIED when a coordinator determines 0 stars with a reason (and refuses it without one)', async () => {
    const config = testConfig('uji-tak-terklasifikasi');
    const { handle, workflowId } = await startNomination(config, { ikmName: 'Tenun Nol Bintang' });
    await attendAndSubmit(handle);
    await approveAndScore(config, handle, 2);
    await stageOf(handle, 'STAR_RECOMMENDED');

    expect(
      await refusal(handle.executeUpdate(determineStarsUpdate, { args: [{ actor: coordinator, stars: 0 }] })),
    ).toContain('a reason is required to determine 0 stars against the recommended 2');
    const final = await handle.executeUpdate(determineStarsUpdate, {
      args: [{ actor: coordinator, stars: 0, reason: 'Sentra tidak aktif saat verifikasi' }],
    });
    expect(final).toMatchObject({ stage: 'NOT_CLASSIFIED', stars: 0, recommendedStars: 2 });
    expect(await handle.result()).toEqual({ stage: 'NOT_CLASSIFIED', stars: 0, score: 50 });
    expect(await projection(workflowId, { stage: 'NOT_CLASSIFIED' })).toMatchObject({
      stage: 'NOT_CLASSIFIED',
      stars: 0,
      recommended_stars: 2,
    });
    const determined = await h.db
      .selectFrom('nomination_events')
      .select(['type', 'payload'])
      .where('workflow_id', '=', workflowId)
      .where('type', '=', 'stars.determined')
      .executeTakeFirstOrThrow();
    expect(determined.payload).toMatchObject({ stars: 0, reason: 'Sentra tidak aktif saat verifikasi' });
    const announcement = (await mailUntil(workflowId, 'announcement')).find((m) => m.template === 'announcement')!;
    expect(announcement.subject).toBe('[OVOP] Hasil penilaian: Tenun Nol Bintang');
  });
});
