import { describe, expect, it } from 'vitest';
import { age, formatTime, isoInZone, timesInZone } from '../../client/time';

const AT = '2026-12-01T10:03:05.120Z';

describe('times as the CLI prints them', () => {
  it("writes a time in the cycle's zone with the name Indonesians use for it", () => {
    expect(formatTime(AT, 'Asia/Jakarta')).toBe('2026-12-01 17:03 WIB');
    expect(formatTime(AT, 'Asia/Pontianak')).toBe('2026-12-01 17:03 WIB');
    expect(formatTime(AT, 'Asia/Makassar')).toBe('2026-12-01 18:03 WITA');
    expect(formatTime(AT, 'Asia/Jayapura', { seconds: true })).toBe('2026-12-01 19:03:05 WIT');
    // Across midnight, and from an offset other than Z.
    expect(formatTime('2026-12-31T20:30:00+03:00', 'Asia/Jayapura')).toBe('2027-01-01 02:30 WIT');
  });

  it('shows UTC, never a guess, when the zone is unknown; leaves what is not a time alone', () => {
    expect(formatTime(AT, undefined)).toBe('2026-12-01 10:03 UTC');
    expect(formatTime(AT, 'Mars/Olympus')).toBe('2026-12-01 10:03 UTC');
    expect(formatTime('soon', 'Asia/Jakarta')).toBe('soon');
    expect(formatTime(null, 'Asia/Jakarta')).toBe('');
  });

  it('writes ISO 8601 with the offset of the zone, the same instant', () => {
    expect(isoInZone(AT, 'Asia/Jakarta')).toBe('2026-12-01T17:03:05.120+07:00');
    expect(isoInZone('2026-12-01T10:03:05Z', 'Asia/Jayapura')).toBe('2026-12-01T19:03:05+09:00');
    expect(isoInZone(AT, 'America/Sao_Paulo')).toBe('2026-12-01T07:03:05.120-03:00');
    expect(Date.parse(isoInZone(AT, 'Asia/Makassar'))).toBe(Date.parse(AT));
  });

  it('converts every instant of a JSON document, and nothing else', () => {
    const doc = {
      at: AT,
      nested: [{ until: '2027-05-31T23:59:00+08:00' }, 'not a time', 7, null],
      date: '2027-02-16',
      note: `deadline ${AT}`,
    };
    expect(timesInZone(doc, 'Asia/Jakarta')).toEqual({
      at: '2026-12-01T17:03:05.120+07:00',
      nested: [{ until: '2027-05-31T22:59:00+07:00' }, 'not a time', 7, null],
      date: '2027-02-16',
      note: `deadline ${AT}`,
    });
  });

  it('says how long ago in at most two units', () => {
    const now = Date.parse(AT);
    expect(age(now - 12_400, now)).toBe('12s');
    expect(age(now - (3 * 3600 + 25 * 60 + 7) * 1000, now)).toBe('3h 25m');
    expect(age(now + 5000, now)).toBe('0s');
  });
});
