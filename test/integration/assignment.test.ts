/**
 * Assessor assignment and its conflict-of-interest rule: a nomination is never assessed by an assessor of its own
 * province. Judged from what users see: the event log's move to IN_ASSESSMENT (which names the assessors), the
 * projection's province, and the assignment mails the SMTP server received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CycleConfig } from '../../domain/types';
import {
  attendSocializationUpdate,
  nominationStateQuery,
  reviewDocumentsUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
} from '../../workflows/messages';
import {
  coordinator,
  dinasOf,
  nominationInput,
  scoresFor,
  settled,
  sha256,
  testConfig,
  startNominationDirectly,
  workflowInput,
} from '../../bench/drivers';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { mailFor } from '../../embedded/mailbox';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('assignment');
});
afterAll(async () => {
  await h?.stop();
});

/** The projection's stage, polled: lighter than a query, which replays the history on a worker without a cache. */
async function stageOf(workflowId: string, stage: string): Promise<void> {
  await waitFor(
    async () => {
      const row = await h.db
        .selectFrom('nominations')
        .select('stage')
        .where('workflow_id', '=', workflowId)
        .executeTakeFirst();
      return row?.stage === stage;
    },
    { what: `${workflowId} in ${stage}`, timeoutMs: 60_000 },
  );
}

/** Starts a nomination directly (no award cycle) and drives it to IN_ASSESSMENT; deadlines are calm. */
async function toAssessment(config: CycleConfig, regencyCode: string, ikmName: string) {
  const input = workflowInput(config, nominationInput(config, { regencyCode, ikmName }));
  const { handle, workflowId } = await startNominationDirectly(h, h.taskQueue, input);
  const dinas = dinasOf(regencyCode);
  const session = config.sessions.find((s) => s.provinces.includes(regencyCode.slice(0, 2)))!;
  await stageOf(workflowId, 'AWAITING_SOCIALIZATION');
  await handle.executeUpdate(attendSocializationUpdate, { args: [{ actor: dinas, sessionId: session.id }] });
  await stageOf(workflowId, 'AWAITING_DOCUMENTS');
  await handle.executeUpdate(submitDocumentUpdate, {
    args: [{ actor: dinas, kind: 'legality', fileName: 'nib.pdf', checksum: sha256(ikmName), sizeBytes: 1200 }],
  });
  await stageOf(workflowId, 'UNDER_REVIEW');
  await handle.executeUpdate(reviewDocumentsUpdate, { args: [{ actor: coordinator, decision: 'approve' }] });
  await stageOf(workflowId, 'IN_ASSESSMENT');
  // The assignment mails go out after the move to IN_ASSESSMENT: once nothing is in flight, all of them are out.
  await settled(handle, 60_000);
  return { handle, workflowId };
}

/**
 * What users see of one nomination's assignment: the assessors its move to IN_ASSESSMENT names in the event log, the
 * province its projection row shows, and the recipients of its assignment mails.
 */
async function assignmentOf(workflowId: string) {
  const row = await h.db
    .selectFrom('nominations')
    .select('province_code')
    .where('workflow_id', '=', workflowId)
    .executeTakeFirstOrThrow();
  const moves = await h.db
    .selectFrom('nomination_events')
    .select('payload')
    .where('workflow_id', '=', workflowId)
    .where('type', '=', 'stage.changed')
    .orderBy('seq')
    .execute();
  const entered = moves
    .map((m) => m.payload as { to: string; assessors?: string[] })
    .filter((p) => p.to === 'IN_ASSESSMENT');
  expect(entered, `${workflowId} entered IN_ASSESSMENT once`).toHaveLength(1);
  const mail = (await mailFor(h.mailDir, workflowId)).filter((m) => m.template === 'assessment_assigned');
  return {
    province: row.province_code,
    assessors: entered[0].assessors ?? [],
    mailedTo: mail.flatMap((m) => m.to).sort(),
  };
}

const assessorPool = (config: CycleConfig, ...ids: string[]) =>
  config.assessment.assessors.filter((a) => ids.includes(a.id));
const profile = (config: CycleConfig, id: string) => config.assessment.assessors.find((a) => a.id === id)!;
const emailsOf = (config: CycleConfig, ids: string[]) => ids.map((id) => profile(config, id).email).sort();

