/**
 * The action rules of a nomination, as pure functions of (state, input with its actor, now): each refusal with the
 * message the actor sees, and the input each rule accepts, without a Temporal server.
 */
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  coordinator,
  dinasOf,
  nominationInput,
  scoresFor,
  sha256,
  testConfig,
  workflowInput,
} from '../../bench/drivers';
import type { Actor } from '../../domain/types';
import { newNominationState, type NominationState } from '../../workflows/nomination-state';
import * as rules from '../../workflows/nomination-rules';

const config = testConfig('uji-aturan');
const NOW = Date.parse('2027-03-01T00:00:00Z');
const garut = dinasOf('32.05');

/** A tenun nomination of Kab. Garut (province 32) in `stage`, changed by `over`. */
function state(over: Partial<NominationState> = {}): NominationState {
  const input = workflowInput(config, nominationInput(config, { regencyCode: '32.05', ikmName: 'Tenun Garut' }));
  return Object.assign(newNominationState(input, 'ovop/uji-aturan/nomination/32.05/tenun-garut', NOW), over);
}

/** The refusal's message, or undefined when the rule accepts. */
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

const assessor = (id: string, region: string): Actor => ({ role: 'assessor', id, region });
const doc = { kind: 'legality', fileName: 'nib.pdf', checksum: sha256('nib'), sizeBytes: 1200 };

describe('attendance at a socialization session', () => {
  const waiting = () => state({ stage: 'AWAITING_SOCIALIZATION' });
  it('is accepted from the nomination own dinas, for a session that covers its province', () => {
    expect(
      refusal(() => rules.validateAttend(waiting(), { actor: garut, sessionId: 'sesi-2-bandung' })),
    ).toBeUndefined();
  });
  it('is refused from the dinas of another kabupaten in the same province, and of another province', () => {
    expect(
      refusal(() => rules.validateAttend(waiting(), { actor: dinasOf('32.04'), sessionId: 'sesi-2-bandung' })),
    ).toBe('dinas 32.04 may not act for 32.05; only its own dinas kabupaten/kota may');
    expect(
      refusal(() => rules.validateAttend(waiting(), { actor: dinasOf('13.04'), sessionId: 'sesi-2-bandung' })),
    ).toBe('dinas 13.04 is in another province; this nomination belongs to 32.05');
  });
  it('is refused for an unknown session, an assessor, a missing actor and in another stage', () => {
    expect(refusal(() => rules.validateAttend(waiting(), { actor: garut, sessionId: 'sesi-9' }))).toMatch(
      /^unknown socialization session "sesi-9"; sessions: sesi-1-yogyakarta/,
    );
    expect(
      refusal(() =>
        rules.validateAttend(waiting(), { actor: assessor('penilai-siti', '34'), sessionId: 'sesi-2-bandung' }),
      ),
    ).toBe("role assessor may not do this; it is the dinas kabupaten/kota's action");
    expect(refusal(() => rules.validateAttend(waiting(), { sessionId: 'sesi-2-bandung' } as never))).toBe(
      'actor is missing',
    );
    expect(
      refusal(() =>
        rules.validateAttend(state({ stage: 'AWAITING_DOCUMENTS' }), { actor: garut, sessionId: 'sesi-2-bandung' }),
      ),
    ).toBe(
      'nomination ovop/uji-aturan/nomination/32.05/tenun-garut is AWAITING_DOCUMENTS; this action needs AWAITING_SOCIALIZATION',
    );
  });
  it('is accepted at any session that covers the province, and a refusal lists those sessions', () => {
    const twoSessions = testConfig('uji-dua-sesi', {
      mutate: (c) => {
        c.sessions = [
          { id: 'sesi-jawa-1', date: '2027-02-16', venue: 'Yogyakarta', provinces: ['32', '33'], acceptsMakeUp: false },
          { id: 'sesi-jawa-2', date: '2027-02-20', venue: 'Surabaya', provinces: ['32', '35'], acceptsMakeUp: false },
          { id: 'sesi-sumatera', date: '2027-02-23', venue: 'Padang', provinces: ['13'], acceptsMakeUp: false },
        ];
      },
    });
    const input = workflowInput(
      twoSessions,
      nominationInput(twoSessions, { regencyCode: '32.05', ikmName: 'Tenun Garut' }),
    );
    const s = Object.assign(newNominationState(input, 'ovop/uji-dua-sesi/nomination/32.05/tenun-garut', NOW), {
      stage: 'AWAITING_SOCIALIZATION' as const,
    });
    expect(refusal(() => rules.validateAttend(s, { actor: garut, sessionId: 'sesi-jawa-1' }))).toBeUndefined();
    expect(refusal(() => rules.validateAttend(s, { actor: garut, sessionId: 'sesi-jawa-2' }))).toBeUndefined();
    expect(refusal(() => rules.validateAttend(s, { actor: garut, sessionId: 'sesi-sumatera' }))).toBe(
      'session sesi-sumatera does not cover province 32 and does not accept make-up attendance; ' +
        'sessions for province 32: sesi-jawa-1, sesi-jawa-2',
    );
  });
  it('is refused while the nomination is on hold', () => {
    const held = state({ stage: 'AWAITING_SOCIALIZATION', hold: { stage: 'attendance', since: NOW } });
    expect(refusal(() => rules.validateAttend(held, { actor: garut, sessionId: 'sesi-2-bandung' }))).toMatch(
      /is on hold after the attendance deadline; a coordinator must decide first$/,
    );
  });
});

