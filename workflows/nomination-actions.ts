/**
 * What an accepted actor action does: it changes the state, records the event under its actor, and answers with the
 * nomination after it. The lifecycle (nomination-lifecycle.ts) waits on the state these handlers change; the rules
 * that decide whether an action is accepted are in nomination-rules.ts.
 */
import { condition, log, patched } from '@temporalio/workflow';
import { needsSecondApproval } from '../domain/award';
import { aggregateScores } from '../domain/scoring';
import { isoInstantProblem, shown } from '../domain/text';
import { type Actor, DEADLINE_STAGES, type DeadlineStage } from '../domain/types';
import { DeadlineClock, currentDeadline, deadlineOf } from './deadline-clock';
import type {
  AttendInput,
  CertificateHandoverInput,
  DetermineByDecreeInput,
  DetermineInput,
  DocumentRecord,
  ExtendDeadlineInput,
  FieldEvidenceRecord,
  FieldVerificationInput,
  NominationAnswer,
  PrescreenInput,
  RecordFieldEvidenceInput,
  ResolveHoldInput,
  ReviewInput,
  SampleReceiptInput,
  ScheduleFieldVisitInput,
  ScoreInput,
  SubmitDocumentInput,
  WithdrawInput,
} from './messages';
import type { NominationEffects } from './nomination-effects';
import {
  assessorProfile,
  dinasEmail,
  isClosed,
  nominee,
  type NominationState,
  provinceCodeOf,
  provinsiEmail,
  requiredDocuments,
} from './nomination-state';
import { answerFor } from './nomination-views';
import { requestApproval } from './four-eyes';
import { BLIND_FIELD_VISIT_MAILS, CYCLE_DEADLINE_CHECKED, FOUR_EYES_DETERMINATION } from './patches';

export class NominationActions {
  constructor(
    private readonly s: NominationState,
    private readonly fx: NominationEffects,
    private readonly clock: DeadlineClock,
  ) {}

  async attend(u: AttendInput): Promise<NominationAnswer> {
    const s = this.s;
    s.attendedSession = u.sessionId;
    const own = s.input.rules.sessions.find((x) => x.id === u.sessionId)!.provinces.includes(provinceCodeOf(s));
    s.cause = u.actor;
    await this.fx.record('socialization.attended', u.actor, { sessionId: u.sessionId, makeUp: !own });
    return answerFor(s, u.actor);
  }

  async submitDocument(u: SubmitDocumentInput): Promise<NominationAnswer> {
    const s = this.s;
    const doc: DocumentRecord = {
      kind: u.kind,
      fileName: u.fileName,
      checksum: u.checksum,
      sizeBytes: u.sizeBytes,
      round: s.revisionRound,
      submittedAt: new Date().toISOString(),
      // Only an upload carries an id, and no history from before uploads has one: the commands stay the same.
      ...(u.documentId !== undefined && { documentId: u.documentId }),
    };
    s.documents.push(doc);
    s.cause = u.actor;
    const payload = {
      kind: u.kind,
      fileName: u.fileName,
      checksum: u.checksum,
      round: doc.round,
      ...(u.documentId !== undefined && { documentId: u.documentId, sizeBytes: u.sizeBytes }),
    };
    await this.fx.record('document.submitted', u.actor, payload, { document: doc });
    return answerFor(s, u.actor);
  }

  async review(u: ReviewInput): Promise<NominationAnswer> {
    const s = this.s;
    s.reviewDecision = u;
    s.resubmit = requiredDocuments(s);
    s.reviewNotes.push(`${u.decision}${u.reason ? `: ${u.reason}` : ''}`);
    await this.fx.record(`review.${u.decision}`, u.actor, {
      decision: u.decision,
      reason: u.reason ?? null,
      round: s.revisionRound,
    });
    return answerFor(s, u.actor);
  }

