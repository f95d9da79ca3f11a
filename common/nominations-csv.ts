/**
 * Nomination rows, from a CSV file or from the single-nomination flags, validated row by row (zod) before anything is
 * sent, so that one bad row is reported with its row number, field and reason while the good rows still go through.
 *
 * Columns: regency_code, ikm_name, sentra_name, commodity, product, sentra_size (required) and dinas_email,
 * previous_cycle, previous_stars (optional). Row numbers are line numbers in the file: the header is row 1. Lines
 * starting with `#` are comments; `;` is accepted as the separator (spreadsheets in Indonesian locales write it).
 */
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { REGENCY_CODE } from '../domain/region-codes';
import { loadRegions } from '../domain/regions';
import { COMMODITIES, type NominationInput } from '../domain/types';
import { textProblem } from '../domain/text';

/** A file that is not a nominations CSV at all (unreadable, empty, wrong columns): nothing of it is nominated. */
export class NominationsCsvError extends Error {
  override name = 'NominationsCsvError';
  constructor(
    message: string,
    /** Each problem of the header, by column. */
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}
const usage = (message: string, issues?: { path: string; message: string }[]) =>
  new NominationsCsvError(message, issues);
const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0];

export const COLUMNS = [
  'regency_code',
  'ikm_name',
  'sentra_name',
  'commodity',
  'product',
  'sentra_size',
  'dinas_email',
  'previous_cycle',
  'previous_stars',
] as const;
export type Column = (typeof COLUMNS)[number];
const REQUIRED: readonly Column[] = ['regency_code', 'ikm_name', 'sentra_name', 'commodity', 'product', 'sentra_size'];

/** One row as read: its row number (null for flags) and its cells by column. */
export interface RawRow {
  row: number | null;
  values: Partial<Record<Column, string>>;
  /** Set when the row could not even be split into the header's columns. */
  shapeProblem?: string;
}

export interface RowRefusal {
  row: number | null;
  field: string;
  reason: string;
}

/** A nomination minus what the command adds (cycle and actor). */
export type NominationFields = Omit<NominationInput, 'cycleId' | 'nominatedBy'>;

export type ValidatedRow =
  | { row: number | null; ok: true; nomination: NominationFields }
  | { row: number | null; ok: false; refusals: RowRefusal[] };

/** The rows of a CSV text; `path` names it in messages (a file, or the API's request body). */
export function parseNominationsCsv(text: string, path: string): RawRow[] {
  const firstLineOfData = text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trimStart().startsWith('#')) ?? '';
  const delimiter = firstLineOfData.split(';').length > firstLineOfData.split(',').length ? ';' : ',';
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      delimiter,
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    throw usage(`${path} is not a readable CSV file: ${firstLine(err)}`);
  }
  if (records.length === 0) throw usage(`${path} is empty; the first line must name the columns: ${COLUMNS.join(',')}`);

  const header = records[0].record.map((h) => h.trim().toLowerCase());
  const unknown = header.filter((h) => !(COLUMNS as readonly string[]).includes(h));
  const missing = REQUIRED.filter((c) => !header.includes(c));
  const duplicated = header.filter((h, i) => header.indexOf(h) !== i);
  const issues = [
    ...missing.map((c) => ({ path: c, message: 'required column is missing' })),
    ...unknown.map((c) => ({ path: c || '(empty)', message: 'unknown column (check the spelling)' })),
    ...duplicated.map((c) => ({ path: c, message: 'column appears twice' })),
  ];
  if (issues.length > 0) {
    throw usage(
      `${path} has a bad header line; expected the columns ${COLUMNS.join(',')} (the last three optional)`,
      issues,
    );
  }
  if (records.length === 1) throw usage(`${path} has a header but no rows`);

  return records.slice(1).map(({ record, info }) => {
    const values: Partial<Record<Column, string>> = {};
    header.forEach((column, i) => (values[column as Column] = record[i] ?? ''));
    const shapeProblem =
      record.length === header.length
        ? undefined
        : `has ${record.length} fields where the header has ${header.length} (a comma inside a name needs "quotes")`;
    return { row: info.lines, values, shapeProblem };
  });
}

// ── validation ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** `Makanan & Minuman`, `makanan-minuman`, `Kain Tenun` → the config's commodity codes. */
export function normalizeCommodity(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/\s*(&|dan)\s*/g, '_')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

const ifSound = { when: (payload: z.core.ParsePayload) => payload.issues.length === 0 };

