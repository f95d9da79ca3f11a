/** Which sessions cover each province, and the provinces none covers, by island group. */
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../bench/drivers';
import { describeGaps, islandGroupOf, sessionCoverage } from '../../domain/session-coverage';

describe('session coverage', () => {
  it('puts each of the 38 provinces in its island group', () => {
    const config = testConfig('uji-cakupan');
    const groups = Object.fromEntries(Object.keys(config.provinces).map((code) => [code, islandGroupOf(code)]));
    expect(Object.keys(groups)).toHaveLength(38);
    expect(groups).toMatchObject({ '11': 'Sumatera', '21': 'Sumatera', '36': 'Jawa', '53': 'Bali dan Nusa Tenggara' });
    expect(groups).toMatchObject({ '65': 'Kalimantan', '76': 'Sulawesi', '82': 'Maluku', '96': 'Papua' });
  });

  it('lists every session of a province served twice, and every uncovered province by island group', () => {
    const config = testConfig('uji-cakupan', {
      mutate: (c) => {
        c.sessions = [
          { id: 'sesi-a', date: '2027-02-16', venue: 'Yogyakarta', provinces: ['32', '34'], acceptsMakeUp: false },
          { id: 'sesi-b', date: '2027-02-20', venue: 'Bandung', provinces: ['32'], acceptsMakeUp: false },
        ];
      },
    });
    const coverage = sessionCoverage(config);
    expect(coverage.provinces.find((p) => p.code === '32')).toEqual({
      code: '32',
      name: 'Jawa Barat',
      islandGroup: 'Jawa',
      sessions: ['sesi-a', 'sesi-b'],
    });
    expect(coverage.uncovered.map((g) => g.islandGroup)).toEqual([
      'Sumatera',
      'Jawa',
      'Bali dan Nusa Tenggara',
      'Kalimantan',
      'Sulawesi',
      'Maluku',
      'Papua',
    ]);
    expect(coverage.uncovered.find((g) => g.islandGroup === 'Jawa')?.provinces.map((p) => p.code)).toEqual([
      '31',
      '33',
      '35',
      '36',
    ]);
    expect(describeGaps(coverage)).toMatch(/^no session covers 36 provinces: Sumatera: 11 Aceh, /);
  });

  it('has nothing to say about a schedule that covers every province', () => {
    expect(describeGaps(sessionCoverage(testConfig('uji-cakupan')))).toBeNull();
  });
});
