import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../domain/types';
import {
  attendSocializationUpdate,
  determineStarsUpdate,
  nominationStateQuery,
  reviewDocumentsUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
  verifyFieldUpdate,
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
import { mailFor } from '../../embedded/mailbox';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('lifecycle');
});
afterAll(async () => {
  await h?.stop();
});

describe('a nomination through its whole lifecycle', () => {
  it('goes from intake to Bintang 5 with every effect in Postgres and at the SMTP server', async () => {
    const config = testConfig('uji-lifecycle');
    const n = nominationInput(config, {
      regencyCode: '32.05',
      ikmName: 'Batik Garutan Ibu Ratna',
      commodity: 'kain_batik',
      product: 'Batik tulis Garutan',
    });
    const { handle, workflowId } = await startNominationDirectly(h, h.taskQueue, workflowInput(config, n));
    const dinas = dinasOf('32.05');

    await waitFor(async () => (await handle.query(nominationStateQuery)).stage === 'AWAITING_SOCIALIZATION', {
      what: 'socialization stage',
    });
    // Each answer shows where the action led: the main loop moves on in the workflow task that accepts the action —
    // unless it is still waiting for a mail of its own. The intake mail goes out together with the move to
    // AWAITING_SOCIALIZATION (notices-together), so an attendance this soon may be answered before the loop is back.
    const attended = await handle.executeUpdate(attendSocializationUpdate, {
      args: [{ actor: dinas, sessionId: 'sesi-1-yogyakarta' }],
    });
    expect(attended).toMatchObject({ attendedSession: 'sesi-1-yogyakarta' });
    expect(['AWAITING_SOCIALIZATION', 'AWAITING_DOCUMENTS']).toContain(attended.stage);
    const awaitingDocuments = await waitFor(async () => {
      const s = await handle.query(nominationStateQuery);
      return s.stage === 'AWAITING_DOCUMENTS' && s;
    });
    expect(awaitingDocuments).toMatchObject({ deadline: { stage: 'documents' } });
    const submitted = await handle.executeUpdate(submitDocumentUpdate, {
      args: [{ actor: dinas, kind: 'legality', fileName: 'nib.pdf', checksum: sha256('nib'), sizeBytes: 1200 }],
    });
    expect(submitted).toMatchObject({ stage: 'UNDER_REVIEW', documents: [{ kind: 'legality', round: 0 }] });
    // The approval's answer does not wait for the mail the nomination sends first (an SMTP outage must not hold it), so
    // it shows IN_ASSESSMENT only when that mail happened to go out before the approval's own event row was written.
    const approved = await handle.executeUpdate(reviewDocumentsUpdate, {
      args: [{ actor: coordinator, decision: 'approve' }],
    });
    expect(approved.reviewNotes).toEqual(['approve']);
    expect(['UNDER_REVIEW', 'IN_ASSESSMENT']).toContain(approved.stage);
    const inAssessment = await waitFor(async () => {
      const s = await handle.query(nominationStateQuery);
      return s.stage === 'IN_ASSESSMENT' && s;
    });
    expect(inAssessment.assessors).toHaveLength(2);
    for (const id of inAssessment.assessors) {
      const a = config.assessment.assessors.find((x) => x.id === id)!;
      expect(a.province).not.toBe('32');
      const actor: Actor = { role: 'assessor', id, region: a.province };
      await handle.executeUpdate(submitScoresUpdate, { args: [{ actor, scores: scoresFor(config, 3) }] });
    }
    await waitFor(async () => (await handle.query(nominationStateQuery)).stage === 'FIELD_VERIFICATION');
    const recommended = await handle.executeUpdate(verifyFieldUpdate, {
      args: [{ actor: coordinator, passed: true, notes: 'Sentra aktif, 40 perajin' }],
    });
    // The answer shows the recommendation when the lifecycle's field-verification mail went out before the
    // verification's own event row was written; the state after it does in any case.
    expect(recommended.fieldVerified).toBe(true);
    expect(['FIELD_VERIFICATION', 'STAR_RECOMMENDED']).toContain(recommended.stage);
    await waitFor(
      async () => {
        const row = await h.db
          .selectFrom('nominations')
          .select(['stage', 'recommended_stars'])
          .where('workflow_id', '=', handle.workflowId)
          .executeTakeFirst();
        return row?.stage === 'STAR_RECOMMENDED' && row.recommended_stars === 5;
      },
      { what: 'STAR_RECOMMENDED with Bintang 5 in the projection' },
    );
    const final = await handle.executeUpdate(determineStarsUpdate, { args: [{ actor: coordinator }] });
    expect(final.stage).toBe('DETERMINED');
    expect(await handle.result()).toEqual({ stage: 'DETERMINED', stars: 5, score: 100 });

    // The projection equals the workflow state, and the event log has no gap.
    const row = await h.db
      .selectFrom('nominations')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      stage: 'DETERMINED',
      stars: 5,
      recommended_stars: 5,
      provisional_score: 100,
      province_code: '32',
      commodity: 'kain_batik',
    });
    const events = await h.db
      .selectFrom('nomination_events')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.length).toBe(final.eventCount);
    expect(events.find((e) => e.type === 'socialization.attended')).toMatchObject({
      actor_role: 'dinas_kabkota',
      actor_region: '32.05',
    });
    expect(
      events
        .filter((e) => e.type === 'assessment.scored')
        .map((e) => e.actor_id)
        .sort(),
    ).toEqual([...inAssessment.assessors].sort());
    const docs = await h.db.selectFrom('documents').selectAll().where('workflow_id', '=', workflowId).execute();
    expect(docs).toMatchObject([{ kind: 'legality', checksum: sha256('nib'), round: 0 }]);
    const assessments = await h.db
      .selectFrom('assessments')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .execute();
    expect(assessments.map((a) => a.total)).toEqual([100, 100]);

    // What the SMTP server received, in Bahasa Indonesia, each key once.
    const mail = await waitFor(async () => {
      const m = await mailFor(h.mailDir, workflowId);
      return m.some((x) => x.template === 'announcement') && m;
    });
    expect(mail.map((m) => m.template).sort()).toEqual(
      [
        'admin_passed',
        'announcement',
        'assessment_assigned',
        'assessment_assigned',
        'assessment_started',
        'coaching_assigned',
        'field_verification',
        'intake_accepted',
        'star_recommended',
      ].sort(),
    );
    expect(new Set(mail.map((m) => m.key)).size).toBe(mail.length);
    const announcement = mail.find((m) => m.template === 'announcement')!;
    expect(announcement.to).toEqual(['disperin.32.05@daerah.example']);
    expect(announcement.cc).toEqual(['disperin.32@daerah.example']);
    expect(announcement.subject).toBe('[OVOP] Penetapan Bintang 5: Batik Garutan Ibu Ratna');
    expect(announcement.text).toContain('Kab. Garut');
    expect(announcement.text).toContain('Bintang 5 boleh dicantumkan pada kemasan produk.');
    // Bintang 4–5 are coached by the ministry, whose office is told.
    expect(mail.find((m) => m.template === 'coaching_assigned')!.to).toEqual([
      'pembinaan.ikma@ovop.kemenperin.example',
    ]);
    const sent = await h.db.selectFrom('notifications').selectAll().where('workflow_id', '=', workflowId).execute();
    expect(sent.every((s) => s.status === 'sent')).toBe(true);
    expect(sent.length).toBe(mail.length);
  });
});
