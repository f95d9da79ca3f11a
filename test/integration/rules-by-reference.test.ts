/**
 * Fewer personal data in the first place (issue #16 item 4): a nomination started by its cycle carries its rules by
 * reference, and its dinas address not at all, so the raw bytes of its whole history — every run of its chain, read
 * from Temporal without a payload codec — hold no name or address of the cycle's assessors, coordinators, dinas
 * offices or ministry. The mails still reach those people, the assessors by name, and the projection shows the
 * coaching office's address.
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinator, dinasOf, nominationInput, scoresFor, sha256, testConfig } from '../../bench/drivers';
import { fetchRunChain } from '../../client/run-chain';
import { retryOnTaskFailure } from '../../common/update-retry';
import type { Actor } from '../../domain/types';
import { mailFor } from '../../embedded/mailbox';
import { rulesSha256 } from '../../activities/rules-by-reference';
import { documentRules } from '../../api/nomination-reads';
import { cycleWorkflowId, nominationWorkflowId } from '../../workflows/ids';
import {
  attendSocializationUpdate,
  determineStarsUpdate,
  nominateUpdate,
  reviewDocumentsUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
  verifyFieldUpdate,
} from '../../workflows/messages';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { eventsOfType, waitForEvents } from '../support/nomination-events';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('rules-by-reference');
});
afterAll(async () => {
  await h?.stop();
});

const stageOf = async (workflowId: string) =>
  (await h.db.selectFrom('nominations').select('stage').where('workflow_id', '=', workflowId).executeTakeFirst())
    ?.stage;

/** The dinas address the nomination is proposed with (not the cycle's pattern): kept in its intake record only. */
const DINAS = 'ukm.garut.tenun@dinas-garut.example';

const config = testConfig('uji-aturan-rujukan', {
  deadlines: { documents: { within: '14s', remindBefore: ['9s'], onMissed: 'hold' } },
});

