/**
 * The portal: server-rendered pages for each role, served by the API process (registered by api/server.ts). Reads
 * call the API's own read functions with the principal the API's authentication derives from the session cookie;
 * writes go through the API's routes (context.ts), so authorization, CSRF, rate limits and the access log are the
 * API's. Every form posts back here and the answer is a page: a redirect to the page with a notice when accepted
 * (so a reload does not send it twice), or the page again with the refusal beside the form.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fileURLToPath } from 'node:url';
import { logAccess } from '../access-log';
import { offsetMinutes } from '../../client/time';
import { NOMINATION_REF } from '../../common/nomination-link';
import { requireRead } from '../authorization';
import { nominationOfRef, nominationScope } from '../nomination-reads';
import { ApiError } from '../errors';
import { safeNext } from '../next-path';
import type { ApiDeps } from '../server';
import {
  actionTaken,
  afterAction,
  apiNominationUrl,
  callApi,
  nominationUrl,
  pageContext,
  refusalOf,
  requireCsrf,
  requireSignedIn,
  roleOnly,
  type PageContext,
  type PortalDeps,
} from './context';
import type { FormState } from './fields';
import { assessorPage, type AssessorPageState } from './pages/assessor';
import { coordinatorPage, type CoordinatorPageState } from './pages/coordinator';
import { dinasPage, type DinasPageState } from './pages/dinas';
import { errorPage } from './pages/error';
import { nominationPage, type NominationPageState } from './pages/nomination';
import { PRESCREEN_DECISIONS, prescreenPage, type PrescreenPageState } from './pages/prescreen';
import { uploadRoutes } from './uploads';
import { field, formOf, send } from './respond';
import { signInRoutes } from './sign-in-routes';
import { csvPage, type CsvPageState } from './pages/csv';
import { cyclesById, openCycles, timeZoneOf } from './cycles';
import { refusalText } from './refusals';
import { auditCyclePage, auditNominationPage, type AuditDeps } from './pages/audit';
import { Replayer } from '../replayer';
import { CycleChecks } from '../cycle-replay';

/** Each role's main page. */
/** The nomination form's fields, and where a refusal's words point. */
const NOMINATION_FIELDS = ['cycleId', 'ikmName', 'sentraName', 'commodity', 'product', 'sentraSize'] as const;

function fieldOfRefusal(message: string): string | undefined {
  const named = /^invalid body: (\w+)/.exec(message)?.[1];
  if (named && (NOMINATION_FIELDS as readonly string[]).includes(named)) return named;
  if (/sentra must count|counts \d+/.test(message)) return 'sentraSize';
  if (/^sentra .*(already|once per cycle)|sentraName/.test(message)) return 'sentraName';
  if (/already nominated|ikmName/.test(message)) return 'ikmName';
  if (/commodity/.test(message)) return 'commodity';
  if (/intake .* closed|not \S+ cycle|this is cycle/.test(message)) return 'cycleId';
  return undefined;
}

