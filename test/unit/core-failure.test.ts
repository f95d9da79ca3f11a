/**
 * A replay's workflow task failure as Core renders it, with the message in the encoded attributes (the engine's
 * failure converter): the verdict says the message, not "Encoded failure".
 */
import { ReplayError } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { encodedFailureMessage } from '../../client/core-failure';
import { verdictOf } from '../../client/replay';

/** Core's rendering of a failure whose encoded attributes are `json`: base64 of all of it, or of its two ends. */
function rendering(json: string, ends?: number): string {
  const bytes = Buffer.from(json);
  const printed =
    ends === undefined
      ? bytes.toString('base64')
      : `${bytes.subarray(0, ends).toString('base64')}..${bytes.subarray(bytes.length - ends).toString('base64')}`;
  return `Replay failed due workflow task failure. Details: Workflow activation completion failed: Failure { failure: Some(Failure { message: "Encoded failure", source: "TypeScriptSDK", stack_trace: "", encoded_attributes: Some([${printed}]), cause: None, failure_info: None }), force_cause: Unspecified }`;
}

describe('the message of a failure Core printed encoded', () => {
  it('is read whole when Core printed all of it', () => {
    expect(encodedFailureMessage(rendering('{"message":"boom","stack_trace":""}'))).toBe('boom');
  });

  it('is read whole when the two printed ends overlap', () => {
    // As the SDK printed an isolate timeout: 50 bytes, its first and last 32.
    expect(encodedFailureMessage(rendering('{"message":"Script execution timed out after 1ms"}', 32))).toBe(
      'Script execution timed out after 1ms',
    );
  });

  it('keeps its start, marked as cut, when Core left its middle out', () => {
    const json = JSON.stringify({
      message: 'Penilaian "ganda" tidak boleh: assessor already scored this nomination',
      stack_trace: 'Error: x\n    at nomination (workflows/nomination.workflow.ts:1:1)',
    });
    expect(encodedFailureMessage(rendering(json, 32))).toBe('Penilaian "ganda" …');
  });

  it('is undefined for a rendering without encoded attributes', () => {
    expect(encodedFailureMessage('[TMPRL1100] Nondeterminism error: Update machine does not handle this event')).toBe(
      undefined,
    );
  });

  it("is the verdict's message", () => {
    expect(verdictOf(new ReplayError(rendering('{"message":"boom","stack_trace":""}')))).toEqual({
      ok: false,
      kind: 'replay failed',
      message: 'boom',
    });
  });
});