  /** The lifecycle acts on the decision (document-stages.ts, provincialPrescreen). */
  async prescreen(u: PrescreenInput): Promise<NominationAnswer> {
    const s = this.s;
    s.prescreenDecision = u;
    s.lastPrescreen = u.decision;
    const missing = u.decision === 'return' ? [...(u.missing ?? [])] : null;
    s.prescreenNotes.push(
      `${u.decision}${missing ? ` (${missing.join(', ')})` : ''}${u.reason ? `: ${u.reason}` : ''}`,
    );
    await this.fx.record(`prescreen.${u.decision}`, u.actor, {
      decision: u.decision,
      reason: u.reason ?? null,
      missing,
      round: s.revisionRound,
    });
    return answerFor(s, u.actor);
  }

  async recordSamples(u: SampleReceiptInput): Promise<NominationAnswer> {
    const s = this.s;
    s.sampleReceipt = u;
    s.cause = u.actor;
    const receipt = {
      receivedOn: u.receivedOn,
      condition: u.condition,
      receivedBy: u.receivedBy,
      notes: u.notes ?? null,
    };
    await this.fx.record('samples.received', u.actor, receipt, { samples: receipt });
    return answerFor(s, u.actor);
  }

  async submitScores(u: ScoreInput): Promise<NominationAnswer> {
    const s = this.s;
    const sheet = { assessorId: u.actor.id, scores: u.scores };
    s.sheets.push(sheet);
    const total = aggregateScores([sheet], s.input.rules.assessment, { normalization: false }).provisional;
    s.cause = u.actor;
    await this.fx.record(
      'assessment.scored',
      u.actor,
      { total },
      { assessment: { assessorId: u.actor.id, scores: u.scores, total } },
    );
    s.sheetsWritten += 1;
    return answerFor(s, u.actor);
  }

  async verifyField(u: FieldVerificationInput): Promise<NominationAnswer> {
    this.s.fieldVerified = u.passed;
    await this.fx.record('field.verified', u.actor, { passed: u.passed, notes: u.notes ?? null });
    return answerFor(this.s, u.actor);
  }

  /** Schedules (or moves) the field visit and tells the dinas the date; its team and the dinas provinsi are copied.
   * The reminders before the date are the lifecycle's (field-visit-stage.ts, visitReminders). */
  async scheduleFieldVisit(u: ScheduleFieldVisitInput): Promise<NominationAnswer> {
    const s = this.s;
    const rescheduled = s.fieldVisit !== null;
    const date = Date.parse(u.date);
    s.fieldVisit = {
      date,
      team: [...u.team],
      facilitator: u.facilitator ?? null,
      scheduledBy: u.actor.id,
      scheduledAt: Date.now(),
    };
    const visitDate = new Date(date).toISOString();
    const team = u.team.map((id) => assessorProfile(s, id)!);
    await this.fx.record(
      'field_visit.scheduled',
      u.actor,
      { visitDate, team: u.team, facilitator: u.facilitator ?? null, rescheduled },
      { fieldVisit: { visitDate, team: u.team, facilitator: u.facilitator ?? null } },
    );
    const told = {
      visitDate,
      facilitator: u.facilitator,
      checklist: s.input.rules.fieldVisit!.checklist.map((i) => i.label),
    };
    if (patched(BLIND_FIELD_VISIT_MAILS)) {
      // Blind assessment: the dinas learns the date, never who comes; the team is told apart.
      await Promise.all([
        this.fx.notify('field_visit_scheduled', `visit:${visitDate}`, [dinasEmail(s)], {
          ...told,
          cc: [provinsiEmail(s)],
        }),
        this.fx.notify(
          'field_visit_scheduled',
          `visit:${visitDate}:team`,
          team.map((a) => a.email),
          {
            ...told,
            team: team.map((a) => a.name),
          },
        ),
      ]);
    } else {
      await this.fx.notify('field_visit_scheduled', `visit:${visitDate}`, [dinasEmail(s)], {
        ...told,
        cc: [provinsiEmail(s), ...team.map((a) => a.email)],
        team: team.map((a) => a.name),
      });
    }
    return answerFor(s, u.actor);
  }

