/**
 * Mail to an assessor taken off a panel (#15 item 1): once an assessor declares a conflict of interest or a coordinator
 * reassigns them, they hear nothing more of that nomination — no score reminder, no field visit team mail, and they
 * cannot be named on its field visit team — while their replacements get the assignment, the reminders and the team
 * mail. Judged from the messages the SMTP sink received and the event log.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinator, scoresFor, settled, testConfig } from '../../bench/drivers';
import type { Actor, CycleConfig } from '../../domain/types';
import { mailFor, type ReceivedMail } from '../../embedded/mailbox';
import {
  declareConflictUpdate,
  nominationStateQuery,
  reassignAssessorUpdate,
  scheduleFieldVisitUpdate,
  submitScoresUpdate,
} from '../../workflows/messages';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { projectedStage, toAssessment } from '../support/to-assessment';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('removed-assessor-mail');
});
afterAll(async () => {
  await h?.stop();
});

// The score reminder falls 30 s into the assessment: the panel changes well before it, even on a loaded machine.
const config: CycleConfig = testConfig('uji-penilai-keluar', {
  fieldVisits: true,
  deadlines: { assessment: { within: '90s', remindBefore: ['60s'], onMissed: 'hold' } },
  mutate: (c) => (c.fieldVisit!.appliesTo = 'all'),
});
const REGENCY = '32.05';
const emailOf = (id: string) => config.assessment.assessors.find((a) => a.id === id)!.email;
const assessor = (id: string): Actor => ({
  role: 'assessor',
  id,
  region: config.assessment.assessors.find((a) => a.id === id)!.province,
});

const stageOf = (workflowId: string, stage: string) => projectedStage(h, workflowId, stage);

const eventsOf = (workflowId: string) =>
  h.db.selectFrom('nomination_events').selectAll().where('workflow_id', '=', workflowId).orderBy('seq').execute();

/** Mails of the nomination sent to `email` (in To or Cc). */
const mailTo = (mails: ReceivedMail[], email: string) =>
  mails.filter((m) => m.to.includes(email) || m.cc.includes(email));

describe('an assessor taken off a panel', () => {
  let handle: WorkflowHandle;
  let workflowId: string;
  let declarer: string;
  let moved: string;
  let replacements: string[];

  it('gets no score reminder after leaving it; the replacements are told and reminded', async () => {
    // Anyaman in Garut: four eligible assessors (Andi, Rina, Made, Yohanes), so two can leave and be replaced.
    ({ handle, workflowId } = await toAssessment(h, config, {
      regencyCode: REGENCY,
      ikmName: 'Anyaman Penilai Keluar',
      commodity: 'anyaman',
    }));
    const drawn = (await handle.query(nominationStateQuery)).assessors;
    expect(drawn).toHaveLength(2);
    [declarer, moved] = drawn;

    await handle.executeUpdate(declareConflictUpdate, {
      args: [{ actor: assessor(declarer), reason: 'Saya pernah menjadi konsultan IKM ini' }],
    });
    await handle.executeUpdate(reassignAssessorUpdate, {
      args: [{ actor: coordinator, assessorId: moved, reason: 'Penilai bertugas ke luar negeri' }],
    });
    replacements = (await handle.query(nominationStateQuery)).assessors;
    expect(replacements).toHaveLength(2);
    expect(replacements).not.toContain(declarer);
    expect(replacements).not.toContain(moved);

    // The reminder round, 30 s in: one reminder to each replacement.
    const reminders = await waitFor(
      async () => {
        const r = (await mailFor(h.mailDir, workflowId)).filter((m) => m.template === 'reminder');
        return r.length >= 2 && r;
      },
      { what: 'the score reminders', timeoutMs: 90_000 },
    );
    expect(reminders.flatMap((m) => m.to).sort()).toEqual(replacements.map(emailOf).sort());
    for (const m of reminders) expect(m.cc).toEqual([]);
    // The event log agrees: both departures recorded before the reminders, none addressed to those who left.
    const log = await eventsOf(workflowId);
    const seqOf = (type: string) => log.find((e) => e.type === type)!.seq;
    const sent = log.filter((e) => e.type === 'reminder.sent');
    expect(sent.map((e) => (e.payload as { to: string }).to).sort()).toEqual(replacements.map(emailOf).sort());
    for (const e of sent) {
      expect(e.seq).toBeGreaterThan(seqOf('assessment.conflict_declared'));
      expect(e.seq).toBeGreaterThan(seqOf('assessment.reassigned'));
    }
    // Each replacement was told of the assignment once.
    const mails = await mailFor(h.mailDir, workflowId);
    for (const id of replacements)
      expect(
        mailTo(mails, emailOf(id)).filter((m) => m.template === 'assessment_assigned'),
        id,
      ).toHaveLength(1);
  });

  it('may not be named on the field visit team (nothing written); the team of replacements gets the team mail', async () => {
    expect(replacements, 'the first case set the panel up').toHaveLength(2);
    for (const id of replacements)
      await handle.executeUpdate(submitScoresUpdate, { args: [{ actor: assessor(id), scores: scoresFor(config, 3) }] });
    await stageOf(workflowId, 'FIELD_VERIFICATION');
    const date = new Date(Date.now() + 10 * 60_000).toISOString();

    for (const gone of [declarer, moved]) {
      const historyBefore = await settled(handle);
      const rowsBefore = (await eventsOf(workflowId)).length;
      const refusal = await handle
        .executeUpdate(scheduleFieldVisitUpdate, {
          args: [{ actor: coordinator, date, team: [replacements[0], gone] }],
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(refusal, `${gone} on the team`).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((refusal as WorkflowUpdateFailedError).cause?.message).toBe(
        `assessor ${gone} was taken off this nomination's panel and may not be on its field visit team`,
      );
      expect((await handle.fetchHistory()).events?.length).toBe(historyBefore);
      expect(await eventsOf(workflowId)).toHaveLength(rowsBefore);
      expect(
        await h.db.selectFrom('field_visits').select('team').where('workflow_id', '=', workflowId).execute(),
      ).toEqual([]);
    }

    await handle.executeUpdate(scheduleFieldVisitUpdate, { args: [{ actor: coordinator, date, team: replacements }] });
    const teamMail = await waitFor(
      async () =>
        (await mailFor(h.mailDir, workflowId)).find(
          (m) => m.template === 'field_visit_scheduled' && m.key.endsWith(':team'),
        ),
      { what: 'the field visit team mail' },
    );
    expect(teamMail.to.sort()).toEqual(replacements.map(emailOf).sort());
    await waitFor(
      async () =>
        (await mailFor(h.mailDir, workflowId)).filter((m) => m.template === 'field_visit_scheduled').length === 2,
      { what: "the dinas's scheduling mail" },
    );

    // Everything the two who left ever received of this nomination: the assignment mail from before they left.
    const mails = await mailFor(h.mailDir, workflowId);
    for (const gone of [declarer, moved])
      expect(
        mailTo(mails, emailOf(gone)).map((m) => m.template),
        gone,
      ).toEqual(['assessment_assigned']);
  });
});
