/**
 * Request and response shapes shared by the routes, in zod: the API validates with them, answers through them (fields
 * not listed are dropped), and @fastify/swagger turns them into the OpenAPI document. Request bodies are strict: an
 * unknown field, `actor` included, is refused rather than ignored.
 */
import { z } from 'zod';
import { DEADLINE_STAGES, ROLES, STAGES } from '../domain/types';
import { ERROR_CODES } from './errors';

export const ErrorBody = z
  .object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    rule: z
      .string()
      .optional()
      .describe("a workflow refusal's stable rule (with `refused`), e.g. session_other_province, wrong_stage"),
    params: z
      .record(z.string(), z.union([z.string(), z.number()]))
      .optional()
      .describe('the values the message names; a name ending in At is an ISO instant'),
  })
  .meta({ id: 'Error', description: 'Every refusal: a stable code and one sentence for people.' });

/** The error answers every route may give, for the OpenAPI document. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  429: ErrorBody,
  503: ErrorBody,
};

/** An action's answers: its result (each route's 200 or 201), a refusal, or 202 while it is still being applied. */
export const actionResponses = {
  202: ErrorBody.describe(
    'code `accepted`: the workflow accepted the action but its result did not come in time; it is being applied and shows on the nomination (or cycle) shortly. Do not send it again',
  ),
  ...errorResponses,
};

/** A nomination id in a path is its full workflow id, URL-encoded: ovop%2F<cycle>%2Fnomination%2F<regency>%2F<ikm>. */
export const NominationParams = z.strictObject({
  id: z.string().min(1).max(300).describe('the nomination id (its workflow id), URL-encoded'),
});
export const CycleParams = z.strictObject({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a cycle id') });

export const User = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
    region: z.string(),
  })
  .meta({ id: 'User' });

export const Document = z.object({
  /** The stored file (GET /api/nominations/:id/documents/:documentId), when it was uploaded. */
  documentId: z.string().nullable(),
  kind: z.string(),
  round: z.number(),
  fileName: z.string(),
  checksum: z.string(),
  sizeBytes: z.number(),
  submittedAt: z.string(),
});

export const NominationSummary = z
  .object({
    workflowId: z.string(),
    cycleId: z.string(),
    ikmName: z.string(),
    sentraName: z.string(),
    regencyCode: z.string(),
    regencyName: z.string(),
    provinceCode: z.string(),
    provinceName: z.string(),
    commodity: z.string(),
    product: z.string(),
    stage: z.enum(STAGES),
    previousStars: z.number().nullable(),
    provisionalScore: z.number().nullable(),
    aspectScores: z.record(z.string(), z.number()).nullable(),
    recommendedStars: z.number().nullable(),
    stars: z.number().nullable(),
    deadlineAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: 'NominationSummary' });

export const NominationDetail = NominationSummary.extend({
  /** The cycle's time zone (IANA), in which clients show the times; null when the cycle has no row yet. */
  timezone: z.string().nullable(),
  documents: z.array(Document),
  /** Only for coordinators and auditors: who assesses it and whether each has scored. */
  assessors: z.array(z.object({ id: z.string(), scored: z.boolean() })).optional(),
  /** Only for coordinators and auditors: each assessor's score sheet. */
  assessments: z
    .array(
      z.object({
        assessorId: z.string(),
        scores: z.record(z.string(), z.number()),
        total: z.number(),
        submittedAt: z.string(),
      }),
    )
    .optional(),
}).meta({ id: 'NominationDetail' });

