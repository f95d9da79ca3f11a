import { describe, expect, it } from 'vitest';
import { shapeOfEvents, taskPrefixes, taskTimes } from '../../bench/drivers';

/** An event at `ms` after the epoch, in the shape fetchHistory() returns (seconds as a Long-like, nanos). */
const at = (eventType: number, ms: number) => ({
  eventType,
  eventTime: {
    seconds: { toString: () => String(Math.floor(ms / 1000)), valueOf: () => Math.floor(ms / 1000) },
    nanos: (ms % 1000) * 1e6,
  },
});

describe('bench workflow task times', () => {
  it('splits each task into its wait for a worker and its time on the worker', () => {
    const t = taskTimes([
      at(1, 1_000), // started
      at(5, 1_000), // task scheduled
      at(6, 1_250), // started: waited 250 ms
      at(7, 1_300), // completed: 50 ms on the worker
      at(10, 1_300), // an activity in between
      at(5, 2_000),
      at(6, 2_010),
      at(8, 2_500), // this task timed out: it has a wait, but no completion to time
      at(5, 2_600),
      at(6, 4_600),
      at(7, 4_605),
    ]);
    expect(t.waitMs).toEqual([250, 10, 2000]);
    expect(t.runMs).toEqual([50, 5]);
  });
});

describe('bench replay prefixes', () => {
  const events = [1, 5, 6, 7, 10, 11, 12, 5, 6, 7, 41, 10, 5, 6, 7, 17, 2].map((eventType, i) => ({
    eventType,
    eventId: i + 1,
  }));

  it("gives one history per workflow task, each ending at the task's start: what a worker without a cache is sent", () => {
    const prefixes = taskPrefixes(events);
    expect(prefixes.map((p) => p.length)).toEqual([3, 9, 14]);
    expect(prefixes.map((p) => p.at(-1)!.eventType)).toEqual([6, 6, 6]);
    expect(prefixes[2]).toEqual(events.slice(0, 14));
  });

  it('counts the events the baseline copies', () => {
    expect(shapeOfEvents(events)).toMatchObject({
      events: 17,
      updatesAccepted: 1,
      activitiesScheduled: 2,
      timersStarted: 1,
      workflowTasksCompleted: 3,
    });
  });
});
