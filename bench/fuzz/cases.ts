/**
 * Seeded, deterministic generators of INVALID input for every actor action of the engine: the nine nomination Updates,
 * the cycle's `nominate` Update, and rows of the `ovop nominate` CSV file. Each case is labelled with its category
 * (wrong types, empty or oversize strings, odd unicode, SQL-looking text, wrong actor, another province, wrong stage,
 * bad values, duplicates) and names the single defect it carries, so that a refusal can be traced to one rule.
 *
 * Pure: no I/O, no clock, no Math.random. The same seed and the same world give the same cases (mulberry32 of
 * bench/shared/random.ts), so a failing case is reproduced by its seed and index. bench/fuzz/runner.ts sends them;
 * test/integration/fuzz.test.ts runs a CI-sized slice; bench/fuzz/main.ts (`npm run fuzz -- --n 1000`) runs many.
 *
 * A case that the engine accepts although it is invalid is a finding. Findings already reported, and not yet fixed in
 * the engine, are listed in KNOWN_ENGINE_GAPS: npm test shows them as todo instead of sending them (an accepted case
 * changes its nomination, or leaves it retrying an activity forever); the bench sends them and counts them.
 */
import { provinceOf } from '../../domain/region-codes';
import type { Actor, CycleConfig, DeadlineStage, Stage } from '../../domain/types';
import { mulberry32 } from '../shared/random';
import { COLUMNS, type Column } from '../../common/nominations-csv';

// ── PRNG ────────────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Draws from mulberry32. `pick` is stratified: the first pick from a list (known by its contents) starts at a random
 * element, and later picks from the same list take the following elements in turn, so that a run of N cases covers
 * every variant of a list about as often as every other, instead of leaving some undrawn by chance.
 */
