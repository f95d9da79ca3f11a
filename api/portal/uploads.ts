/**
 * A document upload from the nomination page. The browser posts a multipart form (the CSRF field first, then the
 * file); the file part is streamed on, unbuffered, as the body of the API's own upload route
 * (`POST /api/nominations/:id/documents/:kind`), which checks the role, the region, the size limit and the type. The
 * answer is a page: the nomination with a notice when stored, or with the refusal beside the kind's file field.
 * portal.js sends the same form by XHR to show the upload's progress, and reads the same answers.
 */
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { documentRules, nominationScope } from '../nomination-reads';
import { maxFileBytes } from '../../domain/documents';
import { apiNominationUrl, nominationUrl, pageContext, refusalOf, requireSignedIn, type PortalDeps } from './context';
import type { NominationPageState } from './pages/nomination';
import { refusalText } from './refusals';
import { formatNumber } from './format';

/** Statuses the upload route answers for something the dinas can fix; any other refusal is an error page. */
const FIXABLE = [400, 409, 413, 415, 422];

type Render = (
  req: FastifyRequest,
  reply: FastifyReply,
  workflowId: string,
  state: NominationPageState,
  status: number,
) => Promise<unknown>;

export async function uploadRoutes(app: FastifyInstance, deps: PortalDeps, render: Render): Promise<void> {
  await app.register(async (scope) => {
    // Past the cycle's limit the part is cut one byte over it, and the API's own size check refuses it (413).
    await scope.register(fastifyMultipart, { throwFileSizeLimit: false });

    scope.post<{ Params: { id: string; kind: string } }>('/nominasi/:id/dokumen/:kind', async (req, reply) => {
      const ctx = await pageContext(deps, req, reply);
      requireSignedIn(ctx);
      const { id, kind } = req.params;
      const { scope: n } = await nominationScope(deps.db, id);
      const limit = maxFileBytes(await documentRules(deps.db, n.workflowId));
      const limitMb = formatNumber(ctx.t, limit / 1_000_000, 1);
      const again = (message: string, status: number) =>
        render(req, reply, id, { uploadError: { kind, message } }, status);

      const part = await req.file({ limits: { fileSize: limit + 1, files: 1, fields: 4 } });
      if (!part || !part.filename) {
        part?.file.resume();
        return again(ctx.t.documents.chooseFile, 400);
      }
      const csrf = (part.fields._csrf as { value?: unknown } | undefined)?.value;
      const headers: Record<string, string> = { 'content-type': part.mimetype };
      if (req.headers.cookie) headers.cookie = req.headers.cookie;
      if (typeof csrf === 'string') headers['x-csrf-token'] = csrf;
      const answer = await deps.api.inject({
        method: 'POST',
        url: `${apiNominationUrl(id, `/documents/${encodeURIComponent(kind)}`)}?fileName=${encodeURIComponent(part.filename)}`,
        headers,
        payload: part.file,
        remoteAddress: req.ip,
      });
      part.file.resume();
      if (answer.statusCode === 200 || answer.statusCode === 201)
        return reply.redirect(`${nominationUrl(id)}?ok=uploaded&jenis=${encodeURIComponent(kind)}`, 303);
      let body: unknown = null;
      try {
        body = JSON.parse(answer.body);
      } catch {
        // not JSON
      }
      const refusal = { status: answer.statusCode, body };
      if (!FIXABLE.includes(answer.statusCode)) throw refusalOf(refusal);
      return again(refusalText(ctx.t, refusal, { limitMb }), answer.statusCode);
    });
  });
}
