/**
 * The rules of the provincial pre-screen, the product samples' receipt and the completion of a returned proposal, as
 * pure functions of (state, input with its actor, now), in the style of nomination-rules.test.ts.
 */
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  coordinator,
  dinasOf,
  nominationInput,
  provinsiOf,
  sha256,
  testConfig,
  workflowInput,
} from '../../bench/drivers';
import { newNominationState, type NominationState } from '../../workflows/nomination-state';
import * as rules from '../../workflows/nomination-rules';

const config = testConfig('uji-prasel', { optionalSteps: true });
const NOW = Date.parse('2027-03-01T00:00:00Z');
const ID = 'ovop/uji-prasel/nomination/32.05/tenun-garut';
const jabar = provinsiOf('32');

function state(over: Partial<NominationState> = {}): NominationState {
  const input = workflowInput(config, nominationInput(config, { regencyCode: '32.05', ikmName: 'Tenun Garut' }));
  return Object.assign(newNominationState(input, ID, NOW), over);
}

function refusal(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('Refused');
    return (err as Error).message;
  }
}

describe('the pre-screen', () => {
  const screening = (over: Partial<NominationState> = {}) => state({ stage: 'PROVINCIAL_PRESCREEN', ...over });
  it('is accepted from the dinas provinsi of the nomination province: a pass, a return with what is missing, a reject', () => {
    expect(refusal(() => rules.validatePrescreen(screening(), { actor: jabar, decision: 'pass' }))).toBeUndefined();
    expect(
      refusal(() =>
        rules.validatePrescreen(screening(), {
          actor: jabar,
          decision: 'return',
          reason: 'SK belum ada',
          missing: ['sentra_decree', 'legality'],
        }),
      ),
    ).toBeUndefined();
    expect(
      refusal(() => rules.validatePrescreen(screening(), { actor: jabar, decision: 'reject', reason: 'bukan sentra' })),
    ).toBeUndefined();
  });
  it('is refused from another role, another province, and outside its stage', () => {
    expect(refusal(() => rules.validatePrescreen(screening(), { actor: dinasOf('32.05'), decision: 'pass' }))).toBe(
      "role dinas_kabkota may not do this; it is the dinas provinsi's pre-screen (province 32)",
    );
    expect(refusal(() => rules.validatePrescreen(screening(), { actor: provinsiOf('33'), decision: 'pass' }))).toBe(
      'dinas provinsi 33 may not pre-screen a proposal of province 32; only its own dinas provinsi may',
    );
    expect(
      refusal(() =>
        rules.validatePrescreen(state({ stage: 'AWAITING_DOCUMENTS' }), { actor: jabar, decision: 'pass' }),
      ),
    ).toBe(`nomination ${ID} is AWAITING_DOCUMENTS; this action needs PROVINCIAL_PRESCREEN`);
    expect(
      refusal(() =>
        rules.validatePrescreen(screening({ hold: { stage: 'prescreen', since: NOW } }), {
          actor: jabar,
          decision: 'pass',
        }),
      ),
    ).toBe(`nomination ${ID} is on hold after the prescreen deadline; a coordinator must decide first`);
  });
  it('is refused a second time in one round, without a reason, with a bad list, and beyond the returns allowed', () => {
    const decided = screening({ prescreenDecision: { actor: jabar, decision: 'pass' } });
    expect(refusal(() => rules.validatePrescreen(decided, { actor: jabar, decision: 'pass' }))).toBe(
      'this pre-screen round already has a decision',
    );
    expect(refusal(() => rules.validatePrescreen(screening(), { actor: jabar, decision: 'maybe' } as never))).toBe(
      'decision must be pass, return or reject',
    );
    expect(
      refusal(() => rules.validatePrescreen(screening(), { actor: jabar, decision: 'return', missing: ['legality'] })),
    ).toBe('a reason is required to return a proposal');
    expect(
      refusal(() =>
        rules.validatePrescreen(screening(), { actor: jabar, decision: 'return', reason: 'x', missing: [] }),
      ),
    ).toBe('a return must list the missing documents, from: legality, sentra_decree');
    expect(
      refusal(() =>
        rules.validatePrescreen(screening(), {
          actor: jabar,
          decision: 'return',
          reason: 'x',
          missing: ['legality', 'legality'],
        }),
      ),
    ).toBe('the missing documents list one kind twice');
    expect(
      refusal(() =>
        rules.validatePrescreen(screening(), { actor: jabar, decision: 'return', reason: 'x', missing: [7 as never] }),
      ),
    ).toBe('(a number) is not a document this nomination submits; missing documents are from: legality, sentra_decree');
    expect(
      refusal(() =>
        rules.validatePrescreen(screening({ prescreenReturns: 2, revisionRound: 2 }), {
          actor: jabar,
          decision: 'return',
          reason: 'x',
          missing: ['legality'],
        }),
      ),
    ).toBe(
      'the proposal was already returned 2 time(s), the most this cycle allows (prescreen.maxReturns 2); pass or reject it',
    );
  });
});