export class Rng {
  private readonly next: () => number;
  private readonly turns = new Map<string, number>();
  constructor(readonly seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('Rng.pick from an empty list');
    return xs[this.turn(`${xs.length}:${xs.map(labelOf).join('\u0001')}`, xs.length)];
  }
  /** Stratified choice among `n` ways of the choice named `key`: a random start, then each way in turn. */
  turn(key: string, n: number): number {
    const t = this.turns.get(key) ?? Math.floor(this.next() * n);
    this.turns.set(key, t + 1);
    return t % n;
  }
  shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

function labelOf(x: unknown): string {
  if (x && typeof x === 'object') {
    const o = x as {
      what?: unknown;
      name?: unknown;
      key?: unknown;
      update?: unknown;
      category?: unknown;
      field?: unknown;
    };
    return String(o.what ?? o.name ?? o.key ?? `${String(o.update)}/${String(o.category)}/${String(o.field)}`).slice(
      0,
      60,
    );
  }
  return String(x).slice(0, 60);
}

// ── vocabulary ──────────────────────────────────────────────────────────────────────────────────────────────────────

export const UPDATE_NAMES = [
  'attendSocialization',
  'submitDocument',
  'reviewDocuments',
  'submitScores',
  'verifyField',
  'determineStars',
  'withdraw',
  'extendDeadline',
  'resolveHold',
  'nominate',
] as const;
export type UpdateName = (typeof UPDATE_NAMES)[number];

export const CATEGORIES = [
  'wrong-type',
  'empty-string',
  'oversize-string',
  'odd-unicode',
  'sql-text',
  'wrong-actor',
  'other-province',
  'wrong-stage',
  'bad-value',
  'duplicate',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const CSV_CATEGORIES = [
  'wrong-type',
  'empty-string',
  'oversize-string',
  'odd-unicode',
  'sql-text',
  'unknown-regency',
  'other-province',
  'wrong-actor',
  'bad-value',
  'malformed-row',
] as const;
export type CsvCategory = (typeof CSV_CATEGORIES)[number];

/** The live things cases are sent to: nominations held in one stage each, and two award cycles. */
export type NominationTargetKey =
  'socialization' | 'documents' | 'review' | 'revision' | 'assessment' | 'field' | 'recommended' | 'hold';
export type CycleTargetKey = 'cycle' | 'closedCycle';
export type TargetKey = NominationTargetKey | CycleTargetKey;
export const NOMINATION_TARGETS: readonly NominationTargetKey[] = [
  'socialization',
  'documents',
  'review',
  'revision',
  'assessment',
  'field',
  'recommended',
  'hold',
];

/** What the generator needs to know of one live nomination (runner.ts builds it from the state query). */
export interface NominationTarget {
  key: NominationTargetKey;
  stage: Stage;
  onHold: boolean;
  regencyCode: string;
  commodity: string;
  /** The stage of the deadline now running (extendDeadline's valid `stage`). */
  deadlineStage: DeadlineStage;
  /** Kinds the dinas may submit now (the first is the base of submitDocument cases). */
  submittable: string[];
  /** Kinds already submitted in the current round. */
  submitted: string[];
  /** Checklist kinds not required for this commodity. */
  notRequired: string[];
  assessors: string[];
  scoredBy: string[];
  recommendedStars: number | null;
}

export interface CycleTarget {
  key: CycleTargetKey;
  cycleId: string;
  /** An IKM already nominated in this run of the cycle (duplicates of it are refused). */
  nominated?: { regencyCode: string; ikmName: string };
}

export interface FuzzWorld {
  sessions: string[];
  checklist: string[];
  criteria: string[];
  scale: { min: number; max: number };
  /** Assessor pool with home provinces. */
  assessors: { id: string; province: string }[];
  nominations: NominationTarget[];
  cycles: CycleTarget[];
}

/** The parts of a cycle config the generator reads. */
export function worldRules(
  config: CycleConfig,
): Pick<FuzzWorld, 'sessions' | 'checklist' | 'criteria' | 'scale' | 'assessors'> {
  return {
    sessions: config.sessions.map((s) => s.id),
    checklist: config.documents.checklist.map((d) => d.kind),
    criteria: config.assessment.aspects.flatMap((a) => a.criteria.map((c) => c.id)),
    scale: { ...config.assessment.scale },
    assessors: config.assessment.assessors.map((a) => ({ id: a.id, province: a.province })),
  };
}

// ── values ──────────────────────────────────────────────────────────────────────────────────────────────────────────

export const COORDINATOR: Actor = { role: 'coordinator', id: 'koordinator-fuzz', region: '00' };
export const dinas = (regencyCode: string): Actor => ({
  role: 'dinas_kabkota',
  id: `disperin-${regencyCode}`,
  region: regencyCode,
});

/** Regencies of other provinces (Tanah Datar, Kota Yogyakarta, Lombok Barat, Wajo, Toba) and of the same province. */
const OTHER_PROVINCE_REGENCIES = ['13.04', '34.71', '52.01', '73.13', '12.12'];
const sameProvinceRegency = (code: string) => (code === '32.04' ? '32.05' : `${provinceOf(code)}.04`);
const otherProvinceRegency = (rng: Rng, code: string) =>
  rng.pick(OTHER_PROVINCE_REGENCIES.filter((r) => provinceOf(r) !== provinceOf(code)));

/** A valid SHA-256 (of the empty string); the checksum of every base document. */
export const SHA256_EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const FUTURE = '2099-01-01T00:00:00+07:00';

/** Characters that look harmless and are not. `edge` is false for those a trimming parser drops at a string's edge. */
export const ODD_CHARS: { name: string; ch: string; edge: boolean }[] = [
  { name: 'a right-to-left override', ch: '\u202E', edge: true },
  { name: 'a zero-width joiner', ch: '\u200D', edge: true },
  { name: 'a zero-width space', ch: '\u200B', edge: true },
  { name: 'an emoji', ch: '\u{1F9F5}', edge: true },
  { name: 'an emoji ZWJ sequence', ch: '\u{1F469}\u{1F3FD}\u200D\u{1F527}', edge: true },
  { name: 'a NUL', ch: '\u0000', edge: true },
  { name: 'a combining acute accent', ch: '\u0301', edge: true },
  { name: 'a byte-order mark', ch: '\uFEFF', edge: false },
  { name: 'a lone surrogate', ch: '\uD83D', edge: true },
  { name: 'an ideographic space', ch: '\u3000', edge: false },
];

export const SQL_SNIPPETS = [
  "'; DROP TABLE nominations; --",
  "' OR '1'='1",
  '1; DELETE FROM nomination_events WHERE 1=1; --',
  '"; TRUNCATE documents; --',
  "') UNION SELECT * FROM cycles --",
];

const OVERSIZE = 10_000;

/** `valid` with an odd character inserted; strictly inside the string when `inside` (a trimming parser keeps it). */
function withOdd(rng: Rng, valid: string, inside = false): { value: string; what: string } {
  const odd = rng.pick(inside ? ODD_CHARS : ODD_CHARS.filter((o) => o.edge));
  const at = inside ? rng.int(1, Math.max(1, valid.length - 1)) : rng.int(0, valid.length);
  return { value: valid.slice(0, at) + odd.ch + valid.slice(at), what: `with ${odd.name} at ${at}` };
}

/** ASCII letters and digits as their fullwidth forms: looks the same, is not. */
export function fullwidth(text: string): string {
  return text.replace(/[0-9A-Za-z]/g, (c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0));
}

const WRONG_TYPES_FOR_STRING: { what: string; value: unknown }[] = [
  { what: 'missing', value: undefined },
  { what: 'null', value: null },
  { what: 'a number', value: 42 },
  { what: 'a boolean', value: true },
  { what: 'an array', value: ['x'] },
  { what: 'an object', value: { value: 'x' } },
];
const WRONG_TYPES_FOR_NUMBER: { what: string; value: unknown }[] = [
  { what: 'missing', value: undefined },
  { what: 'null', value: null },
  { what: 'a numeric string', value: '12' },
  { what: 'a word', value: 'abc' },
  { what: 'a boolean', value: true },
  { what: 'an array', value: [12] },
  { what: 'an object', value: { n: 12 } },
];
const EMPTY_STRINGS: { what: string; value: string }[] = [
  { what: 'empty', value: '' },
  { what: 'blank', value: '   ' },
  { what: 'tabs and an ideographic space', value: '\t\u3000\t' },
];
/** Invalid whole arguments: every update takes one object. */
const WRONG_ARGUMENTS: { what: string; value: unknown }[] = [
  { what: 'null', value: null },
  { what: 'a string', value: 'attend' },
  { what: 'a number', value: 7 },
  { what: 'an array', value: [] },
  { what: 'missing', value: undefined },
];

// ── cases ───────────────────────────────────────────────────────────────────────────────────────────────────────────

export interface UpdateCase {
  /** `u0042`: the index in the generated list; with the seed, enough to reproduce the case. */
  id: string;
  update: UpdateName;
  category: Category;
  /** The field the defect is in (`actor.region`, `sessionId`, `(argument)`, …). */
  field: string;
  /** The defect, in words. */
  what: string;
  target: TargetKey;
  arg: unknown;
  /** What the refusal must name: the field or rule the case broke (a refusal for another reason proves nothing). */
  expects: RegExp;
  label: string;
}

type Obj = Record<string, unknown>;
/** One way to break one update: the categories it belongs to and how to build the argument for a target. */
interface Mutation {
  update: UpdateName;
  category: Category;
  field: string;
  /** Targets it may be sent to. */
  targets: (w: FuzzWorld) => TargetKey[];
  make: (rng: Rng, t: Target, ctx: MakeContext) => Made | undefined;
}
/** A case's argument and defect; `expects` where the refusal names something else than NAMED_BY[field]. */
type Made = { arg: unknown; what: string; expects?: RegExp };

/** A string matched literally. */
const lit = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

/**
 * The words a refusal of a defect in each field uses (workflows/nomination-rules.ts, validation.ts, the cycle's
 * `nominate` validator). A case whose refusal legitimately names something else says so in its own `expects`.
 */
const NAMED_BY: Record<string, RegExp> = {
  '(argument)': /^actor is missing$|^nomination is missing$/,
  '(stage)': /; this action needs | is on hold after the |^this nomination is not on hold$/,
  '(intake)': /^intake for cycle \S+ is closed$/,
  actor: /^actor (is missing|role|id|region)\b/,
  sessionId: /\bsession\b/,
  kind: /\bdocument kind\b/,
  fileName: /^file name\b/,
  checksum: /^checksum must be\b/,
  sizeBytes: /^size must be\b/,
  decision: /^decision must be\b/,
  reason: /\breason\b/,
  scores: /^invalid scores: /,
  passed: /^passed must be\b/,
  stars: /^stars must be\b/,
  stage: /^stage must be\b/,
  until: /^until\b|^the new deadline must be\b/,
  regencyCode: /^unknown regency code\b/,
  ikmName: /^ikmName\b/,
  sentraName: /^sentraName\b/,
  product: /^product\b/,
  commodity: /^commodity must be\b/,
  sentraSize: /^a sentra must count\b/,
  dinasEmail: /^dinasEmail\b/,
  previousStars: /^previousStars\b/,
  cycleId: /^this is cycle \S+, not\b/,
  // The nominator's actor, its role, or its regency: the rules that name who nominates.
  nominatedBy:
    /^actor (is missing|role|id|region)\b|^role \S+ may not nominate\b|^dinas \S+ may only nominate IKM of its own\b/,
};

/** What a refusal of a case in `field` must match. */
export function expectationOf(field: string): RegExp {
  const re = NAMED_BY[field];
  if (!re) throw new Error(`bench/fuzz/cases.ts: no NAMED_BY entry for field ${field}`);
  return re;
}
type Target = NominationTarget | CycleTarget;
interface MakeContext {
  world: FuzzWorld;
  /** Index of the case being made (unique IKM names for nominate cases). */
  index: number;
  seed: number;
}

const nom = (t: Target) => t as NominationTarget;
const cyc = (t: Target) => t as CycleTarget;

function setPath(base: Obj, path: string, value: unknown): Obj {
  const out: Obj = JSON.parse(JSON.stringify(base));
  const parts = path.split('.');
  let at: Obj = out;
  for (const p of parts.slice(0, -1)) at = at[p] as Obj;
  const last = parts.at(-1)!;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return out;
}

/** Which updates a nomination in each stage accepts (the allowed targets of a valid-looking argument). */
const ALLOWED: Record<Exclude<UpdateName, 'nominate'>, (t: NominationTarget) => boolean> = {
  attendSocialization: (t) => !t.onHold && t.stage === 'AWAITING_SOCIALIZATION',
  submitDocument: (t) =>
    !t.onHold && (t.stage === 'AWAITING_DOCUMENTS' || t.stage === 'REVISION_REQUESTED') && t.submittable.length > 0,
  reviewDocuments: (t) => !t.onHold && t.stage === 'UNDER_REVIEW',
  submitScores: (t) => !t.onHold && t.stage === 'IN_ASSESSMENT' && t.assessors.some((a) => !t.scoredBy.includes(a)),
  verifyField: (t) => !t.onHold && t.stage === 'FIELD_VERIFICATION',
  determineStars: (t) => !t.onHold && t.stage === 'STAR_RECOMMENDED',
  withdraw: () => true,
  extendDeadline: () => true,
  resolveHold: (t) => t.onHold,
};

export type NominationUpdate = Exclude<UpdateName, 'nominate'>;

function assessorActor(world: FuzzWorld, id: string, region?: string): Actor {
  return { role: 'assessor', id, region: region ?? world.assessors.find((a) => a.id === id)?.province ?? '73' };
}

/** A valid argument of `update` for target `t` (valid as far as the target's stage allows). */
function baseArg(update: NominationUpdate, t: NominationTarget, world: FuzzWorld, variant = 0): Obj {
  switch (update) {
    case 'attendSocialization':
      return { actor: dinas(t.regencyCode), sessionId: world.sessions[0] };
    case 'submitDocument':
      return {
        actor: dinas(t.regencyCode),
        kind: t.submittable[0] ?? 'legality',
        fileName: 'dokumen-uji.pdf',
        checksum: SHA256_EMPTY,
        sizeBytes: 1200,
      };
    case 'reviewDocuments':
      return variant === 0
        ? { actor: COORDINATOR, decision: 'approve' }
        : {
            actor: COORDINATOR,
            decision: variant === 1 ? 'request_changes' : 'reject',
            reason: 'Berkas belum lengkap',
          };
    case 'submitScores': {
      const id = t.assessors.find((a) => !t.scoredBy.includes(a)) ?? world.assessors[1].id;
      return {
        actor: assessorActor(world, id),
        scores: Object.fromEntries(world.criteria.map((c) => [c, world.scale.min + 1])),
      };
    }
    case 'verifyField':
      return { actor: COORDINATOR, passed: true };
    case 'determineStars':
      return { actor: COORDINATOR };
    case 'withdraw':
      return { actor: dinas(t.regencyCode), reason: 'Pelaku usaha mengundurkan diri' };
    case 'extendDeadline':
      return { actor: COORDINATOR, stage: t.deadlineStage, until: FUTURE };
    case 'resolveHold':
      return { actor: COORDINATOR, decision: 'extend', until: FUTURE };
  }
}

/** The valid argument every case of `update` to target `t` is one defect away from (the control's input). */
export function validArg(update: NominationUpdate, t: NominationTarget, world: FuzzWorld, variant = 0): Obj {
  return baseArg(update, t, world, variant);
}

/**
 * The controls: every base input accepted once, so that a refusal of a case is the refusal of its defect and not of
 * its base. They run on the targets themselves once all their cases have been judged (nothing is left to disturb),
 * each chain's steps one after another with the target described anew before each step, so most bases are tried on
 * the very target their cases went to. `variant` is reviewDocuments' decision (0 approve, 1 request_changes, 2 reject:
 * the bases of its reason cases).
 */
export const CONTROL_CHAINS: readonly {
  target: NominationTargetKey | 'cycle';
  steps: readonly { update: UpdateName; variant?: number }[];
}[] = [
  { target: 'socialization', steps: [{ update: 'extendDeadline' }, { update: 'attendSocialization' }] },
  { target: 'documents', steps: [{ update: 'submitDocument' }, { update: 'withdraw' }] },
  { target: 'review', steps: [{ update: 'reviewDocuments', variant: 1 }] },
  { target: 'revision', steps: [{ update: 'submitDocument' }, { update: 'reviewDocuments', variant: 2 }] },
  {
    target: 'hold',
    steps: [{ update: 'resolveHold' }, { update: 'reviewDocuments', variant: 0 }, { update: 'submitScores' }],
  },
  { target: 'assessment', steps: [{ update: 'submitScores' }] },
  { target: 'field', steps: [{ update: 'verifyField' }, { update: 'determineStars' }] },
  { target: 'recommended', steps: [{ update: 'determineStars' }] },
  { target: 'cycle', steps: [{ update: 'nominate' }] },
];

/** The controls' labels, in CONTROL_CHAINS' order (known before they run, for test names). */
export function controlLabels(): string[] {
  const decisions = ['approve', 'request_changes', 'reject'];
  return CONTROL_CHAINS.flatMap((chain, i) =>
    chain.steps.map(
      (step, j) =>
        `control ${i + 1}.${j + 1}: valid ${step.update}${step.update === 'reviewDocuments' ? ` (${decisions[step.variant ?? 0]})` : ''} → ${chain.target}`,
    ),
  );
}

const DINAS_ACTIONS: NominationUpdate[] = ['attendSocialization', 'submitDocument', 'withdraw'];
const COORDINATOR_ACTIONS: NominationUpdate[] = [
  'reviewDocuments',
  'verifyField',
  'determineStars',
  'extendDeadline',
  'resolveHold',
];

function allowedTargets(update: NominationUpdate): (w: FuzzWorld) => TargetKey[] {
  return (w) => w.nominations.filter((t) => ALLOWED[update](t)).map((t) => t.key);
}

/** One way to break a field's value, given the valid value and the target. */
type Variant = (
  rng: Rng,
  valid: unknown,
  t: NominationTarget,
  w: FuzzWorld,
) => { value: unknown; what: string } | undefined;
type Variants = Partial<Record<Category, Variant>>;

/** Mutations of one field of a nomination update's argument. */
function fieldMutations(
  update: NominationUpdate,
  field: string,
  variants: Variants,
  opts: { variant?: number } = {},
): Mutation[] {
  return (Object.entries(variants) as [Category, NonNullable<(typeof variants)[Category]>][]).map(
    ([category, make]) => ({
      update,
      category,
      field,
      targets: allowedTargets(update),
      make: (rng, t, { world }) => {
        const base = baseArg(update, nom(t), world, opts.variant);
        const valid = field.split('.').reduce<unknown>((o, k) => (o as Obj | undefined)?.[k], base);
        const v = make(rng, valid, nom(t), world);
        return v && { arg: setPath(base, field, v.value), what: `${field} ${v.what}` };
      },
    }),
  );
}

/** The usual breakages of an identifier-like string field (an id, an enum value, a code). */
function identifierVariants(badValues: (t: NominationTarget, w: FuzzWorld) => string[]): Variants {
  return {
    'wrong-type': (rng: Rng) => rng.pick(WRONG_TYPES_FOR_STRING),
    'empty-string': (rng: Rng) => rng.pick(EMPTY_STRINGS),
    'oversize-string': (rng: Rng, valid: unknown) => ({
      value: String(valid) + 'x'.repeat(OVERSIZE - String(valid).length),
      what: `of ${OVERSIZE} characters`,
    }),
    'odd-unicode': (rng: Rng, valid: unknown) =>
      rng.turn('identifier-odd', 5) === 0
        ? { value: fullwidth(String(valid)), what: 'in fullwidth letters' }
        : withOdd(rng, String(valid)),
    'sql-text': (rng: Rng, valid: unknown) => {
      const sql = rng.pick(SQL_SNIPPETS);
      return rng.turn('identifier-sql', 2) === 0
        ? { value: sql, what: `= ${JSON.stringify(sql)}` }
        : { value: `${String(valid)}${sql}`, what: `followed by ${JSON.stringify(sql)}` };
    },
    'bad-value': (rng: Rng, _valid: unknown, t: NominationTarget, w: FuzzWorld) => {
      const v = rng.pick(badValues(t, w));
      return { value: v, what: `= ${JSON.stringify(v)}` };
    },
  };
}

/** Breakages of a required free-text field (a reason, a file name): what the engine must refuse. */
function requiredTextVariants(limit?: number): Variants {
  return {
    'wrong-type': (rng: Rng) => rng.pick(WRONG_TYPES_FOR_STRING),
    'empty-string': (rng: Rng) => rng.pick(EMPTY_STRINGS),
    'oversize-string': (rng: Rng) => {
      const n = limit && rng.turn(`text-oversize-${limit}`, 2) === 0 ? limit + 1 : OVERSIZE;
      return {
        value: 'A'.repeat(n),
        what: `of ${n} characters${limit ? ` (limit ${limit})` : ' (no limit documented)'}`,
      };
    },
    'odd-unicode': (rng: Rng, valid: unknown) => oddText(rng, String(valid)),
  };
}

/** Text that is odd in a way that should matter: nothing visible, a NUL (PostgreSQL cannot store it), a spoofing
 * right-to-left override, or nothing but combining marks. */
function oddText(rng: Rng, valid: string): { value: string; what: string } {
  const choices = [
    { value: '\u200B\u200D\u200B', what: 'of zero-width characters only' },
    { value: '\u0301\u0302\u0303', what: 'of combining marks only' },
    { value: '\u202E\u202E', what: 'of right-to-left overrides only' },
    { value: `${valid.slice(0, 4)}\u0000${valid.slice(4)}`, what: 'with a NUL inside' },
    {
      value: valid.endsWith('.pdf') ? 'dokumen\u202Efdp.exe' : `${valid}\u202E`,
      what: valid.endsWith('.pdf') ? 'spoofed with a right-to-left override' : 'ending in a right-to-left override',
    },
  ];
  return rng.pick(choices);
}

function instantVariants(): Variants {
  return {
    'wrong-type': (rng: Rng) =>
      rng.pick([...WRONG_TYPES_FOR_STRING, { what: 'epoch milliseconds', value: 4102444800000 }]),
    'empty-string': (rng: Rng) => rng.pick(EMPTY_STRINGS),
    'oversize-string': () => ({
      value: FUTURE + 'x'.repeat(OVERSIZE - FUTURE.length),
      what: `of ${OVERSIZE} characters starting with a date-time`,
    }),
    'odd-unicode': (rng: Rng) => {
      const r = rng.turn('instant-odd', 5);
      if (r === 0) return { value: fullwidth(FUTURE), what: 'in fullwidth digits' };
      if (r === 1) return { value: `${FUTURE}\u0000`, what: 'ending in a NUL' };
      return withOdd(rng, FUTURE);
    },
    'sql-text': (rng: Rng) => {
      const sql = rng.pick(SQL_SNIPPETS);
      return { value: `${FUTURE}${sql}`, what: `followed by ${JSON.stringify(sql)}` };
    },
    'bad-value': (rng: Rng) =>
      rng.pick([
        { value: '2001-01-01T00:00:00+07:00', what: 'in the past' },
        { value: '2099-13-01T00:00:00Z', what: 'with month 13' },
        { value: '2099-01-01T25:00:00Z', what: 'at hour 25' },
        { value: '2099-02-30T00:00:00Z', what: 'on 30 February' },
        { value: '01/01/2099', what: 'as dd/mm/yyyy' },
        { value: '2099-01-01', what: 'without a time' },
        { value: 'next week', what: 'in words' },
      ]),
  };
}

/** Mutations of the actor of a nomination update. */
function actorMutations(update: NominationUpdate): Mutation[] {
  const targets = allowedTargets(update);
  const out: Mutation[] = [];
  const add = (
    category: Category,
    field: string,
    make: (
      rng: Rng,
      t: NominationTarget,
      w: FuzzWorld,
      base: Obj,
    ) => { value: unknown; what: string; path?: string; expects?: RegExp },
  ) =>
    out.push({
      update,
      category,
      field,
      targets,
      make: (rng, t, { world }) => {
        const base = baseArg(update, nom(t), world);
        const v = make(rng, nom(t), world, base);
        // A broken actor.role is refused as "actor role …", a whole argument or actor that is not an object as
        // "actor is missing" (every nomination validator starts with the actor).
        const byPath =
          v.path === '' || v.path === undefined ? /^actor is missing$/ : lit(`${v.path.replace('.', ' ')} `);
        return {
          arg: v.path === '' ? v.value : setPath(base, v.path ?? field, v.value),
          what: v.what,
          expects: v.expects ?? byPath,
        };
      },
    });
  const actor = (base: Obj) => base.actor as Actor;

  add('wrong-type', 'actor', (rng) => {
    const r = rng.int(0, 3);
    if (r === 0)
      return {
        ...rng.pick([...WRONG_TYPES_FOR_STRING.slice(0, 3), { what: 'a string', value: 'coordinator' }]),
        what: 'actor is not an object',
      };
    const key = (['role', 'id', 'region'] as const)[r - 1];
    const wt = rng.pick(WRONG_TYPES_FOR_STRING);
    return { value: wt.value, what: `actor.${key} is ${wt.what}`, path: `actor.${key}` };
  });
  add('wrong-type', '(argument)', (rng) => {
    const wt = rng.pick(WRONG_ARGUMENTS);
    return { value: wt.value, what: `the argument is ${wt.what}`, path: '' };
  });
  add('empty-string', 'actor', (rng) => {
    const key = rng.pick(['role', 'id', 'region'] as const);
    const e = rng.pick(EMPTY_STRINGS);
    return { value: e.value, what: `actor.${key} is ${e.what}`, path: `actor.${key}` };
  });
  add('oversize-string', 'actor', (rng, _t, _w, base) => {
    const key = rng.pick(['role', 'id', 'region'] as const);
    const valid = actor(base)[key];
    const n = key === 'id' && rng.turn('actor-id-oversize', 2) === 0 ? 121 : OVERSIZE;
    return {
      value: key === 'region' ? '3'.repeat(n) : valid + 'x'.repeat(n - valid.length),
      what: `actor.${key} of ${n} characters`,
      path: `actor.${key}`,
    };
  });
  add('odd-unicode', 'actor', (rng, _t, _w, base) => {
    const r = rng.turn('actor-odd', 6);
    if (r === 0)
      return { value: fullwidth(actor(base).region), what: 'actor.region in fullwidth digits', path: 'actor.region' };
    if (r === 1) return { value: `${actor(base).id}\u0000`, what: 'actor.id ending in a NUL', path: 'actor.id' };
    if (r === 2) return { value: '\u200B', what: 'actor.id of a zero-width space only', path: 'actor.id' };
    const key = rng.pick(['role', 'region'] as const);
    const o = withOdd(rng, actor(base)[key]);
    return { value: o.value, what: `actor.${key} ${o.what}`, path: `actor.${key}` };
  });
  add('sql-text', 'actor', (rng, _t, _w, base) => {
    const key = rng.pick(['role', 'region'] as const);
    const sql = rng.pick(SQL_SNIPPETS);
    return {
      value: `${actor(base)[key]}${sql}`,
      what: `actor.${key} followed by ${JSON.stringify(sql)}`,
      path: `actor.${key}`,
    };
  });
  // Well-formed actors who may not do this: each refused by the rule that names it (its role, its province, …).
  add('wrong-actor', 'actor', (rng, t, w) => {
    const own = t.regencyCode;
    const prov = provinceOf(own);
    const roleMayNot = (role: string) => lit(`role ${role} may not `);
    const candidates: { value: Actor; what: string; expects: RegExp }[] = [
      {
        value: { role: 'auditor', id: 'auditor-bpk', region: '00' },
        what: 'an auditor',
        expects: roleMayNot('auditor'),
      },
      {
        value: { role: 'dinas_provinsi', id: `disperin-${prov}`, region: prov },
        what: 'the dinas provinsi',
        expects: roleMayNot('dinas_provinsi'),
      },
      {
        value: { role: 'system', id: 'ovop-engine', region: '00' },
        what: 'the engine itself (role system)',
        // No actor may claim the engine's role: it is not one of the roles at all.
        expects: /^actor role must be one of /,
      },
      {
        value: { role: 'admin' as Actor['role'], id: 'root', region: '00' },
        what: 'an unknown role',
        expects: /^actor role must be one of /,
      },
      {
        value: { role: 'Coordinator' as Actor['role'], id: 'koordinator-fuzz', region: '00' },
        what: 'role Coordinator (capitalised)',
        expects: /^actor role must be one of /,
      },
    ];
    if (update === 'submitScores') {
      const own = w.assessors.find((a) => a.province === prov);
      const unassigned = w.assessors.find((a) => a.province !== prov && !t.assessors.includes(a.id));
      candidates.push(
        { value: COORDINATOR, what: 'a coordinator', expects: roleMayNot('coordinator') },
        { value: dinas(t.regencyCode), what: 'the own dinas', expects: roleMayNot('dinas_kabkota') },
      );
      candidates.push({
        value: assessorActor(w, 'penilai-palsu', '73'),
        what: 'an assessor not in the pool',
        expects: lit('assessor penilai-palsu is not assigned'),
      });
      if (own)
        candidates.push({
          value: assessorActor(w, own.id),
          what: `assessor ${own.id} of the nomination's own province`,
          expects: lit(`conflict of interest: assessor ${own.id} `),
        });
      if (unassigned)
        candidates.push({
          value: assessorActor(w, unassigned.id),
          what: `unassigned assessor ${unassigned.id}`,
          expects: lit(`assessor ${unassigned.id} is not assigned`),
        });
    } else if (DINAS_ACTIONS.includes(update)) {
      candidates.push({
        value: assessorActor(w, w.assessors[1].id),
        what: 'an assessor',
        expects: roleMayNot('assessor'),
      });
      candidates.push({
        value: dinas(sameProvinceRegency(own)),
        what: `dinas ${sameProvinceRegency(own)} of the same province`,
        expects: lit(`dinas ${sameProvinceRegency(own)} may not act for ${own}`),
      });
    } else {
      candidates.push(
        { value: dinas(own), what: 'the own dinas kabupaten/kota', expects: roleMayNot('dinas_kabkota') },
        { value: assessorActor(w, w.assessors[1].id), what: 'an assessor', expects: roleMayNot('assessor') },
      );
    }
    const c = rng.pick(candidates);
    return { value: c.value, what: `actor is ${c.what}`, expects: c.expects };
  });
  add('other-province', 'actor', (rng, t, w) => {
    const other = otherProvinceRegency(rng, t.regencyCode);
    if (update === 'submitScores') {
      const own = w.assessors.find((a) => a.province === provinceOf(t.regencyCode));
      if (own)
        return {
          value: assessorActor(w, own.id, provinceOf(other)),
          what: `assessor ${own.id} of the own province claiming province ${provinceOf(other)}`,
          expects: lit(`conflict of interest: assessor ${own.id} is from province ${provinceOf(t.regencyCode)}`),
        };
    }
    if (COORDINATOR_ACTIONS.includes(update)) {
      return rng.turn('coordinator-other-province', 2) === 0
        ? {
            value: dinas(other),
            what: `actor is dinas ${other} of another province`,
            expects: lit('role dinas_kabkota may not '),
          }
        : {
            value: { role: 'dinas_provinsi', id: `disperin-${provinceOf(other)}`, region: provinceOf(other) },
            what: `actor is the dinas provinsi ${provinceOf(other)}`,
            expects: lit('role dinas_provinsi may not '),
          };
    }
    return {
      value: dinas(other),
      what: `actor is dinas ${other} of another province`,
      expects:
        update === 'submitScores'
          ? lit('role dinas_kabkota may not score')
          : lit(`dinas ${other} is in another province`),
    };
  });
  return out;
}

/** Valid-looking arguments sent to nominations in a stage (or a hold) that does not take them. */
function wrongStageMutation(update: NominationUpdate): Mutation[] {
  if (update === 'withdraw' || update === 'extendDeadline') return []; // taken in every open stage
  return [
    {
      update,
      category: 'wrong-stage',
      field: '(stage)',
      targets: (w) => w.nominations.filter((t) => !ALLOWED[update](t)).map((t) => t.key),
      make: (_rng, t, { world }) => ({
        arg: baseArg(update, nom(t), world),
        what: `a valid-looking ${update} while ${nom(t).stage}${nom(t).onHold ? ' on hold' : ''}`,
      }),
    },
  ];
}

function nominationMutations(): Mutation[] {
  const m: Mutation[] = [];
  for (const update of Object.keys(ALLOWED) as NominationUpdate[])
    m.push(...actorMutations(update), ...wrongStageMutation(update));

  m.push(
    ...fieldMutations(
      'attendSocialization',
      'sessionId',
      identifierVariants((_t, w) => [
        'sesi-9-jayapura',
        w.sessions[0].toUpperCase(),
        `${w.sessions[0]} `,
        'sesi-1',
        '*',
        `../${w.sessions[0]}`,
        w.sessions.join(','),
      ]),
    ),
  );

  m.push(
    ...fieldMutations(
      'submitDocument',
      'kind',
      identifierVariants((t) => ['ktp', 'LEGALITY', 'legality ', 'legality,halal', 'izin_usaha', ...t.notRequired]),
    ),
    ...fieldMutations('submitDocument', 'fileName', requiredTextVariants(255)),
    ...fieldMutations('submitDocument', 'checksum', {
      ...identifierVariants(() => [
        SHA256_EMPTY.toUpperCase(),
        SHA256_EMPTY.slice(1),
        `${SHA256_EMPTY}0`,
        'g'.repeat(64),
        `sha256:${SHA256_EMPTY}`,
        ` ${SHA256_EMPTY}`,
      ]),
    }),
    ...fieldMutations('submitDocument', 'sizeBytes', {
      'wrong-type': (rng) => rng.pick(WRONG_TYPES_FOR_NUMBER),
      'bad-value': (rng) =>
        rng.pick([
          { value: 0, what: '= 0' },
          { value: -1, what: '= -1' },
          { value: 3.5, what: '= 3.5' },
          { value: -0.5, what: '= -0.5' },
          { value: 2 ** 31, what: '= 2^31 (beyond the integer column)' },
          { value: 1e308, what: '= 1e308' },
        ]),
      'odd-unicode': () => ({ value: fullwidth('1200'), what: 'as fullwidth digits' }),
      'sql-text': (rng) => ({ value: `1200${rng.pick(SQL_SNIPPETS)}`, what: 'followed by SQL' }),
    }),
    {
      update: 'submitDocument',
      category: 'duplicate',
      field: 'kind',
      targets: (w) =>
        w.nominations.filter((t) => ALLOWED.submitDocument(t) && t.submitted.length > 0).map((t) => t.key),
      make: (rng, t, { world }) => {
        const kind = rng.pick(nom(t).submitted);
        return {
          arg: { ...baseArg('submitDocument', nom(t), world), kind, fileName: 'lagi.pdf' },
          what: `${kind} again in the same round`,
          expects: lit(`document ${kind} was already submitted`),
        };
      },
    },
  );

  m.push(
    ...fieldMutations(
      'reviewDocuments',
      'decision',
      identifierVariants(() => ['approved', 'APPROVE', 'request-changes', 'accept', 'maybe', 'approve,reject']),
    ),
    ...fieldMutations(
      'reviewDocuments',
      'reason',
      {
        'wrong-type': (rng) => rng.pick(WRONG_TYPES_FOR_STRING),
        'empty-string': (rng) => rng.pick(EMPTY_STRINGS),
        'odd-unicode': (rng, v) => oddText(rng, String(v)),
      },
      { variant: 1 },
    ),
    ...fieldMutations(
      'reviewDocuments',
      'reason',
      {
        'wrong-type': (rng) => rng.pick(WRONG_TYPES_FOR_STRING),
        'empty-string': (rng) => rng.pick(EMPTY_STRINGS),
        'odd-unicode': (rng, v) => oddText(rng, String(v)),
      },
      { variant: 2 },
    ),
  );

  const scores = (base: Obj) => base.scores as Obj;
  const scoreMutation = (
    category: Category,
    make: (rng: Rng, s: Obj, w: FuzzWorld) => { value: unknown; what: string; names?: string },
  ): Mutation => ({
    update: 'submitScores',
    category,
    field: 'scores',
    targets: allowedTargets('submitScores'),
    make: (rng, t, { world }) => {
      const base = baseArg('submitScores', nom(t), world);
      const v = make(rng, { ...scores(base) }, world);
      // Where the defect is in one criterion, the refusal must name it (`names`: the words it is named with).
      const expects = v.names ? new RegExp(`^invalid scores: (.*; )?${lit(v.names).source}`) : undefined;
      return { arg: { ...base, scores: v.value }, what: `scores ${v.what}`, expects };
    },
  });
  /** An own enumerable property, so that `__proto__` and `constructor` reach the worker as JSON keys. */
  const withKey = (s: Obj, key: string, value: unknown) => {
    Object.defineProperty(s, key, { value, enumerable: true, configurable: true, writable: true });
    return s;
  };
  m.push(
    scoreMutation('wrong-type', (rng) =>
      rng.pick([
        ...WRONG_TYPES_FOR_STRING,
        { what: 'a string', value: 'A1=3' },
        { what: 'an array of numbers', value: [3, 3, 3] },
      ]),
    ),
    scoreMutation('wrong-type', (rng, s, w) => {
      const c = rng.pick(w.criteria);
      const wt = rng.pick(WRONG_TYPES_FOR_NUMBER.slice(1));
      return { value: { ...s, [c]: wt.value }, what: `with ${c} ${wt.what}`, names: `score for ${c} must be` };
    }),
    scoreMutation('empty-string', (rng, s, w) => {
      if (rng.turn('scores-empty', 2) === 0)
        return { value: {}, what: 'empty', names: `criterion ${w.criteria[0]} is missing` };
      const c = rng.pick(w.criteria);
      return { value: { ...s, [c]: '' }, what: 'with an empty score', names: `score for ${c} must be` };
    }),
    scoreMutation('oversize-string', (rng, s) => {
      if (rng.turn('scores-oversize', 2) === 0)
        return {
          value: withKey(s, 'A'.repeat(OVERSIZE), 3),
          what: `with a criterion id of ${OVERSIZE} characters`,
          names: `unknown criterion ${'A'.repeat(100)}`,
        };
      for (let i = 0; i < 2000; i++) s[`X${i}`] = 3;
      return { value: s, what: 'with 2,000 unknown criteria', names: 'unknown criterion X0;' };
    }),
    scoreMutation('odd-unicode', (rng, s, w) => {
      const c = rng.pick(w.criteria);
      const value = s[c];
      delete s[c];
      if (rng.turn('scores-odd', 3) === 0)
        return {
          value: { ...s, [c]: fullwidth(String(value)) },
          what: `with ${c} in fullwidth digits`,
          names: `score for ${c} must be`,
        };
      const o = withOdd(rng, c);
      return {
        value: withKey(s, o.value, value),
        what: `with criterion ${c} ${o.what}`,
        names: `criterion ${c} is missing`,
      };
    }),
    scoreMutation('sql-text', (rng, s, w) => {
      const c = rng.pick(w.criteria);
      const sql = rng.pick(SQL_SNIPPETS);
      if (rng.turn('scores-sql', 2) === 0)
        return { value: { ...s, [c]: `3${sql}` }, what: `with ${c} = "3${sql}"`, names: `score for ${c} must be` };
      const value = s[c];
      delete s[c];
      return {
        value: withKey(s, `${c}${sql}`, value),
        what: `with criterion id ${c}${sql}`,
        names: `criterion ${c} is missing`,
      };
    }),
    scoreMutation('bad-value', (rng, s, w) => {
      const c = rng.pick(w.criteria);
      const r = rng.int(0, 5);
      if (r === 0) {
        delete s[c];
        return { value: s, what: `without ${c}`, names: `criterion ${c} is missing` };
      }
      if (r === 1)
        return { value: { ...s, Z9: 2 }, what: 'with an unknown criterion Z9', names: 'unknown criterion Z9' };
      if (r === 2) {
        const key = rng.pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
        return {
          value: withKey(s, key, 2),
          what: 'with a prototype-named criterion',
          names: `unknown criterion ${key}`,
        };
      }
      const v = rng.pick([w.scale.min - 1, w.scale.max + 1, -1, 2.5, 99, 1e9, -0.5]);
      return { value: { ...s, [c]: v }, what: `with ${c} = ${v}`, names: `score for ${c} must be` };
    }),
    {
      update: 'submitScores',
      category: 'duplicate',
      field: 'actor',
      targets: (w) => w.nominations.filter((t) => ALLOWED.submitScores(t) && t.scoredBy.length > 0).map((t) => t.key),
      make: (rng, t, { world }) => {
        const id = rng.pick(nom(t).scoredBy);
        return {
          arg: { ...baseArg('submitScores', nom(t), world), actor: assessorActor(world, id) },
          what: `a second score sheet by ${id}`,
          expects: lit(`assessor ${id} has already submitted scores`),
        };
      },
    },
  );

  m.push(
    ...fieldMutations('verifyField', 'passed', {
      'wrong-type': (rng) =>
        rng.pick([
          { value: undefined, what: 'missing' },
          { value: null, what: 'null' },
          { value: 'true', what: 'the string "true"' },
          { value: 1, what: '1' },
          { value: 0, what: '0' },
          { value: 'ya', what: '"ya"' },
          { value: [true], what: 'an array' },
        ]),
      'empty-string': () => ({ value: '', what: 'empty' }),
      'oversize-string': () => ({ value: 'true'.repeat(OVERSIZE / 4), what: `of ${OVERSIZE} characters` }),
      'odd-unicode': (rng) => withOdd(rng, 'true'),
      'sql-text': (rng) => ({ value: `true${rng.pick(SQL_SNIPPETS)}`, what: 'followed by SQL' }),
    }),
  );

  const otherStars = (t: NominationTarget) => ((t.recommendedStars ?? 0) + 3) % 6;
  m.push(
    ...fieldMutations('determineStars', 'stars', {
      'wrong-type': (rng) => rng.pick(WRONG_TYPES_FOR_NUMBER.slice(1)),
      'bad-value': (rng) => {
        const v = rng.pick([6, -1, 2.5, 100, 1e9, -0.0001]);
        return { value: v, what: `= ${v}` };
      },
      'oversize-string': () => ({ value: '5'.repeat(OVERSIZE), what: `a string of ${OVERSIZE} digits` }),
      'odd-unicode': (rng) =>
        rng.pick([
          { value: fullwidth('5'), what: 'a fullwidth 5' },
          { value: '\u0665', what: 'an Arabic-Indic 5' },
          { value: '5\u200D', what: '"5" with a zero-width joiner' },
        ]),
      'sql-text': () => ({ value: '5; UPDATE nominations SET stars = 5', what: 'an SQL update' }),
    }),
    ...(['wrong-type', 'empty-string', 'odd-unicode', 'bad-value'] as const).map((category): Mutation => ({
      update: 'determineStars',
      category,
      field: 'reason',
      targets: allowedTargets('determineStars'),
      make: (rng, t) => {
        const stars = otherStars(nom(t));
        const base = { actor: COORDINATOR, stars };
        const v =
          category === 'wrong-type'
            ? rng.pick(WRONG_TYPES_FOR_STRING.slice(1))
            : category === 'empty-string'
              ? rng.pick(EMPTY_STRINGS)
              : category === 'odd-unicode'
                ? oddText(rng, 'Diputuskan tim')
                : { value: undefined, what: 'missing' };
        return {
          arg: setPath(base, 'reason', v.value),
          what: `${stars} stars against the recommended ${nom(t).recommendedStars}, reason ${v.what}`,
        };
      },
    })),
  );

  m.push(...fieldMutations('withdraw', 'reason', requiredTextVariants()));

  m.push(
    ...fieldMutations(
      'extendDeadline',
      'stage',
      identifierVariants(() => ['Attendance', 'dokumen', 'UNDER_REVIEW', 'deadline', 'assesment', 'intake', 'all']),
    ),
    ...fieldMutations('extendDeadline', 'until', instantVariants()),
  );

  m.push(
    ...fieldMutations(
      'resolveHold',
      'decision',
      identifierVariants(() => ['Extend', 'approve', 'hold', 'extend,disqualify', 'disqualified']),
    ),
    ...fieldMutations('resolveHold', 'until', instantVariants()),
  );
  return m;
}

// ── nominate (the cycle's update) ───────────────────────────────────────────────────────────────────────────────────

export const FUZZ_REGENCY = '32.05';

/** A valid nomination for the cycle; the IKM and its sentra are unique per case (a sentra is nominated once per cycle). */
export function nominateBase(cycleId: string, index: number, seed: number): Obj {
  return {
    cycleId,
    regencyCode: FUZZ_REGENCY,
    ikmName: `Tenun Uji ${seed} ${index}`,
    sentraName: `Sentra Tenun Uji ${seed} ${index}`,
    commodity: 'kain_tenun',
    product: 'Kain tenun ikat',
    sentraSize: 12,
    nominatedBy: dinas(FUZZ_REGENCY),
  };
}

function nominateMutations(): Mutation[] {
  const m: Mutation[] = [];
  const openCycle = (w: FuzzWorld) => w.cycles.filter((c) => c.key === 'cycle').map((c) => c.key);
  const add = (
    category: Category,
    field: string,
    make: (rng: Rng, base: Obj, t: CycleTarget) => { value: unknown; what: string; path?: string },
  ) =>
    m.push({
      update: 'nominate',
      category,
      field,
      targets: openCycle,
      make: (rng, t, { index, seed }) => {
        const base = nominateBase(cyc(t).cycleId, index, seed);
        const v = make(rng, base, cyc(t));
        return {
          arg: v.path === '' ? v.value : setPath(base, v.path ?? field, v.value),
          what: `${v.path === '' ? '' : `${v.path ?? field} `}${v.what}`,
        };
      },
    });

  // regencyCode: an identifier. Nominated by a coordinator (who may nominate for any regency), so that only the
  // regency rule stands between the code and a new nomination.
  const regency = identifierVariants(() => []);
  const regencyMutation = (category: Category, make: (rng: Rng) => { value: unknown; what: string }) =>
    m.push({
      update: 'nominate',
      category,
      field: 'regencyCode',
      targets: openCycle,
      make: (rng, t, { index, seed }) => {
        const v = make(rng);
        return {
          arg: {
            ...setPath(nominateBase(cyc(t).cycleId, index, seed), 'regencyCode', v.value),
            nominatedBy: COORDINATOR,
          },
          what: `regencyCode ${v.what}`,
        };
      },
    });
  for (const category of ['wrong-type', 'empty-string', 'oversize-string', 'odd-unicode', 'sql-text'] as const) {
    regencyMutation(category, (rng) => regency[category]!(rng, FUZZ_REGENCY, undefined as never, undefined as never)!);
  }
  regencyMutation('bad-value', (rng) => {
    const v = rng.pick(['99.99', '32.99', '00.00', '32', '3205', '32-05', 'constructor', '__proto__', 'toString']);
    return { value: v, what: `= ${JSON.stringify(v)}` };
  });

  // Names: required, 1 to 200 characters, the IKM name with a letter or digit.
  for (const field of ['ikmName', 'sentraName', 'product'] as const) {
    add('wrong-type', field, (rng) => rng.pick(WRONG_TYPES_FOR_STRING));
    add('empty-string', field, (rng) => rng.pick(EMPTY_STRINGS));
    add('oversize-string', field, (rng) => {
      const n = rng.turn(`nominate-${field}-oversize`, 2) === 0 ? 201 : OVERSIZE;
      return { value: 'Tenun '.repeat(Math.ceil(n / 6)).slice(0, n), what: `of ${n} characters (limit 200)` };
    });
    add('odd-unicode', field, (rng, base) => {
      if (field === 'ikmName' && rng.turn('ikmName-odd', 5) < 3) {
        return rng.pick([
          { value: '\u{1F9F5}\u{1F9F6}\u{1FAA1}', what: 'of emoji only' },
          { value: '\u200D\u200D\u200D', what: 'of zero-width joiners only' },
          { value: '\u0301\u0302', what: 'of combining marks only' },
          { value: '\u202E\u202E', what: 'of right-to-left overrides only' },
        ]);
      }
      return oddText(rng, String(base[field]));
    });
  }
  // commodity: an enum value (the workflow takes the code only; the CSV normalizes spellings before).
  const commodity = identifierVariants(() => []);
  for (const category of ['wrong-type', 'empty-string', 'oversize-string', 'odd-unicode', 'sql-text'] as const) {
    add(category, 'commodity', (rng) =>
      commodity[category]!(rng, 'kain_tenun', undefined as never, undefined as never)!,
    );
  }
  add('bad-value', 'commodity', (rng) => {
    const v = rng.pick(['kulit', 'Kain_Tenun', 'kain tenun', 'Makanan & Minuman', 'batik', 'logam']);
    return { value: v, what: `= ${JSON.stringify(v)}` };
  });
  // sentraSize: a whole number of at least 5.
  add('wrong-type', 'sentraSize', (rng) => rng.pick(WRONG_TYPES_FOR_NUMBER));
  add('bad-value', 'sentraSize', (rng) => {
    const v = rng.pick([4, 0, -1, 3.5, 4.999, -100]);
    return { value: v, what: `= ${v}` };
  });
  add('odd-unicode', 'sentraSize', () => ({ value: fullwidth('12'), what: 'in fullwidth digits' }));
  add('sql-text', 'sentraSize', (rng) => ({ value: `12${rng.pick(SQL_SNIPPETS)}`, what: 'followed by SQL' }));
  add('oversize-string', 'sentraSize', () => ({ value: '9'.repeat(OVERSIZE), what: `a string of ${OVERSIZE} digits` }));
  // dinasEmail: optional, an address when given.
  add('wrong-type', 'dinasEmail', (rng) => rng.pick(WRONG_TYPES_FOR_STRING.slice(1)));
  add('empty-string', 'dinasEmail', (rng) => rng.pick(EMPTY_STRINGS));
  add('bad-value', 'dinasEmail', (rng) => {
    const v = rng.pick([
      'bukan-email',
      'a@b',
      '@garut.example',
      'dinas garut@garut.example',
      'dinas@@garut.example',
      '<dinas@garut.example>',
    ]);
    return { value: v, what: `= ${JSON.stringify(v)}` };
  });
  add('sql-text', 'dinasEmail', () => ({
    value: "dinas@garut.example'; DROP TABLE notifications; --",
    what: 'followed by SQL',
  }));
  add('oversize-string', 'dinasEmail', () => ({
    value: `${'d'.repeat(OVERSIZE)}@garut.example`,
    what: `with a local part of ${OVERSIZE} characters`,
  }));
  add('odd-unicode', 'dinasEmail', (rng) =>
    rng.pick([
      { value: 'dinas\u0000@garut.example', what: 'with a NUL' },
      { value: 'dinas\u202E@garut.example', what: 'with a right-to-left override' },
      { value: 'dinas@garut\u200D.example', what: 'with a zero-width joiner' },
    ]),
  );
  // previousStars: 1 to 5 when given.
  add('wrong-type', 'previousStars', (rng) =>
    rng.pick([
      { value: 5, what: 'a bare number' },
      { value: '5', what: 'a string' },
      { value: null, what: 'null' },
      { value: [], what: 'an array' },
      { value: { cycleId: 'ovop-2025', stars: '5' }, what: 'with stars as a string' },
    ]),
  );
  add('bad-value', 'previousStars', (rng) => {
    const v = rng.pick([0, 6, 4.5, -1]);
    return { value: { cycleId: 'ovop-2025', stars: v }, what: `with stars ${v}` };
  });
  // cycleId: this cycle's, when given.
  add('bad-value', 'cycleId', () => ({ value: 'ovop-lain', what: 'of another cycle' }));
  add('wrong-type', 'cycleId', (rng) => rng.pick(WRONG_TYPES_FOR_STRING.slice(1)));
  add('sql-text', 'cycleId', (rng, base) => ({
    value: `${String(base.cycleId)}${rng.pick(SQL_SNIPPETS)}`,
    what: 'followed by SQL',
  }));
  // nominatedBy: a dinas of the IKM's own kabupaten/kota, or a coordinator.
  add('wrong-type', 'nominatedBy', (rng) => ({
    ...rng.pick([...WRONG_TYPES_FOR_STRING.slice(0, 3), { what: 'a string', value: 'dinas_kabkota:disperin:32.05' }]),
  }));
  add('wrong-type', '(argument)', (rng) => {
    const wt = rng.pick(WRONG_ARGUMENTS);
    return { value: wt.value, what: `the argument is ${wt.what}`, path: '' };
  });
  add('wrong-actor', 'nominatedBy', (rng) =>
    rng.pick([
      { value: { role: 'assessor', id: 'penilai-siti', region: '34' }, what: 'an assessor' },
      { value: { role: 'auditor', id: 'auditor-bpk', region: '00' }, what: 'an auditor' },
      { value: { role: 'dinas_provinsi', id: 'disperin-32', region: '32' }, what: 'the dinas provinsi' },
      { value: { role: 'system', id: 'ovop-engine', region: '00' }, what: 'the engine itself (role system)' },
      { value: dinas('32.04'), what: 'dinas 32.04 of the same province' },
      { value: { role: 'dinas_kabkota', region: FUZZ_REGENCY }, what: 'the own dinas without an id' },
      { value: { role: 'coordinator' }, what: 'a coordinator without id and region' },
      { value: { role: 'coordinator', id: '', region: '' }, what: 'a coordinator with empty id and region' },
    ]),
  );
  add('odd-unicode', 'nominatedBy', (rng) =>
    rng.pick([
      { value: { ...dinas(FUZZ_REGENCY), region: '32.05\u200D' }, what: 'region with a zero-width joiner' },
      { value: { ...dinas(FUZZ_REGENCY), region: fullwidth(FUZZ_REGENCY) }, what: 'region in fullwidth digits' },
      { value: { ...dinas(FUZZ_REGENCY), role: 'dinas_kabkota\u202E' }, what: 'role with a right-to-left override' },
      { value: { ...dinas(FUZZ_REGENCY), id: 'disperin\u0000garut' }, what: 'id with a NUL' },
    ]),
  );
  add('oversize-string', 'nominatedBy', () => ({
    value: { ...dinas(FUZZ_REGENCY), id: 'd'.repeat(OVERSIZE) },
    what: `id of ${OVERSIZE} characters`,
  }));
  add('other-province', 'nominatedBy', (rng) => {
    const other = otherProvinceRegency(rng, FUZZ_REGENCY);
    return { value: dinas(other), what: `dinas ${other} of another province` };
  });
  // A valid nomination while intake is closed.
  m.push({
    update: 'nominate',
    category: 'wrong-stage',
    field: '(intake)',
    targets: (w) => w.cycles.filter((c) => c.key === 'closedCycle').map((c) => c.key),
    make: (_rng, t, { index, seed }) => ({
      arg: nominateBase(cyc(t).cycleId, index, seed),
      what: 'a valid nomination after intake closed',
    }),
  });
  // The IKM nominated before, under its own or another spelling of its name.
  m.push({
    update: 'nominate',
    category: 'duplicate',
    field: 'ikmName',
    targets: (w) => w.cycles.filter((c) => c.key === 'cycle' && c.nominated).map((c) => c.key),
    make: (rng, t, { index, seed }) => {
      const n = cyc(t).nominated!;
      const spelled = rng.pick([
        { name: n.ikmName, what: 'the same IKM again' },
        { name: n.ikmName.toUpperCase().replace(/ /g, '  '), what: 'the same IKM in capitals and double spaces' },
        { name: `${n.ikmName}!!`, what: 'the same IKM with trailing punctuation' },
        { name: n.ikmName.replace(/e/g, '\u00E9'), what: 'the same IKM with accents' },
        { name: n.ikmName.replace(/e/g, 'e\u0301'), what: 'the same IKM with combining accents' },
      ]);
      return {
        arg: {
          ...nominateBase(cyc(t).cycleId, index, seed),
          regencyCode: n.regencyCode,
          nominatedBy: dinas(n.regencyCode),
          ikmName: spelled.name,
        },
        what: spelled.what,
        expects: / is already nominated in cycle /,
      };
    },
  });
  return m;
}

// ── generation ──────────────────────────────────────────────────────────────────────────────────────────────────────

let mutationCache: Mutation[] | undefined;
const allMutations = () => (mutationCache ??= [...nominationMutations(), ...nominateMutations()]);

/**
 * `count` invalid update cases. Updates take turns; within an update its categories take turns (in a seeded order);
 * within a category a mutation, a target and the mutation's details are drawn from the PRNG.
 */
export function generateUpdateCases(
  world: FuzzWorld,
  opts: { seed: number; count: number; updates?: readonly UpdateName[] },
): UpdateCase[] {
  const rng = new Rng(opts.seed);
  const targets = new Map<TargetKey, Target>([
    ...world.nominations.map((t) => [t.key, t] as const),
    ...world.cycles.map((c) => [c.key, c] as const),
  ]);
  const usable = allMutations().filter((mu) => mu.targets(world).some((k) => targets.has(k)));
  const updates = (opts.updates ?? UPDATE_NAMES).filter((u) => usable.some((mu) => mu.update === u));
  const byUpdate = new Map(
    updates.map((u) => {
      const categories = rng.shuffle(
        CATEGORIES.filter((c) => usable.some((mu) => mu.update === u && mu.category === c)),
      );
      return [u, { categories, turn: 0 }] as [UpdateName, { categories: Category[]; turn: number }];
    }),
  );
  const cases: UpdateCase[] = [];
  for (let i = 0, attempts = 0; cases.length < opts.count && attempts < opts.count * 20; attempts++, i++) {
    const update = updates[i % updates.length];
    const slot = byUpdate.get(update)!;
    const category = slot.categories[slot.turn++ % slot.categories.length];
    const mutation = rng.pick(usable.filter((mu) => mu.update === update && mu.category === category));
    const targetKey = rng.pick(mutation.targets(world).filter((k) => targets.has(k)));
    const index = cases.length;
    const made = mutation.make(rng, targets.get(targetKey)!, { world, index, seed: opts.seed });
    if (!made) continue;
    const id = `u${String(index).padStart(4, '0')}`;
    cases.push({
      id,
      update,
      category,
      field: mutation.field,
      what: made.what,
      target: targetKey,
      arg: made.arg,
      expects: made.expects ?? expectationOf(mutation.field),
      label: `${id} ${update} · ${category} · ${shorten(made.what)} → ${targetKey}`,
    });
  }
  return cases;
}

/** Labels stay one readable line: control characters are shown escaped, long runs are cut. */
export function shorten(text: string, max = 110): string {
  const shown = text.replace(
    /(?! )[\p{Cc}\p{Cf}\p{Mn}\p{Cs}\p{Zs}]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return shown.length > max ? `${shown.slice(0, max - 1)}…` : shown;
}

// ── CSV rows ────────────────────────────────────────────────────────────────────────────────────────────────────────

/** The file format is the CLI's: the columns its reader takes, in order. */
export const CSV_COLUMNS = COLUMNS;
export type CsvColumn = Column;

export interface CsvCase {
  id: string;
  category: CsvCategory;
  field: CsvColumn | '(row)';
  what: string;
  /** The field the CLI must name in the row's refusal (the mutated one, unless a rule of another field catches it). */
  expectsField: CsvColumn | '(row)';
  values: Record<CsvColumn, string>;
  /** Written verbatim instead of `values` (rows that do not split into the header's columns). */
  rawLine?: string;
  label: string;
}

/** A valid row for the acting dinas's own regency; the IKM and its sentra are unique per case. */
export function csvBase(index: number, seed: number, regencyCode = FUZZ_REGENCY): Record<CsvColumn, string> {
  return {
    regency_code: regencyCode,
    ikm_name: `Anyaman Uji ${seed} ${index}`,
    sentra_name: `Sentra Anyaman Uji ${seed} ${index}`,
    commodity: 'anyaman',
    product: 'Tikar pandan',
    sentra_size: '12',
    dinas_email: '',
    previous_cycle: '',
    previous_stars: '',
  };
}

type CsvMutation = {
  category: CsvCategory;
  field: CsvColumn | '(row)';
  make: (
    rng: Rng,
    row: Record<CsvColumn, string>,
    own: string,
  ) => {
    value?: string;
    what: string;
    raw?: string;
    also?: Partial<Record<CsvColumn, string>>;
    expects?: CsvColumn | '(row)';
  };
};

function csvMutations(): CsvMutation[] {
  const m: CsvMutation[] = [];
  const add = (category: CsvCategory, field: CsvColumn | '(row)', make: CsvMutation['make']) =>
    m.push({ category, field, make });
  const pickValue = (rng: Rng, values: string[]) => {
    const v = rng.pick(values);
    return { value: v, what: `= ${JSON.stringify(v)}` };
  };

  add('wrong-type', 'sentra_size', (rng) =>
    pickValue(rng, ['abc', '-1', '3.5', '1e3', '12 usaha', 'dua belas', 'true', '0x10', '+12', '12,5']),
  );
  add('wrong-type', 'previous_stars', (rng) => ({
    ...pickValue(rng, ['lima', '4.5', '0', '6', '-1', '*****']),
    also: { previous_cycle: 'ovop-2025' },
  }));
  add('wrong-type', 'regency_code', (rng) =>
    pickValue(rng, ['abc', '3205', '32-05', 'Kab. Garut', '32.5', '32.005', '32/05']),
  );
  add('wrong-type', 'dinas_email', (rng) =>
    pickValue(rng, ['bukan-email', 'a@b', '@garut.example', 'dinas@', 'dinas garut@garut.example']),
  );
  add('empty-string', 'regency_code', (rng) => pickValue(rng, ['', '   ']));
  for (const field of ['ikm_name', 'sentra_name', 'commodity', 'product', 'sentra_size'] as const) {
    add('empty-string', field, (rng) => {
      const v = rng.pick(['', '   ', '\t', '\u3000']);
      return { value: v, what: v === '' ? 'empty' : `blank (${JSON.stringify(v)})` };
    });
  }
  for (const field of ['ikm_name', 'sentra_name', 'product'] as const) {
    add('oversize-string', field, (rng) => {
      const n = rng.turn(`csv-${field}-oversize`, 2) === 0 ? 201 : OVERSIZE;
      return {
        value:
          'Anyaman '
            .repeat(Math.ceil(n / 8))
            .slice(0, n)
            .trim() + 'x',
        what: `of about ${n} characters (limit 200)`,
      };
    });
  }
  add('oversize-string', 'regency_code', () => ({
    value: `32.05${'5'.repeat(OVERSIZE)}`,
    what: `of ${OVERSIZE} characters`,
  }));
  add('oversize-string', 'commodity', () => ({
    value: 'anyaman'.repeat(OVERSIZE / 7),
    what: `of ${OVERSIZE} characters`,
  }));
  add('oversize-string', 'sentra_size', (rng) =>
    rng.turn('csv-sentra-size-oversize', 2) === 0
      ? { value: '9'.repeat(OVERSIZE), what: `of ${OVERSIZE} digits` }
      : { value: '99999999999999999999', what: 'of 20 digits (beyond exact integers)' },
  );
  add('oversize-string', 'dinas_email', () => ({
    value: `${'d'.repeat(OVERSIZE)}@garut.example`,
    what: `with a local part of ${OVERSIZE} characters`,
  }));

  // Odd unicode inside codes and numbers (never at an edge, where the CSV reader's trim would drop some of them).
  add('odd-unicode', 'regency_code', (rng, row) => {
    if (rng.turn('csv-regency-odd', 3) === 0)
      return { value: fullwidth(row.regency_code), what: 'in fullwidth digits' };
    const o = withOdd(rng, row.regency_code, true);
    return { value: o.value, what: o.what };
  });
  add('odd-unicode', 'sentra_size', (rng) =>
    pickValue(rng, [fullwidth('12'), '\u0661\u0662', '1\u200D2', '12\u{1F9F5}x', '1\u03012', '1\u00002']),
  );
  add('odd-unicode', 'commodity', (rng) => {
    const word = rng.pick(['anyaman', 'gerabah']);
    const o = withOdd(rng, word, true);
    return rng.turn('csv-commodity-odd', 3) === 0
      ? { value: fullwidth(word), what: 'in fullwidth letters' }
      : { value: o.value, what: o.what };
  });
  add('odd-unicode', 'ikm_name', (rng) =>
    rng.pick([
      { value: '\u{1F9F5}\u{1F9F6}', what: 'of emoji only' },
      { value: '\u200D\u200D\u200D', what: 'of zero-width joiners only' },
      { value: '\u0301\u0302\u0303', what: 'of combining marks only' },
      { value: '\u202E\u202E\u202E', what: 'of right-to-left overrides only' },
      { value: 'Anyaman\u0000Uji', what: 'with a NUL inside' },
    ]),
  );
  add('odd-unicode', 'sentra_name', (rng) =>
    rng.pick([
      { value: '\u200B\u200B', what: 'of zero-width spaces only' },
      { value: 'Sentra\u0000Uji', what: 'with a NUL inside' },
      { value: '\u202Eijuanaymana artneS', what: 'starting with a right-to-left override' },
    ]),
  );
  add('odd-unicode', 'previous_stars', () => ({
    value: fullwidth('5'),
    what: 'a fullwidth 5',
    also: { previous_cycle: 'ovop-2025' },
  }));
  add('odd-unicode', 'dinas_email', (rng) =>
    pickValue(rng, ['dinas\u200D@garut.example', 'dinas@garut\u202E.example', 'dinas\u0000@garut.example']),
  );

  add('sql-text', 'regency_code', (rng) => ({ value: `32.05${rng.pick(SQL_SNIPPETS)}`, what: 'followed by SQL' }));
  add('sql-text', 'commodity', (rng) => ({ value: `anyaman${rng.pick(SQL_SNIPPETS)}`, what: 'followed by SQL' }));
  add('sql-text', 'sentra_size', (rng) => ({ value: `12${rng.pick(SQL_SNIPPETS)}`, what: 'followed by SQL' }));
  add('sql-text', 'previous_stars', () => ({
    value: '1 OR 1=1',
    what: '"1 OR 1=1"',
    also: { previous_cycle: 'ovop-2025' },
  }));
  add('sql-text', 'previous_cycle', () => ({
    value: "ovop-2025'; DROP TABLE cycles; --",
    what: 'followed by SQL',
    also: { previous_stars: '3' },
  }));
  add('sql-text', 'dinas_email', () => ({
    value: "x@y.z'; DROP TABLE nominations; --",
    what: 'an address followed by SQL',
  }));

  add('unknown-regency', 'regency_code', (rng) =>
    pickValue(rng, ['99.99', '32.99', '00.00', '32.00', '11.99', '96.99']),
  );
  add('other-province', 'regency_code', (rng) => {
    const v = otherProvinceRegency(rng, FUZZ_REGENCY);
    return { value: v, what: `${v}, a regency of another province` };
  });
  add('wrong-actor', 'regency_code', () => ({ value: '32.04', what: '32.04, another kabupaten of the same province' }));

  add('bad-value', 'sentra_size', (rng) => pickValue(rng, ['4', '0', '3', '1']));
  add('bad-value', 'commodity', (rng) => pickValue(rng, ['kulit', 'logam', 'batik tulis', 'tenun', 'makanan']));
  // The missing partner is what the refusal names.
  add('bad-value', 'previous_cycle', () => ({
    value: 'ovop-2025',
    what: 'without previous_stars',
    expects: 'previous_stars',
  }));
  add('bad-value', 'previous_stars', () => ({ value: '4', what: 'without previous_cycle', expects: 'previous_cycle' }));
  add('bad-value', 'previous_cycle', () => ({
    value: 'OVOP 2025',
    what: '"OVOP 2025" (not a cycle id)',
    also: { previous_stars: '4' },
  }));

  add('malformed-row', '(row)', (rng, row) => {
    const r = rng.int(0, 2);
    if (r === 0)
      return {
        raw: `${row.regency_code},${row.ikm_name},Sentra Anyaman, Ketak,anyaman,Tikar,12,,,`,
        what: 'an unquoted comma in the sentra name (10 fields)',
      };
    if (r === 1) return { raw: `${row.regency_code},${row.ikm_name},Sentra Anyaman`, what: 'only 3 fields' };
    return {
      raw: `${row.regency_code},${row.ikm_name},Sentra Anyaman,anyaman,Tikar,12,,,,,,`,
      what: 'trailing separators (12 fields)',
    };
  });
  return m;
}

/** `count` invalid CSV rows for an `ovop nominate` run as the dinas of FUZZ_REGENCY; categories take turns. */
export function generateCsvCases(opts: { seed: number; count: number; startIndex?: number }): CsvCase[] {
  const rng = new Rng(opts.seed ^ 0x5eed_c5f);
  const mutations = csvMutations();
  const categories = rng.shuffle(CSV_CATEGORIES.filter((c) => mutations.some((mu) => mu.category === c)));
  const cases: CsvCase[] = [];
  for (let i = 0; i < opts.count; i++) {
    const index = (opts.startIndex ?? 0) + i;
    const category = categories[i % categories.length];
    const mutation = rng.pick(mutations.filter((mu) => mu.category === category));
    const values = csvBase(index, opts.seed);
    const v = mutation.make(rng, values, FUZZ_REGENCY);
    if (mutation.field !== '(row)' && v.value !== undefined) values[mutation.field] = v.value;
    Object.assign(values, v.also);
    const id = `c${String(index).padStart(4, '0')}`;
    cases.push({
      id,
      category,
      field: mutation.field,
      what: `${mutation.field} ${v.what}`,
      expectsField: v.expects ?? mutation.field,
      values,
      rawLine: v.raw,
      label: `${id} csv · ${category} · ${shorten(`${mutation.field} ${v.what}`)}`,
    });
  }
  return cases;
}

/** A CSV file of the header and the rows; every value quoted. Returns the line number of each case (header = 1). */
export function csvFile(
  cases: readonly CsvCase[],
  extra: Record<CsvColumn, string>[] = [],
): { text: string; lineOf: Map<string, number> } {
  const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const lines = [CSV_COLUMNS.join(',')];
  const lineOf = new Map<string, number>();
  for (const c of cases) {
    lines.push(c.rawLine ?? CSV_COLUMNS.map((col) => quote(c.values[col])).join(','));
    lineOf.set(c.id, lines.length);
  }
  for (const row of extra) lines.push(CSV_COLUMNS.map((col) => quote(row[col])).join(','));
  return { text: `${lines.join('\n')}\n`, lineOf };
}

// ── known engine gaps ───────────────────────────────────────────────────────────────────────────────────────────────

/** A class of invalid input the engine mishandles today (reported with a proposed fix). */
export interface KnownGap {
  id: string;
  /** `accepted`: the engine takes the input (npm test does not send these); `unclear`: it refuses it, but its message
   * shows a JavaScript value instead of the rule (npm test sends these and checks everything but the wording). */
  kind: 'accepted' | 'unclear';
  title: string;
  update?: (c: UpdateCase) => boolean;
  csv?: (c: CsvCase) => boolean;
}

/**
 * What `npm run fuzz -- --n 1000` found (seed 20261127). Remove an entry when the engine's fix lands: its cases then
 * run in npm test like every other. The order matters: a case belongs to the first gap it matches.
 */
export const KNOWN_ENGINE_GAPS: KnownGap[] = [
  // Empty: the gaps found on 2026-11-27 (NUL and control characters, invisible text, lengths, int32 sizes, impossible
  // dates, unbounded sentra sizes, echoed values, an unchecked nominatedBy) are fixed in the validators.
];

export function gapOf(c: UpdateCase | CsvCase): KnownGap | undefined {
  return 'update' in c
    ? KNOWN_ENGINE_GAPS.find((g) => g.update?.(c))
    : KNOWN_ENGINE_GAPS.find((g) => g.csv?.(c as CsvCase));
}

// ── judging a refusal ───────────────────────────────────────────────────────────────────────────────────────────────

/** Text that betrays a JavaScript error or an unchecked value rather than a rule the actor broke. */
export const UNCLEAR_MESSAGE =
  /Cannot read propert|is not a function|is not iterable|Cannot convert|undefined|\[object Object\]|\[native code\]|\bNaN\b|Invalid input: expected/;

export function isClearMessage(message: string | undefined): boolean {
  return typeof message === 'string' && message.trim() !== '' && !UNCLEAR_MESSAGE.test(message);
}