export async function portal(app: FastifyInstance, apiDeps: ApiDeps & { api: FastifyInstance }): Promise<void> {
  const deps: PortalDeps = apiDeps;

  await app.register(fastifyStatic, {
    root: fileURLToPath(new URL('./assets/', import.meta.url)),
    prefix: '/aset/',
    maxAge: '1h',
  });

  // A refusal becomes a page: signed out → the sign-in page, anything else → its status and the API's message.
  app.setErrorHandler(async (err: Error, req, reply) => {
    const ctx = await pageContext(deps, req, reply).catch(() => null);
    if (!ctx) return reply.code(500).type('text/plain').send('the portal failed to answer');
    if (err instanceof ApiError) {
      // The API's routes log their own refusals; these are the ones the portal's reads met.
      if (err.statusCode === 403 && err.code === 'forbidden')
        await logAccess(deps.db, req, {
          event: 'refused',
          userId: ctx.principal?.user.id,
          status: 403,
          code: err.code,
          message: err.message,
        });
      // Signed out: the sign-in leads back to the page asked for (a mail's /n/<ref> link, say).
      if (err.statusCode === 401) {
        const next = req.method === 'GET' ? safeNext(req.url) : undefined;
        return reply.redirect(next && next !== '/' ? `/masuk?next=${encodeURIComponent(next)}` : '/masuk', 303);
      }
      // The API's CSRF message names a header; a person filling a form needs to know to reload it.
      const message = err.code === 'csrf_invalid' ? ctx.t.errors.csrf : err.message;
      return send(reply, errorPage(ctx, err.statusCode, message), err.statusCode);
    }
    req.log.error({ err }, 'portal page failed');
    return send(reply, errorPage(ctx, 500, 'the portal failed to answer; the error is in its log'), 500);
  });

  signInRoutes(app, deps);

  // One nomination's page; the dinas's documents and withdrawal come back to it.
  const nomination = async (
    req: FastifyRequest,
    reply: FastifyReply,
    workflowId: string,
    state: NominationPageState = {},
    status = 200,
  ) => {
    const ctx = await pageContext(deps, req, reply);
    const q = req.query as { ok?: string; jenis?: string };
    if (q.ok === 'uploaded' && q.jenis) state.uploaded = q.jenis;
    return send(reply, await nominationPage(deps, ctx, workflowId, state), status);
  };
  // The dinas kabupaten/kota (and, read-only, the dinas provinsi).
  const dinas = async (req: FastifyRequest, reply: FastifyReply, state: DinasPageState = {}, status = 200) => {
    const ctx = await pageContext(deps, req, reply);
    roleOnly(ctx, ['dinas_kabkota', 'dinas_provinsi']);
    const ok = (req.query as { ok?: string }).ok;
    if (ok && !state.notice) state.notice = { text: okText(ctx, ok, req), kind: 'ok' };
    return send(reply, await dinasPage(deps, ctx, state), status);
  };
  app.get('/dinas', (req, reply) => dinas(req, reply));
  app.post('/dinas/usulan', async (req, reply) => {
    const ctx = await pageContext(deps, req, reply);
    const p = requireSignedIn(ctx);
    const values = Object.fromEntries(NOMINATION_FIELDS.map((k) => [k, field(req, k)]));
    const form: FormState = { values, errors: {} };
    for (const k of NOMINATION_FIELDS) if (!values[k]) form.errors[k] = ctx.t.errors.required;
    if (values.sentraSize && !/^\d+$/.test(values.sentraSize)) form.errors.sentraSize = ctx.t.errors.wholeNumber;
    if (Object.keys(form.errors).length)
      return dinas(req, reply, { nominate: { ...form, message: ctx.t.dinas.fixBelow } }, 400);
    const answer = await callApi<{ workflowId?: string; code?: string; message?: string }>(
      deps,
      req,
      'POST',
      `/api/cycles/${encodeURIComponent(values.cycleId)}/nominations`,
      {
        regencyCode: p.actor.region,
        ikmName: values.ikmName,
        sentraName: values.sentraName,
        commodity: values.commodity,
        product: values.product,
        sentraSize: Number(values.sentraSize),
      },
    );
    if (actionTaken(answer.status))
      return reply.redirect(
        afterAction(`/dinas?ok=nominated&ikm=${encodeURIComponent(values.ikmName)}`, answer.status),
        303,
      );
    if (answer.status !== 400 && answer.status !== 409) throw refusalOf(answer);
    const message = refusalOf(answer).message;
    const at = fieldOfRefusal(message);
    if (at) form.errors[at] = message;
    return dinas(req, reply, { nominate: { ...form, message: at ? ctx.t.dinas.fixBelow : message } }, answer.status);
  });

  // One action on one nomination through its API route; a refusal is shown beside the nomination's form.
  const nominationAction = (
    path: string,
    apiPath: string,
    body: (req: FastifyRequest) => unknown,
    back: string,
    ok: string,
    again: (req: FastifyRequest, reply: FastifyReply, workflowId: string, message: string, status: number) => unknown,
  ) =>
    app.post<{ Params: { id: string } }>(`/nominasi/:id/${path}`, async (req, reply) => {
      const answer = await callApi(deps, req, 'POST', apiNominationUrl(req.params.id, `/${apiPath}`), body(req));
      if (actionTaken(answer.status)) return reply.redirect(afterAction(backTo(back, req, { ok }), answer.status), 303);
      if (answer.status !== 400 && answer.status !== 409) throw refusalOf(answer);
      const ctx = await pageContext(deps, req, reply);
      const timeZone = await nominationTimeZone(deps, req.params.id);
      return again(req, reply, req.params.id, refusalText(ctx.t, answer, { timeZone }), answer.status);
    });
  const dinasAgain = (req: FastifyRequest, reply: FastifyReply, workflowId: string, message: string, status: number) =>
    dinas(req, reply, { actionError: { workflowId, message } }, status);
  nominationAction(
    'kehadiran',
    'attendance',
    (req) => ({ sessionId: field(req, 'sessionId') }),
    '/dinas',
    'attended',
    dinasAgain,
  );
  nominationAction(
    'penarikan',
    'withdrawal',
    (req) => ({ reason: field(req, 'reason') }),
    '/dinas',
    'withdrawn',
    (req, reply, workflowId, message, status) =>
      field(req, 'dari') === 'nominasi'
        ? nomination(
            req,
            reply,
            workflowId,
            { withdraw: { values: { reason: field(req, 'reason') }, errors: { reason: message } } },
            status,
          )
        : dinasAgain(req, reply, workflowId, message, status),
  );

  // The dinas provinsi's pre-screen of its province's proposals. The form is checked here first (a decision, a reason
  // to return or reject, the documents to complete for a return), so a slip is said beside its field in the reader's
  // words; the API and the workflow decide the rest.
  const prescreen = async (req: FastifyRequest, reply: FastifyReply, state: PrescreenPageState = {}, status = 200) => {
    const ctx = await pageContext(deps, req, reply);
    roleOnly(ctx, ['dinas_provinsi']);
    const q = req.query as { ok?: string; ikm?: string };
    if (q.ok && !state.notice && !state.refused)
      state.notice = { text: ctx.t.prescreen.decided(q.ikm ?? '', q.ok), kind: 'ok' };
    return send(reply, await prescreenPage(deps, ctx, state), status);
  };
  app.get('/dinas/praseleksi', (req, reply) => prescreen(req, reply));
  app.post<{ Params: { id: string } }>('/nominasi/:id/praseleksi', async (req, reply) => {
    const ctx = await pageContext(deps, req, reply);
    const { t } = ctx;
    const workflowId = req.params.id;
    const decision = field(req, 'decision');
    const reason = field(req, 'reason');
    const missing = [(req.body as Record<string, unknown> | undefined)?.missing ?? []]
      .flat()
      .filter((k): k is string => typeof k === 'string' && k !== '');
    const form: FormState = { values: { decision, reason }, errors: {} };
    if (!(PRESCREEN_DECISIONS as readonly string[]).includes(decision))
      form.errors.decision = t.prescreen.chooseDecision;
    if ((decision === 'return' || decision === 'reject') && !reason) form.errors.reason = t.prescreen.reasonRequired;
    if (decision === 'return' && missing.length === 0) form.errors.missing = t.prescreen.chooseMissing;
    if (decision !== 'return' && missing.length > 0) form.errors.missing = t.prescreen.missingOnlyOnReturn;
    const again = (status: number) => prescreen(req, reply, { refused: { workflowId, form, missing } }, status);
    if (Object.keys(form.errors).length) {
      form.message = t.dinas.fixBelow;
      return again(400);
    }
    const body =
      decision === 'pass' ? { decision } : decision === 'return' ? { decision, reason, missing } : { decision, reason };
    const answer = await callApi(deps, req, 'POST', apiNominationUrl(workflowId, '/prescreen'), body);
    if (actionTaken(answer.status)) {
      const row = await deps.db
        .selectFrom('nominations')
        .select('ikm_name')
        .where('workflow_id', '=', workflowId)
        .executeTakeFirst();
      const ikm = row?.ikm_name ?? '';
      return reply.redirect(afterAction(backTo('/dinas/praseleksi', req, { ok: decision, ikm }), answer.status), 303);
    }
    // Another province's proposal, a signed-out or stale session: the API's page (403, 404, 401 → sign-in).
    if (answer.status !== 400 && answer.status !== 409) throw refusalOf(answer);
    form.message = refusalText(t, answer, { timeZone: await nominationTimeZone(deps, workflowId) });
    return again(answer.status);
  });

  // The assessor: its assigned nominations and their score sheets.
  const assessor = async (req: FastifyRequest, reply: FastifyReply, state: AssessorPageState = {}, status = 200) => {
    const ctx = await pageContext(deps, req, reply);
    roleOnly(ctx, ['assessor']);
    const ok = (req.query as { ok?: string }).ok;
    if (ok && !state.notice) state.notice = { text: okText(ctx, ok, req), kind: 'ok' };
    return send(reply, await assessorPage(deps, ctx, state), status);
  };
  app.get('/penilai', (req, reply) => assessor(req, reply));
  nominationAction(
    'nilai',
    'scores',
    (req) => ({
      scores: Object.fromEntries(
        Object.entries(formOf(req))
          .filter(([k]) => k.startsWith('s.'))
          .map(([k, v]) => [k.slice(2), Number(v)]),
      ),
    }),
    '/penilai',
    'scored',
    (req, reply, workflowId, message, status) =>
      assessor(req, reply, { refused: { workflowId, message, values: formOf(req) as Record<string, string> } }, status),
  );

  // The coordinator's dashboard (and, read-only, the auditor's).
  const coordinator = async (
    req: FastifyRequest,
    reply: FastifyReply,
    state: CoordinatorPageState = {},
    status = 200,
  ) => {
    const ctx = await pageContext(deps, req, reply);
    roleOnly(ctx, ['coordinator', 'auditor']);
    const ok = (req.query as { ok?: string }).ok;
    if (ok && !state.notice) state.notice = { text: okText(ctx, ok, req), kind: 'ok' };
    return send(reply, await coordinatorPage(deps, ctx, state), status);
  };
  app.get('/koordinator', (req, reply) => coordinator(req, reply));
  const coordinatorAgain = (
    req: FastifyRequest,
    reply: FastifyReply,
    workflowId: string,
    message: string,
    status: number,
  ) => coordinator(req, reply, { actionError: { workflowId, message } }, status);
  const optional = (req: FastifyRequest, name: string) => field(req, name) || undefined;
  nominationAction(
    'verifikasi',
    'review',
    (req) => ({ decision: field(req, 'decision'), reason: optional(req, 'reason') }),
    '/koordinator',
    'reviewed',
    coordinatorAgain,
  );
  nominationAction(
    'penetapan',
    'determination',
    (req) => {
      const stars = field(req, 'stars');
      return { stars: stars === '' ? undefined : Number(stars), reason: optional(req, 'reason') };
    },
    '/koordinator',
    'determined',
    coordinatorAgain,
  );
  nominationAction(
    'tahanan',
    'hold-resolution',
    (req) => ({
      decision: field(req, 'decision'),
      until: field(req, 'until') ? localToIso(field(req, 'until'), field(req, 'zone') || 'Asia/Jakarta') : undefined,
      reason: optional(req, 'reason'),
    }),
    '/koordinator',
    'hold',
    coordinatorAgain,
  );

  // A mail's link: resolved for a signed-in reader of the nomination only, so the id (and the IKM's name in it) is
  // never shown to anyone else; signed out, the error handler sends the sign-in page.
  app.get<{ Params: { ref: string } }>('/n/:ref', async (req, reply) => {
    const ctx = await pageContext(deps, req, reply);
    const p = requireSignedIn(ctx);
    if (!NOMINATION_REF.test(req.params.ref)) throw new ApiError(404, 'not_found', 'no nomination has this link');
    const workflowId = await nominationOfRef(deps.db, req.params.ref);
    try {
      requireRead(p, (await nominationScope(deps.db, workflowId)).scope);
    } catch (err) {
      // The API's refusal names the nomination; a link's holder who may not read it learns nothing of it.
      if (err instanceof ApiError && err.statusCode === 403)
        throw new ApiError(403, 'forbidden', 'this link is to a nomination you may not read');
      throw err;
    }
    return reply.redirect(nominationUrl(workflowId), 303);
  });

  app.get<{ Params: { id: string } }>('/nominasi/:id', (req, reply) => nomination(req, reply, req.params.id));

  // The auditor's pages (and a coordinator's, who may export the same histories through the API): the replay status
  // of a cycle, and a nomination's timeline. Replays run on the API's replayer, in the background.
  const replayer = new Replayer(deps.db, {
    bundlePath: deps.options.workflowBundlePath,
    timeoutSeconds: deps.options.replayTimeoutSeconds,
    log: {
      debug: (fields, message) => app.log.debug(fields, message),
      warn: (fields, message) => app.log.warn(fields, message),
      error: (message, err) => app.log.error({ err }, message),
    },
  });
  const audit: AuditDeps = { ...deps, replayer, checks: new CycleChecks(deps.client, deps.db, replayer) };
  app.addHook('onClose', () => replayer.close());
  const AUDITORS = ['auditor', 'coordinator'];
  app.get('/audit', async (req, reply) => {
    const ctx = await pageContext(deps, req, reply);
    roleOnly(ctx, AUDITORS);
    const ok = (req.query as { ok?: string }).ok === 'check';
    return send(reply, await auditCyclePage(audit, ctx, ok ? { text: ctx.t.audit.checkStarted, kind: 'ok' } : null));
  });
  app.post('/audit/periksa', async (req, reply) => {
    const ctx = await pageContext(deps, req, reply);
    roleOnly(ctx, AUDITORS);
    // The form's CSRF token, checked by the API's own rule for a session's state-changing request.
    requireCsrf(ctx, field(req, '_csrf'));
    const cycleId = field(req, 'siklus');
    const cycle = await deps.db.selectFrom('cycles').select('id').where('id', '=', cycleId).executeTakeFirst();
    if (!cycle) throw new ApiError(404, 'not_found', `no cycle ${cycleId}`);
    audit.checks.start(cycle.id);
    return reply.redirect(`/audit?siklus=${encodeURIComponent(cycle.id)}&ok=check`, 303);
  });
  app.get<{ Params: { id: string } }>('/audit/usulan/:id', async (req, reply) => {
    const ctx = await pageContext(deps, req, reply);
    roleOnly(ctx, AUDITORS);
    await nominationScope(deps.db, req.params.id);
    return send(reply, await auditNominationPage(audit, ctx, req.params.id));
  });
  const csv = async (req: FastifyRequest, reply: FastifyReply, state: CsvPageState = {}, status = 200) => {
    const ctx = await pageContext(deps, req, reply);
    roleOnly(ctx, ['dinas_kabkota']);
    return send(reply, csvPage(ctx, await openCycles(deps.db), state), status);
  };
  app.get('/dinas/csv', (req, reply) => csv(req, reply));
  await uploadRoutes(app, deps, nomination, csv);
}

