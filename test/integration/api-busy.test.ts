/**
 * An action on a busy engine, answered honestly. Accepted by its workflow but not applied within the API's result
 * wait: 202 `accepted` with a sentence that says not to send it again, and the action is then applied exactly once (the
 * projection moves, one event row, one accepted Update); the portal's form lands on the page with the "being applied"
 * notice. Not taken up at all within the accept wait (no worker polls the nomination's task queue): 503 with a
 * sentence that says it may still be applied, and nothing is written. Each API instance is given its own waits; the
 * production defaults are 60 s and 10 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nominationInput, startNominationDirectly, testConfig, workflowInput } from '../../bench/drivers';
import { SESSION_COOKIE } from '../../api/auth';
import { createSession } from '../../db/credentials';
import { attendSocializationUpdate } from '../../workflows/messages';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { eventsOfType } from '../support/nomination-events';
import { call, nominationPath, startApi, TEST_USERS, type ApiUnderTest } from '../support/api';
import { acceptedUpdates } from '../support/history-wait';
import { seedNominations } from '../support/projection';

let h: Harness;
/** Takes any action up within a minute, but answers 202 unless its result comes within a millisecond. */
let hurried: ApiUnderTest;
/** Waits a second for an action to be taken up, then answers 503. */
let impatient: ApiUnderTest;
const config = testConfig('uji-api-busy');
const SESSION = config.sessions.find((s) => s.provinces.includes('32'))!.id;

async function nominate(ikmName: string, taskQueue = h.taskQueue): Promise<string> {
  const n = nominationInput(config, { regencyCode: '32.05', ikmName });
  return (await startNominationDirectly(h, taskQueue, workflowInput(config, n))).workflowId;
}
const stageOf = async (workflowId: string) =>
  (await h.db.selectFrom('nominations').select('stage').where('workflow_id', '=', workflowId).executeTakeFirst())
    ?.stage;
const attendedRows = async (workflowId: string) =>
  (await eventsOfType(h.db, workflowId, 'socialization.attended')).length;
const atSocialization = (workflowId: string) =>
  waitFor(async () => (await stageOf(workflowId)) === 'AWAITING_SOCIALIZATION', { what: `${workflowId} waiting` });
const attended = (workflowId: string) =>
  waitFor(
    async () => (await attendedRows(workflowId)) === 1 && (await stageOf(workflowId)) !== 'AWAITING_SOCIALIZATION',
    {
      what: `${workflowId} attended`,
    },
  );

beforeAll(async () => {
  h = await startHarness('api-busy');
  hurried = await startApi(h, { actionWaits: { acceptSeconds: 60, resultSeconds: 0.001 } });
  impatient = await startApi(h, { actionWaits: { acceptSeconds: 1, resultSeconds: 60 } });
});
afterAll(async () => {
  await hurried?.stop();
  await impatient?.stop();
  await h?.stop();
});

describe('an action on a busy engine', () => {
  it('answers 202 once its workflow accepted it, and the action is applied once', async () => {
    const workflowId = await nominate('Batik Sibuk Garut');
    await atSocialization(workflowId);
    const answer = await call(hurried, 'POST', nominationPath(workflowId, '/attendance'), {
      token: hurried.tokens.garut,
      body: { sessionId: SESSION },
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({
      code: 'accepted',
      message:
        'the request to record an attendance was accepted and is being applied; the nomination shows it shortly. Do not send it again',
    });
    await attended(workflowId);
    expect(await acceptedUpdates(h.client, workflowId, attendSocializationUpdate.name)).toBe(1);
  });

  it("takes the portal's form to the page with the notice that the action is being applied", async () => {
    const workflowId = await nominate('Batik Sibuk Portal');
    await atSocialization(workflowId);
    const cookie = `${SESSION_COOKIE}=${(await createSession(h.db, TEST_USERS.garut.id, 1)).token}`;
    const { csrfToken } = (await call(hurried, 'GET', '/api/session', { cookie })).body as { csrfToken: string };
    const posted = await fetch(`${hurried.url}/nominasi/${encodeURIComponent(workflowId)}/kehadiran`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfToken, sessionId: SESSION }),
      redirect: 'manual',
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe('/dinas?ok=attended&diproses=1');
    const page = await (await fetch(`${hurried.url}/dinas?ok=attended&diproses=1`, { headers: { cookie } })).text();
    expect(page).toContain('Kehadiran tercatat.');
    expect(page).toContain('tindakan Anda sudah diterima dan sedang diproses');
    await attended(workflowId);
  });

  it('answers 503 when no worker takes the action up in time, and nothing is written', async () => {
    // No worker polls its task queue, so nothing takes it up; its projection row is written here as its first
    // activity would have written it, so that the API finds it.
    const workflowId = await nominate('Batik Tanpa Pekerja', `${h.taskQueue}-nobody-polls`);
    await seedNominations(h.db, [
      {
        workflowId,
        cycleId: config.id,
        regencyCode: '32.05',
        ikmName: 'Batik Tanpa Pekerja',
        sentraName: 'Sentra Batik',
        sentraUnits: 10,
        commodity: 'batik',
        product: 'Kain batik',
        stage: 'AWAITING_SOCIALIZATION',
        lastSeq: 0,
      },
    ]);
    try {
      const answer = await call(impatient, 'POST', nominationPath(workflowId, '/attendance'), {
        token: impatient.tokens.garut,
        body: { sessionId: SESSION },
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(503);
      expect(answer.body).toEqual({
        code: 'unavailable',
        message:
          'the request to record an attendance was not taken up within 1 s: the engine is busy or no worker is running. It may still be applied, so look at the nomination before sending it again',
      });
      expect(await attendedRows(workflowId)).toBe(0);
      expect(await acceptedUpdates(h.client, workflowId, attendSocializationUpdate.name)).toBe(0);
    } finally {
      await h.client.workflow.getHandle(workflowId).terminate('test over: no worker polls its task queue');
    }
  });
});
