/**
 * The mail around a deadline as each party receives it (issue 18, "Deadlines and mail"): under the grace policy the
 * dinas gets each reminder once, at its moment, then the grace notice and the disqualification, and its province one
 * escalation; reminders say where and what (the sessions that cover the province, the documents still missing); the
 * deadline timer is set for the deadline itself, not late by the reminders' sends; the stored .eml files carry the
 * X-Ovop headers on one line each, so the grep in docs/architecture.md finds them.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CycleConfig, StageDeadlineConfig } from '../../domain/types';
import { mailFor, type ReceivedMail } from '../../embedded/mailbox';
import { attendSocializationUpdate, nominationStateQuery, type NominationView } from '../../workflows/messages';
import {
  dinasOf,
  nominationInput,
  settled,
  startNominationDirectly,
  testConfig,
  workflowInput,
} from '../../bench/drivers';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { timerEnded } from '../support/history-wait';
import type { WorkflowHandle } from '@temporalio/client';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('deadline-mail');
});
afterAll(async () => {
  await h?.stop();
});

const DINAS = 'disperin.32.05@daerah.example';
const PROVINSI = 'disperin.32@daerah.example';
const COORDINATOR = 'ditjen-ikma@ovop.kemenperin.example';

const deadline = (
  within: string,
  remindBefore: string[],
  onMissed: StageDeadlineConfig['onMissed'],
  grace?: string,
): StageDeadlineConfig => ({ within, remindBefore, onMissed, ...(grace ? { grace } : {}) });

async function stageOf(handle: WorkflowHandle, stage: string): Promise<NominationView> {
  return waitFor(
    async () => {
      const v = await handle.query(nominationStateQuery);
      return v.stage === stage && v.deadline !== null && v;
    },
    { what: `stage ${stage} with its deadline`, timeoutMs: 45_000 },
  );
}

/** For each party, the templates of the mails it received, as To or Cc, in order (the intake mail aside). */
function perParty(mail: ReceivedMail[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of mail.filter((x) => x.template !== 'intake_accepted')) {
    for (const to of m.to) (out[to] ??= []).push(m.template);
    for (const cc of m.cc) (out[cc] ??= []).push(`${m.template} (cc)`);
  }
  return out;
}

