/**
 * The workflow cache's size: OVOP_MAX_CACHED_WORKFLOWS as an operator writes it, and the size and the logged reason a
 * worker gets from the server's query setting (worker/workflow-cache.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  configuredMaxCachedWorkflows,
  decideWorkflowCache,
  DEFAULT_MAX_CACHED_WORKFLOWS,
  namespaceRefusesQueries,
  querySettingCheckMs,
} from '../../worker/workflow-cache';
import type { NativeConnection } from '@temporalio/worker';

const env = (value?: string): NodeJS.ProcessEnv => (value === undefined ? {} : { OVOP_MAX_CACHED_WORKFLOWS: value });

describe('OVOP_MAX_CACHED_WORKFLOWS', () => {
  it('is not set when absent or empty, and reads whole numbers from 0 up', () => {
    expect(configuredMaxCachedWorkflows(env())).toBeUndefined();
    expect(configuredMaxCachedWorkflows(env(''))).toBeUndefined();
    expect(configuredMaxCachedWorkflows(env('  '))).toBeUndefined();
    expect(configuredMaxCachedWorkflows(env('0'))).toBe(0);
    expect(configuredMaxCachedWorkflows(env('250'))).toBe(250);
    expect(configuredMaxCachedWorkflows(env(' 250 '))).toBe(250);
  });

  it.each(['-1', '1.5', 'abc', '1e400'])('refuses %j with a message naming the variable and the value', (value) => {
    expect(() => configuredMaxCachedWorkflows(env(value))).toThrow(
      `OVOP_MAX_CACHED_WORKFLOWS must be a whole number of workflows (0 or more), not ${JSON.stringify(value)}`,
    );
  });
});

describe('the cache a worker runs with', () => {
  it('keeps 1,000 workflows where the namespace refuses queries, and says why', () => {
    const decision = decideWorkflowCache(true, env());
    expect(DEFAULT_MAX_CACHED_WORKFLOWS).toBe(1000);
    expect(decision.size).toBe(1000);
    expect(decision.followsServer).toBe(true);
    expect(decision.reason).toBe(
      'the namespace refuses queries (system.disallowQuery), so the worker caches up to 1000 workflows',
    );
  });

  it('keeps none where the namespace answers queries, and tells the operator how to get one', () => {
    const decision = decideWorkflowCache(false, env());
    expect(decision.size).toBe(0);
    expect(decision.followsServer).toBe(true);
    expect(decision.reason).toMatch(/^the namespace answers queries, so the worker keeps no cache/);
    expect(decision.reason).toContain('set system.disallowQuery on the server');
    expect(decision.reason).toContain('docs/workflow-cache.md');
  });

  it('takes the operator’s size where the namespace refuses queries, without a warning', () => {
    expect(decideWorkflowCache(true, env('250'))).toEqual({
      size: 250,
      reason: 'OVOP_MAX_CACHED_WORKFLOWS=250',
      followsServer: false,
    });
    expect(decideWorkflowCache(true, env('0'))).toEqual({
      size: 0,
      reason: 'OVOP_MAX_CACHED_WORKFLOWS=0',
      followsServer: false,
    });
  });

  it('takes the operator’s size where the namespace answers queries, warning of the unreplayable history', () => {
    const decision = decideWorkflowCache(false, env('250'));
    expect(decision.size).toBe(250);
    expect(decision.reason).toBe(
      'OVOP_MAX_CACHED_WORKFLOWS=250; the server answers queries, so a query can make this cache record an unreplayable history (docs/workflow-cache.md)',
    );
    // No cache, no risk: nothing to warn of.
    expect(decideWorkflowCache(false, env('0'))).toEqual({
      size: 0,
      reason: 'OVOP_MAX_CACHED_WORKFLOWS=0',
      followsServer: false,
    });
  });

  it('stops on a bad setting whatever the server says', () => {
    for (const refused of [true, false])
      expect(() => decideWorkflowCache(refused, env('abc'))).toThrow(
        'OVOP_MAX_CACHED_WORKFLOWS must be a whole number of workflows (0 or more), not "abc"',
      );
  });
});

describe('OVOP_QUERY_SETTING_CHECK_SECONDS', () => {
  it('is 30 s unset or empty, and reads whole seconds from 1 to 3600', () => {
    expect(querySettingCheckMs({})).toBe(30_000);
    expect(querySettingCheckMs({ OVOP_QUERY_SETTING_CHECK_SECONDS: '' })).toBe(30_000);
    expect(querySettingCheckMs({ OVOP_QUERY_SETTING_CHECK_SECONDS: '1' })).toBe(1000);
    expect(querySettingCheckMs({ OVOP_QUERY_SETTING_CHECK_SECONDS: '3600' })).toBe(3_600_000);
  });

  it.each(['0', '-5', '0.5', '3601', 'abc'])('refuses %j with a message naming the variable and the value', (value) => {
    expect(() => querySettingCheckMs({ OVOP_QUERY_SETTING_CHECK_SECONDS: value })).toThrow(
      `OVOP_QUERY_SETTING_CHECK_SECONDS must be a whole number of seconds from 1 to 3600, not ${JSON.stringify(value)}`,
    );
  });
});

describe("the probe's answers other than the two real servers' (test/integration/workflow-cache.test.ts has those)", () => {
  // A stand-in connection: a server's authorizer or an outage cannot be brought about on the suite's dev server.
  const answering = (code: number, message: string) =>
    ({
      workflowService: {
        queryWorkflow: async () => Promise.reject(Object.assign(new Error(message), { code })),
      },
    }) as unknown as NativeConnection;

  it('counts any other refusal, such as a permission the worker lacks, as queries answered: no cache', async () => {
    expect(await namespaceRefusesQueries(answering(7, '7 PERMISSION_DENIED: Request unauthorized.'), 'ovop')).toBe(
      false,
    );
  });

  it('throws while the server cannot be reached, for the start-up retry', async () => {
    await expect(namespaceRefusesQueries(answering(14, '14 UNAVAILABLE: tcp connect error'), 'ovop')).rejects.toThrow(
      'UNAVAILABLE',
    );
  });
});
