/**
 * `ovop nominate --cycle C --file nominations.csv` (or one nomination by flags): sends the file to the API
 * (POST /api/cycles/<cycle>/nominations/csv), which checks every row and nominates the valid ones in the name of the
 * token's dinas (or coordinator); the flags become a one-row file.
 *
 * Re-running the same file changes nothing: an IKM already nominated in the cycle is counted as unchanged, never as an
 * error. The summary lists every refused row with its row number, field and reason; the exit code is 1 when any row
 * was refused.
 */
import { readFileSync } from 'node:fs';
import { cyclePath } from '../api-client';
import type { Context, Outcome } from '../context';
import { firstLine, usage } from '../errors';
import { parseCycleId } from '../ids';
import { COLUMNS, type Column, FLAG_OF, type RowRefusal } from '../../common/nominations-csv';
import { csv, table } from '../output';

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

/** The API's answer to a CSV file. */
interface IntakeAnswer {
  cycleId: string;
  created: number;
  unchanged: number;
  refused: number;
  refusals: RowRefusal[];
  rows: RowReport[];
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

export async function nominate(ctx: Context, opts: NominateOptions): Promise<Outcome> {
  const cycleId = parseCycleId(opts.cycle);
  const fromFlags = opts.file === undefined;
  const flagged = COLUMNS.filter((c) => opts[FLAG_KEYS[c]] !== undefined);
  if (!fromFlags && flagged.length > 0)
    throw usage(
      `give either --file or the single-nomination flags, not both (${flagged.map((c) => FLAG_OF[c]).join(', ')})`,
    );
  const text = fromFlags ? csvOfFlags(opts) : readFile(opts.file!);
  ctx.subject = { kind: 'cycle', id: cycleId };
  const answer = await ctx.api().request<IntakeAnswer>('POST', cyclePath(cycleId, '/nominations/csv'), {
    body: text,
    contentType: 'text/csv',
  });
  // A nomination by flags is no file: its refusals name the flags, and it has no row number.
  const shown: IntakeAnswer = fromFlags
    ? {
        ...answer,
        refusals: answer.refusals.map((r) => ({ ...r, row: null, field: FLAG_OF[r.field as Column] ?? r.field })),
        rows: answer.rows.map((r) => ({ ...r, row: null })),
      }
    : answer;
  return {
    exitCode: answer.refused > 0 ? 1 : 0,
    json: { ...shown, source: opts.file ?? 'flags' },
    text: render({
      cycleId,
      source: opts.file,
      summary: { created: answer.created, unchanged: answer.unchanged, refused: answer.refused },
      refusals: shown.refusals,
      reports: shown.rows,
    }),
  };
}

function readFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw usage(`cannot read ${path}: ${firstLine(err)}`);
  }
}

/** The single-nomination flags as a CSV file of one row. */
function csvOfFlags(opts: NominateOptions): string {
  const flagged = COLUMNS.filter((c) => opts[FLAG_KEYS[c]] !== undefined);
  if (flagged.length === 0) {
    throw usage(
      'give the nominations: --file nominations.csv, or one by --regency --ikm --sentra --commodity --product --sentra-size',
    );
  }
  const required: Column[] = ['regency_code', 'ikm_name', 'sentra_name', 'commodity', 'product', 'sentra_size'];
  const missing = required.filter((c) => opts[FLAG_KEYS[c]] === undefined);
  if (missing.length > 0) throw usage(`a single nomination also needs ${missing.map((c) => FLAG_OF[c]).join(', ')}`);
  return `${csv([...COLUMNS], [COLUMNS.map((c) => (opts[FLAG_KEYS[c]] as string | undefined) ?? '')])}\n`;
}

function render(r: {
  cycleId: string;
  source?: string;
  summary: { created: number; unchanged: number; refused: number };
  refusals: RowRefusal[];
  reports: RowReport[];
}): string {
  const { created, unchanged, refused: refusedCount } = r.summary;
  const total = r.reports.length;
  const lines = [`Nominations for cycle ${r.cycleId}${r.source ? ` from ${r.source}` : ''}:`];
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