describe('mail around a deadline', () => {
  it('under the grace policy: each reminder once at its moment, one grace notice, one escalation, then the disqualification', async () => {
    // Reminders 3 s and 1.5 s before the documents deadline; the grace period (2 s) is shorter than the first offset,
    // which the code before r4 sent at once when the grace began, and then both reminders and the escalation again.
    const config = testConfig('uji-surat-tenggang', {
      deadlines: { documents: deadline('5s', ['3s', '1500ms'], 'grace', '2s') },
    });
    const n = nominationInput(config, {
      regencyCode: '32.05',
      ikmName: 'Dodol Tenggang',
      commodity: 'makanan_minuman',
      product: 'Dodol',
    });
    const { handle, workflowId } = await startNominationDirectly(h, h.taskQueue, workflowInput(config, n));
    await stageOf(handle, 'AWAITING_SOCIALIZATION');
    await handle.executeUpdate(attendSocializationUpdate, {
      args: [{ actor: dinasOf('32.05'), sessionId: 'sesi-1-yogyakarta' }],
    });
    const waiting = await stageOf(handle, 'AWAITING_DOCUMENTS');
    const due = Date.parse(waiting.deadline!.at);
    const graceUntil = due + 2000;
    await timerEnded(handle, graceUntil, 'fired');
    expect(await handle.result()).toMatchObject({ stage: 'DISQUALIFIED' });
    await settled(handle);

    const mail = await mailFor(h.mailDir, workflowId);
    expect(perParty(mail)).toEqual({
      [DINAS]: ['reminder', 'reminder', 'grace_granted', 'disqualified'],
      [PROVINSI]: ['escalation', 'disqualified (cc)'],
      [COORDINATOR]: ['escalation (cc)'],
    });
    const reminders = mail.filter((m) => m.template === 'reminder');
    expect(reminders.map((r) => r.key.split(':').slice(-2))).toEqual([
      ['3000', String(due)],
      ['1500', String(due)],
    ]);
    // The documents reminder and the grace notice name what is still missing: a food IKM's whole checklist here.
    const labels = config.documents.checklist.map((d) => d.label);
    expect(labels).toHaveLength(4);
    for (const m of [...reminders, ...mail.filter((x) => x.template === 'grace_granted')]) {
      expect(m.text).toContain(['Dokumen yang belum diunggah:', ...labels.map((l) => `  - ${l}`)].join('\n'));
    }
    const grace = mail.find((m) => m.template === 'grace_granted')!;
    expect(grace.key).toMatch(new RegExp(`:${graceUntil}$`));
    // Every timer of the stage was set for its moment: the reminders', the deadline's (not late by the sends before
    // it) and the grace period's end.
    for (const moment of [due - 3000, due - 1500, due, graceUntil]) {
      await timerEnded(handle, moment, 'fired', { toleranceMs: 5, lateMs: 5 });
    }
  });

  it("an attendance reminder names every session that covers the dinas's province, with its date and place", async () => {
    const config = testConfig('uji-surat-sesi', {
      deadlines: { attendance: deadline('4s', ['2s', '10s'], 'disqualify') },
      // Jawa Barat is served by two sessions; its dinas may attend either.
      mutate: (c: CycleConfig) => c.sessions.find((x) => x.id === 'sesi-2-bandung')!.provinces.push('32'),
    });
    const n = nominationInput(config, { regencyCode: '32.05', ikmName: 'Batik Dua Sesi' });
    const { handle, workflowId } = await startNominationDirectly(h, h.taskQueue, workflowInput(config, n));
    const waiting = await stageOf(handle, 'AWAITING_SOCIALIZATION');
    const due = Date.parse(waiting.deadline!.at);
    await timerEnded(handle, due, 'fired');
    expect(await handle.result()).toMatchObject({ stage: 'DISQUALIFIED' });

    const mail = await mailFor(h.mailDir, workflowId);
    // The 10 s reminder's moment had passed when the 4 s stage began: skipped, not sent at once.
    const reminders = mail.filter((m) => m.template === 'reminder');
    expect(reminders.map((r) => r.key.split(':').at(-2))).toEqual(['2000']);
    expect(reminders[0].to).toEqual([DINAS]);
    expect(reminders[0].text).toContain(
      [
        'Sesi sosialisasi untuk provinsi Anda:',
        '  - Selasa, 16 Februari 2027, Balai Besar Kerajinan dan Batik, Yogyakarta (sesi sesi-1-yogyakarta)',
        '  - Selasa, 23 Februari 2027, Balai Besar Tekstil, Bandung (sesi sesi-2-bandung)',
      ].join('\n'),
    );
    expect(reminders[0].text).not.toContain('Makassar');

    // The headers as docs/architecture.md shows them: one line each, found by grep in the stored .eml files.
    const grep = promisify(execFile);
    const files = mail.map((m) => join(h.mailDir, m.file));
    const found = await grep('grep', ['-lF', `X-Ovop-Workflow: ${workflowId}`, ...files]);
    expect(found.stdout.trim().split('\n').sort()).toEqual([...files].sort());
    const key = reminders[0].key;
    expect(key.length).toBeGreaterThan(78);
    const line = await grep('grep', ['-h', '^X-Ovop-Key: ', join(h.mailDir, reminders[0].file)]);
    expect(line.stdout.replace(/\r?\n$/, '').replace(/\r$/, '')).toBe(`X-Ovop-Key: ${key}`);
    const template = await grep('grep', ['-c', '^X-Ovop-Template: reminder', join(h.mailDir, reminders[0].file)]);
    expect(template.stdout.trim()).toBe('1');
  });
});
