/**
 * `ovop nominate --cycle C --file nominations.csv` (or one nomination by flags): validates every row, then sends each
 * valid one to the cycle as a `nominate` update in the name of the acting dinas (or coordinator).
 *
 * Re-running the same file changes nothing: an IKM already nominated in the cycle (its workflow id exists) is counted
 * as unchanged, never as an error. The summary lists every refused row with its row number, field and reason; the exit
 * code is 1 when any row was refused.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Actor, NominationInput } from '../../domain/types';
import { nominationWorkflowId, sentraKey } from '../../workflows/ids';
import { cycleStateQuery, nominateUpdate } from '../../workflows/messages';
import { formatActor } from '../actor';
import type { Context, Outcome } from '../context';
import { findCycle } from '../cycle-ref';
import { refusalMessage, refused, usage } from '../errors';
import { parseCycleId } from '../ids';
import {
  COLUMNS,
  type Column,
  FLAG_OF,
  fieldOfRefusal,
  type RawRow,
  readNominationsCsv,
  type RowRefusal,
  validateRow,
} from '../nominations-csv';
import { progress, table } from '../output';
import { formatTime } from '../time';
import { retryOnTaskFailure } from '../../common/update-retry';

export interface NominateOptions {
  cycle: string;
  file?: string;
  regency?: string;
  ikm?: string;
  sentra?: string;
  commodity?: string;
  product?: string;
  sentraSize?: string;
  dinasEmail?: string;
  previousCycle?: string;
  previousStars?: string;
}

type RowStatus = 'created' | 'unchanged' | 'refused';
interface RowReport {
  row: number | null;
  status: RowStatus;
  ikmName?: string;
  regencyCode?: string;
  workflowId?: string;
  note?: string;
}

const FLAG_KEYS: Record<Column, keyof NominateOptions> = {
  regency_code: 'regency',
  ikm_name: 'ikm',
  sentra_name: 'sentra',
  commodity: 'commodity',
  product: 'product',
  sentra_size: 'sentraSize',
  dinas_email: 'dinasEmail',
  previous_cycle: 'previousCycle',
  previous_stars: 'previousStars',
};

/** Rows sent at once; each is one update, answered after the cycle's `startNomination` activity. */
const CONCURRENCY = 4;

export async function nominate(ctx: Context, opts: NominateOptions): Promise<Outcome> {
  const cycleId = parseCycleId(opts.cycle);
  const actor = ctx.actor();
  const rows = readRows(opts);
  if (actor.role !== 'dinas_kabkota' && actor.role !== 'coordinator') {
    throw refused(
      `role ${actor.role} may not nominate; a dinas kabupaten/kota nominates the IKM of its own kabupaten/kota (a coordinator may nominate for any)`,
    );
  }
  const fromFlags = opts.file === undefined;

  // 1. Validate every row before sending anything.
  const reports: RowReport[] = [];
  const refusals: RowRefusal[] = [];
  const toSend: { row: number | null; input: NominationInput; workflowId: string }[] = [];
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
    const refuseRow = (field: Column, reason: string) => {
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
    toSend.push({ row: v.row, workflowId, input: { ...n, cycleId, nominatedBy: actor } });
  }

  // 2. The cycle must exist and take nominations.
  const cycle = (await findCycle(ctx, cycleId)).handle;
  const state = await ctx.call(cycle.query(cycleStateQuery), `the state query of cycle ${cycleId}`);
  if (!state.intakeOpen && toSend.length > 0)
    throw refused(
      `intake for cycle ${cycleId} is closed (since ${formatTime(state.intakeClosesAt, state.timezone)}); nothing was sent`,
    );

  // 3. Send the valid rows.
  const bar = progress(toSend.length, 'nominating', { json: ctx.json });
  const queue = [...toSend];
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const { row, input, workflowId } = item;
      const base = { row, ikmName: input.ikmName, regencyCode: input.regencyCode, workflowId };
      if (await exists(ctx, workflowId)) {
        reports.push({ ...base, status: 'unchanged', note: 'already nominated' });
      } else {
        try {
          const result = await ctx.call(
            retryOnTaskFailure(() => cycle.executeUpdate(nominateUpdate, { args: [input] })),
            `the nomination of ${input.ikmName}`,
          );
          reports.push({
            ...base,
            status: result.created ? 'created' : 'unchanged',
            ...(result.created ? {} : { note: 'already nominated' }),
          });
        } catch (err) {
          if (!(err instanceof WorkflowUpdateFailedError)) throw err;
          const reason = refusalMessage(err);
          if (/already nominated/.test(reason)) {
            reports.push({ ...base, status: 'unchanged', note: 'already nominated' });
          } else {
            refusals.push({ row, field: fieldOfRefusal(reason), reason });
            reports.push({ ...base, status: 'refused' });
          }
        }
      }
      bar.increment(input.ikmName);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, toSend.length) }, worker));
  } finally {
    bar.stop();
  }

  // 4. Summary.
  const byRow = (a: { row: number | null }, b: { row: number | null }) => (a.row ?? 0) - (b.row ?? 0);
  reports.sort(byRow);
  refusals.sort(byRow);
  const count = (s: RowStatus) => reports.filter((r) => r.status === s).length;
  const summary = { created: count('created'), unchanged: count('unchanged'), refused: count('refused') };
  const shownRefusals = fromFlags
    ? refusals.map((r) => ({ ...r, field: FLAG_OF[r.field as Column] ?? r.field }))
    : refusals;
  return {
    exitCode: summary.refused > 0 ? 1 : 0,
    json: {
      cycleId,
      source: opts.file ?? 'flags',
      actor: formatActor(actor),
      ...summary,
      refusals: shownRefusals,
      rows: reports,
    },
    text: render({ cycleId, source: opts.file, actor, summary, refusals: shownRefusals, reports }),
  };
}

