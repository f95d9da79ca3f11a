import { describe, expect, it } from 'vitest';
import { apiOptionsFromEnv } from '../../api/options';
import { envNumber, positive, wholeNumber } from '../../common/env-number';

describe('a number from the environment', () => {
  it('is the default when unset or blank, and the value (trimmed) when set', () => {
    expect(envNumber({}, 'OVOP_X', 7, positive())).toBe(7);
    expect(envNumber({ OVOP_X: '  ' }, 'OVOP_X', 7, positive())).toBe(7);
    expect(envNumber({ OVOP_X: ' 2.5 ' }, 'OVOP_X', 7, positive('hours'))).toBe(2.5);
    expect(envNumber({}, 'OVOP_X', undefined, wholeNumber('workflows', 0))).toBeUndefined();
    expect(envNumber({ OVOP_X: '0' }, 'OVOP_X', undefined, wholeNumber('workflows', 0))).toBe(0);
  });

  it('stops with the name, the rule and the value given when the value breaks the rule', () => {
    expect(() => envNumber({ OVOP_X: '1.5' }, 'OVOP_X', 1, wholeNumber('seconds', 1, 3600))).toThrow(
      'OVOP_X must be a whole number of seconds from 1 to 3600, not "1.5"',
    );
    expect(() => envNumber({ OVOP_X: '-1' }, 'OVOP_X', 1, wholeNumber('workflows', 0))).toThrow(
      'OVOP_X must be a whole number of workflows (0 or more), not "-1"',
    );
    expect(() => envNumber({ OVOP_X: 'Infinity' }, 'OVOP_X', 1, positive())).toThrow(
      'OVOP_X must be a positive number, not "Infinity"',
    );
  });

  it("is how the API's settings are read: a session of 0 hours is refused at start", () => {
    expect(() => apiOptionsFromEnv({ OVOP_SESSION_HOURS: '0' })).toThrow(
      'OVOP_SESSION_HOURS must be a positive number, not "0"',
    );
    expect(apiOptionsFromEnv({ OVOP_SESSION_HOURS: '8' }).sessionTtlHours).toBe(8);
  });
});
