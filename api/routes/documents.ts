/**
 * A nomination's documents as files. `POST /api/nominations/:id/documents/:kind` takes the file itself as the request
 * body (Content-Type application/pdf, image/jpeg or image/png), stores it and records it in the workflow by the
 * submitDocument Update (document id, kind, size, SHA-256); `GET /api/nominations/:id/documents/:documentId` gives it
 * back to whoever may read the nomination. The same content sent twice for the same kind is one stored file.
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DocumentStorage, StoredFile } from '../../db/document-files';
import { maxFileBytes } from '../../domain/documents';
import { submitDocumentUpdate } from '../../workflows/messages';
import { principalOf } from '../auth';
import { requireRead, requireRole } from '../authorization';
import { ApiError, notFound } from '../errors';
import { documentRules, nominationScope } from '../nomination-reads';
import { actionResponses, ErrorBody, errorResponses, NominationAnswer } from '../schemas';
import type { ApiDeps } from '../server';
import { declaredType, DOCUMENT_TYPES, spoolUpload, tooLarge } from '../upload-spool';
import { executeUpdate } from '../workflow-calls';
import { scopedAnswer } from './nominations';

const UploadParams = z.strictObject({
  id: z.string().min(1).max(300).describe('the nomination id (its workflow id), URL-encoded'),
  kind: z
    .string()
    .regex(/^[a-z0-9_]{1,60}$/, 'not a document kind')
    .describe("a kind from the cycle's documents.checklist"),
});
const DownloadParams = z.strictObject({
  id: z.string().min(1).max(300).describe('the nomination id (its workflow id), URL-encoded'),
  documentId: z.uuid().describe('the documentId the upload answered, or a document of GET /api/nominations/:id'),
});
const UploadQuery = z.strictObject({
  fileName: z
    .string()
    .trim()
    .min(1)
    .max(255)
    // A name for people and for Content-Disposition: no folders, no control characters.
    .regex(/^[^/\\\p{Cc}]+$/u, 'a file name without folders or control characters')
    .optional()
    .describe('the name to keep with the file; <kind>.<pdf|jpg|png> when left out'),
});

const StoredDocument = z
  .object({
    documentId: z.string(),
    kind: z.string(),
    fileName: z.string(),
    contentType: z.string(),
    sizeBytes: z.number(),
    sha256: z.string(),
    uploadedAt: z.string(),
  })
  .meta({ id: 'StoredDocument' });

const UploadAnswer = z.object({
  document: StoredDocument,
  /** `now`: this upload was recorded by the workflow; `earlier`: the same content was recorded before and stays. */
  recorded: z.enum(['now', 'earlier']),
  /** The nomination after it (the Update's result); absent when it was recorded earlier. */
  nomination: NominationAnswer.optional(),
});

const storedDocument = (f: StoredFile) => ({
  documentId: f.id,
  kind: f.kind,
  fileName: f.file_name,
  contentType: f.content_type,
  sizeBytes: f.size_bytes,
  sha256: f.sha256,
  uploadedAt: f.uploaded_at.toISOString(),
});

