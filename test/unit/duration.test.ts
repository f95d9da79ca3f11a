import { describe, expect, it } from 'vitest';
import { formatDuration, isDuration, parseDuration } from '../../domain/duration';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseDuration', () => {
  it('reads every unit a coordinator may write', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('20s')).toBe(20 * SECOND);
    expect(parseDuration('30m')).toBe(30 * MINUTE);
    expect(parseDuration('12h')).toBe(12 * HOUR);
    expect(parseDuration('14d')).toBe(14 * DAY);
    expect(parseDuration('2w')).toBe(14 * DAY);
  });

  it('accepts decimals, compound forms and surrounding spaces', () => {
    expect(parseDuration('1.5h')).toBe(90 * MINUTE);
    expect(parseDuration('0.1h')).toBe(6 * MINUTE);
    expect(parseDuration('2h 30m')).toBe(150 * MINUTE);
    expect(parseDuration('1d12h')).toBe(36 * HOUR);
    expect(parseDuration(' 7d ')).toBe(7 * DAY);
    expect(parseDuration('0s')).toBe(0);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['-5m', /negative/],
    ['14', /unit is missing/],
    ['d', /expected a number followed by a unit/],
    ['14 days', /expected a number followed by a unit/],
    ['14D', /expected a number followed by a unit/],
    ['1y', /expected a number followed by a unit/],
    ['.5h', /expected a number followed by a unit/],
    ['0.5ms', /whole number of milliseconds/],
  ])('refuses %j with a message that says why', (text, reason) => {
    expect(() => parseDuration(text)).toThrow(reason);
    expect(() => parseDuration(text)).toThrow(`"${text}"`);
  });

  it('isDuration agrees with parseDuration', () => {
    expect(isDuration('14d')).toBe(true);
    expect(isDuration('2h 30m')).toBe(true);
    expect(isDuration('14')).toBe(false);
    expect(isDuration('soon')).toBe(false);
    expect(isDuration(14)).toBe(false);
  });
});

describe('formatDuration', () => {
  it('prints the compact form people read in reminders', () => {
    expect(formatDuration(14 * DAY)).toBe('14d');
    expect(formatDuration(150 * MINUTE)).toBe('2h 30m');
    expect(formatDuration(45 * SECOND)).toBe('45s');
    expect(formatDuration(DAY + 500)).toBe('1d 500ms');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(-3 * HOUR)).toBe('-3h');
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [500, 20 * SECOND, 90 * MINUTE, 14 * DAY, 3 * DAY + 4 * HOUR + 5 * MINUTE + 6 * SECOND + 7]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});