  /** Records what the team found on site; the lifecycle decides the visit once every checklist item is recorded. */
  async recordFieldEvidence(u: RecordFieldEvidenceInput): Promise<NominationAnswer> {
    const s = this.s;
    const recordedAt = new Date().toISOString();
    const records: FieldEvidenceRecord[] = u.items.map((i) => ({
      item: i.item,
      found: i.found,
      ...(i.note !== undefined && { note: i.note }),
      files: i.files ?? [],
      recordedBy: u.actor.id,
      recordedAt,
    }));
    s.evidence.push(...records);
    await this.fx.record(
      'field_visit.evidence',
      u.actor,
      { items: records.map(({ item, found, note, files }) => ({ item, found, note: note ?? null, files })) },
      { evidence: records },
    );
    return answerFor(s, u.actor);
  }

  /** Answers once the stars are recorded and announced, so the coordinator sees the final stage. */
  async determine(u: DetermineInput): Promise<NominationAnswer> {
    const s = this.s;
    // Four eyes: stars above the recommendation wait for a second coordinator (its answer comes at once, waiting).
    if (u.stars !== undefined && needsSecondApproval(u.stars, s.recommended ?? 0) && patched(FOUR_EYES_DETERMINATION))
      return requestApproval(s, this.fx, { ...u, stars: u.stars, reason: u.reason ?? '' });
    s.determination = u;
    await this.fx.record('stars.decided', u.actor, { stars: u.stars ?? s.recommended, reason: u.reason ?? null });
    await condition(() => isClosed(s));
    return answerFor(s, u.actor);
  }

  /** The cycle's decree determines this nomination; like `determine`, it answers once the stars are announced. */
  async determineByDecree(u: DetermineByDecreeInput): Promise<NominationAnswer> {
    const s = this.s;
    s.determination = { actor: u.actor, stars: u.stars, decree: u.decree };
    // The decree determines the recommendation: a determination above it still awaiting approval is superseded.
    s.pendingDetermination = null;
    await this.fx.record('stars.decided', u.actor, { stars: u.stars, reason: null, decree: u.decree });
    await condition(() => isClosed(s));
    return answerFor(s, u.actor);
  }

  async recordCertificateHandover(u: CertificateHandoverInput): Promise<NominationAnswer> {
    const s = this.s;
    s.certificate = { date: u.date, handedOverBy: u.handedOverBy, notes: u.notes, recordedBy: u.actor };
    await this.fx.record('certificate.handed_over', u.actor, {
      date: u.date,
      handedOverBy: u.handedOverBy,
      notes: u.notes ?? null,
    });
    return answerFor(s, u.actor);
  }

  async withdraw(u: WithdrawInput): Promise<NominationAnswer> {
    const s = this.s;
    s.cause = u.actor;
    await this.fx.enter('WITHDRAWN', 'nomination.withdrawn', { reason: u.reason });
    await this.fx.notify('withdrawn', 'withdrawn', [dinasEmail(s)], { cc: [provinsiEmail(s)], reason: u.reason });
    return answerFor(s, u.actor);
  }

  async extendDeadline(u: ExtendDeadlineInput): Promise<NominationAnswer> {
    const s = this.s;
    s.nominationOverrides[u.stage] = Date.parse(u.until);
    if (s.hold?.stage === u.stage) s.hold = null;
    s.deadlineVersion += 1;
    await this.fx.record('deadline.extended', u.actor, { deadlineStage: u.stage, until: u.until, scope: 'nomination' });
    if (currentDeadline(s)?.stage === u.stage) {
      await this.clock.notifyResponsible(u.stage, 'deadline_extended', 'extended', Date.parse(u.until));
    }
    return answerFor(s, u.actor);
  }

