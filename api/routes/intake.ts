/**
 * Nominating into a cycle: one IKM as JSON, or many as the CSV file `ovop nominate --file` takes (text/csv), checked
 * row by row with the CLI's rules (common/nominations-csv.ts) before anything is sent. A dinas kabupaten/kota nominates
 * for its own kabupaten/kota only; a coordinator for any. One nomination already in the cycle answers 409; in a CSV
 * file it is counted as unchanged, so the same file can be sent again.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import {
  fieldOfRefusal,
  NominationsCsvError,
  parseNominationsCsv,
  validateRow,
  type NominationFields,
  type RowRefusal,
} from '../../common/nominations-csv';
import type { Database } from '../../db/database';
import { previousAward } from '../../db/previous-award';
import { COMMODITIES, type Actor, type NominationInput } from '../../domain/types';
import { nominationWorkflowId, sentraKey } from '../../workflows/ids';
import { nominateUpdate } from '../../workflows/messages';
import { principalOf } from '../auth';
import { requireRole } from '../authorization';
import { cycleWorkflowOf } from '../cycle-lookup';
import { ApiError, forbidden, invalidRequest, refused } from '../errors';
import { actionResponses, CycleParams, errorResponses } from '../schemas';
import type { ApiDeps } from '../server';
import { executeUpdate, type ActionWaits } from '../workflow-calls';

/** Rows of one CSV file sent to the cycle at once (each is one Update, answered after the nomination started). */
const CONCURRENCY = 4;
/** The largest CSV file taken: 10,000 rows of a few hundred bytes. */
const CSV_MAX_BYTES = 4 * 1024 * 1024;

const alreadyNominated = (n: { ikmName: string; regencyCode: string }, cycleId: string, workflowId: string) =>
  `${n.ikmName} of ${n.regencyCode} is already nominated in cycle ${cycleId} (${workflowId})`;

const nominationExists = async (db: Kysely<Database>, workflowId: string) =>
  (await db
    .selectFrom('nominations')
    .select('workflow_id')
    .where('workflow_id', '=', workflowId)
    .executeTakeFirst()) !== undefined;

const RowReport = z.object({
  row: z.number().nullable(),
  status: z.enum(['created', 'unchanged', 'refused']),
  ikmName: z.string().optional(),
  regencyCode: z.string().optional(),
  workflowId: z.string().optional(),
  note: z.string().optional(),
});
type RowReport = z.infer<typeof RowReport>;