/** What an accepted action answers: the nomination's state after it (the Update's result), scoped to the reader. */
export const NominationAnswer = z
  .object({
    workflowId: z.string(),
    cycleId: z.string(),
    ikmName: z.string(),
    sentraName: z.string(),
    regencyCode: z.string(),
    regencyName: z.string(),
    provinceCode: z.string(),
    provinceName: z.string(),
    commodity: z.string(),
    product: z.string(),
    reevaluation: z.boolean(),
    previousStars: z.number().nullable(),
    stage: z.enum(STAGES),
    stageEnteredAt: z.string(),
    /** The cycle's time zone (IANA), in which clients show the times above and below. */
    timezone: z.string(),
    deadline: z.object({ stage: z.enum(DEADLINE_STAGES), at: z.string() }).nullable(),
    hold: z.object({ stage: z.enum(DEADLINE_STAGES), since: z.string() }).nullable(),
    attendedSession: z.string().nullable(),
    requiredDocuments: z.array(z.string()),
    documents: z.array(
      z.object({
        kind: z.string(),
        fileName: z.string(),
        checksum: z.string(),
        sizeBytes: z.number(),
        round: z.number(),
        submittedAt: z.string(),
        documentId: z.string().optional(),
      }),
    ),
    revisionRound: z.number(),
    reviewNotes: z.array(z.string()),
    /** Only for coordinators and auditors. */
    assessors: z.array(z.string()).optional(),
    scoredBy: z.array(z.string()).optional(),
    provisionalScore: z.number().nullable(),
    aspectScores: z.record(z.string(), z.number()).nullable(),
    fieldVerified: z.boolean().nullable(),
    recommendedStars: z.number().nullable(),
    stars: z.number().nullable(),
    cappedBy: z.array(z.object({ fromStars: z.number(), reason: z.string() })),
    // The optional award steps (#17): the pre-screen, the samples, the field visit, the decree and after.
    missingDocuments: z.array(z.string()),
    prescreenNotes: z.array(z.string()),
    prescreenReturns: z.number(),
    samples: z
      .object({ receivedOn: z.string(), condition: z.string(), receivedBy: z.string(), notes: z.string().optional() })
      .nullable(),
    /** The team's ids and who recorded each item only for coordinators and auditors. */
    fieldVisit: z
      .object({
        date: z.string(),
        team: z.array(z.string()).optional(),
        facilitator: z.string().nullable(),
        evidence: z.array(
          z.object({
            item: z.string(),
            found: z.boolean(),
            note: z.string().optional(),
            files: z
              .array(z.object({ id: z.string(), name: z.string(), checksum: z.string(), sizeBytes: z.number() }))
              .optional(),
            recordedBy: z.string().optional(),
            recordedAt: z.string(),
          }),
        ),
        outstanding: z.array(z.string()),
        passed: z.boolean().nullable(),
      })
      .nullable(),
    decree: z
      .object({ number: z.string(), date: z.string(), signatory: z.object({ office: z.string(), name: z.string() }) })
      .nullable(),
    coaching: z.object({ level: z.string(), office: z.string() }).nullable(),
    packagingAllowed: z.boolean().nullable(),
    awaitingCertificate: z.boolean(),
    certificate: z
      .object({ date: z.string(), handedOverBy: z.string(), recordedBy: z.string(), notes: z.string().nullable() })
      .nullable(),
    awaitingApproval: z
      .object({ stars: z.number(), requestedBy: z.string(), reason: z.string(), until: z.string() })
      .nullable()
      .optional(),
    eventCount: z.number(),
  })
  .meta({ id: 'NominationAnswer' });

export const DecreeOutcome = z
  .object({
    cycleId: z.string(),
    decree: z.object({
      number: z.string(),
      date: z.string(),
      signatory: z.object({ office: z.string(), name: z.string() }),
    }),
    issuedBy: z.string(),
    issuedAt: z.string(),
    determined: z.array(z.object({ workflowId: z.string(), ikmName: z.string(), stars: z.number() })),
    skipped: z.array(z.object({ workflowId: z.string(), ikmName: z.string(), reason: z.string() })),
    alreadyRecorded: z.boolean(),
  })
  .meta({ id: 'DecreeOutcome' });

export const NominationEvent = z.object({
  seq: z.number(),
  type: z.string(),
  stage: z.string(),
  actor: z.object({ role: z.string(), id: z.string(), region: z.string() }),
  payload: z.record(z.string(), z.unknown()),
  occurredAt: z.string(),
});

export const CycleView = z
  .object({
    cycleId: z.string(),
    name: z.string(),
    /** The cycle's time zone (IANA), in which clients show its times. */
    timezone: z.string(),
    intakeOpen: z.boolean(),
    intakeClosesAt: z.string(),
    nominated: z.number(),
    counts: z.record(z.string(), z.number()),
    countedAt: z.string().nullable(),
    deadlineOverrides: z.record(z.string(), z.string()),
    finalizeRequested: z.boolean(),
    finalized: z.boolean(),
    runs: z.number(),
  })
  .meta({ id: 'CycleView' });

export const DeadlineExtension = z.strictObject({
  stage: z.enum(DEADLINE_STAGES),
  until: z.iso.datetime({ offset: true }).describe('the new deadline, ISO 8601 with offset'),
});
