/**
 * Sends the cases of bench/fuzz/cases.ts to a live engine and judges what happened, for the test
 * (test/integration/fuzz.test.ts) and the bench (bench/fuzz/main.ts) alike: no vitest here, only a client, a database and the
 * task queue of a running worker.
 *
 * Targets are real nominations held in one stage each (started directly, as validators.test.ts does, and driven there
 * with valid updates), a nomination on hold after a missed deadline, an award cycle taking nominations and one whose
 * intake has closed. A case is judged on what the engine promises for a refused action: the update fails with
 * WorkflowUpdateFailedError carrying the validator's message (type `Refused`, no JavaScript error text) that names the
 * defect the case injected, the history does not grow, no workflow task fails, and no table of Postgres gets a row.
 * Controls show that each case's base input, without its defect, is accepted (on fresh targets).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Mailer } from '../../activities/mailer';
import { apiOptionsFromEnv } from '../../api/options';
import { buildApi } from '../../api/server';
import { createApiToken } from '../../db/credentials';
import type { Database } from '../../db/database';
import { upsertUser } from '../../db/users';
import { parseDuration } from '../../domain/duration';
import type { Commodity, CycleConfig, NominationInput } from '../../domain/types';
import type { ActorView } from '../../demo/next-actions';
import { STAGE_DEADLINE } from '../../workflows/deadline-clock';
import { cycleWorkflowId } from '../../workflows/ids';
import {
  attendSocializationUpdate,
  determineStarsUpdate,
  extendDeadlineUpdate,
  nominateUpdate,
  resolveHoldUpdate,
  reviewDocumentsUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
  verifyFieldUpdate,
  withdrawUpdate,
  type NominationAnswer,
} from '../../workflows/messages';
import {
  coordinator,
  dinasOf,
  nominationInput,
  scoresFor,
  sha256,
  startNominationDirectly,
  testConfig,
  workflowInput,
} from '../shared/cycle';
import { projectedView, type ProjectedView } from '../../demo/projected-view';
import { settled } from '../shared/settled';
import {
  CONTROL_CHAINS,
  type CsvCase,
  csvBase,
  type CsvColumn,
  csvFile,
  type CycleTarget,
  FUZZ_REGENCY,
  type FuzzWorld,
  isClearMessage,
  nominateBase,
  type NominationTarget,
  type NominationTargetKey,
  NOMINATION_TARGETS,
  type TargetKey,
  type UpdateCase,
  type UpdateName,
  validArg,
  worldRules,
  controlLabels,
} from './cases';
import { runUpdate } from '../../common/run-update';

export interface FuzzEnv {
  client: Client;
  db: Kysely<Database>;
  taskQueue: string;
}

const UPDATES: Record<UpdateName, UpdateDefinition<unknown, [unknown]>> = {
  attendSocialization: attendSocializationUpdate as never,
  submitDocument: submitDocumentUpdate as never,
  reviewDocuments: reviewDocumentsUpdate as never,
  submitScores: submitScoresUpdate as never,
  verifyField: verifyFieldUpdate as never,
  determineStars: determineStarsUpdate as never,
  withdraw: withdrawUpdate as never,
  extendDeadline: extendDeadlineUpdate as never,
  resolveHold: resolveHoldUpdate as never,
  nominate: nominateUpdate as never,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The fuzz cycles' census interval: longer than any run, so that no census adds events while cases are judged by
 * their cycle's history length (the default of five minutes could land mid-run). */
const CENSUS_EVERY = '3h';

async function waitUntil<T>(
  what: string,
  fn: () => Promise<T | false | null | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`fuzz setup: timed out waiting for ${what}`);
    await sleep(100);
  }
}

// ── targets ─────────────────────────────────────────────────────────────────────────────────────────────────────────

export interface LiveTarget {
  key: TargetKey;
  workflowId: string;
  /** The cycle whose rows the target's cases must not add to (cycle targets). */
  cycleId?: string;
  historyLength: number;
  taskFailures: number;
  rows: RowCounts;
}

/** A base input sent as a control: it must be accepted. */
export interface ControlOutcome {
  label: string;
  update: UpdateName;
  workflowId: string;
  accepted: boolean;
  /** The refusal or error, when it was not accepted. */
  message?: string;
}

