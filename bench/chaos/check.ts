/**
 * What must hold after the chaos, whatever was killed or restarted:
 *
 * - lost: every nomination reached the end stage its script leads to, both in the workflow (its run completed, and
 *   its result, the last run's outcome, names that stage) and in the Postgres projection;
 * - duplicate emails: judged on EVERY message the SMTP server received (the sink's journal of receipts,
 *   embedded/mail-store.ts), not on the copies it keeps: a key received twice is a duplicate unless a kill inside that
 *   send explains the second copy (explain.ts); each re-delivery is listed with the kill that explains it, or as a
 *   problem;
 * - mismatches: the projection equals the workflow's own end state (stage, stars and score from its result; the
 *   recommended stars and the event count from what its runs' histories recorded: every event's write, with the
 *   projection beside it, is an activity the workflow scheduled); the event log is gapless (seq 1..eventCount, same
 *   types as the events the workflow recorded); every `notifications` row is `sent` and
 *   has exactly one .eml file, every .eml file has a row; each nomination got the mail its script implies; each cycle
 *   finalized with counts equal to the projection's; every run of every nomination and cycle replays on the current
 *   code (replay.ts).
 *
 * No workflow query: the servers the engine runs on refuse them (system.disallowQuery, worker/workflow-cache.ts).
 */
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { sql, type Kysely } from 'kysely';
import pRetry from 'p-retry';
import type { Database } from '../../db/database';
import { decodeArgs, eventTime, num, type History } from '../../client/history';
import { fetchRunChain } from '../../client/run-chain';
import type { NominationProjection, NotificationRequest, RecordEventInput } from '../../activities/contracts';
import { readMailbox, type ReceivedMail } from '../../embedded/mailbox';
import { readReceipts } from '../../embedded/mail-store';
import { cycleWorkflowId } from '../../workflows/ids';
import type { NominationOutcome } from '../../workflows/inputs';
import type { CycleView } from '../../workflows/messages';
import type { ChaosScript } from './drive';
import { explainDuplicates, type RedeliveryVerdict, type SendLife } from './explain';
import type { FaultRecord } from './faults';
import { mapPool } from '../shared/pool';

export interface CheckItem {
  workflowId: string;
  script: ChaosScript;
  expectedStage: string;
  cycleId: string;
}

export interface CheckReport {
  nominations: number;
  lost: number;
  duplicateEmails: number;
  mismatches: number;
  /** One line per problem found, most telling first. */
  problems: string[];
  /** Things worth knowing that are not failures (e.g. a deadline that passed during an outage). */
  notes: string[];
  /** Workflow ids of the lost nominations. */
  lostIds: string[];
  /** Every copy after the first of a key the SMTP server received, with the kill that explains it (or none). */
  redeliveries: RedeliveryVerdict[];
  figures: {
    byStage: Record<string, number>;
    events: number;
    notificationRows: number;
    mailFiles: number;
    distinctMailKeys: number;
    /** Messages the SMTP server received for these cycles, re-deliveries included. */
    receipts: number;
    /** Copies after the first of a key, and how many of them no kill explains (counted in duplicateEmails). */
    redeliveries: number;
    /** Runs of the nominations and cycles replayed on the current code at the end, and those that did not replay. */
    replayedRuns: number;
    unreplayableRuns: number;
  };
}

/** Templates each script's nomination must have been sent (once each is checked by key); field_verification only
 * when the provisional score reached the threshold (the workflow then recorded a `field.verified` event). Every mail
 * the workflow did send is covered anyway: each `notifications` row must be `sent` and have its one .eml file. */
const REQUIRED_TEMPLATES: Record<ChaosScript, string[]> = {
  good: [
    'intake_accepted',
    'admin_passed',
    'assessment_assigned',
    'assessment_started',
    'star_recommended',
    'announcement',
  ],
  revision: [
    'intake_accepted',
    'revision_requested',
    'admin_passed',
    'assessment_assigned',
    'assessment_started',
    'star_recommended',
    'announcement',
  ],
  withdraw: ['intake_accepted', 'withdrawn'],
  // No 'reminder': one falls due only while the deadline is still ahead; if the worker was down from the reminder's
  // moment until the deadline, the workflow goes straight to the escalation (a reminder after the deadline is moot).
  late: ['intake_accepted', 'escalation', 'disqualified'],
};