describe('document submission', () => {
  const waiting = () => state({ stage: 'AWAITING_DOCUMENTS' });
  it('is accepted for a required kind with a SHA-256 and a size', () => {
    expect(refusal(() => rules.validateSubmitDocument(waiting(), { actor: garut, ...doc }))).toBeUndefined();
  });
  it('refuses an unknown kind, a kind the commodity does not need, a second copy in the round and a bad checksum or size', () => {
    expect(refusal(() => rules.validateSubmitDocument(waiting(), { actor: garut, ...doc, kind: 'foto' }))).toMatch(
      /^unknown document kind "foto"; the checklist has legality/,
    );
    expect(refusal(() => rules.validateSubmitDocument(waiting(), { actor: garut, ...doc, kind: 'halal' }))).toBe(
      'document kind halal is not required for commodity kain_tenun',
    );
    const submitted = state({
      stage: 'AWAITING_DOCUMENTS',
      documents: [{ ...doc, round: 0, submittedAt: new Date(NOW).toISOString() }],
    });
    expect(refusal(() => rules.validateSubmitDocument(submitted, { actor: garut, ...doc }))).toBe(
      'document legality was already submitted in round 0',
    );
    expect(refusal(() => rules.validateSubmitDocument(waiting(), { actor: garut, ...doc, checksum: 'ABC' }))).toBe(
      "checksum must be the file's SHA-256 in lower-case hex (64 characters)",
    );
    expect(refusal(() => rules.validateSubmitDocument(waiting(), { actor: garut, ...doc, sizeBytes: 0 }))).toBe(
      'size must be a whole number of bytes from 1 to 2147483647',
    );
  });
  it('in a revision round takes only the kinds the reviewer asked for', () => {
    const revision = state({ stage: 'REVISION_REQUESTED', revisionRound: 1, resubmit: ['legality'] });
    expect(refusal(() => rules.validateSubmitDocument(revision, { actor: garut, ...doc }))).toBeUndefined();
    const other = state({ stage: 'REVISION_REQUESTED', revisionRound: 1, resubmit: ['product_photos'] });
    expect(refusal(() => rules.validateSubmitDocument(other, { actor: garut, ...doc }))).toBe(
      'the reviewer asked for product_photos in this revision round, not legality',
    );
  });
});

describe('administrative review', () => {
  const review = () => state({ stage: 'UNDER_REVIEW' });
  it('is the coordinator action, and needs a reason unless it approves', () => {
    expect(refusal(() => rules.validateReview(review(), { actor: coordinator, decision: 'approve' }))).toBeUndefined();
    expect(refusal(() => rules.validateReview(review(), { actor: garut, decision: 'approve' }))).toBe(
      'role dinas_kabkota may not do this; only a coordinator may',
    );
    expect(refusal(() => rules.validateReview(review(), { actor: coordinator, decision: 'reject', reason: ' ' }))).toBe(
      'a reason is required to reject',
    );
    expect(refusal(() => rules.validateReview(review(), { actor: coordinator, decision: 'maybe' as never }))).toBe(
      'decision must be approve, request_changes or reject',
    );
    const decided = state({ stage: 'UNDER_REVIEW', reviewDecision: { actor: coordinator, decision: 'approve' } });
    expect(refusal(() => rules.validateReview(decided, { actor: coordinator, decision: 'approve' }))).toBe(
      'this review round already has a decision',
    );
  });
});