export interface FuzzSetup {
  config: CycleConfig;
  world: FuzzWorld;
  targets: Map<TargetKey, LiveTarget>;
  /** Re-creates a nomination target after an accepted case changed it (bench); returns its new description. */
  rebuild(key: NominationTargetKey): Promise<void>;
  /** Drives a new nomination into a target's stage and returns its workflow id, for an attack that changes it (the
   * bench's integrity attacks); cleanup terminates it with the rest. */
  fresh(key: NominationTargetKey): Promise<string>;
  /** Terminates what setUpTargets started (the bench's stack goes away anyway; tests share a server). */
  cleanup(): Promise<void>;
  /** The labels of the controls, in CONTROL_CHAINS' order. */
  controlLabels: string[];
  /**
   * Sends the controls (CONTROL_CHAINS) to the targets; only once every case has been judged, since they move the
   * targets on. A chain whose target was not set up is left out; a step after a refused one is not sent.
   */
  runControls(): Promise<ControlOutcome[]>;
}

/** The stage each nomination target is held in, and how it gets there. */
const HOLD_REVIEW = { within: '2s', remindBefore: [], onMissed: 'hold' as const };

export async function setUpTargets(
  env: FuzzEnv,
  opts: { prefix: string; only?: readonly NominationTargetKey[] },
): Promise<FuzzSetup> {
  const config = testConfig(opts.prefix, { mutate: (c) => (c.intakeWindow = '3h') });
  const holdConfig = testConfig(`${opts.prefix}-hold`, { deadlines: { review: HOLD_REVIEW } });
  const intakeConfig = testConfig(`${opts.prefix}-intake`, { mutate: (c) => (c.intakeWindow = '3h') });
  // Its one nomination (which keeps it from finalizing) must go in before intake closes, while the targets are driven
  // side by side on a busy machine: ten seconds, and the wait for the close below allows for them.
  const closedConfig = testConfig(`${opts.prefix}-closed`, { mutate: (c) => (c.intakeWindow = '10s') });
  const { client, db, taskQueue } = env;
  const started: string[] = [];
  let serial = 0;

  /** Setup's waits and the targets read the projection, as people's clients do (never a workflow query). */
  const projected = (handle: WorkflowHandle, cfg: CycleConfig) => projectedView(db, handle.workflowId, cfg);
  const reach = (handle: WorkflowHandle, test: (v: ActorView) => boolean, what: string) =>
    waitUntil(`${handle.workflowId} ${what}`, async () => {
      const p = await projected(handle, config);
      return p && test(p.view) && p.view;
    });
  const stage = (handle: WorkflowHandle, s: string) => reach(handle, (v) => v.stage === s, `in ${s}`);

  async function drive(key: NominationTargetKey): Promise<{ workflowId: string; view: ProjectedView }> {
    const cfg = key === 'hold' ? holdConfig : config;
    const food = key === 'documents';
    const n = nominationInput(cfg, {
      regencyCode: FUZZ_REGENCY,
      ikmName: `${food ? 'Dodol' : 'Tenun'} Sasaran ${key} ${++serial}`,
      ...(food ? { commodity: 'makanan_minuman' as const, product: 'Dodol Garut' } : {}),
    });
    const { handle, workflowId } = await startNominationDirectly({ client, db }, taskQueue, workflowInput(cfg, n));
    started.push(workflowId);
    const dinas = dinasOf(FUZZ_REGENCY);
    const u = <A>(def: UpdateDefinition<NominationAnswer, [A]>, arg: A) => runUpdate(handle, def, { args: [arg] });
    await stage(handle, 'AWAITING_SOCIALIZATION');
    if (key !== 'socialization') {
      await u(attendSocializationUpdate, { actor: dinas, sessionId: cfg.sessions[0].id });
      await stage(handle, 'AWAITING_DOCUMENTS');
      await u(submitDocumentUpdate, {
        actor: dinas,
        kind: 'legality',
        fileName: 'nib.pdf',
        checksum: sha256('nib'),
        sizeBytes: 1200,
      });
      if (food) await reach(handle, (v) => v.documents.length === 1, 'with its legality document');
      else await stage(handle, 'UNDER_REVIEW');
    }
    if (key === 'revision') {
      await u(reviewDocumentsUpdate, { actor: coordinator, decision: 'request_changes', reason: 'NIB tidak terbaca' });
      await stage(handle, 'REVISION_REQUESTED');
    }
    if (key === 'hold') await reach(handle, (v) => v.hold !== null, 'on hold');
    if (key === 'assessment' || key === 'field' || key === 'recommended') {
      await u(reviewDocumentsUpdate, { actor: coordinator, decision: 'approve' });
      const v = await stage(handle, 'IN_ASSESSMENT');
      const sheets = key === 'assessment' ? v.assessors.slice(0, 1) : v.assessors;
      const score = key === 'field' ? cfg.assessment.scale.max : cfg.assessment.scale.min + 1;
      for (const id of sheets) {
        const region = cfg.assessment.assessors.find((a) => a.id === id)!.province;
        await u(submitScoresUpdate, { actor: { role: 'assessor', id, region }, scores: scoresFor(cfg, score) });
      }
      if (key === 'assessment') await reach(handle, (x) => x.scoredBy.length === 1, 'scored once');
      else await stage(handle, key === 'field' ? 'FIELD_VERIFICATION' : 'STAR_RECOMMENDED');
    }
    await settled(handle);
    return { workflowId, view: await settledView(handle, cfg) };
  }

  /** A settled nomination's projection: every activity is done, so every row has landed. */
  async function settledView(handle: WorkflowHandle, cfg: CycleConfig): Promise<ProjectedView> {
    return waitUntil(`${handle.workflowId} in the projection`, () => projected(handle, cfg));
  }

  function describeTarget(key: NominationTargetKey, p: ProjectedView, cfg: CycleConfig): NominationTarget {
    const { view: v, row } = p;
    const current = v.documents.filter((d) => d.round === v.revisionRound).map((d) => d.kind);
    const checklist = cfg.documents.checklist.map((d) => d.kind);
    return {
      key,
      stage: v.stage,
      onHold: v.hold !== null,
      regencyCode: v.regencyCode,
      commodity: row.commodity as Commodity,
      // The projection keeps the deadline's time only; its stage is the one the nomination waits in.
      deadlineStage: (row.deadline_at && STAGE_DEADLINE[v.stage]) || 'attendance',
      submittable: v.requiredDocuments.filter((k) => !current.includes(k)),
      submitted: current,
      notRequired: checklist.filter((k) => !v.requiredDocuments.includes(k)),
      assessors: v.assessors,
      scoredBy: v.scoredBy,
      recommendedStars: row.recommended_stars,
    };
  }

  async function openCycle(
    cfg: CycleConfig,
    control?: { ikmName: string },
  ): Promise<{ workflowId: string; nominated?: { regencyCode: string; ikmName: string } }> {
    const workflowId = cycleWorkflowId(cfg.id);
    const handle = await client.workflow.start('awardCycle', {
      workflowId,
      taskQueue,
      args: [{ config: cfg, reconcileEvery: CENSUS_EVERY }],
    });
    started.push(workflowId);
    let nominated: { regencyCode: string; ikmName: string } | undefined;
    if (control) {
      const n: NominationInput = nominationInput(cfg, { regencyCode: FUZZ_REGENCY, ikmName: control.ikmName });
      const r = await runUpdate(handle, nominateUpdate, { args: [n] });
      started.push(r.workflowId);
      nominated = { regencyCode: n.regencyCode, ikmName: n.ikmName };
      await stage(client.workflow.getHandle(r.workflowId), 'AWAITING_SOCIALIZATION');
      await settled(client.workflow.getHandle(r.workflowId));
    }
    return { workflowId, nominated };
  }

  const keys = opts.only ?? NOMINATION_TARGETS;
  const [driven, open, closed] = await Promise.all([
    Promise.all(keys.map(async (key) => ({ key, ...(await drive(key)) }))),
    openCycle(intakeConfig, { ikmName: 'Tenun Kontrol Uji' }),
    openCycle(closedConfig, { ikmName: 'Tenun Kontrol Tutup' }),
  ]);
  // The projection records when the cycle began (at or after its workflow's start, from which intake is counted).
  await waitUntil(
    'the closed cycle to stop taking nominations',
    async () => {
      const row = await cycleRow(db, closedConfig.id);
      return !!row && Date.now() > row.started_at.getTime() + parseDuration(closedConfig.intakeWindow);
    },
    40_000,
  );

  const world: FuzzWorld = {
    ...worldRules(config),
    nominations: driven.map((d) => describeTarget(d.key, d.view, d.key === 'hold' ? holdConfig : config)),
    cycles: [
      { key: 'cycle', cycleId: intakeConfig.id, nominated: open.nominated },
      { key: 'closedCycle', cycleId: closedConfig.id },
    ] satisfies CycleTarget[],
  };
  const targets = new Map<TargetKey, LiveTarget>();
  const baseline = async (key: TargetKey, workflowId: string, cycleId?: string): Promise<LiveTarget> => {
    const handle = client.workflow.getHandle(workflowId);
    await settled(handle);
    const events = (await handle.fetchHistory()).events ?? [];
    const t: LiveTarget = {
      key,
      workflowId,
      cycleId,
      historyLength: events.length,
      taskFailures: countTaskFailures(events),
      rows: emptyRows(),
    };
    t.rows = await countRows(db, t);
    return t;
  };
  for (const d of driven) targets.set(d.key, await baseline(d.key, d.workflowId));
  targets.set('cycle', await baseline('cycle', open.workflowId, intakeConfig.id));
  targets.set('closedCycle', await baseline('closedCycle', closed.workflowId, closedConfig.id));

  /** Sends one valid input and tells whether it was accepted. */
  async function control(label: string, update: UpdateName, handle: WorkflowHandle, arg: unknown) {
    const out: ControlOutcome = { label, update, workflowId: handle.workflowId, accepted: false };
    try {
      const r = await runUpdate(handle, UPDATES[update], { args: [arg] });
      out.accepted = true;
      const startedId = update === 'nominate' ? (r as { workflowId?: string } | undefined)?.workflowId : undefined;
      if (startedId) started.push(startedId);
    } catch (err) {
      const e = err as Error & { cause?: Error };
      out.message = `${e.name}: ${e.cause?.message ?? e.message}`;
    }
    return out;
  }

  const labels = controlLabels();
  async function runChain(chain: (typeof CONTROL_CHAINS)[number], first: number): Promise<ControlOutcome[]> {
    const t = targets.get(chain.target);
    if (!t) return [];
    const handle = client.workflow.getHandle(t.workflowId);
    const out: ControlOutcome[] = [];
    for (const [j, step] of chain.steps.entries()) {
      let arg: unknown;
      if (step.update === 'nominate') arg = nominateBase(t.cycleId!, 999_999, 0);
      else {
        await settled(handle);
        const cfg = chain.target === 'hold' ? holdConfig : config;
        const now = describeTarget(chain.target as NominationTargetKey, await settledView(handle, cfg), cfg);
        arg = validArg(step.update, now, world, step.variant);
      }
      const o = await control(labels[first + j], step.update, handle, arg);
      out.push(o);
      if (!o.accepted) break;
    }
    return out;
  }

  return {
    config,
    world,
    targets,
    controlLabels: labels,
    async runControls() {
      const firsts = CONTROL_CHAINS.map((_, i) => CONTROL_CHAINS.slice(0, i).reduce((n, c) => n + c.steps.length, 0));
      const chains = await Promise.all(CONTROL_CHAINS.map((chain, i) => runChain(chain, firsts[i])));
      return chains.flat();
    },
    async rebuild(key) {
      const i = world.nominations.findIndex((t) => t.key === key);
      const original = world.nominations[i];
      // The cases were made for the original target: its replacement must have the same assessors (drawn at random, so
      // it is redrawn until they match), or a case meant as "scored twice" or "not assigned" could become a valid sheet.
      for (let attempt = 0; ; attempt++) {
        const d = await drive(key);
        const next = describeTarget(key, d.view, key === 'hold' ? holdConfig : config);
        if (
          JSON.stringify([next.assessors, next.scoredBy]) === JSON.stringify([original.assessors, original.scoredBy]) ||
          attempt >= 30
        ) {
          world.nominations[i] = next;
          targets.set(key, await baseline(key, d.workflowId));
          return;
        }
        await client.workflow
          .getHandle(d.workflowId)
          .terminate('fuzz target with other assessors')
          .catch(() => undefined);
      }
    },
    async fresh(key) {
      return (await drive(key)).workflowId;
    },
    async cleanup() {
      await Promise.all(
        started.map((id) =>
          client.workflow
            .getHandle(id)
            .terminate('fuzz run over')
            .catch(() => undefined),
        ),
      );
    },
  };
}

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];
const countTaskFailures = (events: HistoryEvent[]) => events.filter((e) => e.workflowTaskFailedEventAttributes).length;

