/** How a series names its cycles and moves its config to each opening's year (domain/cycle-series.ts). */
import { describe, expect, it } from 'vitest';
import { loadCycleConfig } from '../../domain/cycle-config';
import { configForOpening, cycleIdOf, seriesOf, shiftDate } from '../../domain/cycle-series';

describe('cycle series', () => {
  it('names a series by its config id without a trailing year', () => {
    expect(seriesOf('ovop-2027')).toBe('ovop');
    expect(seriesOf('ovop-demo')).toBe('ovop-demo');
    expect(seriesOf('ovop-2027-ulang')).toBe('ovop-2027-ulang');
  });

  it("takes the year of the opening in the cycle's time zone, not in UTC", () => {
    // 31 Dec 2027 20:00 UTC is already 1 Jan 2028 in Jayapura (UTC+9), and still 2027 in UTC.
    const at = new Date('2027-12-31T20:00:00Z');
    expect(cycleIdOf('ovop', at, 'Asia/Jayapura', 'year')).toBe('ovop-2028');
    expect(cycleIdOf('ovop', at, 'UTC', 'year')).toBe('ovop-2027');
    expect(cycleIdOf('ovop-demo', new Date('2026-12-01T14:05:09Z'), 'Asia/Jakarta', 'second')).toBe(
      'ovop-demo-20261201-210509',
    );
  });

  it("moves an opening's dates and the year in its name by whole years; 29 February falls back to the 28th", () => {
    expect(shiftDate('2028-02-29', 1)).toBe('2029-02-28');
    expect(shiftDate('2028-02-29', 4)).toBe('2032-02-29');
    expect(shiftDate('2027-03-31T17:00:00+07:00', 2)).toBe('2029-03-31T17:00:00+07:00');

    const base = loadCycleConfig('config/cycle.example.yaml');
    const config = { ...base, name: `Penghargaan OVOP ${base.phases.kickoff.slice(0, 4)}` };
    const from = Number(config.phases.kickoff.slice(0, 4));
    const next = configForOpening(config, `ovop-${from + 2}`, new Date(`${from + 2}-02-01T01:00:00Z`));
    expect(next.id).toBe(`ovop-${from + 2}`);
    expect(next.name).toBe(`Penghargaan OVOP ${from + 2}`);
    expect(next.phases.kickoff).toBe(shiftDate(config.phases.kickoff, 2));
    expect(next.phases.intakeCloses).toBe(shiftDate(config.phases.intakeCloses, 2));
    expect(next.sessions.map((s) => s.date)).toEqual(config.sessions.map((s) => shiftDate(s.date, 2)));
    expect(next.assessment).toBe(config.assessment);

    // Named to the second (a compressed schedule): the dates stay as given.
    const compressed = configForOpening(config, 'ovop-20261201-210509', new Date('2026-12-01T14:05:09Z'));
    expect(compressed).toEqual({ ...config, id: 'ovop-20261201-210509' });
  });
});