function readRows(opts: NominateOptions): RawRow[] {
  const flagged = COLUMNS.filter((c) => opts[FLAG_KEYS[c]] !== undefined);
  if (opts.file !== undefined) {
    if (flagged.length > 0)
      throw usage(
        `give either --file or the single-nomination flags, not both (${flagged.map((c) => FLAG_OF[c]).join(', ')})`,
      );
    return readNominationsCsv(opts.file);
  }
  if (flagged.length === 0) {
    throw usage(
      'give the nominations: --file nominations.csv, or one by --regency --ikm --sentra --commodity --product --sentra-size',
    );
  }
  const required: Column[] = ['regency_code', 'ikm_name', 'sentra_name', 'commodity', 'product', 'sentra_size'];
  const missing = required.filter((c) => opts[FLAG_KEYS[c]] === undefined);
  if (missing.length > 0) throw usage(`a single nomination also needs ${missing.map((c) => FLAG_OF[c]).join(', ')}`);
  const values = Object.fromEntries(COLUMNS.map((c) => [c, (opts[FLAG_KEYS[c]] as string | undefined) ?? '']));
  return [{ row: null, values }];
}

async function exists(ctx: Context, workflowId: string): Promise<boolean> {
  const { client } = await ctx.temporal();
  try {
    await ctx.call(client.workflow.getHandle(workflowId).describe(), `the lookup of ${workflowId}`);
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

function render(r: {
  cycleId: string;
  source?: string;
  actor: Actor;
  summary: { created: number; unchanged: number; refused: number };
  refusals: RowRefusal[];
  reports: RowReport[];
}): string {
  const { created, unchanged, refused: refusedCount } = r.summary;
  const total = r.reports.length;
  const lines = [
    `Nominations for cycle ${r.cycleId}${r.source ? ` from ${r.source}` : ''}, as ${formatActor(r.actor)}:`,
  ];
  lines.push(
    `  created ${created}, unchanged ${unchanged}, refused ${refusedCount} (of ${total} row${total === 1 ? '' : 's'})`,
  );
  if (created === 0 && unchanged > 0 && refusedCount === 0) {
    lines.push(
      `  nothing changed: ${unchanged === 1 ? 'this IKM was' : `all ${unchanged} IKM were`} already nominated in cycle ${r.cycleId}`,
    );
  }
  const accepted = r.reports.filter((x) => x.status !== 'refused');
  if (accepted.length > 0 && accepted.length <= 50) {
    lines.push(
      '',
      table(
        ['row', 'status', 'ikm', 'nomination'],
        accepted.map((x) => [x.row ?? '-', x.status, x.ikmName, x.workflowId]),
      ),
    );
  } else if (accepted.length > 50) {
    lines.push('', `(${accepted.length} nominations; --json lists their ids)`);
  }
  if (r.refusals.length > 0) {
    lines.push(
      '',
      'Refused:',
      table(
        ['row', 'field', 'reason'],
        r.refusals.map((x) => [x.row ?? '-', x.field, x.reason]),
      ),
    );
    if (r.source)
      lines.push('', `Fix those rows and run the same command again: rows already nominated stay unchanged.`);
  }
  return lines.join('\n');
}