/** Every table the engine writes: a refused input must add a row to none of them. */
export const TABLES = [
  'nominations',
  'nomination_events',
  'notifications',
  'assessments',
  'documents',
  'cycles',
] as const;
export type Table = (typeof TABLES)[number];
export type RowCounts = Record<Table, number>;
const emptyRows = (): RowCounts => Object.fromEntries(TABLES.map((t) => [t, 0])) as RowCounts;

/** Rows added per table since `before` (negative changes are not the cases' doing and count as none). */
export function rowsAdded(before: RowCounts, after: RowCounts): Partial<RowCounts> {
  const out: Partial<RowCounts> = {};
  for (const t of TABLES) if (after[t] > before[t]) out[t] = after[t] - before[t];
  return out;
}
const total = (rows: Partial<RowCounts>) => Object.values(rows).reduce((a, b) => a + (b ?? 0), 0);
const shownRows = (rows: Partial<RowCounts>) =>
  Object.entries(rows)
    .map(([t, n]) => `${t} +${n}`)
    .join(', ');

/**
 * Rows a target's cases must not add, in every table: a nomination's own (by workflow id) and its cycle's row; for a
 * cycle, the rows of every workflow of the cycle (`ovop/<cycle>/…`: the cycle and the nominations it started), its
 * nominations by cycle id, and its `cycles` row.
 */
