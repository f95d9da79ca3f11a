/**
 * A replay's deadline (OVOP_REPLAY_TIMEOUT_SECONDS, longer for a longer history) and the verdict of a replay that ran
 * out of time: "timed out", never "non-deterministic" or "replay failed", whether the pool's deadline or the SDK's
 * deadlock detector (an activation past `isolateExecutionTimeout`) stopped it.
 */
import { ReplayError } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { verdictOf } from '../../client/replay';
import {
  DEFAULT_REPLAY_TIMEOUT_SECONDS,
  replayDeadlineMs,
  replayTimeoutSecondsFromEnv,
} from '../../client/replay-deadline';
import { isIsolateTimeout, ReplayTimeoutError } from '../../client/replay-pool';

// What the SDK reported for a replay whose first activation ran past `isolateExecutionTimeout` (here 1 ms): Core
// prints the failure's encoded attributes, {"message":"Script execution timed out after 1ms"}, in base64.
const ISOLATE_TIMEOUT =
  'Replay failed due workflow task failure. Details: Workflow activation completion failed: Failure { failure: Some(Failure { message: "Encoded failure", source: "TypeScriptSDK", stack_trace: "", encoded_attributes: Some([eyJtZXNzYWdlIjoiU2NyaXB0IGV4ZWN1dGlvbiB0aW0=..IGV4ZWN1dGlvbiB0aW1lZCBvdXQgYWZ0ZXIgMW1zIn0=]), cause: None, failure_info: None }), force_cause: Unspecified }';
// Another workflow task failure, encoded the same way: {"message":"boom"}.
const OTHER_FAILURE = ISOLATE_TIMEOUT.replace(
  /\[[^\]]+\]/,
  `[${Buffer.from('{"message":"boom"}').toString('base64')}]`,
);

describe('the deadline of one replay', () => {
  it('is the configured seconds up to 1,000 events, and grows with a longer history', () => {
    expect(replayDeadlineMs(120, 50)).toBe(120_000);
    expect(replayDeadlineMs(120, 1000)).toBe(120_000);
    expect(replayDeadlineMs(120, 4000)).toBe(480_000);
    expect(replayDeadlineMs(0.001, 10)).toBe(1);
  });

  it('reads OVOP_REPLAY_TIMEOUT_SECONDS, and refuses a value that is no positive number', () => {
    expect(replayTimeoutSecondsFromEnv({})).toBe(DEFAULT_REPLAY_TIMEOUT_SECONDS);
    expect(replayTimeoutSecondsFromEnv({ OVOP_REPLAY_TIMEOUT_SECONDS: '30' })).toBe(30);
    expect(replayTimeoutSecondsFromEnv({ OVOP_REPLAY_TIMEOUT_SECONDS: '0.5' })).toBe(0.5);
    for (const bad of ['0', '-1', 'soon'])
      expect(() => replayTimeoutSecondsFromEnv({ OVOP_REPLAY_TIMEOUT_SECONDS: bad })).toThrow(
        `OVOP_REPLAY_TIMEOUT_SECONDS must be a positive number of seconds, not "${bad}"`,
      );
  });
});

describe('the verdict of a replay that ran out of time', () => {
  it('is "timed out" when the pool gave up on it', () => {
    expect(verdictOf(new ReplayTimeoutError(120_000))).toEqual({
      ok: false,
      kind: 'timed out',
      message: 'the replay did not finish within 120 s; the code was not judged on this history',
    });
  });

  it('is "timed out" when an activation ran past the isolate timeout, and only then', () => {
    expect(isIsolateTimeout(new ReplayError(ISOLATE_TIMEOUT))).toBe(true);
    expect(verdictOf(new ReplayError(ISOLATE_TIMEOUT))).toMatchObject({ ok: false, kind: 'timed out' });
    expect(isIsolateTimeout(new Error('Script execution timed out after 5000ms'))).toBe(true);
    expect(isIsolateTimeout(new ReplayError(OTHER_FAILURE))).toBe(false);
    expect(verdictOf(new ReplayError(OTHER_FAILURE))).toMatchObject({ ok: false, kind: 'replay failed' });
    expect(isIsolateTimeout(undefined)).toBe(false);
  });
});
