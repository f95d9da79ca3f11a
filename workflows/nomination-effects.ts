/**
 * What a nomination does to the world: every event goes to the PostgreSQL event log with the projection beside it,
 * every stage change also to the search attributes, and mails go out through the mail activity. Each is idempotent by
 * a business key (the event's sequence number, the mail's key), because activities run at least once.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { NotificationData, RecordEventInput, TemplateName } from '../activities/contracts';
import type { StartVerdict } from '../activities/intake.activity';
import { type Actor, type Stage, SYSTEM_ACTOR } from '../domain/types';
import { databaseActivity, mailActivity } from './activity-options';
import type { CycleRules } from './inputs';
import type { DocumentRecord } from './messages';
import { isClosed, nominee, type NominationState } from './nomination-state';
import { projection } from './nomination-views';
import { StageKey, StarsKey } from './search-attributes';

type Activities = ReturnType<typeof createActivities>;
const db = proxyActivities<Activities>(databaseActivity);
const mail = proxyActivities<Activities>(mailActivity);

export interface EventExtra {
  document?: DocumentRecord;
  assessment?: { assessorId: string; scores: Record<string, number>; total: number };
  fieldVisit?: RecordEventInput['fieldVisit'];
  evidence?: RecordEventInput['evidence'];
  samples?: { receivedOn: string; condition: string; receivedBy: string; notes: string | null };
}

export class NominationEffects {
  /** A row being written that the next stage change waits for together with its own (one round instead of two). */
  private rowInFlight: Promise<unknown> | null = null;

  constructor(private readonly s: NominationState) {}

  /** Moves to a stage (unless the nomination closed meanwhile), updates the search attributes and records the change
   * under the actor that caused it. */
  async enter(stage: Stage, type: string, detail: Record<string, unknown> = {}): Promise<void> {
    const s = this.s;
    const earlier = this.rowInFlight;
    this.rowInFlight = null;
    // A nomination closed meanwhile (a withdrawal) still waits for a row in flight: it must not end before it.
    if (isClosed(s)) {
      if (earlier) await earlier;
      return;
    }
    const from = s.seq === 0 ? null : s.stage;
    s.stage = stage;
    s.stageEnteredAt = Date.now();
    const attrs: SearchAttributeUpdatePair[] = [{ key: StageKey, value: stage }];
    if (stage === 'DETERMINED' || stage === 'NOT_CLASSIFIED') attrs.push({ key: StarsKey, value: s.stars ?? 0 });
    upsertSearchAttributes(attrs);
    const actor = s.cause;
    s.cause = SYSTEM_ACTOR;
    const written = this.record(type, actor, { from, to: stage, ...detail });
    await (earlier ? Promise.all([written, earlier]) : written);
  }

  /** Records an event whose row the next stage change writes with its own: the projection's upsert only moves
   * forward by sequence number, so the two rows may land in either order. */
  recordWithNextStage(type: string, actor: Actor, payload: Record<string, unknown>): void {
    this.rowInFlight = this.record(type, actor, payload);
  }

  /** Appends an event to the timeline and writes it, with the projection after it, to PostgreSQL. */
  async record(type: string, actor: Actor, payload: Record<string, unknown>, extra: EventExtra = {}): Promise<number> {
    const s = this.s;
    const seq = ++s.seq;
    const at = new Date().toISOString();
    s.timeline.push({ seq, type, stage: s.stage, actor, at, detail: payload });
    await db.recordNominationEvent({
      workflowId: s.workflowId,
      seq,
      type,
      stage: s.stage,
      actor,
      at,
      payload,
      projection: projection(s),
      document: extra.document,
      assessment: extra.assessment,
      ...(extra.fieldVisit && { fieldVisit: extra.fieldVisit }),
      ...(extra.evidence && { evidence: extra.evidence }),
      ...(extra.samples && { samples: extra.samples }),
    });
    return seq;
  }

  /** Sends a mail once per business key `<workflow id>|<template>|<keyPart>`. */
  async notify(
    template: TemplateName,
    keyPart: string,
    to: string[],
    data: NotificationData & { cc?: string[] } = {},
  ): Promise<void> {
    const s = this.s;
    const n = nominee(s);
    const { cc, ...rest } = data;
    await mail.sendNotification({
      key: `${s.workflowId}|${template}|${keyPart}`,
      workflowId: s.workflowId,
      to,
      cc,
      template,
      data: {
        ikmName: n.ikmName,
        sentraName: n.sentraName,
        regencyName: s.input.regencyName,
        provinceName: s.input.provinceName,
        commodity: n.commodity,
        stage: s.stage,
        timezone: s.input.rules.timezone,
        cycleName: s.input.rules.name,
        workflowId: s.workflowId,
        ...rest,
      },
    });
  }

  /** Why the nomination may not run on its input (null when it runs on the input its cycle recorded for it); started
   * with its rules by reference, also its rules, stripped of names and addresses (activities/rules-by-reference.ts). */
  async verifyStart(): Promise<{ problem: string | null; rules: CycleRules | null }> {
    const { workflowId, input } = this.s;
    if (!input.rulesRef) {
      const problem = (await db.verifyNominationStart({ workflowId, input })) as string | null;
      return { problem, rules: null };
    }
    // Only the small input goes back (the rules are not loaded yet, and would be a copy more in the history).
    const { rules: _notYet, ...small } = input;
    return (await db.verifyNominationStart({
      workflowId,
      input: { ...small, rulesRef: input.rulesRef },
    })) as StartVerdict;
  }

  /** The coordinator who made this cycle-wide deadline change, as the cycle recorded it; null when it never did. */
  recordedCycleDeadline(stage: string, until: string): Promise<Actor | null> {
    return db.recordedCycleDeadline({ cycleId: nominee(this.s).cycleId, stage, until });
  }

  /** Assessor statistics of the cycle, for normalizing harsh and lenient assessors. */
  assessorStats(cycleId: string) {
    return db.assessorStats({ cycleId });
  }
}