export function intakeRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db, client, options } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const actionLimit = {
    max: options.rateLimits.actionsPerMinute,
    timeWindow: '1 minute',
    keyGenerator: (req: { principal?: { user: { id: string } }; ip: string }) =>
      `action:${req.principal?.user.id ?? req.ip}`,
  };
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: CSV_MAX_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  r.post(
    '/api/cycles/:id/nominations',
    {
      config: { rateLimit: actionLimit },
      schema: {
        summary: 'Nominate one IKM (a dinas kabupaten/kota for its own kabupaten/kota, or a coordinator)',
        tags: ['cycles'],
        params: CycleParams,
        body: z.strictObject({
          regencyCode: z.string().regex(/^\d{2}\.\d{2}$/, 'a kabupaten/kota code such as 32.05'),
          ikmName: z.string().trim().min(1).max(200),
          sentraName: z.string().trim().min(1).max(200),
          commodity: z.enum(COMMODITIES),
          product: z.string().trim().min(1).max(200),
          sentraSize: z.number().int(),
          dinasEmail: z.email().optional(),
          previousStars: z.strictObject({ cycleId: z.string(), stars: z.number().int() }).optional(),
        }),
        response: { 201: z.object({ workflowId: z.string(), created: z.boolean() }), ...actionResponses },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      requireRole(p, ['dinas_kabkota', 'coordinator'], 'nominate');
      if (p.actor.role === 'dinas_kabkota' && req.body.regencyCode !== p.actor.region)
        throw forbidden(`you act for kabupaten/kota ${p.actor.region}, not ${req.body.regencyCode}`);
      const cycleId = req.params.id;
      const workflowId = nominationWorkflowId(cycleId, req.body.regencyCode, req.body.ikmName);
      if (await nominationExists(db, workflowId))
        throw new ApiError(409, 'refused', alreadyNominated(req.body, cycleId, workflowId));
      await requirePreviousAward(db, { ...req.body, cycleId });
      const result = await executeUpdate(
        client,
        await cycleWorkflowOf(client, cycleId),
        nominateUpdate,
        { ...req.body, cycleId, nominatedBy: p.actor },
        `the nomination ${workflowId}`,
        options.actionWaits,
      );
      // Started a moment ago by another request, before its row was written.
      if (!result.created) throw new ApiError(409, 'refused', alreadyNominated(req.body, cycleId, result.workflowId));
      return reply.code(201).send(result);
    },
  );

  r.post(
    '/api/cycles/:id/nominations/csv',
    {
      config: { rateLimit: actionLimit },
      schema: {
        summary:
          'Nominate from a CSV file (text/csv; the columns of ovop nominate --file). Every row is checked first; the answer lists each refused row with its field and reason',
        tags: ['cycles'],
        params: CycleParams,
        consumes: ['text/csv'],
        body: z.string().max(CSV_MAX_BYTES).describe('the CSV file'),
        response: {
          200: z.object({
            cycleId: z.string(),
            created: z.number(),
            unchanged: z.number(),
            refused: z.number(),
            refusals: z.array(z.object({ row: z.number().nullable(), field: z.string(), reason: z.string() })),
            rows: z.array(RowReport),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      requireRole(p, ['dinas_kabkota', 'coordinator'], 'nominate');
      const cycleId = req.params.id;
      let rows;
      try {
        rows = parseNominationsCsv(req.body, 'the CSV file');
      } catch (err) {
        if (!(err instanceof NominationsCsvError)) throw err;
        const issues = err.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
        throw invalidRequest(issues ? `${err.message} (${issues})` : err.message);
      }
      const { reports, refusals, toSend } = checkRows(rows, p.actor, cycleId);
      if (toSend.length > 0) {
        const cycleWorkflowId = await cycleWorkflowOf(client, cycleId);
        await sendRows(db, client, cycleWorkflowId, cycleId, toSend, reports, refusals, p.actor, options.actionWaits);
      }
      const byRow = (a: { row: number | null }, b: { row: number | null }) => (a.row ?? 0) - (b.row ?? 0);
      reports.sort(byRow);
      refusals.sort(byRow);
      const count = (s: RowReport['status']) => reports.filter((x) => x.status === s).length;
      return {
        cycleId,
        created: count('created'),
        unchanged: count('unchanged'),
        refused: count('refused'),
        refusals,
        rows: reports,
      };
    },
  );
}

/** A re-evaluation's claimed award is looked up before anything is sent (the cycle's start activity checks it again),
 * so a claim without record leaves no trace in Temporal or PostgreSQL. */
async function requirePreviousAward(
  db: Kysely<Database>,
  n: Pick<NominationInput, 'regencyCode' | 'ikmName' | 'previousStars'> & { cycleId: string },
): Promise<void> {
  if (!n.previousStars) return;
  const award = await previousAward(db, n);
  if (!award.ok) throw refused(award.refusal);
}

interface ToSend {
  row: number | null;
  workflowId: string;
  fields: NominationFields;
}

/** The rules `ovop nominate` applies before sending: each row valid, in the dinas's own kabupaten/kota, and neither the
 * IKM nor its sentra twice in the file. */
function checkRows(rows: ReturnType<typeof parseNominationsCsv>, actor: Actor, cycleId: string) {
  const reports: RowReport[] = [];
  const refusals: RowRefusal[] = [];
  const toSend: ToSend[] = [];
  const firstRowOf = new Map<string, number | null>();
  const firstRowOfSentra = new Map<string, number | null>();
  for (const raw of rows) {
    const v = validateRow(raw);
    if (!v.ok) {
      refusals.push(...v.refusals);
      reports.push({
        row: v.row,
        status: 'refused',
        ikmName: raw.values.ikm_name,
        regencyCode: raw.values.regency_code,
      });
      continue;
    }
    const n = v.nomination;
    const refuseRow = (field: string, reason: string) => {
      refusals.push({ row: v.row, field, reason });
      reports.push({ row: v.row, status: 'refused', ikmName: n.ikmName, regencyCode: n.regencyCode });
    };
    if (actor.role === 'dinas_kabkota' && actor.region !== n.regencyCode) {
      refuseRow(
        'regency_code',
        `dinas ${actor.region} may only nominate IKM of its own kabupaten/kota, not ${n.regencyCode}`,
      );
      continue;
    }
    const workflowId = nominationWorkflowId(cycleId, n.regencyCode, n.ikmName);
    if (firstRowOf.has(workflowId)) {
      refuseRow('ikm_name', `the same IKM of ${n.regencyCode} is already on row ${firstRowOf.get(workflowId)}`);
      continue;
    }
    const sentra = `${n.regencyCode}/${sentraKey(n.sentraName)}`;
    if (firstRowOfSentra.has(sentra)) {
      refuseRow(
        'sentra_name',
        `the same sentra of ${n.regencyCode} is already on row ${firstRowOfSentra.get(sentra)}; a sentra is proposed once per cycle`,
      );
      continue;
    }
    firstRowOf.set(workflowId, v.row);
    firstRowOfSentra.set(sentra, v.row);
    toSend.push({ row: v.row, workflowId, fields: n });
  }
  return { reports, refusals, toSend };
}

/** Sends the checked rows, a few at a time; a row the cycle refuses is reported with the field its message is about. */
async function sendRows(
  db: Kysely<Database>,
  client: Client,
  cycleWorkflowId: string,
  cycleId: string,
  toSend: ToSend[],
  reports: RowReport[],
  refusals: RowRefusal[],
  actor: Actor,
  waits: ActionWaits,
): Promise<void> {
  const queue = [...toSend];
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const { row, workflowId, fields } = item;
      const base = { row, ikmName: fields.ikmName, regencyCode: fields.regencyCode, workflowId };
      if (await nominationExists(db, workflowId)) {
        reports.push({ ...base, status: 'unchanged', note: 'already nominated' });
        continue;
      }
      try {
        await requirePreviousAward(db, { ...fields, cycleId });
        const result = await executeUpdate(
          client,
          cycleWorkflowId,
          nominateUpdate,
          { ...fields, cycleId, nominatedBy: actor },
          `the nomination of ${fields.ikmName}`,
          waits,
        );
        reports.push({
          ...base,
          status: result.created ? 'created' : 'unchanged',
          ...(result.created ? {} : { note: 'already nominated' }),
        });
      } catch (err) {
        // Accepted by the cycle and still starting: it will be created (it was not nominated a moment ago).
        if (err instanceof ApiError && err.code === 'accepted') {
          reports.push({ ...base, status: 'created', note: 'accepted; the nomination is being started' });
          continue;
        }
        if (!(err instanceof ApiError) || err.code !== 'refused') throw err;
        if (/already nominated/.test(err.message)) {
          reports.push({ ...base, status: 'unchanged', note: 'already nominated' });
        } else {
          refusals.push({ row, field: fieldOfRefusal(err.message), reason: err.message });
          reports.push({ ...base, status: 'refused' });
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, toSend.length) }, worker));
}
