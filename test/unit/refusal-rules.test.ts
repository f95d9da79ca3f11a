/**
 * A validator's refusal names its rule and the values of its sentence as the failure's details (the English message
 * unchanged, as the CLI prints it), and the portal says it in the reader's language from them: regions and stages by
 * name, an instant in the cycle's time zone with its name (WIB, WITA, WIT) instead of the message's UTC.
 */
import { readdirSync, readFileSync } from 'node:fs';
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

  it('a refusal whose rule the catalogue does not hold is shown as the API wrote it', () => {
    const answer = { status: 409, body: { code: 'refused', message: 'something new', rule: 'not_in_the_catalogue' } };
    expect(refusalText(id, answer)).toBe('something new');
  });

  it('a field left out and an actor of no known role, by their rules; the field by its name on the form', () => {
    const answer = answerOf(() =>
      rules.validateWithdraw(state({ stage: 'AWAITING_DOCUMENTS' }), {
        actor: dinasOf('32.05'),
        reason: 'x'.repeat(2001),
      }),
    );
    expect(answer.body).toMatchObject({ rule: 'text_too_long', params: { what: 'reason', max: 2000, length: 2001 } });
    expect(refusalText(id, answer)).toBe('Alasan paling banyak 2000 karakter (terisi 2001).');
    expect(refusalText(en, answer)).toBe('The reason must be at most 2000 characters (got 2001).');
    const nobody = answerOf(() =>
      rules.validateAttend(waiting(), { actor: { ...dinasOf('32.05'), role: 'nobody' } as never, sessionId: 'x' }),
    );
    expect(nobody.body).toEqual({
      code: 'refused',
      message: expect.stringMatching(/^actor role must be one of/),
      rule: 'actor_role_unknown',
    });
    expect(refusalText(id, nobody)).toBe('Peran pelaku tidak dikenal.');
  });

  it('a value the sender gave: quoted in the message, plain in the params (the reader’s language places it)', () => {
    const answer = answerOf(() =>
      rules.validateSubmitDocument(state({ stage: 'AWAITING_DOCUMENTS' }), {
        actor: dinasOf('32.05'),
        kind: 'sertifikat_palsu',
        fileName: 'x.pdf',
        checksum: '0'.repeat(64),
        sizeBytes: 10,
      } as never),
    );
    expect(answer.body).toMatchObject({
      message: expect.stringMatching(/^unknown document kind "sertifikat_palsu"; the checklist has /),
      rule: 'unknown_document_kind',
      params: { kind: 'sertifikat_palsu' },
    });
    expect(refusalText(en, answer)).toBe("Document kind sertifikat_palsu is not on this cycle's checklist.");
  });

  it('an assessor taken off the panel, named for the field visit team', () => {
    const visits = testConfig('uji-alasan-kunjungan', { fieldVisits: true });
    const input = workflowInput(visits, nominationInput(visits, { regencyCode: '32.05', ikmName: 'Tenun Garut' }));
    const s = Object.assign(newNominationState(input, 'ovop/uji-alasan-kunjungan/nomination/32.05/tenun-garut', NOW), {
      stage: 'FIELD_VERIFICATION',
      stageEnteredAt: NOW,
      excluded: ['penilai-rina'],
    });
    const answer = answerOf(() =>
      rules.validateScheduleFieldVisit(
        s as NominationState,
        { actor: coordinator, date: new Date(NOW + 60_000).toISOString(), team: ['penilai-andi', 'penilai-rina'] },
        NOW,
      ),
    );
    expect(answer.body).toEqual({
      code: 'refused',
      message: "assessor penilai-rina was taken off this nomination's panel and may not be on its field visit team",
      rule: 'team_excluded_assessor',
      params: { assessor: 'penilai-rina' },
    });
    expect(refusalText(id, answer)).toBe(
      'Penilai penilai-rina sudah dikeluarkan dari tim penilai usulan ini dan tidak dapat ikut kunjungan lapangannya.',
    );
    expect(refusalText(en, answer)).toBe(
      "Assessor penilai-rina was taken off this nomination's panel and may not be on its field visit team.",
    );
  });
});