describe('completing a returned proposal', () => {
  const returned = () => state({ stage: 'PRESCREEN_RETURNED', revisionRound: 1, resubmit: ['sentra_decree'] });
  const doc = (kind: string) => ({
    actor: dinasOf('32.05'),
    kind,
    fileName: `${kind}.pdf`,
    checksum: sha256(kind),
    sizeBytes: 900,
  });
  it('takes the documents the dinas provinsi listed, and only those', () => {
    expect(refusal(() => rules.validateSubmitDocument(returned(), doc('sentra_decree')))).toBeUndefined();
    expect(refusal(() => rules.validateSubmitDocument(returned(), doc('legality')))).toBe(
      'the dinas provinsi asked to complete sentra_decree, not legality',
    );
  });
});

describe("the product samples' receipt", () => {
  const waiting = (over: Partial<NominationState> = {}) => state({ stage: 'AWAITING_SAMPLES', ...over });
  const receipt = { actor: coordinator, receivedOn: '2027-02-28', condition: 'good' as const, receivedBy: 'TU IKMA' };
  it('is recorded by a coordinator, with a day not in the future', () => {
    expect(refusal(() => rules.validateRecordSamples(waiting(), receipt, NOW))).toBeUndefined();
    // The cycle's day may be ahead of UTC's.
    expect(
      refusal(() => rules.validateRecordSamples(waiting(), { ...receipt, receivedOn: '2027-03-02' }, NOW)),
    ).toBeUndefined();
    expect(refusal(() => rules.validateRecordSamples(waiting(), { ...receipt, receivedOn: '2027-03-03' }, NOW))).toBe(
      'receivedOn 2027-03-03 is in the future; record samples once they have arrived',
    );
  });
  it('is refused from a dinas, twice, with a bad day, condition or receiver, and damaged without notes', () => {
    expect(refusal(() => rules.validateRecordSamples(waiting(), { ...receipt, actor: dinasOf('32.05') }, NOW))).toBe(
      'role dinas_kabkota may not do this; only a coordinator may',
    );
    expect(refusal(() => rules.validateRecordSamples(waiting({ sampleReceipt: receipt }), receipt, NOW))).toBe(
      'the receipt of the product samples is already recorded',
    );
    expect(refusal(() => rules.validateRecordSamples(waiting(), { ...receipt, receivedOn: '28/02/2027' }, NOW))).toBe(
      'receivedOn must be a date written YYYY-MM-DD, got "28/02/2027"',
    );
    expect(
      refusal(() => rules.validateRecordSamples(waiting(), { ...receipt, condition: 'basah' as never }, NOW)),
    ).toBe('condition must be one of good, damaged, incomplete');
    expect(refusal(() => rules.validateRecordSamples(waiting(), { ...receipt, receivedBy: ' ' }, NOW))).toBe(
      'receivedBy has no visible character',
    );
    expect(refusal(() => rules.validateRecordSamples(waiting(), { ...receipt, condition: 'incomplete' }, NOW))).toBe(
      'notes are required when the samples are incomplete',
    );
    expect(refusal(() => rules.validateRecordSamples(state({ stage: 'UNDER_REVIEW' }), receipt, NOW))).toBe(
      `nomination ${ID} is UNDER_REVIEW; this action needs AWAITING_SAMPLES`,
    );
  });
});

describe('a deadline of a step the cycle does not take', () => {
  it('cannot be extended', () => {
    const plain = testConfig('uji-tanpa');
    const input = workflowInput(plain, nominationInput(plain, { regencyCode: '32.05', ikmName: 'Tenun Garut' }));
    const s = newNominationState(input, ID, NOW);
    expect(
      refusal(() =>
        rules.validateExtendDeadline(s, { actor: coordinator, stage: 'prescreen', until: '2027-04-01T00:00:00Z' }, NOW),
      ),
    ).toBe('cycle uji-tanpa has no prescreen step');
  });
});
