/**
 * What the auditor's pages read: a nomination's runs (client/sourced-runs.ts, Temporal or the archive), their audit
 * trail and the reconciliation with its `nomination_events` rows (client/trail-reconcile.ts, as `ovop audit trail`),
 * and each run's replay verdict on the code this API runs (db/replay-verdicts.ts). A run with no verdict yet is
 * queued on the API's replayer; the page says so and the verdict is there at the next look.
 */
import type { Kysely } from 'kysely';
import { decodeHistoryWith } from '../../common/history-decoding';
import type { Database, NominationEventRow } from '../../db/database';
import { ArchiveIntegrityError, copyHistory, historySha256 } from '../../db/history-archive';
import { latestRunVerdicts, storedVerdicts, verdictKey, type StoredVerdict } from '../../db/replay-verdicts';
import type { History } from '../../client/history';
import { sourcedRunChain, type HistorySource } from '../../client/run-chain';
import { chainTrail, reconcile, type ChainTrail, type Mismatch } from '../../client/trail-reconcile';
import type { Replayer } from '../replayer';
import type { PortalDeps } from './context';

export type RunStatus =
  | { state: 'verdict'; verdict: StoredVerdict }
  /** No verdict for this history yet (it is queued); the latest for an earlier history of the same open run. */
  | { state: 'queued'; earlier?: StoredVerdict }
  | { state: 'preparing' }
  | { state: 'unavailable'; why: string }
  /** Its replays did not finish in time, too often to be tried again: no verdict either way. */
  | { state: 'undecided'; deadlineMs: number; earlier?: StoredVerdict };

export interface AuditedRun {
  index: number;
  runId: string;
  source: HistorySource;
  events: number;
  historySha256: string;
  status: RunStatus;
}

export interface AuditTimeline {
  workflowId: string;
  timezone: string;
  runs: AuditedRun[];
  /** The trail of every run in order, each entry with its run's number when there is more than one. */
  entries: ChainTrail['entries'];
  rows: NominationEventRow[];
  mismatches: Mismatch[];
  /** Seqs the history scheduled whose rows are still being written (not a mismatch). */
  pending: number[];
  bundleSha256?: string;
}

/** The archive refused a run: its bytes are not what was archived. */
export interface ArchiveChanged {
  workflowId: string;
  changed: ArchiveIntegrityError;
}

export async function auditTimeline(
  deps: PortalDeps & { replayer: Replayer },
  workflowId: string,
): Promise<AuditTimeline | ArchiveChanged> {
  const { client, db, replayer } = deps;
  let fetched;
  try {
    fetched = await sourcedRunChain(client, async () => db, workflowId);
  } catch (err) {
    if (err instanceof ArchiveIntegrityError) return { workflowId, changed: err };
    throw err;
  }
  const hashed = fetched.map((r) => ({ ...r, historySha256: historySha256(r.history) }));
  const runs = await runStatuses(db, replayer, workflowId, hashed);
  // Payloads decoded for reading on a copy: the replayer replays the history as stored.
  const decoded = await Promise.all(
    hashed.map(async (r) => ({ runId: r.runId, history: await decodeHistoryWith(client, copyHistory(r.history)) })),
  );
  const trail = chainTrail(decoded);
  const rows = await eventRows(db, workflowId);
  const { recorded } = trail;
  return {
    workflowId,
    timezone: trail.timezone,
    runs,
    entries: trail.entries,
    rows,
    mismatches: reconcile(recorded, rows),
    pending: recorded.filter((r) => !r.completed && !rows.some((row) => row.seq === r.seq)).map((r) => r.seq),
    bundleSha256: replayer.bundleSha256(),
  };
}

async function eventRows(db: Kysely<Database>, workflowId: string): Promise<NominationEventRow[]> {
  return db.selectFrom('nomination_events').selectAll().where('workflow_id', '=', workflowId).orderBy('seq').execute();
}

/** Each run's stored verdict on this API's code; those without one are queued for the replayer. */
async function runStatuses(
  db: Kysely<Database>,
  replayer: Replayer,
  workflowId: string,
  runs: {
    runId: string;
    source: HistorySource;
    history: History;
    historySha256: string;
  }[],
): Promise<AuditedRun[]> {
  const bundle = replayer.bundleSha256();
  const keys = runs.map((r) => ({ workflowId, runId: r.runId, historySha256: r.historySha256 }));
  const stored = bundle ? await storedVerdicts(db, bundle, keys) : new Map<string, StoredVerdict>();
  const missing = keys.filter((k) => !stored.has(verdictKey(k))).map((k) => k.runId);
  const earlier = bundle ? await latestRunVerdicts(db, bundle, workflowId, missing) : new Map<string, StoredVerdict>();
  return runs.map((r, i) => {
    const key = keys[i];
    const verdict = stored.get(verdictKey(key));
    let status: RunStatus;
    if (verdict) status = { state: 'verdict', verdict };
    else if (replayer.unavailable) status = { state: 'unavailable', why: replayer.unavailable };
    else if (!replayer.enqueue({ ...key, history: r.history }))
      status = {
        state: 'undecided',
        deadlineMs: replayer.undecidedOf(key)?.deadlineMs ?? 0,
        earlier: earlier.get(r.runId),
      };
    else status = bundle ? { state: 'queued', earlier: earlier.get(r.runId) } : { state: 'preparing' };
    return {
      index: i + 1,
      runId: r.runId,
      source: r.source,
      events: r.history.events?.length ?? 0,
      historySha256: r.historySha256,
      status,
    };
  });
}
