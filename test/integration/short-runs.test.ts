/**
 * Short runs (issue #19 lever 1): a nomination continues as new at its stage boundaries. Its whole life shows as a
 * chain of runs in Temporal with one continuous event log in PostgreSQL and the mails of a single run; an update sent
 * as a run hands over is answered and applied once; a reminder due after a switch goes out on time; and the audit
 * commands read, replay and verify every run of the chain, finding a tampered run.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  coordinator,
  dinasOf,
  nominationInput,
  scoresFor,
  sha256,
  testConfig,
  workflowInput,
} from '../../bench/drivers';
import { recordIntake } from '../../activities/intake.activity';
import { fetchRunChain } from '../../client/run-chain';
import { BUNDLE_FORMAT, serializeBundle, signBundle, signingKey } from '../../client/audit-bundle';
import { retryOnTaskFailure } from '../../common/update-retry';
import { verifyChain } from '../../db/event-chain';
import { chainRows } from '../../db/event-chain-read';
import type { Actor } from '../../domain/types';
import { mailFor } from '../../embedded/mailbox';
import { nominationWorkflowId } from '../../workflows/ids';
import {
  attendSocializationUpdate,
  determineStarsUpdate,
  reviewDocumentsUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
  verifyFieldUpdate,
} from '../../workflows/messages';
import { CommodityKey, CycleKey, ProvinceKey, RegencyKey, StageKey } from '../../workflows/search-attributes';
import { cliRunner, type Ovop } from '../support/cli';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { eventsOfType, waitForEvents } from '../support/nomination-events';

let h: Harness;
let ovop: Ovop;
const dir = mkdtempSync(join(tmpdir(), 'ovop-short-runs-'));
beforeAll(async () => {
  h = await startHarness('short-runs');
  ovop = cliRunner(h.taskQueue);
});
afterAll(async () => {
  await h?.stop();
});

const stageOf = async (workflowId: string) =>
  (await h.db.selectFrom('nominations').select('stage').where('workflow_id', '=', workflowId).executeTakeFirst())
    ?.stage;

/** Every run Temporal's visibility lists for the workflow id, oldest first (visibility is eventually consistent). */
async function runsOf(workflowId: string, expected: number) {
  return waitFor(
    async () => {
      const runs = [];
      for await (const r of h.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(r);
      runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
      return runs.length === expected && runs.every((r) => r.status.name !== 'RUNNING') && runs;
    },
    { what: `${expected} closed runs of ${workflowId}` },
  );
}

describe('a nomination of short runs', () => {
  it('lives in five runs with one event log, the same end and mails, and audit commands that follow the chain', async () => {
    const config = testConfig('uji-short-runs', {
      deadlines: { documents: { within: '14s', remindBefore: ['9s'], onMissed: 'hold' } },
    });
    const n = nominationInput(config, {
      regencyCode: '32.05',
      ikmName: 'Batik Garutan Ibu Sari',
      commodity: 'kain_batik',
      product: 'Batik tulis Garutan',
    });
    const input = workflowInput(config, n);
    const workflowId = nominationWorkflowId(n.cycleId, n.regencyCode, n.ikmName);
    await recordIntake(h.db, workflowId, input);
    const handle = await h.client.workflow.start('nomination', {
      workflowId,
      taskQueue: h.taskQueue,
      args: [input],
      typedSearchAttributes: [
        { key: CycleKey, value: config.id },
        { key: ProvinceKey, value: '32' },
        { key: RegencyKey, value: '32.05' },
        { key: CommodityKey, value: 'kain_batik' },
      ],
    });
    const dinas = dinasOf('32.05');
    const send = <T>(call: () => Promise<T>) => retryOnTaskFailure(call);

    await waitFor(async () => (await stageOf(workflowId)) === 'AWAITING_SOCIALIZATION', { what: 'socialization' });
    await send(() =>
      handle.executeUpdate(attendSocializationUpdate, { args: [{ actor: dinas, sessionId: 'sesi-1-yogyakarta' }] }),
    );
    // The documents' reminder falls due in the second run (the first ended on entering AWAITING_DOCUMENTS).
    await waitForEvents(h.db, workflowId, 'reminder.sent', { count: 1, what: 'the documents reminder' });
    const submitted = await send(() =>
      handle.executeUpdate(submitDocumentUpdate, {
        args: [{ actor: dinas, kind: 'legality', fileName: 'nib.pdf', checksum: sha256('nib'), sizeBytes: 1200 }],
      }),
    );
    expect(submitted).toMatchObject({ stage: 'UNDER_REVIEW', documents: [{ kind: 'legality', round: 0 }] });
    // Sent as the second run hands over to the third: turned away while it drains, taken by the next run, once.
    const approved = await send(() =>
      handle.executeUpdate(reviewDocumentsUpdate, {
        updateId: 'approve-once',
        args: [{ actor: coordinator, decision: 'approve' }],
      }),
    );
    expect(approved.reviewNotes).toEqual(['approve']);
    const assessors = await waitFor(
      async () =>
        (await eventsOfType(h.db, workflowId, 'stage.changed'))
          .map((r) => r.payload as { to?: string; assessors?: string[] })
          .find((p) => p.to === 'IN_ASSESSMENT')?.assessors,
      { what: 'assessment' },
    );
    for (const id of assessors) {
      const a = config.assessment.assessors.find((x) => x.id === id)!;
      const actor: Actor = { role: 'assessor', id, region: a.province };
      await send(() => handle.executeUpdate(submitScoresUpdate, { args: [{ actor, scores: scoresFor(config, 3) }] }));
    }
    await waitFor(async () => (await stageOf(workflowId)) === 'FIELD_VERIFICATION', { what: 'field verification' });
    await send(() =>
      handle.executeUpdate(verifyFieldUpdate, { args: [{ actor: coordinator, passed: true, notes: 'Sentra aktif' }] }),
    );
    // The determination goes to the fifth run (one accepted before the fourth ends keeps that run to the end).
    await waitFor(async () => (await fetchRunChain(h.client, workflowId)).length === 5, { what: 'the fifth run' });
    await send(() => handle.executeUpdate(determineStarsUpdate, { args: [{ actor: coordinator }] }));
    expect(await handle.result()).toEqual({ stage: 'DETERMINED', stars: 5, score: 100 });

    // Five runs in Temporal: four continued as new at the boundaries, the last completed; each keeps the search
    // attributes the first was started with, and the stage it upserted last.
    const runs = await runsOf(workflowId, 5);
    expect(runs.map((r) => r.status.name)).toEqual([
      'CONTINUED_AS_NEW',
      'CONTINUED_AS_NEW',
      'CONTINUED_AS_NEW',
      'CONTINUED_AS_NEW',
      'COMPLETED',
    ]);
    for (const r of runs) expect(r.typedSearchAttributes.get(CycleKey)).toBe(config.id);
    expect(runs.map((r) => r.typedSearchAttributes.get(StageKey))).toEqual([
      'AWAITING_DOCUMENTS',
      'UNDER_REVIEW',
      'UNDER_REVIEW',
      'STAR_RECOMMENDED',
      'DETERMINED',
    ]);
    expect(Math.max(...runs.map((r) => r.historyLength))).toBeLessThan(120);

    // One continuous event log: seq 1..N across the runs, one intact hash chain, the document once.
    const events = await h.db
      .selectFrom('nomination_events')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'document.submitted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'review.approve')).toHaveLength(1);
    expect(verifyChain(await chainRows(h.db, workflowId)).broken).toBeUndefined();
    const docs = await h.db.selectFrom('documents').selectAll().where('workflow_id', '=', workflowId).execute();
    expect(docs).toMatchObject([{ kind: 'legality', checksum: sha256('nib'), round: 0 }]);

    // The reminder before the documents deadline fell due in the second run, at its moment before the deadline the
    // first run set: the timer resumed with the right remaining time.
    const entered = events.find(
      (e) => e.type === 'stage.changed' && (e.payload as { to: string }).to === 'AWAITING_DOCUMENTS',
    )!;
    const deadline = new Date(new Date(entered.occurred_at).getTime() + 14_000).toISOString();
    const reminder = events.find((e) => e.type === 'reminder.sent');
    expect(reminder?.payload).toMatchObject({ deadlineStage: 'documents', deadline, offsetMs: 9_000 });
    const remindedAt = new Date(reminder!.occurred_at).getTime();
    expect(remindedAt).toBeGreaterThanOrEqual(Date.parse(deadline) - 9_000);
    expect(remindedAt).toBeLessThan(Date.parse(deadline));

    // The mails of a nomination of one run, each key once.
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
        'reminder',
        'star_recommended',
      ].sort(),
    );
    expect(new Set(mail.map((m) => m.key)).size).toBe(mail.length);

    // The audit trail reads every run and agrees with PostgreSQL.
    const trail = await ovop(['audit', 'trail', workflowId]);
    expect(trail.code, trail.stderr).toBe(0);
    expect(trail.stdout).toMatch(/history events in 5 runs, from Temporal\)/);
    expect(trail.stdout).toContain(`PostgreSQL agrees: ${events.length} nomination_events rows match the history`);

    // The export holds every run; it replays, and a run changed afterwards is found.
    const keyFile = join(dir, 'ovop-signing.pem');
    expect((await ovop(['audit', 'keygen', '--out', keyFile])).code).toBe(0);
    const checking = { env: { OVOP_VERIFY_KEY_FILE: join(dir, 'ovop-signing.pub.pem') } };
    const out = join(dir, 'chain.json');
    const exported = await ovop(['--json', 'audit', 'export', workflowId, '--out', out], {
      env: { OVOP_SIGNING_KEY_FILE: keyFile },
    });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.json()).toMatchObject({ runs: 5, eventLogRows: events.length });
    const replayed = await ovop(['--json', 'audit', 'replay', '--file', out], checking);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
    expect(replayed.json()).toMatchObject({ ok: true, runs: 5 });

    const bundle = JSON.parse(readFileSync(out, 'utf8'));
    expect(bundle.format).toBe(BUNDLE_FORMAT);
    // The fourth run's first activity (the assessment's) claims another type: signed again, so only the replay can tell.
    const fourth = bundle.continuedRuns[2].events as {
      activityTaskScheduledEventAttributes?: { activityType: { name: string } };
    }[];
    const scheduled = fourth.find((e) => e.activityTaskScheduledEventAttributes)!;
    scheduled.activityTaskScheduledEventAttributes!.activityType.name = 'assessorStats';
    const { signature: _old, ...unsigned } = bundle;
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, serializeBundle(signBundle(unsigned, signingKey(keyFile)!)));
    const caught = await ovop(['--json', 'audit', 'replay', '--file', tampered], checking);
    expect(caught.code).toBe(1);
    expect(caught.json()).toMatchObject({ ok: false, kind: 'non-deterministic', failedRun: 4, runs: 5 });

    // audit verify replays every run of the chain.
    const verified = await waitFor(
      async () => {
        const v = await ovop(['--json', 'audit', 'verify', config.id]);
        return v.code === 0 && v.json().replayed === 5 && v;
      },
      { what: 'audit verify over five runs' },
    );
    expect(verified.json()).toMatchObject({ failed: 0, missing: 0, chains: { broken: [] } });
  }, 400_000);
});
