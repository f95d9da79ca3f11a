import { describe, expect, it } from 'vitest';
import { DEV_SERVER_DYNAMIC_CONFIG, REFUSE_QUERIES, devServerDynamicConfig } from '../../embedded/dev-server';

describe("the embedded dev server's settings", () => {
  it("are the engine's queue-read limits and the refusal of queries; stock and answering drop each", () => {
    expect(devServerDynamicConfig({})).toEqual({ ...DEV_SERVER_DYNAMIC_CONFIG, ...REFUSE_QUERIES });
    expect(devServerDynamicConfig({ OVOP_DEV_SERVER_STOCK: '1' }, { answerQueries: true })).toEqual({});
  });

  it('take values added or overridden from OVOP_DEV_SERVER_SETTINGS, in JSON', () => {
    expect(
      devServerDynamicConfig({
        OVOP_DEV_SERVER_SETTINGS: 'system.enableActivityEagerExecution=true, history.transferProcessorMaxPollRPS=20',
      }),
    ).toEqual({
      ...DEV_SERVER_DYNAMIC_CONFIG,
      ...REFUSE_QUERIES,
      'system.enableActivityEagerExecution': true,
      'history.transferProcessorMaxPollRPS': 20,
    });
  });

  it('refuse a pair without a JSON value, naming it', () => {
    for (const bad of ['system.enableActivityEagerExecution', 'x=yes', '=1'])
      expect(() => devServerDynamicConfig({ OVOP_DEV_SERVER_SETTINGS: bad })).toThrow(
        `OVOP_DEV_SERVER_SETTINGS takes key=value pairs with JSON values (true, 1000, "x"), not "${bad}"`,
      );
  });
});