export async function countRows(
  db: Kysely<Database>,
  t: { workflowId?: string; cycleId?: string },
): Promise<RowCounts> {
  const cycleId = t.cycleId ?? t.workflowId?.split('/')[1] ?? '';
  const prefix = `ovop/${cycleId}/%`;
  // One statement of subqueries: the embedded PGlite serves one query at a time, and lanes count side by side.
  const row = await db
    .selectNoFrom((eb) => {
      const count = (table: Exclude<Table, 'cycles'>) =>
        eb
          .selectFrom(table as 'nominations')
          .select((x) => x.fn.countAll<string>().as('n'))
          .where((x) =>
            t.cycleId
              ? x.or([
                  x('workflow_id', 'like', prefix),
                  ...(table === 'nominations' ? [x('cycle_id', '=', cycleId)] : []),
                ])
              : x('workflow_id', '=', t.workflowId!),
          )
          .as(table);
      return [
        count('nominations'),
        count('nomination_events'),
        count('notifications'),
        count('assessments'),
        count('documents'),
        eb
          .selectFrom('cycles')
          .select((x) => x.fn.countAll<string>().as('n'))
          .where('id', '=', cycleId)
          .as('cycles'),
      ];
    })
    .executeTakeFirstOrThrow();
  return Object.fromEntries(TABLES.map((table) => [table, Number(row[table])])) as RowCounts;
}

