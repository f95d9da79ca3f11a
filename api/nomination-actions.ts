/**
 * The actions on one nomination, one entry each: its path under /api/nominations/:id/, the Update it sends, who may
 * send it, its body and how the body becomes the Update's input with the actor the API derived. The routes are made
 * from this table (routes/nominations.ts), so a new Update is one more entry here.
 */
import type { UpdateDefinition } from '@temporalio/common';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/database';
import { SAMPLE_CONDITIONS, type Actor, type Role } from '../domain/types';
import {
  approveDeterminationUpdate,
  attendSocializationUpdate,
  declareConflictUpdate,
  reassignAssessorUpdate,
  determineStarsUpdate,
  extendDeadlineUpdate,
  prescreenUpdate,
  recordCertificateHandoverUpdate,
  recordFieldEvidenceUpdate,
  recordSamplesUpdate,
  resolveHoldUpdate,
  reviewDocumentsUpdate,
  scheduleFieldVisitUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
  verifyFieldUpdate,
  withdrawUpdate,
  type NominationAnswer,
} from '../workflows/messages';
import type { Principal } from './auth';
import type { NominationScope } from './authorization';
import { forbidden } from './errors';
import { DeadlineExtension } from './schemas';

export interface NominationAction<B extends z.ZodType = z.ZodType> {
  /** The last segment of POST /api/nominations/:id/<path>. */
  path: string;
  summary: string;
  /** Completes "role X may not …" in a refusal. */
  what: string;
  roles: readonly Role[];
  body: B;
  update: UpdateDefinition<NominationAnswer, [never]>;
  input(body: z.output<B>, actor: Actor): unknown;
  /** Who of `roles` may act on this nomination, when it is not who may read it (authorization.ts, requireRead). */
  reach?: (p: Principal, scope: NominationScope, db: Kysely<Database>) => Promise<void> | void;
}

/** A member of the nomination's field visit team (from the projection's field_visits row), never of its province. */
async function onFieldVisitTeam(p: Principal, scope: NominationScope, db: Kysely<Database>): Promise<void> {
  const { id, region } = p.actor;
  if (scope.provinceCode === region)
    throw forbidden(`conflict of interest: nomination ${scope.workflowId} is in your own province ${region}`);
  const visit = await db
    .selectFrom('field_visits')
    .select('team')
    .where('workflow_id', '=', scope.workflowId)
    .executeTakeFirst();
  if (!visit) throw forbidden(`nomination ${scope.workflowId} has no field visit scheduled`);
  if (!visit.team.includes(id))
    throw forbidden(`assessor ${id} is not on the field visit team of nomination ${scope.workflowId}`);
}

const day = z.iso.date().describe('a day, YYYY-MM-DD');
const fileReference = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}$/, 'a document reference'),
  name: z.string().trim().min(1).max(255),
  checksum: z.string().regex(/^[0-9a-f]{64}$/, "the file's SHA-256 in lower-case hex"),
  sizeBytes: z.number().int().positive(),
});

/** Keeps each entry's body type tied to its `input` while the table holds them all. */
const action = <B extends z.ZodType, A>(
  a: Omit<NominationAction<B>, 'update' | 'input'> & {
    update: UpdateDefinition<NominationAnswer, [A]>;
    input(body: z.output<B>, actor: Actor): A;
  },
) => a as unknown as NominationAction;

const text = (max: number) => z.string().trim().min(1).max(max);