/**
 * Where an accepted action leads: its page with the flags saying what was done, then the view the form's action
 * carried (the cycle and the lists' pages: paging.ts's viewQuery), so the reader is back where it acted.
 */
function backTo(path: string, req: FastifyRequest, flags: Record<string, string>): string {
  const q = new URLSearchParams(flags);
  for (const [name, value] of Object.entries((req.query ?? {}) as Record<string, unknown>))
    if (typeof value === 'string' && value !== '' && !(name in flags)) q.set(name, value);
  return `${path}?${q}`;
}

/** The time zone of a nomination's cycle, in which its refusals' instants are shown. */
async function nominationTimeZone(deps: PortalDeps, workflowId: string): Promise<string> {
  const row = await deps.db
    .selectFrom('nominations')
    .select('cycle_id')
    .where('workflow_id', '=', workflowId)
    .executeTakeFirst();
  return timeZoneOf(row ? (await cyclesById(deps.db, [row.cycle_id])).get(row.cycle_id) : undefined);
}

/** A `datetime-local` value (`2027-03-01T17:00`), read in the cycle's time zone, as an ISO instant. */
function localToIso(local: string, timeZone: string): string {
  const asUtc = Date.parse(`${local}:00Z`);
  if (!Number.isFinite(asUtc)) return local;
  return new Date(asUtc - offsetMinutes(asUtc, timeZone) * 60_000).toISOString();
}

function okText(ctx: PageContext, ok: string, req: FastifyRequest): string {
  const { t } = ctx;
  switch (ok) {
    case 'nominated':
      return t.dinas.nominated((req.query as { ikm?: string }).ikm ?? '');
    case 'attended':
      return t.dinas.attended;
    case 'withdrawn':
      return t.dinas.withdrawn;
    case 'scored':
      return t.assessor.submitted;
    case 'determined':
      return t.coordinator.determined;
    case 'reviewed':
      return t.coordinator.reviewed;
    case 'hold':
      return t.coordinator.holdDecided;
    default:
      return '';
  }
}