// ── one case ────────────────────────────────────────────────────────────────────────────────────────────────────────

export interface UpdateOutcome {
  case: UpdateCase;
  /** WorkflowUpdateFailedError from the validator. */
  refused: boolean;
  /** The update ran (its handler may still be running when `pending`). */
  accepted: boolean;
  pending: boolean;
  message?: string;
  failureType?: string;
  /** Non-empty, of type `Refused`, and no JavaScript error text in it. */
  clear: boolean;
  /** The refusal names the field or rule the case broke (`case.expects`). */
  namesDefect: boolean;
  /** Any other error (transport, payload too large, …). */
  error?: string;
  historyDelta: number;
  taskFailures: number;
  rowsWritten: number;
  /** The rows added, by table. */
  rowsByTable: Partial<RowCounts>;
  /** Workflow started by an accepted nominate. */
  startedWorkflowId?: string;
}

/** Sends one case and judges it against the target's baseline. */
export async function runUpdateCase(
  env: FuzzEnv,
  setup: FuzzSetup,
  c: UpdateCase,
  opts: { handlerTimeoutMs?: number } = {},
): Promise<UpdateOutcome> {
  const t = setup.targets.get(c.target)!;
  const handle = env.client.workflow.getHandle(t.workflowId);
  const out: UpdateOutcome = {
    case: c,
    refused: false,
    accepted: false,
    pending: false,
    clear: false,
    namesDefect: false,
    historyDelta: 0,
    taskFailures: 0,
    rowsWritten: 0,
    rowsByTable: {},
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>(
    (resolve) => (timer = setTimeout(() => resolve('timeout'), opts.handlerTimeoutMs ?? 15_000)),
  );
  try {
    const r = await Promise.race([runUpdate(handle, UPDATES[c.update], { args: [c.arg] }), timeout]);
    out.accepted = true;
    out.pending = r === 'timeout';
    if (c.update === 'nominate' && r && typeof r === 'object')
      out.startedWorkflowId = (r as { workflowId?: string }).workflowId;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      out.refused = true;
      const cause = err.cause;
      out.message = cause?.message;
      out.failureType = cause instanceof ApplicationFailure ? (cause.type ?? undefined) : cause?.name;
      out.clear = out.failureType === 'Refused' && isClearMessage(out.message);
      out.namesDefect = typeof out.message === 'string' && c.expects.test(out.message);
    } else {
      out.error = `${(err as Error).name}: ${(err as Error).message}`.slice(0, 500);
    }
  } finally {
    clearTimeout(timer);
  }
  const events = (await handle.fetchHistory()).events ?? [];
  out.historyDelta = events.length - t.historyLength;
  out.taskFailures = countTaskFailures(events) - t.taskFailures;
  out.rowsByTable = rowsAdded(t.rows, await countRows(env.db, t));
  out.rowsWritten = total(out.rowsByTable);
  return out;
}

/** A case that broke the promise (accepted, changed the history, failed a task, wrote a row, unclear or misnamed). */
export function isViolation(o: UpdateOutcome): boolean {
  return (
    !o.refused ||
    !o.clear ||
    !o.namesDefect ||
    o.historyDelta !== 0 ||
    o.taskFailures !== 0 ||
    o.rowsWritten !== 0 ||
    o.error !== undefined
  );
}