export const NOMINATION_ACTIONS: readonly NominationAction[] = [
  action({
    path: 'attendance',
    summary: 'Record that the dinas attended its socialization session',
    what: 'record an attendance',
    roles: ['dinas_kabkota'],
    body: z.strictObject({ sessionId: text(100) }),
    update: attendSocializationUpdate,
    input: (b, actor) => ({ actor, sessionId: b.sessionId }),
  }),
  action({
    path: 'documents',
    summary: "Submit a document's metadata (kind, file name, SHA-256, size)",
    what: 'submit documents',
    roles: ['dinas_kabkota'],
    body: z.strictObject({
      kind: text(60),
      fileName: text(255),
      checksum: z.string().regex(/^[0-9a-f]{64}$/, "the file's SHA-256 in lower-case hex"),
      sizeBytes: z.number().int().positive(),
    }),
    update: submitDocumentUpdate,
    input: (b, actor) => ({ actor, ...b }),
  }),
  action({
    path: 'review',
    summary: 'Administrative review of the documents',
    what: 'review documents',
    roles: ['coordinator'],
    body: z.strictObject({ decision: z.enum(['approve', 'request_changes', 'reject']), reason: text(2000).optional() }),
    update: reviewDocumentsUpdate,
    input: (b, actor) => ({ actor, ...b }),
  }),
  action({
    path: 'scores',
    summary: "Submit an assessor's score sheet",
    what: 'score',
    roles: ['assessor'],
    body: z.strictObject({ scores: z.record(z.string().max(60), z.number()) }),
    update: submitScoresUpdate,
    input: (b, actor) => ({ actor, scores: b.scores }),
  }),
  action({
    path: 'field-verification',
    summary: 'Record the field verification',
    what: 'record a field verification',
    roles: ['coordinator'],
    body: z.strictObject({ passed: z.boolean(), notes: text(2000).optional() }),
    update: verifyFieldUpdate,
    input: (b, actor) => ({ actor, ...b }),
  }),
  action({
    path: 'determination',
    summary: 'Determine the stars: the recommendation, or other stars with a reason',
    what: 'determine stars',
    roles: ['coordinator'],
    body: z.strictObject({ stars: z.number().int().min(0).max(5).optional(), reason: text(2000).optional() }),
    update: determineStarsUpdate,
    input: (b, actor) => ({ actor, ...b }),
  }),
  action({
    path: 'determination-approval',
    summary:
      'A second coordinator approves or refuses a determination above the recommendation (four eyes); not its requester',
    what: 'approve a determination',
    roles: ['coordinator'],
    body: z.strictObject({ decision: z.enum(['approve', 'refuse']), reason: text(2000) }),
    update: approveDeterminationUpdate,
    input: (b, actor) => ({ actor, ...b }),
  }),
  action({
    path: 'conflict-of-interest',
    summary: 'Declare a conflict of interest with this nomination (an assigned assessor): a replacement is drawn',
    what: 'declare a conflict of interest',
    roles: ['assessor'],
    body: z.strictObject({ reason: text(2000) }),
    update: declareConflictUpdate,
    input: (b, actor) => ({ actor, reason: b.reason }),
  }),
  action({
    path: 'assessor-reassignment',
    summary: 'Take an assessor off the panel with a reason (a coordinator): a replacement is drawn at random',
    what: 'reassign an assessor',
    roles: ['coordinator'],
    body: z.strictObject({ assessorId: text(120), reason: text(2000) }),
    update: reassignAssessorUpdate,
    input: (b, actor) => ({ actor, ...b }),
  }),
  action({
    path: 'withdrawal',
    summary: 'Withdraw the nomination',
    what: 'withdraw a nomination',
    roles: ['dinas_kabkota', 'coordinator'],
    body: z.strictObject({ reason: text(2000) }),
    update: withdrawUpdate,
    input: (b, actor) => ({ actor, reason: b.reason }),
  }),
  action({
    path: 'deadline-extension',
    summary: "Extend one of the nomination's deadlines",
    what: 'extend a deadline',
    roles: ['coordinator'],
    body: DeadlineExtension,
    update: extendDeadlineUpdate,
    input: (b, actor) => ({ actor, ...b }),
  }),
  action({
    path: 'hold-resolution',
    summary: 'Decide a nomination held after a missed deadline: extend it or disqualify it',
    what: 'decide a hold',
    roles: ['coordinator'],
    body: z.strictObject({
      decision: z.enum(['extend', 'disqualify']),
      until: z.iso.datetime({ offset: true }).optional(),
      reason: text(2000).optional(),
    }),
    update: resolveHoldUpdate,
    input: (b, actor) => ({ actor, ...b }),
  }),
  action({
    path: 'prescreen',
    summary:
      "The dinas provinsi's pre-screen of a proposal from its province: pass, return with the missing documents, or reject",
    what: 'pre-screen a proposal',
    roles: ['dinas_provinsi'],
    body: z.discriminatedUnion('decision', [
      z.strictObject({ decision: z.literal('pass') }),
      z.strictObject({
        decision: z.literal('return'),
        reason: text(2000),
        missing: z.array(text(60)).min(1).max(50).describe('the document kinds to complete'),
      }),
      z.strictObject({ decision: z.literal('reject'), reason: text(2000) }),
    ]),
    update: prescreenUpdate,
    input: (b, actor) => ({ actor, ...b }),
  }),
  action({
    path: 'samples',
    summary: "Record that the proposal's product samples arrived (day, condition, who received them)",
    what: 'record the receipt of samples',
    roles: ['coordinator'],
    body: z.strictObject({
      receivedOn: day,
      condition: z.enum(SAMPLE_CONDITIONS),
      receivedBy: text(200),
      notes: text(2000).optional(),
    }),
    update: recordSamplesUpdate,
    input: (b, actor) => ({ actor, ...b }),
  }),
  action({
    path: 'field-visit',
    summary: 'Schedule (or move) the field visit: its date and team; the dinas is told by mail',
    what: 'schedule a field visit',
    roles: ['coordinator'],
    body: z.strictObject({
      date: z.iso.datetime({ offset: true }).describe('when the team arrives, ISO 8601 with offset'),
      team: z.array(text(100)).min(1).max(10).describe("assessor ids from the cycle's pool"),
      facilitator: text(200).optional(),
    }),
    update: scheduleFieldVisitUpdate,
    input: (b, actor) => ({ actor, ...b }),
  }),
  action({
    path: 'field-visit/evidence',
    summary: 'Record checklist items found (or not) on site, by a member of the visit team',
    what: 'record field evidence',
    roles: ['assessor'],
    body: z.strictObject({
      items: z
        .array(
          z.strictObject({
            item: text(60),
            found: z.boolean(),
            note: text(2000).optional(),
            files: z.array(fileReference).max(20).optional(),
          }),
        )
        .min(1)
        .max(50),
    }),
    update: recordFieldEvidenceUpdate,
    input: (b, actor) => ({ actor, items: b.items }),
    reach: onFieldVisitTeam,
  }),
  action({
    path: 'certificate',
    summary: 'Record that the award certificate was handed over to the IKM',
    what: 'record a certificate hand-over',
    roles: ['dinas_kabkota', 'dinas_provinsi', 'coordinator'],
    body: z.strictObject({ date: day, handedOverBy: text(200), notes: text(2000).optional() }),
    update: recordCertificateHandoverUpdate,
    input: (b, actor) => ({ actor, ...b }),
  }),
];