describe('a nomination with its rules by reference', () => {
  it('keeps no name or address in its history, while its mails reach the people the rules name', async () => {
    const cycle = await h.client.workflow.start('awardCycle', {
      workflowId: cycleWorkflowId(config.id),
      taskQueue: h.taskQueue,
      args: [{ config, reconcileEvery: '1s' }],
    });
    const send = <T>(call: () => Promise<T>) => retryOnTaskFailure(call);
    const nominated = await send(() =>
      cycle.executeUpdate(nominateUpdate, {
        args: [
          nominationInput(config, {
            regencyCode: '32.05',
            ikmName: 'Tenun Rujukan Garut',
            commodity: 'kain_batik',
            dinasEmail: DINAS,
          }),
        ],
      }),
    );
    expect(nominated.created).toBe(true);
    const { workflowId } = nominated;
    const handle = h.client.workflow.getHandle(workflowId);
    const dinas = dinasOf('32.05');

    await waitFor(async () => (await stageOf(workflowId)) === 'AWAITING_SOCIALIZATION', { what: 'socialization' });
    await send(() =>
      handle.executeUpdate(attendSocializationUpdate, { args: [{ actor: dinas, sessionId: 'sesi-1-yogyakarta' }] }),
    );
    // A reminder to the dinas, recorded in the event log under its role.
    await waitForEvents(h.db, workflowId, 'reminder.sent', { count: 1, what: 'the documents reminder' });
    await send(() =>
      handle.executeUpdate(submitDocumentUpdate, {
        args: [{ actor: dinas, kind: 'legality', fileName: 'nib.pdf', checksum: sha256('nib'), sizeBytes: 1200 }],
      }),
    );
    await waitFor(async () => (await stageOf(workflowId)) === 'UNDER_REVIEW', { what: 'review' });
    await send(() =>
      handle.executeUpdate(reviewDocumentsUpdate, { args: [{ actor: coordinator, decision: 'approve' }] }),
    );
    const assessors = await waitFor(
      async () =>
        (await eventsOfType(h.db, workflowId, 'stage.changed'))
          .map((r) => r.payload as { to?: string; assessors?: string[] })
          .find((p) => p.to === 'IN_ASSESSMENT')?.assessors,
      { what: 'assessment' },
    );
    expect(assessors).toHaveLength(2);
    for (const id of assessors) {
      const a = config.assessment.assessors.find((x) => x.id === id)!;
      const actor: Actor = { role: 'assessor', id, region: a.province };
      await send(() => handle.executeUpdate(submitScoresUpdate, { args: [{ actor, scores: scoresFor(config, 3) }] }));
    }
    await waitFor(async () => (await stageOf(workflowId)) === 'FIELD_VERIFICATION', { what: 'field verification' });
    await send(() => handle.executeUpdate(verifyFieldUpdate, { args: [{ actor: coordinator, passed: true }] }));
    await waitFor(async () => (await stageOf(workflowId)) === 'STAR_RECOMMENDED', { what: 'the recommendation' });
    await send(() => handle.executeUpdate(determineStarsUpdate, { args: [{ actor: coordinator }] }));
    expect(await handle.result()).toEqual({ stage: 'DETERMINED', stars: 5, score: 100 });

    // Every run of the chain, as Temporal stores it: protobuf bytes, payloads as their JSON (no codec in this stack).
    const runs = await fetchRunChain(h.client, workflowId);
    expect(runs.length).toBeGreaterThan(1);
    const bytes = Buffer.concat(
      runs.map((r) => Buffer.from(temporal.api.history.v1.History.encode(r.history).finish())),
    );
    const text = bytes.toString('latin1');
    const people = [
      ...config.assessment.assessors.flatMap((a) => [a.name, a.email]),
      ...config.contacts.coordinators,
      DINAS,
      config.award!.coaching.ministry!,
      config.contacts.dinasProvinsi.replace('{province}', '32'),
      config.contacts.dinasKabKota.replace('{regency}', '32.05'),
    ];
    for (const who of people) expect(text, `${who} in the history`).not.toContain(who);
    // Nor any other address: the only ones left are the mails' Message-IDs (a hash of the business key); the SDK's
    // `@temporalio/worker@1.24.0` is no address.
    const addresses = text.match(/[\w.+-]+@[a-z][\w-]*(\.[a-z][\w-]*)+/gi) ?? [];
    expect(addresses.filter((a) => !/^[0-9a-f]{32}@ovop\.kemenperin\.example$/.test(a))).toEqual([]);
    // The nomination's input names its rules: the cycle's id and their hash.
    const started = runs[0].history.events![0].workflowExecutionStartedEventAttributes!;
    const input = JSON.parse(Buffer.from(started.input!.payloads![0].data!).toString()) as Record<string, unknown>;
    expect(input.rules).toBeUndefined();
    expect(input.rulesRef).toEqual({ cycleId: config.id, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    console.log(`rules-by-reference: ${runs.length} runs, ${bytes.length} bytes of history`);

    // The mails went to the people the rules name, the assessors by name.
    const mails = await mailFor(h.mailDir, workflowId);
    const one = (template: string) => {
      const found = mails.filter((m) => m.template === template);
      expect(found, template).toHaveLength(1);
      return found[0];
    };
    expect(one('intake_accepted')).toMatchObject({ to: [DINAS], cc: ['disperin.32@daerah.example'] });
    expect(one('reminder')).toMatchObject({ to: [DINAS] });
    expect(one('reminder').key).not.toContain('@');
    for (const id of assessors) {
      const a = config.assessment.assessors.find((x) => x.id === id)!;
      const assigned = mails.filter((m) => m.template === 'assessment_assigned' && m.to.includes(a.email));
      expect(assigned, `${a.name}'s assignment`).toHaveLength(1);
      expect(assigned[0].to).toEqual([a.email]);
      expect(assigned[0].text).toContain(a.name);
    }
    expect(one('star_recommended').to).toEqual(config.contacts.coordinators);
    expect(one('coaching_assigned').to).toEqual([config.award!.coaching.ministry]);
    expect(one('announcement')).toMatchObject({ to: [DINAS], cc: ['disperin.32@daerah.example'] });

    // The rows hold what people read: the reminder's recipient by role, the coaching office by address.
    const reminder = await h.db
      .selectFrom('nomination_events')
      .select('payload')
      .where('workflow_id', '=', workflowId)
      .where('type', '=', 'reminder.sent')
      .executeTakeFirstOrThrow();
    expect(reminder.payload).toMatchObject({ to: 'ref:dinas' });
    const row = await h.db
      .selectFrom('nominations')
      .select(['coaching_level', 'coaching_office'])
      .where('workflow_id', '=', workflowId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ coaching_level: 'kementerian', coaching_office: config.award!.coaching.ministry });
    const sent = await h.db
      .selectFrom('notifications')
      .select(['template', 'recipient'])
      .where('workflow_id', '=', workflowId)
      .where('template', '=', 'intake_accepted')
      .executeTakeFirstOrThrow();
    expect(sent.recipient).toBe(DINAS);
    // The API and the portal read the nomination's document rules from the rules its reference names.
    expect(await documentRules(h.db, workflowId)).toEqual(config.documents);
    await cycle.terminate('the test is over');
  }, 240_000);

  it('started around its cycle with a genuine reference fails at its start check: no row, no mail', async () => {
    // The reference names rules the cycle stored (above); the nomination has no intake record.
    const { regencies, provinces, ...rules } = config;
    const n = nominationInput(config, { regencyCode: '32.05', ikmName: 'IKM Rujukan Palsu', commodity: 'kain_batik' });
    const workflowId = nominationWorkflowId(config.id, n.regencyCode, n.ikmName);
    const forged = {
      nomination: n,
      rulesRef: { cycleId: config.id, sha256: rulesSha256(rules) },
      regencyName: regencies['32.05'],
      provinceName: provinces['32'],
    };
    expect(
      await h.db.selectFrom('cycle_rules').select('cycle_id').where('sha256', '=', forged.rulesRef.sha256).execute(),
    ).toEqual([{ cycle_id: config.id }]);
    const handle = await h.client.workflow.start('nomination', { workflowId, taskQueue: h.taskQueue, args: [forged] });
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect({ type: cause.type, message: cause.message }).toEqual({
      type: 'NotStartedByCycle',
      message: `nomination ${workflowId} was not started by its cycle: no intake record of it`,
    });
    // Its rules never reached it: the check's answer holds none, and nothing was written or sent.
    const history = await handle.fetchHistory();
    const completed = history.events!.find((e) => e.activityTaskCompletedEventAttributes)!;
    const verdict = JSON.parse(
      Buffer.from(completed.activityTaskCompletedEventAttributes!.result!.payloads![0].data!).toString(),
    ) as unknown;
    expect(verdict).toEqual({ problem: expect.stringContaining('no intake record'), rules: null });
    const rows = await h.db
      .selectFrom('nomination_events')
      .select('seq')
      .where('workflow_id', '=', workflowId)
      .execute();
    expect(rows).toEqual([]);
    expect(await mailFor(h.mailDir, workflowId)).toEqual([]);
  });
});