describe('assessor assignment', () => {
  it('passes over the own-province assessor even when the pool then has just enough, or too few, to fill the slots', async () => {
    // Two per nomination from Budi (32), Siti (34) and Andi (73): each nomination of those provinces must get the
    // other two. The hash ranking would put the own-province assessor among the first two for some of them.
    const three = testConfig('uji-penugasan-tiga', {
      mutate: (c) => (c.assessment.assessors = assessorPool(c, 'penilai-budi', 'penilai-siti', 'penilai-andi')),
    });
    // Two per nomination from Budi (32) and Siti (34): a Garut (32) nomination can have Siti alone. The config
    // loader refuses such a pool for a covered province; the workflow must still not fill the slot with Budi.
    const two = testConfig('uji-penugasan-dua', {
      mutate: (c) => (c.assessment.assessors = assessorPool(c, 'penilai-budi', 'penilai-siti')),
    });
    const [garut, yogya, makassar, short] = await Promise.all([
      toAssessment(three, '32.05', 'Tenun Tiga Garut'),
      toAssessment(three, '34.71', 'Batik Tiga Yogya'),
      toAssessment(three, '73.71', 'Songket Tiga Makassar'),
      toAssessment(two, '32.05', 'Tenun Dua Garut'),
    ]);

    const others = { '32': ['penilai-andi', 'penilai-siti'], '34': ['penilai-andi', 'penilai-budi'] };
    for (const [{ workflowId }, expected] of [
      [garut, others['32']],
      [yogya, others['34']],
      [makassar, ['penilai-budi', 'penilai-siti']],
    ] as const) {
      const seen = await assignmentOf(workflowId);
      expect.soft([...seen.assessors].sort(), workflowId).toEqual(expected);
      expect.soft(seen.mailedTo, workflowId).toEqual(emailsOf(three, [...expected]));
    }

    // The short pool: Siti alone is assigned and mailed, Budi hears nothing, and Siti's sheet completes the assessment.
    const seen = await assignmentOf(short.workflowId);
    expect(seen).toEqual({
      province: '32',
      assessors: ['penilai-siti'],
      mailedTo: ['penilai.siti@ovop.kemenperin.example'],
    });
    const mail = await mailFor(h.mailDir, short.workflowId);
    expect(
      mail.filter(
        (m) => m.to.includes(profile(two, 'penilai-budi').email) || m.cc.includes(profile(two, 'penilai-budi').email),
      ),
    ).toEqual([]);
    await short.handle.executeUpdate(submitScoresUpdate, {
      args: [{ actor: { role: 'assessor', id: 'penilai-siti', region: '34' }, scores: scoresFor(two, 3) }],
    });
    await waitFor(
      async () => {
        const row = await h.db
          .selectFrom('nominations')
          .select(['stage', 'provisional_score'])
          .where('workflow_id', '=', short.workflowId)
          .executeTakeFirst();
        return row?.stage !== 'IN_ASSESSMENT' && row;
      },
      { what: 'the assessment to complete with one sheet', timeoutMs: 60_000 },
    );
    const after = await short.handle.query(nominationStateQuery);
    expect(after).toMatchObject({ stage: 'FIELD_VERIFICATION', provisionalScore: 100, assessors: ['penilai-siti'] });
  });

  it("never assigns an assessor of the nomination's own province, over 20 nominations across five provinces", async () => {
    // The demo pool: Budi (32), Siti (34), Andi (73), Rina (12), two per nomination. Four of the five provinces have
    // an assessor of their own in the pool, whom an assignment without the rule would pick about half the time.
    const config = testConfig('uji-penugasan-banyak');
    const regencies = ['32.05', '34.71', '73.71', '12.71', '33.74'];
    const names = ['Tenun', 'Batik', 'Anyaman', 'Gerabah'];
    const started = await Promise.all(
      regencies.flatMap((regencyCode) =>
        names.map((name) => toAssessment(config, regencyCode, `${name} Banyak ${regencyCode}`)),
      ),
    );
    expect(started).toHaveLength(20);

    let couldConflict = 0;
    for (const { workflowId } of started) {
      const seen = await assignmentOf(workflowId);
      const provinces = seen.assessors.map((id) => profile(config, id).province);
      // Soft, so that a broken rule shows every nomination it hit.
      expect.soft(seen.assessors, workflowId).toHaveLength(2);
      expect.soft(provinces, `${workflowId} of province ${seen.province}`).not.toContain(seen.province);
      expect.soft(seen.mailedTo, workflowId).toEqual(emailsOf(config, seen.assessors));
      if (config.assessment.assessors.some((a) => a.province === seen.province)) couldConflict += 1;
    }
    expect(couldConflict).toBe(16);
  });
});
