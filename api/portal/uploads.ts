/**
 * The portal's file uploads: a nomination's documents, and a CSV file of nominations.
 *
 * A document upload from the nomination page. The browser posts a multipart form (the CSRF field first, then the
 * file); the file part is streamed on, unbuffered, as the body of the API's own upload route
 * (`POST /api/nominations/:id/documents/:kind`), which checks the role, the region, the size limit and the type. The
 * answer is a page: the nomination with a notice when stored, or with the refusal beside the kind's file field.
 * portal.js sends the same form by XHR to show the upload's progress, and reads the same answers.
 *
 * A CSV file (`/dinas/csv`) is read whole (it is at most the API's 4 MB) and sent to the API's CSV route; the page
 * shows its answer, refused rows by row, column and reason.
 */
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors';
import { documentRules, nominationScope } from '../nomination-reads';
import { maxFileBytes } from '../../domain/documents';
import {
  actionTaken,
  afterAction,
  apiNominationUrl,
  nominationUrl,
  pageContext,
  refusalOf,
  requireSignedIn,
  roleOnly,
  type PortalDeps,
} from './context';
import type { FormState } from './fields';
import type { CsvAnswer, CsvPageState } from './pages/csv';
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

/** The CSV route's own limit (api/routes/intake.ts). */
const CSV_MAX_BYTES = 4 * 1024 * 1024;

type RenderCsv = (req: FastifyRequest, reply: FastifyReply, state: CsvPageState, status: number) => Promise<unknown>;

export async function uploadRoutes(
  app: FastifyInstance,
  deps: PortalDeps,
  render: Render,
  renderCsv: RenderCsv,
): Promise<void> {
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
      let refusal: { status: number; body: unknown };
      try {
        const answer = await deps.api.inject({
          method: 'POST',
          url: `${apiNominationUrl(id, `/documents/${encodeURIComponent(kind)}`)}?fileName=${encodeURIComponent(part.filename)}`,
          headers,
          payload: part.file,
          remoteAddress: req.ip,
        });
        if (actionTaken(answer.statusCode))
          return reply.redirect(
            afterAction(`${nominationUrl(id)}?ok=uploaded&jenis=${encodeURIComponent(kind)}`, answer.statusCode),
            303,
          );
        let body: unknown = null;
        try {
          body = JSON.parse(answer.body);
        } catch {
          // not JSON
        }
        refusal = { status: answer.statusCode, body };
      } catch (err) {
        // The API's size check stops reading the body mid-stream; the injected request may end with its error
        // before its answer.
        if (!(err instanceof ApiError)) throw err;
        refusal = { status: err.statusCode, body: { code: err.code, message: err.message } };
      } finally {
        part.file.resume();
      }
      if (!FIXABLE.includes(refusal.status)) throw refusalOf(refusal);
      return again(refusalText(ctx.t, refusal, { limitMb }), refusal.status);
    });

    scope.post('/dinas/csv', async (req, reply) => {
      const ctx = await pageContext(deps, req, reply);
      roleOnly(ctx, ['dinas_kabkota']);
      const values: Record<string, string> = {};
      let csv: string | null = null;
      let truncated = false;
      for await (const part of req.parts({ limits: { fileSize: CSV_MAX_BYTES, files: 1, fields: 4 } })) {
        if (part.type === 'field') values[part.fieldname] = String(part.value);
        else if (part.filename) {
          csv = (await part.toBuffer()).toString('utf8');
          truncated = part.file.truncated;
        } else part.file.resume();
      }
      const form: FormState = { values: { cycleId: values.cycleId ?? '' }, errors: {} };
      if (!values.cycleId) form.errors.cycleId = ctx.t.errors.required;
      if (!csv) form.errors.file = ctx.t.csv.notCsv;
      else if (truncated)
        form.errors.file = refusalText(
          ctx.t,
          { status: 413, body: { code: 'too_large', message: 'the CSV file is larger than 4 MB' } },
          { limitMb: '4' },
        );
      if (Object.keys(form.errors).length) return renderCsv(req, reply, { form }, 400);
      const headers: Record<string, string> = { 'content-type': 'text/csv; charset=utf-8' };
      if (req.headers.cookie) headers.cookie = req.headers.cookie;
      if (values._csrf) headers['x-csrf-token'] = values._csrf;
      const res = await deps.api.inject({
        method: 'POST',
        url: `/api/cycles/${encodeURIComponent(values.cycleId)}/nominations/csv`,
        headers,
        payload: csv!,
        remoteAddress: req.ip,
      });
      const answer = { status: res.statusCode, body: res.json() as unknown };
      if (res.statusCode === 200) return renderCsv(req, reply, { form, answer: answer.body as CsvAnswer }, 200);
      if (res.statusCode === 400) form.errors.file = refusalText(ctx.t, answer);
      else if (res.statusCode === 404 || res.statusCode === 409) form.errors.cycleId = refusalText(ctx.t, answer);
      else throw refusalOf(answer);
      return renderCsv(req, reply, { form }, res.statusCode);
    });
  });
}
