/** client/prefetch.ts: `ovop audit verify` reads a cycle's histories through it, so nothing may be lost or reordered. */
import { describe, expect, it } from 'vitest';
import { prefetch } from '../../client/prefetch';

async function* source(n: number, failAt?: number) {
  for (let i = 0; i < n; i++) {
    if (i === failAt) throw new Error(`listing failed at ${i}`);
    yield i;
  }
}

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('prefetch', () => {
  it('yields every item in order, loading at most `ahead` at once, and starts before the first read', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let started = 0;
    const stream = prefetch(
      source(20),
      async (i) => {
        started++;
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((r) => setTimeout(r, (i * 7) % 5));
        inFlight--;
        return i * 10;
      },
      3,
    );
    await tick();
    expect(started).toBe(3);
    const out: number[] = [];
    for await (const x of stream) out.push(x);
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i * 10));
    expect(maxInFlight).toBe(3);
  });

  it('ends with the error of a listing that fails, after the items before it', async () => {
    const out: number[] = [];
    await expect(async () => {
      for await (const x of prefetch(source(10, 6), async (i) => i, 2)) out.push(x);
    }).rejects.toThrow('listing failed at 6');
    expect(out).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('ends with the error of a load that fails', async () => {
    const out: number[] = [];
    const load = async (i: number) => {
      if (i === 4) throw new Error('history 4 could not be fetched');
      return i;
    };
    await expect(async () => {
      for await (const x of prefetch(source(10), load, 3)) out.push(x);
    }).rejects.toThrow('history 4 could not be fetched');
    expect(out).toEqual([0, 1, 2, 3]);
  });

  it('yields every item when the queue is full again by the time a read has its item', async () => {
    // Seen in `audit verify`: the listing refilled the queue while a read awaited its (slower) load; the refill the
    // read then asked for had nothing to do, finished at once and stayed remembered, so the stream ended after a
    // prefix of the cycle (96 of 406 runs).
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    async function* listing(n: number) {
      for (let i = 0; i < n; i++) {
        await wait(5);
        yield i;
      }
    }
    const out: number[] = [];
    for await (const x of prefetch(listing(20), async (i) => (await wait(20), i), 2)) out.push(x);
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