/** Brings a target back to a known state after a case changed it: rebuilt (nominations) or re-measured (cycles). */
export async function recover(env: FuzzEnv, setup: FuzzSetup, o: UpdateOutcome): Promise<void> {
  const t = setup.targets.get(o.case.target)!;
  if ((NOMINATION_TARGETS as readonly string[]).includes(t.key)) {
    await env.client.workflow
      .getHandle(t.workflowId)
      .terminate(`fuzz case ${o.case.id} was accepted`)
      .catch(() => undefined);
    await setup.rebuild(t.key as NominationTargetKey);
    return;
  }
  const handle = env.client.workflow.getHandle(t.workflowId);
  await settled(handle, 60_000).catch(() => undefined);
  const events = (await handle.fetchHistory()).events ?? [];
  t.historyLength = events.length;
  t.taskFailures = countTaskFailures(events);
  await sleep(1000);
  t.rows = await countRows(env.db, t);
}

/**
 * Runs the cases in lanes, one per target: a target's cases one after another (each is judged against the target's
 * history), the targets side by side. Returns the outcomes in the cases' order.
 */
export async function runInLanes(
  env: FuzzEnv,
  setup: FuzzSetup,
  cases: UpdateCase[],
  onDone?: (o: UpdateOutcome) => void,
): Promise<UpdateOutcome[]> {
  const lanes = new Map<TargetKey, UpdateCase[]>();
  for (const c of cases) (lanes.get(c.target) ?? lanes.set(c.target, []).get(c.target)!).push(c);
  const outcomes = new Map<string, UpdateOutcome>();
  await Promise.all(
    [...lanes.values()].map(async (lane) => {
      for (const c of lane) {
        const o = await runUpdateCase(env, setup, c);
        if (o.accepted || o.historyDelta !== 0 || o.rowsWritten !== 0 || o.taskFailures !== 0)
          await recover(env, setup, o);
        outcomes.set(c.id, o);
        onDone?.(o);
      }
    }),
  );
  return cases.map((c) => outcomes.get(c.id)!);
}

/** Terminates every workflow still running on the task queue (the bench's own stack, before its worker stops). */
export async function terminateRunning(env: FuzzEnv): Promise<number> {
  let n = 0;
  for await (const w of env.client.workflow.list({
    query: `TaskQueue = '${env.taskQueue}' AND ExecutionStatus = 'Running'`,
  })) {
    await env.client.workflow
      .getHandle(w.workflowId, w.runId)
      .terminate('fuzz run over')
      .then(() => n++)
      .catch(() => undefined);
  }
  return n;
}

/**
 * Rows written by the nomination workflow an accepted nominate case started (it writes after the update returned): its
 * projection and its events. The bench settles and re-counts these at the end.
 */