/** The workflows' source and the value checks they share, as text: where refusals are written. */
const SOURCES = [
  ...readdirSync(new URL('../../workflows/', import.meta.url), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `workflows/${f}`),
  'domain/text.ts',
].map((path) => ({ path, text: readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8') }));

/** Refusals raised in an update handler rather than its validator: the failure is recorded in the workflow's history,
 * so adding a rule to it is a workflow change (a patch), not a validator's. They say the English sentence. */
const HANDLER_REFUSALS = [
  'workflows/cycle-decree.ts: refuse(cause.message)',
  'workflows/cycle-intake.ts: refuse(result.previousRefused)',
  'workflows/cycle-intake.ts: refuse(sentraTaken(n, result.sentraTakenBy))',
];

/** The text of each `refuse(...)` call's arguments, read past strings and template literals. */
function refuseCalls(text: string): string[] {
  const calls: string[] = [];
  for (const m of text.matchAll(/\brefuse\(/g)) {
    let depth = 1;
    let k = m.index + m[0].length;
    const quotes: string[] = [];
    const start = k;
    while (depth > 0 && k < text.length) {
      const c = text[k];
      const quote = quotes.at(-1);
      if (quote && quote !== '}') {
        if (c === '\\') k += 1;
        else if (quote === '`' && c === '$' && text[k + 1] === '{') {
          quotes.push('}');
          k += 1;
        } else if (c === quote) quotes.pop();
      } else if (c === "'" || c === '"' || c === '`') quotes.push(c);
      else if (c === '}' && quote === '}') quotes.pop();
      else if (c === '(') depth += 1;
      else if (c === ')') depth -= 1;
      k += 1;
    }
    calls.push(text.slice(start, k - 1));
  }
  return calls;
}

/** Whether a call's arguments have a second one at the top level (the reason). */
function hasReason(args: string): boolean {
  let depth = 0;
  const quotes: string[] = [];
  for (let k = 0; k < args.length; k += 1) {
    const c = args[k];
    const quote = quotes.at(-1);
    if (quote && quote !== '}') {
      if (c === '\\') k += 1;
      else if (quote === '`' && c === '$' && args[k + 1] === '{') {
        quotes.push('}');
        k += 1;
      } else if (c === quote) quotes.pop();
    } else if (c === "'" || c === '"' || c === '`') quotes.push(c);
    else if (c === '}' && quote === '}') quotes.pop();
    else if ('([{'.includes(c)) depth += 1;
    else if (')]}'.includes(c)) depth -= 1;
    else if (c === ',' && depth === 0 && args.slice(k + 1).trim() !== '') return true;
  }
  return false;
}

describe('every refusal has its rule, said in both languages', () => {
  it('every refuse( call of the workflows names a rule, but those of update handlers', () => {
    const without = SOURCES.flatMap(({ path, text }) =>
      refuseCalls(text)
        .filter((args) => !args.startsWith('message: string'))
        .filter((args) => !hasReason(args))
        .map((args) => `${path}: refuse(${args.replace(/\s+/g, ' ').slice(0, 80)})`),
    );
    expect(without.sort()).toEqual(HANDLER_REFUSALS);
  });

  it('every rule named in the source has its text in Indonesian and in English, and the catalogues hold no other', () => {
    const named = new Set<string>();
    for (const { text } of SOURCES) {
      for (const m of text.matchAll(/\brule: ([^,}]+)/g))
        for (const code of m[1].matchAll(/'([a-z]+(?:_[a-z]+)*)'/g)) named.add(code[1]);
      for (const m of text.matchAll(/problem\([^;]*?'([a-z]+(?:_[a-z]+)+)'/gs)) named.add(m[1]);
    }
    expect(named.size).toBeGreaterThan(100);
    expect(named).toContain('team_excluded_assessor');
    expect(named).toContain('text_required');
    expect([...named].filter((rule) => !id.rules[rule] || !en.rules[rule]).sort()).toEqual([]);
    expect(Object.keys(id.rules).sort()).toEqual([...named].sort());
    expect(Object.keys(en.rules).sort()).toEqual([...named].sort());
  });
});
