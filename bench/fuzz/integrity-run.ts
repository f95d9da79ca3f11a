/**
 * Sends the integrity attacks (#15 item 8) on the bench's stack and judges each by its real effect, for `npm run fuzz`:
 * the attacks come from integrity-attacks.ts and event-log.ts (seeded, the same test/integration/fuzz-integrity.test.ts
 * and fuzz.test.ts send), and an attack "got through" when the engine did what the attacker wanted or wrote anything.
 *
 * - IKM name spellings of a nominated IKM, through the API as its dinas: each 409 "already nominated", no row added.
 * - Forged previous-stars claims, through the API: each 409 with the message naming what was searched, no row.
 * - An override without a second coordinator: stars above the recommendation wait undetermined; the requester's own
 *   approval and a second determination are refused.
 * - Direct UPDATE, DELETE and TRUNCATE on the event log: refused by PostgreSQL, the chain unchanged and intact.
 * - Edited exports: a signed `ovop audit export` bundle with one character changed is refused by `audit replay --file`
 *   (exit 1); the bundle as exported replays (exit 0), else every edit counts as got through.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { nominationWorkflowId } from '../../workflows/ids';
import { approveDeterminationUpdate, determineStarsUpdate } from '../../workflows/messages';
import { coordinator } from '../shared/cycle';
import { settled } from '../shared/settled';
import { FUZZ_REGENCY } from './cases';
import { generateEventLogAttacks, runEventLogAttack } from './event-log';
import { editedBundles, forgedClaims, nameSpellings } from './integrity-attacks';
import { type CliEnv, countRows, type FuzzEnv, type FuzzSetup, rowsOfWorkflow, runOvop } from './runner';
import { runUpdate } from '../../common/run-update';

export const INTEGRITY_ATTACKS = [
  'IKM name spelling',
  'forged previous stars',
  'override without a second coordinator',
  'direct statement on the event log',
  'edited export',
] as const;
export type IntegrityAttack = (typeof INTEGRITY_ATTACKS)[number];

export interface IntegrityOutcome {
  attack: IntegrityAttack;
  label: string;
  refused: boolean;
  /** What the attacker wanted happened, or something was written: the promise broken. */
  gotThrough: boolean;
  detail: string;
}

/** The earlier cycle the forged claims point at; its projection rows are written as that cycle's record. */
const EARLIER = (prefix: string) => `${prefix}-lama`;

