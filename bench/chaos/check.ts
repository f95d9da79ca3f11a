/**
 * What must hold after the chaos, whatever was killed or restarted:
 *
 * - lost: every nomination reached the end stage its script leads to, both in the workflow (state query, and the run
 *   completed) and in the Postgres projection;
 * - duplicate emails: judged on EVERY message the SMTP server received (the sink's journal of receipts,
 *   embedded/mail-store.ts), not on the copies it keeps: a key received twice is a duplicate unless a kill inside that
 *   send explains the second copy (explain.ts); each re-delivery is listed with the kill that explains it, or as a
 *   problem;
 * - mismatches: the projection equals the workflow state (stage, stars, scores, last_seq == eventCount); the event log
 *   is gapless (seq 1..eventCount, same types as the workflow's timeline); every `notifications` row is `sent` and
 *   has exactly one .eml file, every .eml file has a row; each nomination got the mail its script implies; each cycle
 *   finalized with counts equal to the projection's; every run of every nomination and cycle replays on the current
 *   code (replay.ts).
 */
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { sql, type Kysely } from 'kysely';
import pRetry from 'p-retry';
import type { Database } from '../../db/database';
import { decodeArgs, eventTime, num, type History } from '../../client/history';
import type { NotificationRequest } from '../../activities/contracts';
import { readMailbox, type ReceivedMail } from '../../embedded/mailbox';
import { readReceipts } from '../../embedded/mail-store';
import { cycleWorkflowId } from '../../workflows/ids';
import { cycleStateQuery, nominationStateQuery, type CycleView, type NominationView } from '../../workflows/messages';
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
  };
}

/** Templates each script's nomination must have been sent (once each is checked by key); field_verification only
 * when the provisional score reached the threshold (the view's fieldVerified is then set). Every mail the workflow
 * did send is covered anyway: each `notifications` row must be `sent` and have its one .eml file. */
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
      /TMPRL1100|[Nn]ondeterminism|Workflow Task in failed state/.test(msg) || err.name === 'WorkflowNotFoundError'
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
    let view: NominationView;
    let status: string;
    try {
      status = (
        await retry(`describe ${it.workflowId}`, () =>
          client.withDeadline(Date.now() + 20_000, () => handle.describe()),
        )
      ).status.name;
      // The workflow's own state, queried once its run has closed, is what the projection is checked against.
      view = await retry(`query ${it.workflowId}`, () =>
        client.withDeadline(Date.now() + 20_000, () => handle.query(nominationStateQuery)),
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
    const stage = view.stage;
    byStage[stage] = (byStage[stage] ?? 0) + 1;
    if (status !== 'COMPLETED' || stage !== it.expectedStage || !row || row.stage !== it.expectedStage) {
      lost++;
      lostIds.push(it.workflowId);
      problems.push(
        `lost: ${it.workflowId} (${it.script}) expected ${it.expectedStage}; workflow ${status} at ${stage}, projection ${row ? row.stage : 'missing'}`,
      );
    }
    if (
      it.expectedStage === 'DETERMINED' &&
      stage === 'DETERMINED' &&
      !(view.stars && view.stars > 0 && view.stars === view.recommendedStars)
    ) {
      mismatch(`${it.workflowId} DETERMINED with ${view.stars} stars against ${view.recommendedStars} recommended`);
    }
    if (row) {
      const diffs: string[] = [];
      const cmp = (what: string, a: unknown, b: unknown) => {
        if (a !== b) diffs.push(`${what} ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      };
      cmp('stage', row.stage, view.stage);
      cmp('stars', row.stars, view.stars);
      cmp('recommended_stars', row.recommended_stars, view.recommendedStars);
      cmp(
        'provisional_score',
        row.provisional_score === null ? null : Number(row.provisional_score),
        view.provisionalScore,
      );
      cmp('last_seq/eventCount', row.last_seq, view.eventCount);
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
    const gapless = seqs.length === view.eventCount && seqs.every((s, i) => s === i + 1);
    if (!gapless) {
      const have = new Set(seqs);
      const missing = Array.from({ length: view.eventCount }, (_, i) => i + 1).filter((s) => !have.has(s));
      const extra = seqs.filter((s) => s < 1 || s > view!.eventCount);
      mismatch(
        `event log of ${it.workflowId}: ${seqs.length} rows for eventCount ${view.eventCount}; missing seq [${missing.join(',')}], beyond [${extra.join(',')}]`,
      );
    } else {
      const wrong = view.history.filter((h) => log[h.seq - 1]?.type !== h.type);
      if (wrong.length)
        mismatch(
          `event log of ${it.workflowId}: types differ from the workflow's timeline at seq ${wrong.map((h) => h.seq).join(',')}`,
        );
    }
    const got = templatesOf.get(it.workflowId) ?? new Set<string>();
    const required = [...REQUIRED_TEMPLATES[it.script], ...(view.fieldVerified !== null ? ['field_verification'] : [])];
    const missingMail = required.filter((t) => !got.has(t));
    if (missingMail.length && status === 'COMPLETED')
      mismatch(`${it.workflowId} (${it.script}) got no ${missingMail.join(', ')} mail`);
    if (it.script !== 'late' && view.escalationsSent.length) {
      notes.push(
        `${it.workflowId} (${it.script}) missed a deadline it was not scripted to miss: ${view.escalationsSent.join(', ')}`,
      );
    }
  });

  // ── the cycles: finalized, and their counts equal to the projection's ────────────────────────────────────────────
  for (const cycleId of opts.cycleIds) {
    const expected = items.filter((i) => i.cycleId === cycleId).length;
    // The cycle's own state at the end (its closed run's result or query) is what the projection is checked against.
    const view =
      opts.finalizedCycles?.[cycleId] ??
      (await client
        .withDeadline(Date.now() + 20_000, () =>
          client.workflow.getHandle(cycleWorkflowId(cycleId)).query(cycleStateQuery),
        )
        .catch(() => null));
    if (!view) {
      mismatch(`cycle ${cycleId}: no state`);
      continue;
    }
    if (!view.finalized) mismatch(`cycle ${cycleId} did not finalize (counts ${JSON.stringify(view.counts)})`);
    if (view.nominated !== expected)
      mismatch(`cycle ${cycleId} counts ${view.nominated} nominations, ${expected} were nominated`);
    const { rows: proj } = await sql<{ stage: string; count: number }>`
      select stage, count(*)::int as count from nominations where cycle_id = ${cycleId} group by stage`.execute(db);
    const projCounts = Object.fromEntries(proj.map((r) => [r.stage, Number(r.count)]));
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
    },
  };
}

/** Every sendNotification activity in every run of a workflow, by notification key. */
async function sendLives(client: Client, workflowId: string, codec?: PayloadCodec): Promise<Map<string, SendLife[]>> {
  const out = new Map<string, SendLife[]>();
  const runs: History[] = [];
  for await (const exec of client.workflow.list({ query: `WorkflowId = '${workflowId.replace(/'/g, "\\'")}'` }))
    runs.push(await client.workflow.getHandle(workflowId, exec.runId).fetchHistory());
  for (const history of runs) {
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
