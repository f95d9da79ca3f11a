import { describe, expect, it } from 'vitest';
import { parseScale } from '../../bench/drivers';

describe('npm run bench -- --scale', () => {
  it('runs 100 and 10,000 by default, or the two sizes given, passing the other options on', () => {
    expect(parseScale(['--scale'])).toEqual({ sizes: [100, 10000], rest: [] });
    expect(parseScale(['--scale', '100,1000', '--deadline-scale', '30'])).toEqual({
      sizes: [100, 1000],
      rest: ['--deadline-scale', '30'],
    });
    expect(parseScale(['--concurrency', '20', '--scale', '--no-baseline'])).toEqual({
      sizes: [100, 10000],
      rest: ['--concurrency', '20'],
    });
  });

  it('refuses sizes that are not two whole numbers, and an --n of its own', () => {
    expect(() => parseScale(['--scale', '100'])).toThrow('--scale takes two sizes such as 100,10000, not "100"');
    expect(() => parseScale(['--scale', '100,abc'])).toThrow('not "100,abc"');
    expect(() => parseScale(['--scale', '--n', '5'])).toThrow('--scale sets the sizes itself; leave out --n');
  });
});
