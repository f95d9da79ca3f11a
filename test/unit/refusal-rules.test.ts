/**
 * A validator's refusal names its rule and the values of its sentence as the failure's details (the English message
 * unchanged, as the CLI prints it), and the portal says it in the reader's language from them: regions and stages by
 * name, an instant in the cycle's time zone with its name (WIB, WITA, WIT) instead of the message's UTC.
 */
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { coordinator, dinasOf, nominationInput, testConfig, workflowInput } from '../../bench/drivers';
import { refusalText } from '../../api/portal/refusals';
import { en } from '../../api/portal/lang/en';
import { id } from '../../api/portal/lang/id';
import { deadlineOf } from '../../workflows/deadline-clock';
import * as rules from '../../workflows/nomination-rules';
import { newNominationState, type NominationState } from '../../workflows/nomination-state';

const config = testConfig('uji-alasan', {
  mutate: (c) => {
    c.sessions.find((s) => s.id === 'sesi-3-makassar')!.acceptsMakeUp = false;
  },
});
const NOW = Date.parse('2027-03-01T00:00:00Z');

function state(over: Partial<NominationState> = {}): NominationState {
  const input = workflowInput(config, nominationInput(config, { regencyCode: '32.05', ikmName: 'Tenun Garut' }));
  return Object.assign(newNominationState(input, 'ovop/uji-alasan/nomination/32.05/tenun-garut', NOW), over);
}

/** The refusal as the API answers it: `refused`, the validator's message, and the rule its details carry. */
function answerOf(check: () => void): { status: number; body: { message: string; [k: string]: unknown } } {
  try {
    check();
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    const failure = err as ApplicationFailure;
    expect(failure.type).toBe('Refused');
    return { status: 409, body: { code: 'refused', message: failure.message, ...(failure.details?.[0] as object) } };
  }
  throw new Error('the rule accepted');
}

describe("a validator's refusal carries its rule", () => {
  const waiting = () => state({ stage: 'AWAITING_SOCIALIZATION' });

  it('a session of another province: the message as before, the rule and its values beside it', () => {
    const answer = answerOf(() =>
      rules.validateAttend(waiting(), { actor: dinasOf('32.05'), sessionId: 'sesi-3-makassar' }),
    );
    expect(answer.body).toEqual({
      code: 'refused',
      message:
        'session sesi-3-makassar does not cover province 32 and does not accept make-up attendance; ' +
        'sessions for province 32: sesi-1-yogyakarta',
      rule: 'session_other_province',
      params: { session: 'sesi-3-makassar', province: '32', covering: 'sesi-1-yogyakarta' },
    });
    expect(refusalText(id, answer)).toBe(
      'Sesi sesi-3-makassar tidak mencakup Jawa Barat dan tidak menerima kehadiran susulan; ' +
        'sesi untuk provinsi ini: sesi-1-yogyakarta.',
    );
    expect(refusalText(en, answer)).toBe(
      'Session sesi-3-makassar does not cover Jawa Barat and does not accept make-up attendance; ' +
        'sessions for this province: sesi-1-yogyakarta.',
    );
  });

  it('a stage that has moved on, and a hold after a deadline, by their names', () => {
    const late = answerOf(() =>
      rules.validateAttend(state({ stage: 'AWAITING_DOCUMENTS' }), { actor: dinasOf('32.05'), sessionId: 'x' }),
    );
    expect(late.body.rule).toBe('wrong_stage');
    expect(refusalText(id, late)).toBe(
      'Usulan ini sedang pada tahap Menunggu dokumen; tindakan ini hanya untuk tahap Menunggu kehadiran sosialisasi.',
    );
    const held = answerOf(() =>
      rules.validateAttend(state({ stage: 'AWAITING_SOCIALIZATION', hold: { stage: 'attendance', since: NOW } }), {
        actor: dinasOf('32.05'),
        sessionId: 'sesi-1-yogyakarta',
      }),
    );
    expect(held.body.rule).toBe('on_hold');
    expect(refusalText(id, held)).toMatch(/^Usulan ini ditahan karena batas waktu untuk menghadiri .* terlewat/);
  });

  it("an instant in the cycle's time zone with its name, where the message says UTC", () => {
    const s = waiting();
    const current = new Date(deadlineOf(s, 'attendance')).toISOString();
    const answer = answerOf(() =>
      rules.validateExtendDeadline(
        s,
        { actor: coordinator, stage: 'attendance', until: new Date(NOW + 60_000).toISOString() },
        NOW,
      ),
    );
    expect(answer.body.message).toBe(`the new deadline must be later than the current one (${current})`);
    expect(answer.body).toMatchObject({ rule: 'deadline_not_later', params: { currentAt: current } });
    const wita = refusalText(id, answer, { timeZone: 'Asia/Makassar' });
    expect(wita).toMatch(/^Batas waktu baru harus lebih lambat dari yang berlaku \(.+ pukul \d{2}\.\d{2} WITA\)\.$/);
    expect(refusalText(en, answer, { timeZone: 'Asia/Jayapura' })).toMatch(
      /^The new deadline must be later than the current one \(\d{4}-\d{2}-\d{2} \d{2}:\d{2} WIT\)\.$/,
    );
  });

  it('a refusal without a rule is shown as the API wrote it', () => {
    const answer = answerOf(() =>
      rules.validateAttend(waiting(), { actor: { ...dinasOf('32.05'), role: 'nobody' } as never, sessionId: 'x' }),
    );
    expect(answer.body).toEqual({ code: 'refused', message: expect.stringMatching(/^actor role must be one of/) });
    expect(refusalText(id, answer)).toBe(answer.body.message);
  });
});
