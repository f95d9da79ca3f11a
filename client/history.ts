/**
 * Reading a workflow's Temporal history as an audit trail: who did what and when, decoded from the events with the
 * default payload converter. Actor actions are the accepted updates (a refused update leaves no event); what the
 * engine recorded is in the inputs of its `recordNominationEvent` activities (seq, type, stage, actor, time); mail
 * (reminders, escalations, announcements) in the inputs of `sendNotification`.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { RecordEventInput, NotificationRequest } from '../activities/contracts';
import { STAGES, type Actor } from '../domain/types';
import { cycleWorkflowId, nominationWorkflowId } from '../workflows/ids';
import { formatActor } from './output';
import { labelReferences, recipientLabel } from './recipient-label';
import { formatTime, isIsoInstant, knownZone } from './time';

export type History = temporal.api.history.v1.IHistory;
export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payloads = temporal.api.common.v1.IPayloads | null | undefined;

export interface TrailEntry {
  eventId: number;
  at: string;
  kind:
    | 'started'
    | 'update'
    | 'update-completed'
    | 'update-failed'
    | 'recorded'
    | 'mail'
    | 'signal'
    | 'activity-failed'
    | 'closed';
  text: string;
  actor?: string;
  data?: Record<string, unknown>;
}

/** One `recordNominationEvent` as the history holds it: what the workflow asked Postgres to store. */
export interface RecordedEvent {
  eventId: number;
  seq: number;
  type: string;
  stage: string;
  actor: Actor;
  at: string;
  payload: Record<string, unknown>;
  /** The activity completed (the row must then exist); false while it is still running or retrying. */
  completed: boolean;
}

/** Numbers in history events are Long or number (decoded) or strings (JSON). */
export function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  return Number((value as { toString(): string }).toString());
}

export function eventTime(e: HistoryEvent): string {
  const t = e.eventTime;
  if (!t) return '';
  return new Date(num(t.seconds) * 1000 + Math.floor(num(t.nanos) / 1e6)).toISOString();
}

/** `workflowExecutionStartedEventAttributes` → `WorkflowExecutionStarted`. */
export function eventKind(e: HistoryEvent): string {
  const key = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k] != null);
  return key ? key[0].toUpperCase() + key.slice(1, -'EventAttributes'.length) : 'Unknown';
}

export function decodeArgs(payloads: Payloads): unknown[] {
  return (payloads?.payloads ?? []).map((p) => {
    try {
      return defaultPayloadConverter.fromPayload(p);
    } catch {
      return '(undecodable payload)';
    }
  });
}

/** A workflow's start input as decoded from its history (a nomination's or a cycle's), not checked against the types. */
interface StartInput {
  nomination?: { cycleId: string; regencyCode: string; ikmName: string; commodity: string; nominatedBy?: unknown };
  regencyName?: string;
  rules?: { timezone?: string };
  /** A continued run of a nomination started with its rules by reference carries them here. */
  carried?: { rules?: { timezone?: string } };
  config?: { id?: string; timezone?: string };
}

const isActor = (a: unknown): a is Actor =>
  !!a && typeof a === 'object' && typeof (a as Actor).role === 'string' && typeof (a as Actor).id === 'string';