function rowSchema() {
  const { regencies } = loadRegions();
  const requiredText = (max: number) =>
    z
      .string()
      .trim()
      .min(1, 'is required')
      .max(max, `must be at most ${max} characters`)
      .refine((v) => textProblem(v, 'it', { max }) === null, {
        message: 'contains control or text-direction characters, or nothing visible',
        ...ifSound,
      });
  return z
    .object({
      regency_code: z
        .string()
        .trim()
        .min(1, 'is required')
        .regex(REGENCY_CODE, 'must be a Kemendagri kabupaten/kota code such as 32.05')
        .refine((code) => Object.hasOwn(regencies, code), {
          message: 'is not a known Kemendagri kabupaten/kota code',
          ...ifSound,
        }),
      ikm_name: requiredText(200).refine((v) => /[A-Za-z0-9]/.test(v), {
        message: 'must contain a letter or digit',
        ...ifSound,
      }),
      sentra_name: requiredText(200),
      commodity: z
        .string()
        .trim()
        .min(1, 'is required')
        .transform(normalizeCommodity)
        .pipe(
          z.enum(COMMODITIES, {
            error: (issue) => `must be one of ${COMMODITIES.join(', ')}, got "${String(issue.input)}"`,
          }),
        ),
      product: requiredText(200),
      sentra_size: z
        .string()
        .trim()
        .min(1, 'is required')
        .regex(/^\d{1,7}$/, 'must be a whole number of businesses (at most 1,000,000)')
        .transform(Number)
        .pipe(
          z
            .number()
            .min(5, {
              error: (issue) =>
                `a sentra must count at least 5 businesses making the same product, got ${String(issue.input)}`,
            })
            .max(1_000_000, 'must be at most 1,000,000'),
        ),
      dinas_email: z
        .string()
        .trim()
        .max(254, 'must be at most 254 characters')
        .refine((v) => v === '' || z.email().safeParse(v).success, 'must be an email address')
        .transform((v) => v || undefined),
      previous_cycle: z
        .string()
        .trim()
        .refine((v) => v === '' || /^[a-z0-9-]+$/.test(v), 'must be a cycle id such as ovop-2025')
        .transform((v) => v || undefined),
      previous_stars: z
        .string()
        .trim()
        .refine((v) => v === '' || /^[1-5]$/.test(v), 'must be a star level from 1 to 5')
        .transform((v) => (v === '' ? undefined : Number(v))),
    })
    .superRefine((r, ctx) => {
      if (r.previous_cycle !== undefined && r.previous_stars === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['previous_stars'],
          message: 'is required when previous_cycle is given (the stars held from that cycle)',
        });
      }
      if (r.previous_stars !== undefined && r.previous_cycle === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['previous_cycle'],
          message: 'is required when previous_stars is given (the cycle that awarded them)',
        });
      }
    });
}

let schema: ReturnType<typeof rowSchema> | undefined;

export function validateRow(raw: RawRow): ValidatedRow {
  if (raw.shapeProblem)
    return { row: raw.row, ok: false, refusals: [{ row: raw.row, field: '(row)', reason: raw.shapeProblem }] };
  schema ??= rowSchema();
  const values = Object.fromEntries(COLUMNS.map((c) => [c, raw.values[c] ?? '']));
  const result = schema.safeParse(values);
  if (!result.success) {
    const refusals = result.error.issues.map((issue) => ({
      row: raw.row,
      field: String(issue.path[0] ?? '(row)'),
      reason: issue.message,
    }));
    return { row: raw.row, ok: false, refusals };
  }
  const r = result.data;
  return {
    row: raw.row,
    ok: true,
    nomination: {
      regencyCode: r.regency_code,
      ikmName: r.ikm_name,
      sentraName: r.sentra_name,
      commodity: r.commodity,
      product: r.product,
      sentraSize: r.sentra_size,
      ...(r.dinas_email ? { dinasEmail: r.dinas_email } : {}),
      ...(r.previous_cycle && r.previous_stars
        ? { previousStars: { cycleId: r.previous_cycle, stars: r.previous_stars } }
        : {}),
    },
  };
}

/** The field a workflow validator's refusal is about, from its wording (see workflows/cycle-intake.ts). */
export function fieldOfRefusal(message: string): string {
  const rules: [RegExp, Column | '(cycle)'][] = [
    [/intake for cycle|this is cycle/, '(cycle)'],
    [/^sentra .* has a nomination in this cycle already/, 'sentra_name'],
    [/^a sentra must count/, 'sentra_size'],
    [/regency code|kabupaten\/kota|socialization session|^dinas /, 'regency_code'],
    [/ikmName|already nominated/, 'ikm_name'],
    [/sentraName/, 'sentra_name'],
    [/^product /, 'product'],
    [/commodity/, 'commodity'],
    [/a sentra must count/, 'sentra_size'],
    [/dinasEmail/, 'dinas_email'],
    [/previousStars/, 'previous_stars'],
  ];
  return rules.find(([re]) => re.test(message))?.[1] ?? '(row)';
}

/** The flag that sets a column, for messages about a single nomination given by flags. */
export const FLAG_OF: Record<Column, string> = {
  regency_code: '--regency',
  ikm_name: '--ikm',
  sentra_name: '--sentra',
  commodity: '--commodity',
  product: '--product',
  sentra_size: '--sentra-size',
  dinas_email: '--dinas-email',
  previous_cycle: '--previous-cycle',
  previous_stars: '--previous-stars',
};
