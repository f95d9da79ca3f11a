/**
 * The actions on one nomination, one entry each: its path under /api/nominations/:id/, the Update it sends, who may
 * send it, its body and how the body becomes the Update's input with the actor the API derived. The routes are made
 * from this table (routes/nominations.ts), so a new Update is one more entry here.
 */
import type { UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import type { Actor, Role } from '../domain/types';
import {
  attendSocializationUpdate,
  determineStarsUpdate,
  extendDeadlineUpdate,
  resolveHoldUpdate,
  reviewDocumentsUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
  verifyFieldUpdate,
  withdrawUpdate,
  type NominationAnswer,
} from '../workflows/messages';
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
}

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
];