  /**
   * A `cycleDeadline` signal. Anyone with the Temporal address can send one, so it is applied only when the cycle
   * recorded that change (its broadcast activity writes the record first), under the coordinator of the record, never
   * the actor the signal claims. Anything else is logged and dropped: a signal has no caller to answer, and a handler
   * that threw would fail the workflow task on every retry.
   */
  async onCycleDeadline(c: unknown): Promise<void> {
    const s = this.s;
    // Without a payload the code before the check threw a TypeError, so no recorded history went on from here.
    if (c === null || typeof c !== 'object') {
      log.warn('cycleDeadline signal dropped: no payload', { workflowId: s.workflowId, payload: shown(c) });
      return;
    }
    const claim = c as { stage?: unknown; until?: unknown; actor?: unknown };
    if (!patched(CYCLE_DEADLINE_CHECKED))
      return this.applyCycleDeadline(c as Parameters<typeof this.applyCycleDeadline>[0]);
    const problem = !DEADLINE_STAGES.includes(claim.stage as DeadlineStage)
      ? `stage ${shown(claim.stage)} is not one of ${DEADLINE_STAGES.join(', ')}`
      : isoInstantProblem(claim.until, 'until');
    if (problem) {
      log.warn(`cycleDeadline signal dropped: ${problem}`, { workflowId: s.workflowId });
      return;
    }
    const stage = claim.stage as DeadlineStage;
    const until = claim.until as string;
    await condition(() => s.admitted);
    const actor = await this.fx.recordedCycleDeadline(stage, until);
    if (!actor) {
      log.warn(`cycleDeadline signal dropped: cycle ${nominee(s).cycleId} recorded no ${stage} deadline of ${until}`, {
        workflowId: s.workflowId,
        claimedActor: claim.actor,
      });
      return;
    }
    await this.applyCycleDeadline({ stage, until, actor });
  }

  /** Cycle-wide extensions arrive by signal from the cycle, which has already validated them; a stale or repeated one
   * (an earlier or equal date) changes nothing. */
  async applyCycleDeadline(c: { stage: DeadlineStage; until: string; actor: Actor }): Promise<void> {
    const s = this.s;
    const until = Date.parse(c.until);
    if (isClosed(s) || Number.isNaN(until) || (s.cycleOverrides[c.stage] ?? 0) >= until) return;
    s.cycleOverrides[c.stage] = until;
    if (s.hold?.stage === c.stage) s.hold = null;
    s.deadlineVersion += 1;
    await this.fx.record('deadline.extended', c.actor, { deadlineStage: c.stage, until: c.until, scope: 'cycle' });
    if (currentDeadline(s)?.stage === c.stage) {
      await this.clock.notifyResponsible(c.stage, 'deadline_extended', 'extended', deadlineOf(s, c.stage));
    }
  }

  async resolveHold(u: ResolveHoldInput): Promise<NominationAnswer> {
    const s = this.s;
    const stage = s.hold!.stage;
    if (u.decision === 'extend') {
      s.nominationOverrides[stage] = Date.parse(u.until!);
      s.deadlineVersion += 1;
      s.hold = null;
      await this.fx.record('hold.extended', u.actor, {
        deadlineStage: stage,
        until: u.until,
        reason: u.reason ?? null,
      });
      await this.clock.notifyResponsible(stage, 'deadline_extended', 'extended', Date.parse(u.until!));
    } else {
      s.hold = null;
      s.cause = u.actor;
      await this.fx.enter('DISQUALIFIED', 'hold.disqualified', { deadlineStage: stage, reason: u.reason ?? null });
      await this.fx.notify('disqualified', 'disqualified', [dinasEmail(s)], {
        cc: [provinsiEmail(s)],
        deadlineStage: stage,
        reason: u.reason,
      });
    }
    return answerFor(s, u.actor);
  }
}