/** The input's fields other than the actor, in one short line; times in the cycle's zone. */
function brief(input: unknown, timezone: string): string {
  if (!input || typeof input !== 'object') return '';
  const show = (v: unknown) =>
    isIsoInstant(v) ? formatTime(v, timezone) : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const parts = Object.entries(input as Record<string, unknown>)
    .filter(([k, v]) => k !== 'actor' && k !== 'nominatedBy' && v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${show(v)}`);
  // Checksums are kept whole in --json; a prefix identifies them in a timeline.
  const text = parts.join(' ').replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1…');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** The workflow id a history belongs to, from its start input (histories themselves do not carry it). */
export function inferWorkflowId(history: History): string | undefined {
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started) return undefined;
  const [input] = decodeArgs(started.input) as [StartInput | undefined];
  const type = started.workflowType?.name;
  if (type === 'nomination' && input?.nomination) {
    const n = input.nomination;
    return nominationWorkflowId(n.cycleId, n.regencyCode, n.ikmName);
  }
  if (type === 'awardCycle' && input?.config?.id) return cycleWorkflowId(input.config.id);
  return undefined;
}

export interface Trail {
  workflowType: string;
  /** The cycle's time zone, from the workflow's start input (UTC when it does not say). */
  timezone: string;
  entries: TrailEntry[];
  recorded: RecordedEvent[];
}

export function readTrail(history: History): Trail {
  const events = history.events ?? [];
  const entries: TrailEntry[] = [];
  const recorded: RecordedEvent[] = [];
  const scheduled = new Map<number, { name: string; record?: RecordedEvent; input?: unknown }>();
  const updates = new Map<number, string>();
  let workflowType = '';
  // Known from the first event on; the entries' texts are written in it.
  let timezone = knownZone(undefined);

  for (const e of events) {
    const id = num(e.eventId);
    const at = eventTime(e);
    const push = (entry: Omit<TrailEntry, 'eventId' | 'at'>) => entries.push({ eventId: id, at, ...entry });

    if (e.workflowExecutionStartedEventAttributes) {
      const a = e.workflowExecutionStartedEventAttributes;
      workflowType = a.workflowType?.name ?? '';
      const [input] = decodeArgs(a.input) as [StartInput | undefined];
      timezone = knownZone(input?.rules?.timezone ?? input?.carried?.rules?.timezone ?? input?.config?.timezone);
      if (workflowType === 'nomination' && input?.nomination) {
        const n = input.nomination;
        push({
          kind: 'started',
          actor: isActor(n.nominatedBy) ? formatActor(n.nominatedBy) : undefined,
          text: `nomination started: ${n.ikmName} (${input.regencyName ?? n.regencyCode}), ${n.commodity}, cycle ${n.cycleId}${isActor(n.nominatedBy) ? `, nominated by ${formatActor(n.nominatedBy)}` : ''}`,
          data: { nomination: n },
        });
      } else {
        push({
          kind: 'started',
          text: `${workflowType} started${input?.config?.id ? ` for cycle ${input.config.id}` : ''}`,
        });
      }
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      const req = e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest;
      const name = req?.input?.name ?? '(update)';
      updates.set(id, name);
      const [arg] = decodeArgs(req?.input?.args);
      const actor =
        (arg as { actor?: unknown; nominatedBy?: unknown } | undefined)?.actor ??
        (arg as { nominatedBy?: unknown } | undefined)?.nominatedBy;
      const who = isActor(actor) ? formatActor(actor) : undefined;
      push({
        kind: 'update',
        actor: who,
        text: `update ${name} accepted${who ? ` from ${who}` : ''}${brief(arg, timezone) ? `: ${brief(arg, timezone)}` : ''}`,
        data: { name, updateId: req?.meta?.updateId, input: arg },
      });
    } else if (e.workflowExecutionUpdateCompletedEventAttributes) {
      const a = e.workflowExecutionUpdateCompletedEventAttributes;
      const name = updates.get(num(a.acceptedEventId)) ?? '(update)';
      if (a.outcome?.failure)
        push({ kind: 'update-failed', text: `update ${name} failed: ${a.outcome.failure.message ?? ''}` });
      else push({ kind: 'update-completed', text: `update ${name} completed` });
    } else if (e.activityTaskScheduledEventAttributes) {
      const a = e.activityTaskScheduledEventAttributes;
      const name = a.activityType?.name ?? '';
      const [input] = decodeArgs(a.input);
      if (name === 'recordNominationEvent') {
        const r = input as RecordEventInput;
        const record: RecordedEvent = {
          eventId: id,
          seq: r.seq,
          type: r.type,
          stage: r.stage,
          actor: r.actor,
          at: r.at,
          payload: r.payload ?? {},
          completed: false,
        };
        recorded.push(record);
        scheduled.set(id, { name, record });
        const p = r.payload ?? {};
        // `to` is the new stage of a stage change, and the recipient of a mail (reminder.sent, escalation.sent).
        const isStage = (STAGES as readonly unknown[]).includes(p.to);
        const change = isStage && p.from !== p.to ? ` (stage ${p.from ?? '-'} → ${String(p.to)})` : '';
        const recipient = typeof p.to === 'string' && !isStage ? ` to ${recipientLabel(p.to)}` : '';
        const detail = brief(
          labelReferences(
            Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'to' && !(k === 'from' && isStage))),
          ),
          timezone,
        );
        push({
          kind: 'recorded',
          actor: formatActor(r.actor),
          text: `event ${r.seq} ${r.type}${change}${recipient} by ${formatActor(r.actor)}${detail ? `: ${detail}` : ''}`,
          data: { seq: r.seq, type: r.type, stage: r.stage, at: r.at, payload: p },
        });
      } else if (name === 'sendNotification') {
        const n = input as NotificationRequest;
        scheduled.set(id, { name, input });
        push({
          kind: 'mail',
          text: `mail ${n.template} to ${n.to.map(recipientLabel).join(', ')}${n.cc?.length ? ` (cc ${n.cc.map(recipientLabel).join(', ')})` : ''}`,
          data: { template: n.template, to: n.to, cc: n.cc ?? [], key: n.key },
        });
      } else {
        scheduled.set(id, { name, input });
      }
    } else if (e.activityTaskCompletedEventAttributes) {
      const s = scheduled.get(num(e.activityTaskCompletedEventAttributes.scheduledEventId));
      if (s?.record) s.record.completed = true;
      // Started with its rules by reference, a nomination learns its time zone from its start check, before it acts.
      if (s?.name === 'verifyNominationStart') {
        const [verdict] = decodeArgs(e.activityTaskCompletedEventAttributes.result) as [unknown];
        const zone = (verdict as { rules?: { timezone?: string } } | null)?.rules?.timezone;
        if (zone) timezone = knownZone(zone);
      }
    } else if (e.activityTaskFailedEventAttributes || e.activityTaskTimedOutEventAttributes) {
      const a = e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes!;
      const s = scheduled.get(num(a.scheduledEventId));
      push({
        kind: 'activity-failed',
        text: `activity ${s?.name ?? '?'} ${e.activityTaskFailedEventAttributes ? 'failed' : 'timed out'}: ${a.failure?.message ?? ''}`,
      });
    } else if (e.workflowExecutionSignaledEventAttributes) {
      const a = e.workflowExecutionSignaledEventAttributes;
      const [arg] = decodeArgs(a.input);
      const actor = (arg as { actor?: unknown } | undefined)?.actor;
      const who = isActor(actor) ? formatActor(actor) : undefined;
      push({
        kind: 'signal',
        actor: who,
        text: `signal ${a.signalName}${who ? ` from ${who}` : ''}${brief(arg, timezone) ? `: ${brief(arg, timezone)}` : ''}`,
      });
    } else {
      const kind = eventKind(e);
      if (/^WorkflowExecution(Completed|Failed|TimedOut|Terminated|Canceled|ContinuedAsNew)$/.test(kind)) {
        const failure =
          e.workflowExecutionFailedEventAttributes?.failure?.message ??
          e.workflowExecutionTerminatedEventAttributes?.reason;
        const [result] = decodeArgs(e.workflowExecutionCompletedEventAttributes?.result);
        push({
          kind: 'closed',
          text: `workflow ${kind.replace('WorkflowExecution', '').toLowerCase()}${failure ? `: ${failure}` : ''}${result ? `: ${brief(result, timezone)}` : ''}`,
        });
      }
    }
  }
  return { workflowType, timezone, entries, recorded };
}

/** A history event in a few words, e.g. `ActivityTaskScheduled recordNominationEvent` or `TimerStarted`. */
export function describeEvent(history: History, eventId: number): string | undefined {
  const e = history.events?.find((x) => num(x.eventId) === eventId);
  if (!e) return undefined;
  const kind = eventKind(e);
  const name =
    e.activityTaskScheduledEventAttributes?.activityType?.name ??
    e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ??
    e.workflowExecutionSignaledEventAttributes?.signalName ??
    e.markerRecordedEventAttributes?.markerName ??
    (e.timerStartedEventAttributes ? `timer ${e.timerStartedEventAttributes.timerId}` : undefined);
  return name ? `${kind} ${name}` : kind;
}