/** Asks again, 1 s apart, for up to `timeoutMs`; not after a nondeterminism error or for a workflow that is not there. */
function retry<T>(what: string, fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const final = (err: Error) => {
    const msg = `${err.message} ${(err as Error & { cause?: Error }).cause?.message ?? ''}`;
    return (
      /TMPRL1100|[Nn]ondeterminism|Workflow Task in failed state/.test(msg) ||
      err.name === 'WorkflowNotFoundError' ||
      err.name === 'WorkflowFailedError'
    );
  };
  return pRetry(fn, {
    retries: Number.POSITIVE_INFINITY,
    maxRetryTime: timeoutMs,
    minTimeout: 1_000,
    factor: 1,
    shouldRetry: ({ error }) => !final(error),
  }).catch((err: Error) => {
    throw new Error(`${what}: ${err.message.slice(0, 300)}`);
  });
}

const belongsTo = (cycleIds: readonly string[]) => (key: string) =>
  cycleIds.some((c) => key.startsWith(`ovop/${c}/`) || key.startsWith(`ovop/${c}|`));

export async function checkChaos(opts: {
  client: Client;
  db: Kysely<Database>;
  mailDir: string;
  items: readonly CheckItem[];
  cycleIds: readonly string[];
  /** Expected number of nominations per cycle (to compare with the cycle's own count); omitted: not checked. */
  finalizedCycles?: Record<string, CycleView | null>;
  /** The faults injected: what may explain a re-delivery. */
  faults: readonly FaultRecord[];
  /** The codec the histories' payloads are encrypted with (the topology run), to read and replay them. */
  payloadCodec?: PayloadCodec;
}): Promise<CheckReport> {
  const { client, db, items } = opts;
  const problems: string[] = [];
  const notes: string[] = [];
  let lost = 0;
  const lostIds: string[] = [];
  let mismatches = 0;
  const byStage: Record<string, number> = {};
  const mismatch = (msg: string) => {
    mismatches++;
    problems.push(`mismatch: ${msg}`);
  };

  // ── mail at the SMTP server, and the notifications table ─────────────────────────────────────────────────────────
  const ours = belongsTo(opts.cycleIds);
  const mails = (await readMailbox(opts.mailDir)).filter((m) => ours(m.key));
  const byKey = new Map<string, ReceivedMail[]>();
  for (const m of mails) {
    const list = byKey.get(m.key) ?? [];
    list.push(m);
    byKey.set(m.key, list);
  }
  const rows = (
    await Promise.all(
      opts.cycleIds.map((c) =>
        db
          .selectFrom('notifications')
          .select(['key', 'workflow_id', 'template', 'status', 'attempts'])
          .where('workflow_id', 'like', `ovop/${c}/%`)
          .execute(),
      ),
    )
  ).flat();
  const rowOf = new Map(rows.map((r) => [r.key, r]));
  const receipts = readReceipts(opts.mailDir).filter((r) => ours(r.key));
  const received = new Map<string, number>();
  for (const r of receipts) received.set(r.key, (received.get(r.key) ?? 0) + 1);
  const twice = [...received].filter(([, n]) => n > 1).map(([key]) => key);
  // The sends of a re-delivered key, from its workflow's history (the mail's X-Ovop-Workflow header names it).
  const workflowOf = new Map(mails.map((m) => [m.key, m.workflowId]));
  const sends = new Map<string, SendLife[]>();
  for (const workflowId of new Set(twice.map((k) => workflowOf.get(k) ?? ''))) {
    if (!workflowId) continue;
    for (const [key, lives] of await sendLives(client, workflowId, opts.payloadCodec)) sends.set(key, lives);
  }
  const redelivered = explainDuplicates(receipts, (key) => sends.get(key) ?? [], opts.faults);
  let duplicateEmails = 0;
  for (const v of redelivered) {
    if (v.cause) continue;
    const row = rowOf.get(v.key);
    duplicateEmails++;
    problems.push(
      `duplicate email: ${v.line}; notifications row ${row ? `${row.status}, attempts ${row.attempts}` : 'missing'}`,
    );
  }
  const rowKeys = new Set<string>();
  for (const row of rows) {
    rowKeys.add(row.key);
    const files = byKey.get(row.key)?.length ?? 0;
    if (row.status !== 'sent')
      mismatch(
        `notification ${row.key} is still ${row.status} after ${row.attempts} attempt(s) (${files} file(s) at the server)`,
      );
    else if (files === 0) mismatch(`notification ${row.key} is marked sent but no message reached the SMTP server`);
  }
  for (const key of byKey.keys())
    if (!rowKeys.has(key)) mismatch(`message ${key} reached the SMTP server but has no notifications row`);

  // ── every nomination: workflow, projection, event log, its mail ──────────────────────────────────────────────────
  const templatesOf = new Map<string, Set<string>>();
  for (const m of mails) {
    const set = templatesOf.get(m.workflowId) ?? new Set<string>();
    set.add(m.template);
    templatesOf.set(m.workflowId, set);
  }
  let events = 0;
  await mapPool(items, 8, async (it) => {
    const handle = client.workflow.getHandle(it.workflowId);
    let status: string;
    let outcome: NominationOutcome | null = null;
    let recorded: RecordedEvents;
    try {
      status = (
        await retry(`describe ${it.workflowId}`, () =>
          client.withDeadline(Date.now() + 20_000, () => handle.describe()),
        )
      ).status.name;
      // The workflow's own end: its result (the handle follows continue-as-new to the last run) once that run has
      // completed, and the events its runs recorded; these are what the projection is checked against.
      if (status === 'COMPLETED')
        outcome = (await retry(`result of ${it.workflowId}`, () =>
          client.withDeadline(Date.now() + 20_000, () => handle.result()),
        )) as NominationOutcome;
      recorded = await retry(`history of ${it.workflowId}`, () =>
        recordedEvents(client, it.workflowId, opts.payloadCodec),
      );
    } catch (err) {
      lost++;
      lostIds.push(it.workflowId);
      problems.push(`lost: ${it.workflowId} (${it.script}): ${(err as Error).message}`);
      return;
    }
    const row = await db
      .selectFrom('nominations')
      .selectAll()
      .where('workflow_id', '=', it.workflowId)
      .executeTakeFirst();
    const last = recorded.last;
    const stage = outcome?.stage ?? last?.stage ?? '(none recorded)';
    byStage[stage] = (byStage[stage] ?? 0) + 1;
    if (status !== 'COMPLETED' || stage !== it.expectedStage || !row || row.stage !== it.expectedStage) {
      lost++;
      lostIds.push(it.workflowId);
      problems.push(
        `lost: ${it.workflowId} (${it.script}) expected ${it.expectedStage}; workflow ${status} at ${stage}, projection ${row ? row.stage : 'missing'}`,
      );
    }
    const stars = outcome ? outcome.stars : (last?.stars ?? null);
    const recommendedStars = last?.recommendedStars ?? null;
    if (
      it.expectedStage === 'DETERMINED' &&
      stage === 'DETERMINED' &&
      !(stars && stars > 0 && stars === recommendedStars)
    ) {
      mismatch(`${it.workflowId} DETERMINED with ${stars} stars against ${recommendedStars} recommended`);
    }
    // The outcome is the state the last run ended in; the last event it recorded must carry the same.
    if (outcome && last) {
      const diffs: string[] = [];
      if (outcome.stage !== last.stage) diffs.push(`stage ${outcome.stage} vs ${last.stage}`);
      if (outcome.stars !== last.stars) diffs.push(`stars ${outcome.stars} vs ${last.stars}`);
      if (outcome.score !== last.provisionalScore) diffs.push(`score ${outcome.score} vs ${last.provisionalScore}`);
      if (diffs.length)
        mismatch(`${it.workflowId} ended otherwise than its last recorded event says: ${diffs.join('; ')}`);
    }
    for (const seq of recorded.conflicting)
      mismatch(`${it.workflowId} recorded event ${seq} twice with different types (in different runs)`);
    const eventCount = recorded.timeline.length ? recorded.timeline[recorded.timeline.length - 1].seq : 0;
    if (row) {
      const diffs: string[] = [];
      const cmp = (what: string, a: unknown, b: unknown) => {
        if (a !== b) diffs.push(`${what} ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      };
      cmp('stage', row.stage, stage);
      cmp('stars', row.stars, stars);
      cmp('recommended_stars', row.recommended_stars, recommendedStars);
      cmp(
        'provisional_score',
        row.provisional_score === null ? null : Number(row.provisional_score),
        outcome ? outcome.score : (last?.provisionalScore ?? null),
      );
      cmp('last_seq/eventCount', row.last_seq, eventCount);
      if (diffs.length) mismatch(`projection of ${it.workflowId} differs from the workflow: ${diffs.join('; ')}`);
    }
    const log = await db
      .selectFrom('nomination_events')
      .select(['seq', 'type'])
      .where('workflow_id', '=', it.workflowId)
      .orderBy('seq')
      .execute();
    events += log.length;
    const seqs = log.map((e) => e.seq);
    const gapless = seqs.length === eventCount && seqs.every((s, i) => s === i + 1);
    const recordedGapless = recorded.timeline.length === eventCount;
    if (!gapless) {
      const have = new Set(seqs);
      const missing = Array.from({ length: eventCount }, (_, i) => i + 1).filter((s) => !have.has(s));
      const extra = seqs.filter((s) => s < 1 || s > eventCount);
      mismatch(
        `event log of ${it.workflowId}: ${seqs.length} rows for eventCount ${eventCount}; missing seq [${missing.join(',')}], beyond [${extra.join(',')}]`,
      );
    } else if (!recordedGapless) {
      mismatch(
        `${it.workflowId} recorded ${recorded.timeline.length} events up to seq ${eventCount}: its histories miss some`,
      );
    } else {
      const wrong = recorded.timeline.filter((h) => log[h.seq - 1]?.type !== h.type);
      if (wrong.length)
        mismatch(
          `event log of ${it.workflowId}: types differ from the workflow's timeline at seq ${wrong.map((h) => h.seq).join(',')}`,
        );
    }
    const fieldVerified = recorded.timeline.some((h) => h.type === 'field.verified');
    const got = templatesOf.get(it.workflowId) ?? new Set<string>();
    const required = [...REQUIRED_TEMPLATES[it.script], ...(fieldVerified ? ['field_verification'] : [])];
    const missingMail = required.filter((t) => !got.has(t));
    if (missingMail.length && status === 'COMPLETED')
      mismatch(`${it.workflowId} (${it.script}) got no ${missingMail.join(', ')} mail`);
    const escalations = recorded.timeline.filter((h) => h.type === 'escalation.sent').map((h) => h.deadlineStage);
    if (it.script !== 'late' && escalations.length) {
      notes.push(
        `${it.workflowId} (${it.script}) missed a deadline it was not scripted to miss: ${escalations.join(', ')}`,
      );
    }
  });

  // ── the cycles: finalized, and their counts equal to the projection's ────────────────────────────────────────────
  for (const cycleId of opts.cycleIds) {
    const expected = items.filter((i) => i.cycleId === cycleId).length;
    // The cycle's own state at the end (its closed run's result) is what the projection is checked against; a cycle
    // that has not finished is reported with its run's status and the projection's counts.
    const view = opts.finalizedCycles?.[cycleId] ?? (await closedCycleView(client, cycleId));
    const { rows: proj } = await sql<{ stage: string; count: number }>`
      select stage, count(*)::int as count from nominations where cycle_id = ${cycleId} group by stage`.execute(db);
    const projCounts = Object.fromEntries(proj.map((r) => [r.stage, Number(r.count)]));
    if ('unfinished' in view) {
      mismatch(
        `cycle ${cycleId} did not finish: its run is ${view.unfinished}; projection ${JSON.stringify(projCounts)}`,
      );
      continue;
    }
    if (!view.finalized) mismatch(`cycle ${cycleId} did not finalize (counts ${JSON.stringify(view.counts)})`);
    if (view.nominated !== expected)
      mismatch(`cycle ${cycleId} counts ${view.nominated} nominations, ${expected} were nominated`);
    const cycleCounts = Object.fromEntries(Object.entries(view.counts).filter(([, c]) => c));
    const stages = new Set([...Object.keys(projCounts), ...Object.keys(cycleCounts)]);
    const diff = [...stages].filter((s) => (projCounts[s] ?? 0) !== (cycleCounts[s] ?? 0));
    if (diff.length)
      mismatch(
        `cycle ${cycleId} counts per stage ${JSON.stringify(cycleCounts)} differ from the projection ${JSON.stringify(projCounts)}`,
      );
  }

  // ── every record replays on today's code (what an auditor, or a restarted worker, does with it) ───────────────────
  const { replayAll } = await import('./replay');
  const verdicts = await replayAll(
    client,
    [...items.map((i) => i.workflowId), ...opts.cycleIds.map((c) => cycleWorkflowId(c))],
    opts.payloadCodec,
  );
  for (const v of verdicts) if (!v.ok) mismatch(`history of ${v.workflowId} does not replay: ${v.message}`);

  problems.sort((a, b) => rank(a) - rank(b));
  return {
    nominations: items.length,
    lost,
    duplicateEmails,
    mismatches,
    problems,
    notes,
    lostIds,
    redeliveries: redelivered,
    figures: {
      byStage,
      events,
      notificationRows: rows.length,
      mailFiles: mails.length,
      distinctMailKeys: byKey.size,
      receipts: receipts.length,
      redeliveries: redelivered.length,
      replayedRuns: verdicts.length,
      unreplayableRuns: verdicts.filter((v) => !v.ok).length,
    },
  };
}

/** A cycle's end state from its closed run's result (the handle follows continue-as-new), or the status of its run
 * when that has not completed (no query: the server refuses them). */
async function closedCycleView(client: Client, cycleId: string): Promise<CycleView | { unfinished: string }> {
  const handle = client.workflow.getHandle(cycleWorkflowId(cycleId));
  try {
    const status = (await client.withDeadline(Date.now() + 20_000, () => handle.describe())).status.name;
    if (status !== 'COMPLETED') return { unfinished: status };
    return (await client.withDeadline(Date.now() + 20_000, () => handle.result())) as CycleView;
  } catch (err) {
    return { unfinished: `unknown (${(err as Error).message.slice(0, 200)})` };
  }
}

/** The events a nomination recorded, as its runs' histories hold them: each event goes to the log by a
 * recordNominationEvent activity carrying its seq, type and the projection after it. */
interface RecordedEvents {
  /** By seq, one entry per seq; the deadline stage of an escalation. */
  timeline: { seq: number; type: string; deadlineStage?: string }[];
  /** The projection the last event (highest seq) carried: the state the workflow last wrote. */
  last: NominationProjection | null;
  /** Seqs recorded more than once with different types. */
  conflicting: number[];
}

async function recordedEvents(client: Client, workflowId: string, codec?: PayloadCodec): Promise<RecordedEvents> {
  const bySeq = new Map<number, RecordEventInput>();
  const conflicting = new Set<number>();
  for (const history of await runHistories(client, workflowId)) {
    for (const e of history.events ?? []) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name !== 'recordNominationEvent') continue;
      const input = codec ? { payloads: await codec.decode(scheduled.input?.payloads ?? []) } : scheduled.input;
      const [event] = decodeArgs(input) as [RecordEventInput | undefined];
      if (!event?.seq) continue;
      const seen = bySeq.get(event.seq);
      if (seen && seen.type !== event.type) conflicting.add(event.seq);
      bySeq.set(event.seq, event);
    }
  }
  const ordered = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  return {
    timeline: ordered.map((e) => ({
      seq: e.seq,
      type: e.type,
      ...(typeof e.payload?.deadlineStage === 'string' ? { deadlineStage: e.payload.deadlineStage } : {}),
    })),
    last: ordered.at(-1)?.projection ?? null,
    conflicting: [...conflicting],
  };
}

