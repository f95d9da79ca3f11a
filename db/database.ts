/** Table interfaces and the one place a Kysely instance is made. */
import { Kysely, PostgresDialect, type ColumnType, type Generated, type Selectable } from 'kysely';
import pg from 'pg';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T = unknown> = ColumnType<T, string, string>;

export interface CyclesTable {
  id: string;
  name: string;
  status: string;
  config: Json;
  counts: ColumnType<Record<string, number>, string | undefined, string>;
  summary: Json | null;
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finalized_at: Timestamp | null;
}

export interface NominationsTable {
  workflow_id: string;
  cycle_id: string;
  regency_code: string;
  province_code: string;
  ikm_name: string;
  sentra_name: string;
  sentra_units: number | null;
  commodity: string;
  product: string;
  stage: string;
  /** The provincial pre-screen's latest decision: pass, return or reject. */
  prescreen: string | null;
  previous_stars: number | null;
  provisional_score: number | null;
  recommended_stars: number | null;
  stars: number | null;
  scores: Json | null;
  deadline_at: Timestamp | null;
  decree_number: ColumnType<string | null, string | null | undefined, string | null>;
  coaching_level: ColumnType<string | null, string | null | undefined, string | null>;
  coaching_office: ColumnType<string | null, string | null | undefined, string | null>;
  certificate_date: ColumnType<string | null, string | null | undefined, string | null>;
  certificate_by: ColumnType<string | null, string | null | undefined, string | null>;
  last_seq: number;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: Timestamp;
}

export interface NominationEventsTable {
  id: Generated<string>;
  workflow_id: string;
  seq: number;
  type: string;
  stage: string;
  actor_role: string;
  actor_id: string;
  actor_region: string;
  payload: Json;
  occurred_at: Timestamp;
  recorded_at: ColumnType<Date, undefined, never>;
  /** The row's place in its nomination's hash chain (1, 2, …, in the order rows were written; docs/event-chain.md). */
  chain_index: number;
  prev_hash: string;
  hash: string;
}

/** One closed workflow run's full history, kept after Temporal's retention deletes it (db/history-archive.ts). */
export interface WorkflowHistoryArchiveTable {
  workflow_id: string;
  run_id: string;
  workflow_type: string;
  cycle_id: string | null;
  /** How the run closed: COMPLETED, FAILED, TERMINATED, CANCELLED, TIMED_OUT, CONTINUED_AS_NEW. */
  status: string;
  started_at: Timestamp;
  closed_at: Timestamp;
  event_count: number;
  /** `temporal.api.history.v1.History+gzip`: the history's protobuf bytes, gzip-compressed. */
  encoding: string;
  /** Bytes of the uncompressed history. */
  size: number;
  /** Lowercase hex SHA-256 of the uncompressed history bytes. */
  sha256: string;
  history: Uint8Array;
  archived_at: ColumnType<Date, undefined, never>;
}

export interface NotificationsTable {
  key: string;
  workflow_id: string;
  recipient: string;
  template: string;
  subject: string;
  status: 'pending' | 'sent';
  provider_message_id: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  created_at: ColumnType<Date, undefined, never>;
  sent_at: Timestamp | null;
}

export interface AssessmentsTable {
  workflow_id: string;
  cycle_id: string;
  assessor_id: string;
  scores: Json<Record<string, number>>;
  total: number;
  submitted_at: Timestamp;
}

export interface DocumentsTable {
  workflow_id: string;
  kind: string;
  round: number;
  file_name: string;
  checksum: string;
  size_bytes: number;
  submitted_by: string;
  submitted_at: Timestamp;
  /** The stored file (document_files.id) when it was uploaded through the API; null for metadata-only submissions. */
  document_id: string | null;
}

/** An uploaded file: its metadata and business key (nomination, kind, SHA-256); the bytes are in document_chunks, or
 * in the S3-compatible bucket under a key made of its id (`stored_in`). */