describe('score sheets', () => {
  const assessing = () => state({ stage: 'IN_ASSESSMENT', assessors: ['penilai-siti', 'penilai-andi'] });
  const scores = scoresFor(config, 2);
  it('are accepted from an assigned assessor of another province', () => {
    expect(
      refusal(() => rules.validateScores(assessing(), { actor: assessor('penilai-siti', '34'), scores })),
    ).toBeUndefined();
  });
  it('are refused from an assessor of the nomination own province, even one assigned by mistake', () => {
    const own = state({ stage: 'IN_ASSESSMENT', assessors: ['penilai-budi'] });
    expect(refusal(() => rules.validateScores(own, { actor: assessor('penilai-budi', '34'), scores }))).toBe(
      "conflict of interest: assessor penilai-budi is from province 32, the nomination's own",
    );
  });
  it('are refused from an assessor not assigned, a second time, with a score out of range, and from a coordinator', () => {
    expect(refusal(() => rules.validateScores(assessing(), { actor: assessor('penilai-lain', '51'), scores }))).toBe(
      'assessor penilai-lain is not assigned to this nomination',
    );
    const scored = state({
      stage: 'IN_ASSESSMENT',
      assessors: ['penilai-siti'],
      sheets: [{ assessorId: 'penilai-siti', scores }],
    });
    expect(refusal(() => rules.validateScores(scored, { actor: assessor('penilai-siti', '34'), scores }))).toBe(
      'assessor penilai-siti has already submitted scores',
    );
    const id = Object.keys(scores)[0];
    expect(
      refusal(() =>
        rules.validateScores(assessing(), { actor: assessor('penilai-siti', '34'), scores: { ...scores, [id]: 4 } }),
      ),
    ).toMatch(/^invalid scores: /);
    expect(refusal(() => rules.validateScores(assessing(), { actor: coordinator, scores }))).toBe(
      'role coordinator may not score; only an assessor may',
    );
  });
});

describe('field verification and the stars', () => {
  it('field verification is the coordinator, once, with passed true or false', () => {
    const field = state({ stage: 'FIELD_VERIFICATION' });
    expect(refusal(() => rules.validateVerifyField(field, { actor: coordinator, passed: true }))).toBeUndefined();
    expect(refusal(() => rules.validateVerifyField(field, { actor: coordinator, passed: 'ya' as never }))).toBe(
      'passed must be true or false',
    );
    expect(
      refusal(() =>
        rules.validateVerifyField(state({ stage: 'FIELD_VERIFICATION', fieldVerified: false }), {
          actor: coordinator,
          passed: true,
        }),
      ),
    ).toBe('the field verification is already recorded');
  });
  it('stars other than the recommendation need a reason; out of range or twice is refused', () => {
    const recommended = state({ stage: 'STAR_RECOMMENDED', recommended: 4 });
    expect(refusal(() => rules.validateDetermine(recommended, { actor: coordinator }))).toBeUndefined();
    expect(refusal(() => rules.validateDetermine(recommended, { actor: coordinator, stars: 5 }))).toBe(
      'a reason is required to determine 5 stars against the recommended 4',
    );
    expect(
      refusal(() => rules.validateDetermine(recommended, { actor: coordinator, stars: 5, reason: 'Pasar ekspor' })),
    ).toBeUndefined();
    expect(refusal(() => rules.validateDetermine(recommended, { actor: coordinator, stars: 6, reason: 'x' }))).toBe(
      'stars must be a whole number from 0 to 5',
    );
    const decided = state({ stage: 'STAR_RECOMMENDED', recommended: 4, determination: { actor: coordinator } });
    expect(refusal(() => rules.validateDetermine(decided, { actor: coordinator }))).toBe(
      'the stars are already determined',
    );
  });
});

describe('withdrawal', () => {
  it('needs the own dinas and a reason, and is refused once closed or while the stars are being determined', () => {
    expect(
      refusal(() => rules.validateWithdraw(state({ stage: 'UNDER_REVIEW' }), { actor: garut, reason: 'Pindah usaha' })),
    ).toBeUndefined();
    expect(refusal(() => rules.validateWithdraw(state({ stage: 'UNDER_REVIEW' }), { actor: garut, reason: '' }))).toBe(
      'a reason is required to withdraw',
    );
    expect(refusal(() => rules.validateWithdraw(state({ stage: 'WITHDRAWN' }), { actor: garut, reason: 'lagi' }))).toBe(
      'nomination ovop/uji-aturan/nomination/32.05/tenun-garut is already WITHDRAWN',
    );
    const determining = state({ stage: 'STAR_RECOMMENDED', determination: { actor: coordinator } });
    expect(refusal(() => rules.validateWithdraw(determining, { actor: garut, reason: 'terlambat' }))).toBe(
      'the stars are being determined; it can no longer be withdrawn',
    );
  });
});