/** Every run's history of a workflow id, oldest first (a continue-as-new chain has several). */
async function runHistories(client: Client, workflowId: string): Promise<History[]> {
  return (await fetchRunChain(client, workflowId)).map((r) => r.history);
}

/** Every sendNotification activity in every run of a workflow, by notification key. */
async function sendLives(client: Client, workflowId: string, codec?: PayloadCodec): Promise<Map<string, SendLife[]>> {
  const out = new Map<string, SendLife[]>();
  for (const history of await runHistories(client, workflowId)) {
    const byEvent = new Map<number, { key: string; life: SendLife }>();
    for (const e of history.events ?? []) {
      const time = Date.parse(eventTime(e));
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name === 'sendNotification') {
        const input = codec ? { payloads: await codec.decode(scheduled.input?.payloads ?? []) } : scheduled.input;
        const [req] = decodeArgs(input) as [NotificationRequest | undefined];
        if (!req?.key) continue;
        const life: SendLife = { scheduledAt: time, closedAt: null, attempt: null };
        byEvent.set(num(e.eventId), { key: req.key, life });
        out.set(req.key, [...(out.get(req.key) ?? []), life]);
        continue;
      }
      const started = e.activityTaskStartedEventAttributes;
      if (started) {
        const s = byEvent.get(num(started.scheduledEventId));
        if (s) s.life.attempt = num(started.attempt);
        continue;
      }
      const closed =
        e.activityTaskCompletedEventAttributes ??
        e.activityTaskFailedEventAttributes ??
        e.activityTaskTimedOutEventAttributes ??
        e.activityTaskCanceledEventAttributes;
      const s = closed ? byEvent.get(num(closed.scheduledEventId)) : undefined;
      if (s) s.life.closedAt = time;
    }
  }
  return out;
}

const rank = (p: string) => (p.startsWith('lost') ? 0 : p.startsWith('duplicate') ? 1 : 2);

/** The run's last line. */
export function finalLine(r: Pick<CheckReport, 'nominations' | 'lost' | 'duplicateEmails' | 'mismatches'>): string {
  return `nominations ${r.nominations}, lost ${r.lost}, duplicate emails ${r.duplicateEmails}, mismatches ${r.mismatches}`;
}