/** A Content-Disposition that every browser reads: an ASCII fallback and the exact name in RFC 5987 form. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export function documentRoutes(app: FastifyInstance, deps: ApiDeps, storage: DocumentStorage): void {
  const { db, client, options } = deps;

  // The body of an upload is the file itself: handed to the route as the raw stream, read only once the caller is
  // authorized. Scoped to this plugin, so other routes still refuse a body that is not JSON.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    const r = scope.withTypeProvider<ZodTypeProvider>();

    r.post(
      '/api/nominations/:id/documents/:kind',
      {
        config: {
          rateLimit: {
            max: options.rateLimits.actionsPerMinute,
            timeWindow: '1 minute',
            keyGenerator: (req) => `action:${req.principal?.user.id ?? req.ip}`,
          },
        },
        schema: {
          summary: `Upload a document (the file as the body, Content-Type ${Object.keys(DOCUMENT_TYPES).join(', ')}) and record it`,
          description:
            "The content must be of the declared type (415 for another type, 422 when the content disagrees) and within the cycle's documents.maxFileMegabytes (413). The answer carries the stored file's id and SHA-256. The same content uploaded again for the same kind is the same document (200, recorded: earlier).",
          tags: ['documents'],
          params: UploadParams,
          querystring: UploadQuery,
          response: {
            200: UploadAnswer,
            201: UploadAnswer,
            ...actionResponses,
            413: ErrorBody,
            415: ErrorBody,
            422: ErrorBody,
          },
        },
      },
      async (req, reply) => {
        const p = principalOf(req);
        requireRole(p, ['dinas_kabkota'], 'submit documents');
        const { scope: n } = await nominationScope(db, req.params.id);
        requireRead(p, n);
        const limit = maxFileBytes(await documentRules(db, n.workflowId));
        const declared = declaredType(req.headers['content-type']);
        const length = Number(req.headers['content-length']);
        if (Number.isFinite(length) && length > limit) throw tooLarge(limit);

        const spooled = await spoolUpload(req.body as Readable, declared, limit, options.uploadDir);
        let stored: { file: StoredFile; created: boolean };
        try {
          stored = await storage.put(spooled, {
            workflowId: n.workflowId,
            kind: req.params.kind,
            fileName: req.query.fileName ?? `${req.params.kind}.${DOCUMENT_TYPES[declared]}`,
            uploadedBy: `${p.actor.role}:${p.actor.id}`,
          });
        } finally {
          await spooled.discard();
        }
        const { file, created } = stored;
        try {
          const answer = await executeUpdate(
            client,
            n.workflowId,
            submitDocumentUpdate,
            {
              actor: p.actor,
              kind: file.kind,
              fileName: file.file_name,
              checksum: file.sha256,
              sizeBytes: file.size_bytes,
              documentId: file.id,
            },
            'the document submission',
            options.actionWaits,
          );
          return reply
            .code(201)
            .send({ document: storedDocument(file), recorded: 'now', nomination: scopedAnswer(p, answer) });
        } catch (err) {
          if (!(err instanceof ApiError) || err.code !== 'refused') throw err;
          // The same file sent again after the workflow recorded it: the upload is done already.
          if (!created && (await isRecorded(deps, n.workflowId, file.id)))
            return reply.code(200).send({ document: storedDocument(file), recorded: 'earlier' });
          // Refused (a kind not on the checklist, a stage that takes no documents): keep nothing of it.
          if (created) await storage.remove(file.id);
          throw err;
        }
      },
    );
  });

  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/nominations/:id/documents/:documentId',
    {
      schema: {
        summary: 'Download a document: its bytes, with its SHA-256 in ETag and Repr-Digest',
        tags: ['documents'],
        params: DownloadParams,
        produces: Object.keys(DOCUMENT_TYPES),
        response: {
          200: z.any().describe('the file, with Content-Type, Content-Disposition, ETag and Repr-Digest'),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const { scope: n } = await nominationScope(db, req.params.id);
      requireRead(p, n);
      const file = await storage.find(n.workflowId, req.params.documentId);
      if (!file) throw notFound(`nomination ${n.workflowId} has no document ${req.params.documentId}`);
      const digest = Buffer.from(file.sha256, 'hex').toString('base64');
      return reply
        .header('content-type', file.content_type)
        .header('content-length', String(file.size_bytes))
        .header('content-disposition', attachment(file.file_name))
        .header('etag', `"sha256-${file.sha256}"`)
        .header('repr-digest', `sha-256=:${digest}:`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(storage.open(file));
    },
  );
}

/** Whether the workflow recorded this stored file for the nomination (the projection's documents). */
async function isRecorded(deps: ApiDeps, workflowId: string, documentId: string): Promise<boolean> {
  const row = await deps.db
    .selectFrom('documents')
    .select('kind')
    .where('workflow_id', '=', workflowId)
    .where('document_id', '=', documentId)
    .executeTakeFirst();
  return row !== undefined;
}