export async function rowsOfWorkflow(db: Kysely<Database>, workflowId: string): Promise<number> {
  const [nominations, events] = await Promise.all([
    db
      .selectFrom('nominations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workflow_id', '=', workflowId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('nomination_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workflow_id', '=', workflowId)
      .executeTakeFirstOrThrow(),
  ]);
  return Number(nominations.n) + Number(events.n);
}

// ── CSV through the CLI ─────────────────────────────────────────────────────────────────────────────────────────────

const BIN = fileURLToPath(new URL('../../bin/ovop.js', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliEnv {
  temporalAddress: string;
  databaseUrl: string;
  taskQueue: string;
  /** The API `ovop nominate` sends the file to, and the token of the dinas of FUZZ_REGENCY there. */
  apiUrl: string;
  token: string;
}

export interface CsvOutcome {
  case: CsvCase;
  line: number;
  status: string | undefined;
  reasons: { field: string; reason: string }[];
  refused: boolean;
  clear: boolean;
  /** A refusal of the row names the field the case broke (`case.expectsField`). */
  namesField: boolean;
  rowsWritten: number;
}

type CliReport = {
  refusals?: { row: number; field: string; reason: string }[];
  rows?: { row: number; status: string; workflowId?: string }[];
  created: number;
  unchanged: number;
  refused: number;
};

export interface CsvRun {
  exitCode: number;
  stderr: string;
  outcomes: CsvOutcome[];
  summary: { created: number; unchanged: number; refused: number } | undefined;
  /** Events the cases' run added to the cycle's history, and workflow tasks failed in it. */
  historyDelta: number;
  taskFailures: number;
  /** Rows the cases' run added, by table (the cycle's and its nominations'). */
  rowsByTable: Partial<RowCounts>;
  /** The control rows, valid, sent in a run of their own after the cases: each must be created. */
  controlRun?: {
    exitCode: number;
    stderr: string;
    controls: { line: number; status: string | undefined; workflowId?: string }[];
    summary: { created: number; unchanged: number; refused: number } | undefined;
  };
}

/** Runs `ovop` against the bench's stack; `extraEnv` adds to (or, undefined, removes from) its environment. */
export function runOvop(
  cli: CliEnv,
  args: string[],
  extraEnv: Record<string, string | undefined> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    TEMPORAL_ADDRESS: cli.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    DATABASE_URL: cli.databaseUrl,
    OVOP_TASK_QUEUE: cli.taskQueue,
    OVOP_API_URL: cli.apiUrl,
    OVOP_TOKEN: cli.token,
    OVOP_TIMEOUT: '30',
    OVOP_DEBUG: undefined,
    FORCE_COLOR: '0',
    ...extraEnv,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: REPO_ROOT, env: env as NodeJS.ProcessEnv, timeout: 180_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    ),
  );
}

/** The API on a free loopback port, and a token of the dinas of FUZZ_REGENCY, for `ovop nominate`. */
export async function startCsvApi(
  deps: { db: Kysely<Database>; client: Client; mailer: Mailer },
  taskQueue: string,
): Promise<{ apiUrl: string; token: string; stop(): Promise<void> }> {
  const options = apiOptionsFromEnv({}, { logRequests: false, actionWaits: { acceptSeconds: 60, resultSeconds: 60 } });
  const app = await buildApi({ ...deps, taskQueue, options });
  const apiUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const id = `disperin-${FUZZ_REGENCY}`;
  await upsertUser(deps.db, {
    id,
    name: `Disperin ${FUZZ_REGENCY}`,
    email: `${id}@fuzz.example`,
    role: 'dinas_kabkota',
    region: FUZZ_REGENCY,
  });
  const { token } = await createApiToken(deps.db, id, { name: 'fuzz', ttlDays: 1 });
  return { apiUrl, token, stop: () => app.close() };
}

/** Opens a cycle for CSV intake (a long intake window, the engine's own cycle workflow). */
export async function openCsvCycle(env: FuzzEnv, cycleId: string): Promise<void> {
  const config = testConfig(cycleId, { mutate: (c) => (c.intakeWindow = '3h') });
  await env.client.workflow.start('awardCycle', {
    workflowId: cycleWorkflowId(cycleId),
    taskQueue: env.taskQueue,
    args: [{ config, reconcileEvery: CENSUS_EVERY }],
  });
  // The cycle's row is written in its first workflow task, with intake open for the next three hours.
  await waitUntil(`cycle ${cycleId} open`, async () => (await cycleRow(env.db, cycleId))?.status === 'OPEN');
}

/** A cycle's row in the projection. */
const cycleRow = (db: Kysely<Database>, cycleId: string) =>
  db.selectFrom('cycles').select(['status', 'started_at']).where('id', '=', cycleId).executeTakeFirst();

/**
 * Writes the cases to a CSV file and runs `ovop --json nominate` on it through the API as the dinas of FUZZ_REGENCY
 * (`cli.token`); judges each row by
 * the CLI's report and by the `nominations` rows of the cycle, and the run by the cycle's history and the rows of
 * every table. Then the control rows (valid) go in a run of their own: each must be created.
 */
export async function runCsvCases(
  env: FuzzEnv,
  cli: CliEnv,
  opts: { dir: string; cycleId: string; cases: CsvCase[]; controls?: Record<CsvColumn, string>[]; file?: string },
): Promise<CsvRun> {
  const cycle = env.client.workflow.getHandle(cycleWorkflowId(opts.cycleId));
  const historyOfCycle = async () => {
    await settled(cycle, 60_000);
    const events = (await cycle.fetchHistory()).events ?? [];
    return { length: events.length, taskFailures: countTaskFailures(events) };
  };
  const cycleRows = async () =>
    (
      await env.db
        .selectFrom('nominations')
        .select(['workflow_id', 'ikm_name'])
        .where('cycle_id', '=', opts.cycleId)
        .execute()
    ).map((r) => r.workflow_id);
  const ovopNominate = async (text: string, file: string) => {
    const path = join(opts.dir, file);
    writeFileSync(path, text);
    const r = await runOvop(cli, ['--json', 'nominate', '--cycle', opts.cycleId, '--file', path]);
    let report: CliReport | undefined;
    try {
      report = JSON.parse(r.stdout);
    } catch {
      report = undefined;
    }
    return { ...r, report };
  };
  /** Rows the nomination workflows write land shortly after the command returns. */
  const projected = async (report: CliReport | undefined, before: Set<string>) => {
    const createdIds = (report?.rows ?? [])
      .filter((x) => x.status === 'created' && x.workflowId)
      .map((x) => x.workflowId!);
    if (createdIds.length === 0) return;
    await waitUntil(
      'the created nominations to be projected',
      async () => {
        const now = new Set(await cycleRows());
        return createdIds.every((id) => now.has(id) || before.has(id));
      },
      30_000,
    ).catch(() => undefined);
  };

  const { text, lineOf } = csvFile(opts.cases);
  const before = new Set(await cycleRows());
  const [historyBefore, rowsBefore] = [await historyOfCycle(), await countRows(env.db, { cycleId: opts.cycleId })];
  const r = await ovopNominate(text, opts.file ?? `fuzz-${opts.cases[0]?.id ?? 'x'}.csv`);
  const report = r.report;
  await projected(report, before);
  const after = (await cycleRows()).filter((id) => !before.has(id));
  const historyAfter = await historyOfCycle();
  const rowsByTable = rowsAdded(rowsBefore, await countRows(env.db, { cycleId: opts.cycleId }));
  const byLine = new Map((report?.rows ?? []).map((x) => [x.row, x]));
  const outcomes = opts.cases.map((c): CsvOutcome => {
    const line = lineOf.get(c.id)!;
    const row = byLine.get(line);
    const reasons = (report?.refusals ?? [])
      .filter((x) => x.row === line)
      .map(({ field, reason }) => ({ field, reason }));
    const written = row?.workflowId && after.includes(row.workflowId) ? 1 : 0;
    return {
      case: c,
      line,
      status: row?.status,
      reasons,
      refused: row?.status === 'refused' && reasons.length > 0,
      clear: reasons.length > 0 && reasons.every((x) => isClearMessage(x.reason)),
      namesField: reasons.some((x) => x.field === c.expectsField),
      rowsWritten: written,
    };
  });
  // A row written that no case claims (its workflow id was not reported) still counts against the run.
  const unclaimed = after.filter((id) => !outcomes.some((o) => byLine.get(o.line)?.workflowId === id)).length;
  if (unclaimed > 0 && outcomes.length > 0) outcomes[0].rowsWritten += unclaimed;
  const run: CsvRun = {
    exitCode: r.code,
    stderr: r.stderr,
    outcomes,
    summary: report && { created: report.created, unchanged: report.unchanged, refused: report.refused },
    historyDelta: historyAfter.length - historyBefore.length,
    taskFailures: historyAfter.taskFailures - historyBefore.taskFailures,
    rowsByTable,
  };

  if (opts.controls?.length) {
    const beforeControls = new Set(await cycleRows());
    const c = await ovopNominate(csvFile([], opts.controls).text, `controls-${opts.cases[0]?.id ?? 'x'}.csv`);
    await projected(c.report, beforeControls);
    const rows = new Map((c.report?.rows ?? []).map((x) => [x.row, x]));
    run.controlRun = {
      exitCode: c.code,
      stderr: c.stderr,
      // The header is line 1: the control rows are lines 2, 3, …
      controls: opts.controls.map((_, i) => ({
        line: i + 2,
        status: rows.get(i + 2)?.status,
        workflowId: rows.get(i + 2)?.workflowId,
      })),
      summary: c.report && { created: c.report.created, unchanged: c.report.unchanged, refused: c.report.refused },
    };
  }
  return run;
}

/**
 * The CSV control rows, valid, each must be created: the base row every case is one defect away from (csvBase), and
 * a row whose free text looks like SQL, which must be stored verbatim (and the tables must still be there).
 */
export function sqlControlRows(seed: number): Record<CsvColumn, string>[] {
  return [
    csvBase(800_000, seed),
    {
      ...csvBase(900_000, seed),
      ikm_name: `Robert'); DROP TABLE nominations; -- ${seed}`,
      sentra_name: "Sentra '; DELETE FROM nomination_events; --",
      product: 'Tikar" OR 1=1 --',
    },
  ];
}

/** For reports: a compact, one-line rendering of an outcome that broke the promise. */
export function describeViolation(o: UpdateOutcome): string {
  const what = o.error
    ? `error ${o.error}`
    : !o.refused
      ? o.pending
        ? 'ACCEPTED (handler still running)'
        : 'ACCEPTED'
      : !o.clear
        ? `refused with an unclear message (${o.failureType}): ${JSON.stringify(o.message)?.slice(0, 200)}`
        : !o.namesDefect
          ? `refused for another reason than its defect (expected ${o.case.expects}): ${JSON.stringify(o.message)?.slice(0, 200)}`
          : 'refused';
  const extra = [
    o.historyDelta ? `history +${o.historyDelta}` : '',
    o.taskFailures ? `task failures ${o.taskFailures}` : '',
    o.rowsWritten ? `rows: ${shownRows(o.rowsByTable)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${o.case.label}: ${what}${extra ? ` [${extra}]` : ''}`;
}
