/**
 * Re-evaluation from the record (#15 item 4): a nomination that claims stars from an earlier cycle starts only when
 * that cycle's projection holds the same IKM (its kabupaten/kota and name key) DETERMINED with those stars. A claim
 * without record, of another level, or of a nomination that got no stars is refused through the API (409, before
 * anything is sent) and the CLI through it (exit 1); the cycle's start activity checks it again, naming what was searched; nothing is
 * started and no row or event is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../bench/drivers';
import { nominationWorkflowId } from '../../workflows/ids';
import { call, openCycle, startApi, type ApiUnderTest } from '../support/api';
import { cliRunner, type Ovop } from '../support/cli';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { acceptedUpdates } from '../support/history-wait';
import { seedNominations } from '../support/projection';

let h: Harness;
let api: ApiUnderTest;
let ovop: Ovop;
const EARLIER = 'uji-rekam-lama';
const config = testConfig('uji-rekam-ulang', { mutate: (c) => (c.intakeWindow = '15m') });

beforeAll(async () => {
  h = await startHarness('reevaluation-record');
  api = await startApi(h);
  ovop = cliRunner(h.taskQueue, api);
  // The earlier cycle's record, as its projection left it: one IKM starred, one not classified.
  const base = {
    cycleId: EARLIER,
    regencyCode: '32.05',
    sentraUnits: 10,
    commodity: 'anyaman',
    product: 'Tas pandan',
    provisionalScore: 80,
    lastSeq: 20,
  };
  await seedNominations(h.db, [
    {
      ...base,
      ikmName: 'Anyaman Berbintang',
      sentraName: 'Sentra Anyaman Lama',
      stage: 'DETERMINED',
      recommendedStars: 3,
      stars: 3,
    },
    {
      ...base,
      ikmName: 'Anyaman Tanpa Bintang',
      sentraName: 'Sentra Anyaman Nol',
      stage: 'NOT_CLASSIFIED',
      recommendedStars: 0,
      stars: 0,
    },
  ]);
  await openCycle(api, config);
});
afterAll(async () => {
  await api?.stop();
  await h?.stop();
});

const body = (ikmName: string, previousStars: { cycleId: string; stars: number }) => ({
  regencyCode: '32.05',
  ikmName,
  sentraName: `Sentra ${ikmName}`,
  commodity: 'anyaman',
  product: 'Tas pandan',
  sentraSize: 9,
  previousStars,
});

/** Nothing of the nomination anywhere: no row, no event, no sentra claim, no intake record, no workflow. */
async function expectNothing(ikmName: string): Promise<void> {
  const id = nominationWorkflowId(config.id, '32.05', ikmName);
  const count = async (table: 'nominations' | 'nomination_events' | 'nomination_intake' | 'sentra_claims') =>
    (await h.db.selectFrom(table).select('workflow_id').where('workflow_id', '=', id).execute()).length;
  expect(await count('nominations')).toBe(0);
  expect(await count('nomination_events')).toBe(0);
  expect(await count('nomination_intake')).toBe(0);
  expect(await count('sentra_claims')).toBe(0);
  await expect(h.client.workflow.getHandle(id).describe()).rejects.toThrow(/not found/i);
}

/** Update events in the cycle's history: a refusal before sending adds none. */
const cycleUpdateEvents = () => acceptedUpdates(h.client, `ovop/${config.id}/cycle`);

describe('re-evaluation from the record', () => {
  it('refuses through the API a claim with no record, naming what was searched, and sends nothing', async () => {
    const updatesBefore = await cycleUpdateEvents();
    const none = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
      token: api.tokens.garut,
      body: body('Anyaman Tanpa Rekam', { cycleId: EARLIER, stars: 4 }),
    });
    expect(none.status).toBe(409);
    expect(none.body).toEqual({
      code: 'refused',
      message:
        `no record of the previous award of Anyaman Tanpa Rekam: searched the nominations of cycle ${EARLIER} for ` +
        `IKM "anyaman-tanpa-rekam" of kabupaten/kota 32.05 (${nominationWorkflowId(EARLIER, '32.05', 'Anyaman Tanpa Rekam')}) ` +
        'with stage DETERMINED; found none',
    });
    const unstarred = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
      token: api.tokens.garut,
      body: body('Anyaman Tanpa Bintang', { cycleId: EARLIER, stars: 2 }),
    });
    expect(unstarred.status).toBe(409);
    expect(unstarred.body.message).toMatch(/; it is NOT_CLASSIFIED there, with no stars$/);
    const higher = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
      token: api.tokens.garut,
      body: body('Anyaman Berbintang', { cycleId: EARLIER, stars: 5 }),
    });
    expect(higher.status).toBe(409);
    expect(higher.body.message).toBe(
      `cycle ${EARLIER} determined Bintang 3 for Anyaman Berbintang of 32.05, not Bintang 5; nominate it with the stars of the record`,
    );
    for (const ikm of ['Anyaman Tanpa Rekam', 'Anyaman Tanpa Bintang', 'Anyaman Berbintang']) await expectNothing(ikm);
    expect(await cycleUpdateEvents()).toBe(updatesBefore);
  });

  it('refuses through the CLI a claim with no record (exit 1): nothing is started', async () => {
    const out = await ovop(
      [
        'nominate',
        '--cycle',
        config.id,
        '--regency',
        '32.05',
        '--ikm',
        'Anyaman Klaim CLI',
        '--sentra',
        'Sentra Klaim CLI',
        '--commodity',
        'anyaman',
        '--product',
        'Tas',
        '--sentra-size',
        '9',
        '--previous-cycle',
        EARLIER,
        '--previous-stars',
        '4',
      ],
      { token: api.tokens.garut },
    );
    expect(out.code, out.stdout + out.stderr).toBe(1);
    expect(out.stdout + out.stderr).toContain(
      `no record of the previous award of Anyaman Klaim CLI: searched the nominations of cycle ${EARLIER} for IKM "anyaman-klaim-cli" of kabupaten/kota 32.05`,
    );
    await expectNothing('Anyaman Klaim CLI');
  });

  it('starts a re-evaluation whose stars are on record: it skips socialization and keeps the recorded stars', async () => {
    const made = await call(api, 'POST', `/api/cycles/${config.id}/nominations`, {
      token: api.tokens.garut,
      body: body('Anyaman Berbintang', { cycleId: EARLIER, stars: 3 }),
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const row = await waitFor(async () => {
      const r = await h.db
        .selectFrom('nominations')
        .select(['stage', 'previous_stars'])
        .where('workflow_id', '=', made.body.workflowId)
        .executeTakeFirst();
      return r?.stage === 'AWAITING_DOCUMENTS' && r;
    });
    expect(row).toEqual({ stage: 'AWAITING_DOCUMENTS', previous_stars: 3 });
  });
});
