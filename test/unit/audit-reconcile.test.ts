/** The audit trail's reconciliation of the history's recorded events with the nomination_events rows, field by field. */
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../client/trail-reconcile';
import type { RecordedEvent } from '../../client/history';
import type { NominationEventRow } from '../../db/database';

const AT = '2027-03-01T02:00:00.123Z';
const recorded: RecordedEvent = {
  eventId: 7,
  seq: 2,
  type: 'stage.changed',
  stage: 'AWAITING_SOCIALIZATION',
  actor: { role: 'system', id: 'ovop-engine', region: '00' },
  at: AT,
  payload: { from: 'IDENTIFIED', to: 'AWAITING_SOCIALIZATION', detail: { a: 1, b: [1, 2] } },
  completed: true,
};
const row: NominationEventRow = {
  id: '1',
  workflow_id: 'ovop/uji/nomination/32.05/x',
  seq: 2,
  type: 'stage.changed',
  stage: 'AWAITING_SOCIALIZATION',
  actor_role: 'system',
  actor_id: 'ovop-engine',
  actor_region: '00',
  // jsonb gives the keys back in its own order: the same content must still agree.
  payload: { detail: { b: [1, 2], a: 1 }, to: 'AWAITING_SOCIALIZATION', from: 'IDENTIFIED' },
  occurred_at: new Date(AT),
  recorded_at: new Date(AT),
  chain_index: 2,
  prev_hash: '0'.repeat(64),
  hash: '1'.repeat(64),
};

describe('audit reconciliation', () => {
  it('agrees when every field matches, whatever the key order of the payload', () => {
    expect(reconcile([recorded], [row])).toEqual([]);
  });

  it.each([
    ['type', { type: 'stage.skipped' }],
    ['actor', { actor_id: 'orang-lain' }],
    ['stage', { stage: 'AWAITING_DOCUMENTS' }],
    ['time', { occurred_at: new Date(Date.parse(AT) + 1) }],
    ['payload', { payload: { ...(row.payload as object), to: 'AWAITING_DOCUMENTS' } }],
  ] as const)('reports a row whose %s differs', (field, change) => {
    expect(reconcile([recorded], [{ ...row, ...change }])).toEqual([
      expect.objectContaining({ seq: 2, problem: 'differs', fields: [field] }),
    ]);
  });

  it('reports a completed event without its row as missing, but not one still being written', () => {
    expect(reconcile([recorded], [])).toEqual([expect.objectContaining({ seq: 2, problem: 'missing in PostgreSQL' })]);
    expect(reconcile([{ ...recorded, completed: false }], [])).toEqual([]);
  });

  it('reports a row the history never recorded', () => {
    expect(reconcile([], [row])).toEqual([expect.objectContaining({ seq: 2, problem: 'not in the history' })]);
  });
});
