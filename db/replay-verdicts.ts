/**
 * Stored replay verdicts (`replay_verdicts`): whether a run's history replays on a release of the workflow code, keyed
 * by the history's SHA-256 and the bundle's, so the same bytes on the same code are replayed once. The key is the
 * content, never a name: a history that grew or changed, or a new bundle, finds no verdict and is replayed again.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, ReplayVerdictsTable } from './database';

export type StoredVerdict = Selectable<ReplayVerdictsTable>;

export interface VerdictKey {
  workflowId: string;
  runId: string;
  historySha256: string;
}

export interface NewVerdict extends VerdictKey {
  bundleSha256: string;
  ok: boolean;
  kind?: string;
  message?: string;
  divergesAt?: number;
  eventCount: number;
}

const keyOf = (k: { workflow_id: string; run_id: string; history_sha256: string }) =>
  `${k.workflow_id}\u0000${k.run_id}\u0000${k.history_sha256}`;

/** The verdicts on `bundleSha256` stored for these histories, by `verdictKey`. One query. */
export async function storedVerdicts(
  db: Kysely<Database>,
  bundleSha256: string,
  keys: readonly VerdictKey[],
): Promise<Map<string, StoredVerdict>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('replay_verdicts')
    .selectAll()
    .where('bundle_sha256', '=', bundleSha256)
    .where('run_id', 'in', [...new Set(keys.map((k) => k.runId))])
    .execute();
  const wanted = new Set(keys.map(verdictKey));
  return new Map(rows.filter((r) => wanted.has(keyOf(r))).map((r) => [keyOf(r), r]));
}

export const verdictKey = (k: VerdictKey): string => `${k.workflowId}\u0000${k.runId}\u0000${k.historySha256}`;

/** Stores a verdict; one stored already for the same key (another replayer was first) stands. */
export async function storeVerdict(db: Kysely<Database>, v: NewVerdict): Promise<void> {
  await db
    .insertInto('replay_verdicts')
    .values({
      workflow_id: v.workflowId,
      run_id: v.runId,
      history_sha256: v.historySha256,
      bundle_sha256: v.bundleSha256,
      ok: v.ok,
      kind: v.kind ?? null,
      message: v.message ?? null,
      diverges_at: v.divergesAt ?? null,
      event_count: v.eventCount,
    })
    .onConflict((oc) => oc.columns(['workflow_id', 'run_id', 'history_sha256', 'bundle_sha256']).doNothing())
    .execute();
}

/** The latest verdict on `bundleSha256` of each of these runs, whatever history it was of (a run still open grows). */
export async function latestRunVerdicts(
  db: Kysely<Database>,
  bundleSha256: string,
  workflowId: string,
  runIds: readonly string[],
): Promise<Map<string, StoredVerdict>> {
  if (runIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('replay_verdicts')
    .selectAll()
    .where('bundle_sha256', '=', bundleSha256)
    .where('workflow_id', '=', workflowId)
    .where('run_id', 'in', [...runIds])
    .orderBy('replayed_at', 'desc')
    .execute();
  const latest = new Map<string, StoredVerdict>();
  for (const r of rows) if (!latest.has(r.run_id)) latest.set(r.run_id, r);
  return latest;
}