describe('deadline extensions and holds', () => {
  const later = (ms: number) => new Date(NOW + ms).toISOString();
  it('an extension must be later than now and than the current deadline', () => {
    const waiting = state({ stage: 'AWAITING_DOCUMENTS', stageEnteredAt: NOW });
    const current = NOW + 60 * 60_000; // the test config's calm deadline: 1 h after entering the stage
    expect(
      refusal(() =>
        rules.validateExtendDeadline(
          waiting,
          { actor: coordinator, stage: 'documents', until: later(2 * 60 * 60_000) },
          NOW,
        ),
      ),
    ).toBeUndefined();
    expect(
      refusal(() =>
        rules.validateExtendDeadline(waiting, { actor: coordinator, stage: 'documents', until: later(-1000) }, NOW),
      ),
    ).toBe('the new deadline must be in the future');
    expect(
      refusal(() =>
        rules.validateExtendDeadline(
          waiting,
          { actor: coordinator, stage: 'documents', until: later(30 * 60_000) },
          NOW,
        ),
      ),
    ).toBe(`the new deadline must be later than the current one (${new Date(current).toISOString()})`);
    expect(
      refusal(() =>
        rules.validateExtendDeadline(waiting, { actor: coordinator, stage: 'soon' as never, until: later(1000) }, NOW),
      ),
    ).toMatch(/^stage must be one of attendance, documents/);
    expect(
      refusal(() =>
        rules.validateExtendDeadline(waiting, { actor: garut, stage: 'documents', until: later(2 * 60 * 60_000) }, NOW),
      ),
    ).toBe('role dinas_kabkota may not do this; only a coordinator may');
  });
  it('a hold is resolved only while one stands, by extending to a future date or disqualifying', () => {
    const held = state({ stage: 'AWAITING_DOCUMENTS', hold: { stage: 'documents', since: NOW } });
    expect(
      refusal(() =>
        rules.validateResolveHold(held, { actor: coordinator, decision: 'extend', until: later(60_000) }, NOW),
      ),
    ).toBeUndefined();
    expect(
      refusal(() =>
        rules.validateResolveHold(held, { actor: coordinator, decision: 'extend', until: later(-60_000) }, NOW),
      ),
    ).toBe('the new deadline must be in the future');
    expect(
      refusal(() => rules.validateResolveHold(held, { actor: coordinator, decision: 'forgive' as never }, NOW)),
    ).toBe('decision must be extend or disqualify');
    expect(
      refusal(() =>
        rules.validateResolveHold(
          state({ stage: 'AWAITING_DOCUMENTS' }),
          { actor: coordinator, decision: 'disqualify' },
          NOW,
        ),
      ),
    ).toBe('this nomination is not on hold');
  });
});