/** Where a document's bytes are (db/document-files.ts, db/s3-document-files.ts). */
export type StoredIn = 'postgres' | 's3';

export interface DocumentFilesTable {
  id: string;
  workflow_id: string;
  kind: string;
  sha256: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  chunk_count: number;
  stored_in: ColumnType<StoredIn, StoredIn | undefined, StoredIn>;
  uploaded_by: string;
  uploaded_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface DocumentChunksTable {
  file_id: string;
  seq: number;
  data: Buffer;
}

export interface FieldVisitsTable {
  workflow_id: string;
  visit_date: Timestamp;
  team: Json<string[]>;
  facilitator: string | null;
  scheduled_by: string;
  scheduled_at: Timestamp;
  passed: boolean | null;
  items_found: number | null;
  decided_at: Timestamp | null;
}

export interface FieldEvidenceTable {
  workflow_id: string;
  item: string;
  found: boolean;
  note: string | null;
  files: Json<{ id: string; name: string; checksum: string; sizeBytes: number }[]>;
  recorded_by: string;
  recorded_at: Timestamp;
}

/** A person who signs in to the API; `id` is the actor id the workflows record. */
export interface UsersTable {
  id: string;
  name: string;
  email: string;
  role: string;
  region: string;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: ColumnType<Date, undefined, never>;
  disabled_at: Timestamp | null;
  /** The single sign-on account (provider's issuer and subject) the user signed in with first; null before. */
  oidc_issuer: ColumnType<string | null, string | null | undefined, string | null>;
  oidc_subject: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface SignInLinksTable {
  token_hash: string;
  user_id: string;
  created_at: ColumnType<Date, undefined, never>;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: ColumnType<Date, undefined, never>;
  expires_at: Timestamp;
  ended_at: Timestamp | null;
}

export interface ApiTokensTable {
  id: string;
  token_hash: string;
  user_id: string;
  name: string;
  created_at: ColumnType<Date, undefined, never>;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

/** Sign-ins, sign-outs, tokens made and revoked, and every refusal of the API. */
export interface AccessLogTable {
  id: Generated<string>;
  at: ColumnType<Date, undefined, never>;
  event: string;
  user_id: string | null;
  email: string | null;
  ip: string | null;
  method: string | null;
  path: string | null;
  status: number | null;
  code: string | null;
  message: string | null;
}

/** One sentra per cycle: the nomination that claimed it first (the key is the sentra name's slug in its regency). */
export interface SentraClaimsTable {
  cycle_id: string;
  regency_code: string;
  sentra_key: string;
  sentra_name: string;
  workflow_id: string;
  claimed_at: Timestamp;
}

export interface ProductSamplesTable {
  workflow_id: string;
  received_on: ColumnType<Date, string, string>;
  condition: string;
  received_by: string;
  notes: string | null;
  recorded_by: string;
  recorded_at: Timestamp;
}

export interface DecreesTable {
  cycle_id: string;
  number: string;
  decree_date: string;
  signatory_office: string;
  signatory_name: string;
  issued_by: string;
  issued_at: ColumnType<Date, undefined, never>;
}

/** The nominations a decree covers, as listed when it was recorded, and what became of each. */
export interface DecreeNominationsTable {
  cycle_id: string;
  decree_number: string;
  workflow_id: string;
  ikm_name: string;
  stars: number;
  status: 'pending' | 'determined' | 'skipped';
  reason: string | null;
  settled_at: Timestamp | null;
}

/** Whether one run's history replays on one release of the workflow code (db/replay-verdicts.ts). */
export interface ReplayVerdictsTable {
  workflow_id: string;
  run_id: string;
  /** Lowercase hex SHA-256 of the history's protobuf bytes (the archive's hash of the same run). */
  history_sha256: string;
  /** Lowercase hex SHA-256 of the workflow bundle's code it was replayed on. */
  bundle_sha256: string;
  ok: boolean;
  kind: string | null;
  message: string | null;
  diverges_at: number | null;
  event_count: number;
  replayed_at: ColumnType<Date, undefined, never>;
}

export interface CurationListsTable {
  cycle_id: string;
  name: string;
  criteria: Json;
  built_by: string;
  built_at: ColumnType<Date, undefined, never>;
}

export interface CurationListMembersTable {
  cycle_id: string;
  list_name: string;
  workflow_id: string;
  ikm_name: string;
  regency_code: string;
  province_code: string;
  commodity: string;
  stars: number;
  provisional_score: number | null;
}

/** Each nomination its cycle started, with the exact input it gave it: what a nomination checks its own input against. */
export interface NominationIntakeTable {
  workflow_id: string;
  cycle_id: string;
  input: Json;
  /** The dinas kabupaten/kota address the nomination was proposed with, when it named one: a nomination started with
   * its rules by reference carries no address in its input (activities/recipients.ts resolves `ref:dinas`). */
  dinas_email: ColumnType<string | null, string | null | undefined, string | null>;
  recorded_at: ColumnType<Date, undefined, never>;
}

/** A cycle's rules (its config without the region tables) by the SHA-256 of their canonical JSON: what a nomination's
 * `rulesRef` names. Written once per content, never changed. */
export interface CycleRulesTable {
  cycle_id: string;
  sha256: string;
  rules: Json;
  recorded_at: ColumnType<Date, undefined, never>;
}

/** Each cycle-wide deadline change a coordinator made: what a nomination checks a `cycleDeadline` signal against. */
export interface CycleDeadlineChangesTable {
  cycle_id: string;
  stage: string;
  until: string;
  actor_role: string;
  actor_id: string;
  actor_region: string;
  recorded_at: ColumnType<Date, undefined, never>;
}

export interface Database {
  cycles: CyclesTable;
  nomination_intake: NominationIntakeTable;
  cycle_rules: CycleRulesTable;
  cycle_deadline_changes: CycleDeadlineChangesTable;
  nominations: NominationsTable;
  nomination_events: NominationEventsTable;
  workflow_history_archive: WorkflowHistoryArchiveTable;
  notifications: NotificationsTable;
  assessments: AssessmentsTable;
  documents: DocumentsTable;
  document_files: DocumentFilesTable;
  document_chunks: DocumentChunksTable;
  field_visits: FieldVisitsTable;
  field_evidence: FieldEvidenceTable;
  users: UsersTable;
  sign_in_links: SignInLinksTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  access_log: AccessLogTable;
  sentra_claims: SentraClaimsTable;
  product_samples: ProductSamplesTable;
  decrees: DecreesTable;
  decree_nominations: DecreeNominationsTable;
  curation_lists: CurationListsTable;
  curation_list_members: CurationListMembersTable;
  replay_verdicts: ReplayVerdictsTable;
}

export type NominationEventRow = Selectable<NominationEventsTable>;

// Postgres returns bigint (int8) and numeric as strings by default; our counts fit in a JS number.
pg.types.setTypeParser(20, (v) => Number(v));

export function createDb(url: string, opts: { max?: number } = {}): Kysely<Database> {
  // PGlite runs one statement at a time anyway, and its wire server can interleave two connections' extended-protocol
  // messages under load ("portal does not exist"); one connection per pool avoids that at no cost in throughput.
  const embedded = url.includes('application_name=ovop-pglite');
  const pool = new pg.Pool({ connectionString: url, max: embedded ? 1 : (opts.max ?? 10) });
  // A client that loses its server (PostgreSQL restarted) emits 'error'; without a listener it kills the process. The
  // pool listens to its idle clients only: one checked out between two statements (inside a transaction) needs its
  // own. Its next statement fails ("not queryable") and the pool drops it when it comes back.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  if (embedded) oneConnection.add(db);
  return db;
}

const oneConnection = new WeakSet<Kysely<Database>>();

/** Whether the database is reached through a single connection (embedded PGlite), so that holding it blocks all. */
export function hasOneConnection(db: Kysely<Database>): boolean {
  return oneConnection.has(db);
}
