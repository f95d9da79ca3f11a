/**
 * A history's SHA-256 keys the stored replay verdicts and checks the archive: the server writes map entries (payload
 * metadata, headers, memo, search attributes) in Go's random map order, so one closed run fetched twice came back with
 * other bytes each time and every look at it queued a new replay. The hash is of the canonical bytes.
 */
import { historyFromJSON } from '../../client/history-json';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import proto from '@temporalio/proto';
import { historySha256, packHistory, unpackHistory } from '../../db/history-archive';
import type { History } from '../../client/history';

const load = (): History =>
  historyFromJSON(JSON.parse(readFileSync('test/fixtures/histories/nomination-r7-integrity-run1.json', 'utf8')));

/**
 * The history with a second metadata entry on its start input (as an encrypted payload carries), the entries written
 * in the given order, as two fetches of one run may bring them.
 */
function withMetadata(history: History, order: 'sorted' | 'reversed'): History {
  const payload = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
  const entries = Object.entries({ ...payload.metadata, 'encryption-key-id': new TextEncoder().encode('k1') }).sort(
    ([x], [y]) => (x < y ? -1 : 1),
  );
  payload.metadata = Object.fromEntries(order === 'sorted' ? entries : entries.reverse());
  return history;
}

describe('the SHA-256 of a history', () => {
  const run = {
    workflowId: 'w',
    runId: 'r',
    workflowType: 'nominationWorkflow',
    cycleId: null,
    status: 'COMPLETED',
    startedAt: new Date(0),
    closedAt: new Date(1),
  };

  it('is the same for the same history whatever the order of its map entries', () => {
    const a = withMetadata(load(), 'sorted');
    const b = withMetadata(load(), 'reversed');
    const metadata = (h: History) =>
      Object.keys(h.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0].metadata!);
    expect(metadata(b)).toEqual([...metadata(a)].reverse());
    const History = proto.temporal.api.history.v1.History;
    expect(Buffer.from(History.encode(b).finish()).equals(Buffer.from(History.encode(a).finish()))).toBe(false);
    expect(historySha256(b)).toBe(historySha256(a));
  });

  it("is the archive row's recorded SHA-256, and the archived bytes unpack to a history of the same hash", () => {
    const row = packHistory(run, withMetadata(load(), 'reversed'));
    expect(row.sha256).toBe(historySha256(withMetadata(load(), 'sorted')));
    const unpacked = unpackHistory({ ...row, history: row.history as Buffer });
    expect(historySha256(unpacked)).toBe(row.sha256);
  });

  it('changes when an event changes', () => {
    const changed = load();
    changed.events!.at(-1)!.eventTime = { seconds: 1, nanos: 0 } as never;
    expect(historySha256(changed)).not.toBe(historySha256(load()));
  });
});