async function post(api: CliEnv, path: string, body: unknown): Promise<{ status: number; message: string }> {
  const r = await fetch(new URL(path, api.apiUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await r.json().catch(() => ({}))) as { message?: string };
  return { status: r.status, message: json.message ?? '' };
}

async function spellings(env: FuzzEnv, setup: FuzzSetup, api: CliEnv, seed: number): Promise<IntegrityOutcome[]> {
  const cycle = setup.world.cycles.find((c) => c.key === 'cycle')!;
  const base = cycle.nominated!.ikmName;
  const out: IntegrityOutcome[] = [];
  for (const s of nameSpellings(base, { seed })) {
    const before = await countRows(env.db, { cycleId: cycle.cycleId });
    const r = await post(api, `/api/cycles/${cycle.cycleId}/nominations`, {
      regencyCode: FUZZ_REGENCY,
      ikmName: s.name,
      sentraName: `Sentra ${s.what}`,
      commodity: 'kain_tenun',
      product: 'Kain tenun ikat',
      sentraSize: 12,
    });
    const after = await countRows(env.db, { cycleId: cycle.cycleId });
    const written = JSON.stringify(after) !== JSON.stringify(before);
    const refused = r.status === 409 && r.message.includes('is already nominated in cycle');
    out.push({
      attack: 'IKM name spelling',
      label: `${base} ${s.what}`,
      refused,
      gotThrough: !refused || written,
      detail: `${r.status} ${r.message}${written ? ' [rows written]' : ''}`,
    });
  }
  return out;
}

async function claims(env: FuzzEnv, setup: FuzzSetup, api: CliEnv, prefix: string, seed: number) {
  const cycleId = setup.world.cycles.find((c) => c.key === 'cycle')!.cycleId;
  const earlier = EARLIER(prefix);
  const record = (ikmName: string, stage: string, stars: number) => ({
    workflow_id: nominationWorkflowId(earlier, FUZZ_REGENCY, ikmName),
    cycle_id: earlier,
    regency_code: FUZZ_REGENCY,
    province_code: FUZZ_REGENCY.slice(0, 2),
    ikm_name: ikmName,
    sentra_name: `Sentra ${ikmName}`,
    sentra_units: 10,
    commodity: 'kain_tenun',
    product: 'Kain tenun ikat',
    stage,
    stars,
    prescreen: null,
    previous_stars: null,
    provisional_score: 70,
    scores: null,
    deadline_at: null,
    last_seq: 20,
    updated_at: new Date(),
  });
  await env.db
    .insertInto('nominations')
    .values([
      record('Anyaman Tercatat Tiga', 'DETERMINED', 3),
      record('Anyaman Tanpa Bintang', 'NOT_CLASSIFIED', 0),
    ] as never)
    .execute();
  const out: IntegrityOutcome[] = [];
  for (const c of forgedClaims({ seed, cycleId, earlierCycleId: earlier, regencyCode: FUZZ_REGENCY })) {
    const r = await post(api, `/api/cycles/${cycleId}/nominations`, {
      regencyCode: FUZZ_REGENCY,
      ikmName: c.ikmName,
      sentraName: `Sentra ${c.ikmName}`,
      commodity: 'kain_tenun',
      product: 'Kain tenun ikat',
      sentraSize: 9,
      previousStars: c.previousStars,
    });
    const written = await rowsOfWorkflow(env.db, nominationWorkflowId(cycleId, FUZZ_REGENCY, c.ikmName));
    const refused = r.status === 409 && r.message === c.message;
    out.push({
      attack: 'forged previous stars',
      label: c.what,
      refused,
      gotThrough: !refused || written > 0,
      detail: `${r.status} ${r.message}${written ? ` [rows +${written}]` : ''}`,
    });
  }
  return out;
}

async function override(env: FuzzEnv, setup: FuzzSetup): Promise<IntegrityOutcome[]> {
  const workflowId = await setup.fresh('recommended');
  const handle = env.client.workflow.getHandle(workflowId);
  // A fresh target is settled: its projection row holds the recommendation.
  const { recommended_stars: recommended } = await env.db
    .selectFrom('nominations')
    .select('recommended_stars')
    .where('workflow_id', '=', workflowId)
    .executeTakeFirstOrThrow();
  if ((recommended ?? 0) >= 5)
    throw new Error(`integrity attacks: ${workflowId} is recommended Bintang 5, nothing above it`);
  const stars = (recommended ?? 0) + 1;
  const reason = 'Produk unggulan daerah';
  const attempt = async (label: string, send: () => Promise<unknown>, refusedIf: 'awaits' | 'refused') => {
    let refused: boolean;
    let detail: string;
    try {
      const answer = (await send()) as { stage?: string; stars?: number | null } | undefined;
      detail = `accepted: ${answer?.stage} stars ${answer?.stars ?? 'none'}`;
      refused = refusedIf === 'awaits' && answer?.stage === 'STAR_RECOMMENDED' && answer?.stars == null;
    } catch (err) {
      detail = err instanceof WorkflowUpdateFailedError ? (err.cause?.message ?? err.message) : String(err);
      refused = refusedIf === 'refused' && err instanceof WorkflowUpdateFailedError;
    }
    await settled(handle);
    const row = await env.db
      .selectFrom('nominations')
      .select(['stage', 'stars'])
      .where('workflow_id', '=', workflowId)
      .executeTakeFirst();
    const determined = row?.stage === 'DETERMINED' || row?.stars != null;
    return {
      attack: 'override without a second coordinator' as const,
      label,
      refused,
      gotThrough: !refused || determined,
      detail: `${detail}${determined ? ' [determined in the projection]' : ''}`,
    };
  };
  return [
    await attempt(
      `Bintang ${stars} over a recommended ${recommended}`,
      () => runUpdate(handle, determineStarsUpdate, { args: [{ actor: coordinator, stars, reason }] }),
      'awaits',
    ),
    await attempt(
      'the requester approving their own',
      () =>
        runUpdate(handle, approveDeterminationUpdate, {
          args: [{ actor: coordinator, decision: 'approve', reason: 'Setuju' }],
        }),
      'refused',
    ),
    await attempt(
      'the requester determining again while it waits',
      () => runUpdate(handle, determineStarsUpdate, { args: [{ actor: coordinator }] }),
      'refused',
    ),
  ];
}

async function eventLog(db: Kysely<Database>, setup: FuzzSetup, seed: number, count: number) {
  const targets = [...setup.targets.values()].filter((t) => !t.cycleId);
  const out: IntegrityOutcome[] = [];
  for (const [i, attack] of generateEventLogAttacks({ seed, count }).entries()) {
    const target = targets[i % targets.length];
    const o = await runEventLogAttack(db, target.workflowId, attack);
    out.push({
      attack: 'direct statement on the event log',
      label: `${attack.label} of ${target.key}`,
      refused: o.refused,
      gotThrough: !o.refused || !o.unchanged || !o.intact,
      detail: `${o.message}${o.unchanged ? '' : ' [rows changed]'}${o.intact ? '' : ' [chain broken]'}`,
    });
  }
  return out;
}

async function exports(setup: FuzzSetup, cli: CliEnv, dir: string, seed: number, count: number) {
  const workflowId = setup.targets.get('recommended')?.workflowId ?? [...setup.targets.values()][0].workflowId;
  const key = join(dir, 'ovop-signing.pem');
  const bundle = join(dir, 'bundle.json');
  const keygen = await runOvop(cli, ['audit', 'keygen', '--out', key]);
  const exported = await runOvop(cli, ['--json', 'audit', 'export', workflowId, '--out', bundle], {
    OVOP_SIGNING_KEY_FILE: key,
  });
  if (keygen.code !== 0 || exported.code !== 0)
    throw new Error(`integrity attacks: audit keygen/export failed: ${keygen.stderr}${exported.stderr}`);
  const verify = { OVOP_VERIFY_KEY_FILE: join(dir, 'ovop-signing.pub.pem') };
  // The control: the bundle as exported must replay, or a refusal of the edits would prove nothing.
  const intact = await runOvop(cli, ['audit', 'replay', '--file', bundle], verify);
  const text = readFileSync(bundle, 'utf8');
  const out: IntegrityOutcome[] = [];
  for (const e of editedBundles(text, { seed, count })) {
    const file = join(dir, `edited-${e.at}.json`);
    writeFileSync(file, e.text);
    const r = await runOvop(cli, ['audit', 'replay', '--file', file], verify);
    const refused = r.code === 1 && r.stdout === '' && r.stderr.includes('is a tampered audit bundle');
    out.push({
      attack: 'edited export',
      label: e.label,
      refused,
      gotThrough: !refused || intact.code !== 0,
      detail: `exit ${r.code}: ${r.stderr.trim()}${intact.code !== 0 ? ` [the intact bundle did not replay: ${intact.stderr.trim()}]` : ''}`,
    });
  }
  return out;
}

/** Sends every integrity attack once the generated cases and the controls are judged (some change their target). */
export async function runIntegrityAttacks(
  env: FuzzEnv,
  setup: FuzzSetup,
  cli: CliEnv,
  opts: { prefix: string; seed: number; dir: string; eventLogCount: number; editCount: number },
): Promise<IntegrityOutcome[]> {
  return [
    ...(await spellings(env, setup, cli, opts.seed)),
    ...(await claims(env, setup, cli, opts.prefix, opts.seed)),
    ...(await override(env, setup)),
    ...(await exports(setup, cli, opts.dir, opts.seed, opts.editCount)),
    // Last: a TRUNCATE or DELETE that got through would leave the other attacks nothing to stand on.
    ...(await eventLog(env.db, setup, opts.seed, opts.eventLogCount)),
  ];
}