describe('field visits', () => {
  const visits = testConfig('uji-aturan-kunjungan', { fieldVisits: true });
  const at = (ms: number) => new Date(NOW + ms).toISOString();
  /** A Garut tenun nomination of a cycle with field visits, in FIELD_VERIFICATION since NOW (deadline: 1 h later). */
  function visiting(over: Partial<NominationState> = {}): NominationState {
    const input = workflowInput(visits, nominationInput(visits, { regencyCode: '32.05', ikmName: 'Tenun Garut' }));
    const s = newNominationState(input, 'ovop/uji-aturan-kunjungan/nomination/32.05/tenun-garut', NOW);
    return Object.assign(s, { stage: 'FIELD_VERIFICATION', stageEnteredAt: NOW }, over);
  }
  const team = ['penilai-andi', 'penilai-rina'];
  const scheduled = () =>
    visiting({
      fieldVisit: { date: NOW + 60_000, team, facilitator: null, scheduledBy: 'koordinator-ikma', scheduledAt: NOW },
    });

  it('a visit is scheduled by a coordinator, in the future, before the deadline, with a team of the configured size', () => {
    const schedule = (over: object, s = visiting()) =>
      refusal(() =>
        rules.validateScheduleFieldVisit(s, { actor: coordinator, date: at(60_000), team, ...over } as never, NOW),
      );
    expect(schedule({})).toBeUndefined();
    expect(schedule({ date: at(-1) })).toBe('the visit date must be in the future');
    expect(schedule({ date: at(2 * 3_600_000) })).toBe(
      `the visit date must be before the field verification deadline (${at(3_600_000)}); extend the deadline first`,
    );
    expect(schedule({ team: ['penilai-andi'] })).toBe('a field visit team has 2 to 3 members, got 1');
    expect(schedule({ team: ['penilai-andi', 'penilai-andi'] })).toBe(
      'assessor penilai-andi is named twice in the team',
    );
    expect(schedule({ team: ['penilai-andi', 'penilai-x'] })).toMatch(/^unknown assessor "penilai-x"; the pool has/);
    expect(schedule({ actor: garut })).toBe('role dinas_kabkota may not do this; only a coordinator may');
    expect(schedule({ date: at(90_000) }, scheduled())).toBeUndefined(); // a new date moves the visit
    const same = scheduled();
    expect(schedule({ date: at(60_000) }, same)).toBe(
      `the visit is already scheduled for ${at(60_000)} with this team`,
    );
    const started = scheduled();
    started.evidence.push({ item: 'sop', found: true, recordedBy: 'penilai-andi', recordedAt: at(61_000) });
    expect(schedule({ date: at(120_000) }, started)).toBe(
      'the team has started recording evidence on site; the visit can no longer be rescheduled',
    );
    // A cycle without field visits keeps the coordinator's verify-field, and refuses a schedule.
    expect(
      refusal(() =>
        rules.validateScheduleFieldVisit(
          state({ stage: 'FIELD_VERIFICATION' }),
          { actor: coordinator, date: at(60_000), team },
          NOW,
        ),
      ),
    ).toBe('this cycle has no field visits (fieldVisit is not configured); a coordinator records verify-field');
  });

  it('evidence comes from a team member on site, for known checklist items, once each, with well-formed files', () => {
    const andi = assessor('penilai-andi', '73');
    const record = (items: unknown, actor: Actor = andi, now = NOW + 61_000, s = scheduled()) =>
      refusal(() => rules.validateRecordFieldEvidence(s, { actor, items } as never, now));
    const file = { id: 'foto-1', name: 'sop.jpg', checksum: sha256('sop'), sizeBytes: 2048 };
    expect(record([{ item: 'sop', found: true, note: 'Ada', files: [file] }])).toBeUndefined();
    expect(record([{ item: 'sop', found: true }], andi, NOW + 1_000)).toBe(
      `the field visit is on ${at(60_000)}; evidence is recorded on site, from that time`,
    );
    expect(record([{ item: 'sop', found: true }], assessor('penilai-siti', '34'))).toBe(
      'assessor penilai-siti is not on the field visit team (penilai-andi, penilai-rina)',
    );
    expect(record([{ item: 'sop', found: true }], coordinator)).toBe(
      'role coordinator may not record field evidence; only a member of the visit team may',
    );
    expect(record([])).toBe('items must list at least one checklist item');
    expect(record([{ item: 'pajak', found: true }])).toBe(
      'unknown checklist item "pajak"; the checklist has org_chart, sop, bookkeeping, sales_records, community_activities',
    );
    expect(record([{ item: 'sop', found: 'ya' }])).toBe('found must be true or false (item sop)');
    expect(
      record([
        { item: 'sop', found: true },
        { item: 'sop', found: false },
      ]),
    ).toBe('item sop is listed twice');
    expect(record([{ item: 'sop', found: true, files: [{ ...file, checksum: 'abc' }] }])).toBe(
      "checksum of sop.jpg must be the file's SHA-256 in lower-case hex (64 characters)",
    );
    expect(record([{ item: 'sop', found: true, files: [{ ...file, id: 'a b' }] }])).toBe(
      `file id "a b" of sop must be letters, digits, '_', '.', ':' or '-' (at most 120)`,
    );
    const done = scheduled();
    done.evidence.push({ item: 'sop', found: true, recordedBy: 'penilai-rina', recordedAt: at(61_000) });
    expect(record([{ item: 'sop', found: false }], andi, NOW + 61_000, done)).toBe(
      'item sop was already recorded by penilai-rina',
    );
    expect(record([{ item: 'sop', found: true }], andi, NOW + 61_000, visiting())).toBe(
      'no field visit is scheduled yet; a coordinator schedules it first',
    );
    expect(
      record(
        [{ item: 'sop', found: true }],
        andi,
        NOW + 61_000,
        Object.assign(scheduled(), { stage: 'STAR_RECOMMENDED' }),
      ),
    ).toBe(
      'nomination ovop/uji-aturan-kunjungan/nomination/32.05/tenun-garut is STAR_RECOMMENDED; this action needs FIELD_VERIFICATION',
    );
  });
});
