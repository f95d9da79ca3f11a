/**
 * Loads and validates a cycle's YAML configuration into a `CycleConfig`.
 *
 * Node-side only (reads files and the region tables); workflows receive the resulting plain object as input and never
 * import this file. A coordinator edits the YAML by hand, so validation reports every problem at once, each with its
 * dotted path (`deadlines.documents.remindBefore[1]`), instead of stopping at the first.
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import { parseDuration } from './duration';
import { describeShortfalls, panelShortfalls } from './panel';
import { describeGaps, sessionCoverage } from './session-coverage';
import { loadRegions, regionDisplayName, type Regions } from './regions';
import { DEFAULT_COACHING, DEFAULT_SECOND_APPROVAL } from './award';
import {
  AFFILIATIONS,
  COACHING_LEVELS,
  COMMODITIES,
  DEADLINE_STAGES,
  type CycleConfig,
  type DeadlineStage,
  type MissedDeadlinePolicy,
  OPTIONAL_DEADLINE_STAGES,
} from './types';

export interface CycleConfigIssue {
  /** Dotted path of the offending field, e.g. `sessions[1].provinces[0]`; empty for the file as a whole. */
  path: string;
  message: string;
}

/** A cycle config that cannot be used; the message lists every issue on its own line. */
export class CycleConfigError extends Error {
  readonly issues: CycleConfigIssue[];

  constructor(source: string, issues: CycleConfigIssue[], options?: { cause?: unknown }) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    const lines = issues.map((issue) => `  - ${issue.path || '(file)'}: ${issue.message}`);
    super([`Cycle config ${source} is invalid (${count}):`, ...lines].join('\n'), options);
    this.name = 'CycleConfigError';
    this.issues = issues;
  }
}

/** Parses cycle YAML text; `source` names it in error messages (a file path, or a description). */
export function parseCycleConfig(text: string, source = '(text)'): CycleConfig {
  const document = YAML.parseDocument(text);
  const syntaxError = document.errors[0];
  if (syntaxError) {
    // With yaml's default prettyErrors the first line reads "<what> at line L, column C:"; the rest is a code excerpt.
    const message = syntaxError.message.split('\n')[0].replace(/:$/, '');
    throw new CycleConfigError(source, [{ path: '', message: `invalid YAML: ${message}` }], { cause: syntaxError });
  }
  const data: unknown = document.toJS();
  if (data === null || data === undefined) {
    const issue = { path: '', message: 'the config is empty; expected a mapping starting with `id:`' };
    throw new CycleConfigError(source, [issue]);
  }

  const regions = loadRegions();
  const result = cycleConfigSchema(regions).safeParse(data, { error: plainMessage });
  if (!result.success) throw new CycleConfigError(source, toIssues(result.error.issues));
  return { ...result.data, regencies: displayNames(regions.regencies), provinces: displayNames(regions.provinces) };
}

/** Reads and parses a cycle YAML file. */
export function loadCycleConfig(path: string): CycleConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CycleConfigError(path, [{ path: '', message: `cannot read the file: ${reason}` }], { cause: error });
  }
  return parseCycleConfig(text, path);
}

// ---------------------------------------------------------------------------------------------------------------------
// Schema. `regencies`/`provinces` are not part of it: the loader fills them, and a YAML key of that name is refused.

const MISSED_DEADLINE_POLICIES = ['disqualify', 'grace', 'hold'] as const satisfies readonly MissedDeadlinePolicy[];
const STAR_LEVELS = ['1', '2', '3', '4', '5'] as const;

const slug = z.string().regex(/^[a-z0-9-]+$/, {
  error: unlessMissing('must be a slug: lower-case letters, digits and hyphens'),
});
/** Ids of sessions, aspects, criteria and assessors: readable tokens that survive in workflow ids and CSV files. */
const identifier = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
  error: unlessMissing('must be an id of letters, digits, `_`, `.` or `-` (no spaces)'),
});
const documentKind = z.string().regex(/^[a-z0-9_]+$/, {
  error: unlessMissing('must be a document kind in snake_case, e.g. lab_test'),
});
const label = z.string().trim().min(1, { error: 'must not be empty' });
const email = z.email({ error: unlessMissing('must be an email address') });
const isoDate = z.iso.date({ error: unlessMissing('must be a date written YYYY-MM-DD') });
const isoDateTimeWithOffset = z.iso.datetime({
  offset: true,
  error: unlessMissing('must be an ISO date-time with a UTC offset, e.g. 2027-03-31T17:00:00+07:00'),
});
const percentage = z.number().min(0, { error: 'must be 0 to 100' }).max(100, { error: 'must be 0 to 100' });
const wholeNumber = z.int({ error: unlessMissing('must be a whole number') });
const positiveWeight = z.number().positive({ error: 'must be a positive weight' });

/** A duration text that parses and is longer than zero (a zero-length deadline or reminder is always a typo). */
const duration = z.string().superRefine((text, ctx) => {
  try {
    if (parseDuration(text) <= 0) report(ctx, 'must be longer than zero');
  } catch (error) {
    report(ctx, (error as Error).message);
  }
});

const timezone = z
  .string()
  .default('Asia/Jakarta')
  .superRefine((zone, ctx) => {
    if (!isIanaTimeZone(zone)) {
      report(ctx, `"${zone}" is not an IANA time zone such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura`);
    }
  });

function isIanaTimeZone(zone: string): boolean {
  // Recent engines also accept fixed offsets like "+07:00"; those are not IANA zones and carry no daylight rules.
  if (/^[+-]/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function cycleConfigSchema(regions: Regions) {
  const knownProvince = (code: string) => Object.hasOwn(regions.provinces, code);
  /** YAML reads an unquoted `32` as a number; province codes are two-digit integers, so converting it back is exact. */
  const provinceCode = z.preprocess(
    (value) => (typeof value === 'number' && Number.isInteger(value) ? String(value) : value),
    z.string().superRefine((code, ctx) => {
      if (!knownProvince(code)) report(ctx, `"${code}" is not a Kemendagri province code (e.g. 32 for Jawa Barat)`);
    }),
  );

  const phases = z
    .strictObject({
      kickoff: isoDate,
      intakeCloses: isoDate,
      assessmentStarts: isoDate.optional(),
      announcement: isoDate.optional(),
    })
    .superRefine((value, ctx) => {
      // Compare only dates that are themselves valid; a malformed one is already reported on its own path.
      const order = (['kickoff', 'intakeCloses', 'assessmentStarts', 'announcement'] as const).filter(
        (key) => value[key] !== undefined && isoDate.safeParse(value[key]).success,
      );
      for (let i = 1; i < order.length; i++) {
        const [earlier, later] = [order[i - 1], order[i]];
        if (value[later]! < value[earlier]!) {
          const rule = 'phases run kickoff ≤ intakeCloses ≤ assessmentStarts ≤ announcement';
          report(ctx, `${value[later]} is before phases.${earlier} (${value[earlier]}); ${rule}`, [later]);
        }
      }
    });

  const session = z.strictObject({
    id: identifier,
    date: isoDate,
    venue: label,
    provinces: z.array(provinceCode).min(1, { error: 'must list at least one province code' }),
    acceptsMakeUp: z.boolean().default(false),
  });
  const sessions = z
    .array(session)
    .min(1, { error: 'must list at least one socialization session' })
    .superRefine(
      (list, ctx) => {
        reportDuplicates(
          ctx,
          list.map((s) => s.id),
          (i) => [i, 'id'],
          'session id',
        );
        // A province may be served by several sessions (its dinas attends any one of them), but not twice by one.
        list.forEach((s, i) => reportDuplicates(ctx, s.provinces, (j) => [i, 'provinces', j], 'province'));
      },
      { when: soundAt(['*', 'id'], ['*', 'provinces']) },
    );

  const documentRequirement = z.strictObject({
    kind: documentKind,
    label,
    commodities: z.union([z.literal('all'), z.array(z.enum(COMMODITIES)).min(1)], {
      error: unlessMissing(`must be "all" or a list of commodity groups from: ${COMMODITIES.join(', ')}`),
    }),
  });
  const documents = z.strictObject({
    checklist: z
      .array(documentRequirement)
      .min(1)
      .superRefine(
        (list, ctx) => {
          reportDuplicates(
            ctx,
            list.map((d) => d.kind),
            (i) => [i, 'kind'],
            'document kind',
          );
          // Industry legality is mandatory for every IKM (Permenperin 14/2021); a cycle cannot waive it.
          const legality = list.findIndex((d) => d.kind === 'legality');
          if (legality < 0) report(ctx, 'must include the `legality` document, required for all commodities');
          else if (list[legality].commodities !== 'all') {
            report(ctx, 'legality must be required for `all` commodities', [legality, 'commodities']);
          }
        },
        { when: soundAt(['*', 'kind'], ['*', 'commodities']) },
      ),
    revisionRounds: wholeNumber.min(0, { error: 'must be 0 or more' }),
    // The documents table records sizes as 32-bit integers.
    maxFileMegabytes: z
      .number({ error: unlessMissing('must be a number of megabytes') })
      .positive({ error: 'must be more than 0' })
      .max(2000, { error: 'must be at most 2000 (MB)' })
      .optional(),
  });

  const criterion = z.strictObject({ id: identifier, label, weight: positiveWeight });
  const aspect = z
    .strictObject({
      id: identifier,
      label,
      weight: positiveWeight,
      criteria: z.array(criterion).min(1, { error: 'an aspect needs at least one criterion' }),
    })
    .superRefine(
      (value, ctx) =>
        reportDuplicates(
          ctx,
          value.criteria.map((c) => c.id),
          (i) => ['criteria', i, 'id'],
          'criterion id',
        ),
      { when: soundAt(['criteria', '*', 'id']) },
    );
  const commodityGroups = (what: string) =>
    z.union([z.literal('all'), z.array(z.enum(COMMODITIES)).min(1)], {
      error: unlessMissing(`must be "all" or a list of ${what} from: ${COMMODITIES.join(', ')}`),
    });
  const assessor = z.strictObject({
    id: identifier,
    name: label,
    email,
    province: provinceCode,
    affiliation: z.enum(AFFILIATIONS, {
      // A missing enum value is an invalid_value issue, which the per-parse map would word as a bad one.
      error: (issue) =>
        issue.input === undefined
          ? 'is required'
          : `must be one of: ${AFFILIATIONS.join(', ')}, got ${describe(issue.input)}`,
    }),
    /** The commodity groups this assessor may assess (associations are matched to their commodity). */
    commodities: commodityGroups('commodity groups the assessor may assess'),
  });
  const assessment = z
    .strictObject({
      assessorsPerNomination: wholeNumber.min(1, { error: 'must be at least 1' }),
      scale: z
        .strictObject({ min: wholeNumber, max: wholeNumber })
        .default({ min: 1, max: 3 })
        .superRefine((value, ctx) => {
          if (value.min >= value.max) report(ctx, `must be greater than scale.min (${value.min})`, ['max']);
        }),
      normalization: z.boolean().default(false),
      aspects: z.array(aspect).min(1, { error: 'must list at least one aspect' }),
      assessors: z.array(assessor).min(1, { error: 'must list at least one assessor' }),
      fieldVerificationThreshold: percentage,
      requireFullPanels: z.boolean().default(false),
    })
    .superRefine(
      (value, ctx) => {
        reportDuplicates(
          ctx,
          value.aspects.map((a) => a.id),
          (i) => ['aspects', i, 'id'],
          'aspect id',
        );
        reportDuplicates(
          ctx,
          value.assessors.map((a) => a.id),
          (i) => ['assessors', i, 'id'],
          'assessor id',
        );
      },
      { when: soundAt(['aspects', '*', 'id'], ['assessors', '*', 'id']) },
    );

  const checklistItem = z.strictObject({ id: identifier, label, required: z.boolean().default(false) });
  const fieldVisit = z
    .strictObject({
      appliesTo: z.enum(['all', 'threshold'], {
        error: unlessMissing(
          'must be all (every assessed nomination) or threshold (assessment.fieldVerificationThreshold)',
        ),
      }),
      team: z
        .strictObject({
          min: wholeNumber.min(1, { error: 'must be at least 1' }),
          max: wholeNumber.min(1, { error: 'must be at least 1' }),
        })
        .superRefine((value, ctx) => {
          if (value.max < value.min) report(ctx, `must be at least team.min (${value.min})`, ['max']);
        }),
      remindBefore: z.array(duration).default([]),
      checklist: z.array(checklistItem).min(1, { error: 'must list at least one item to look for on site' }),
      minFound: wholeNumber.min(0, { error: 'must be 0 or more' }),
    })
    .superRefine(
      (value, ctx) => {
        reportDuplicates(
          ctx,
          value.checklist.map((i) => i.id),
          (i) => ['checklist', i, 'id'],
          'checklist item',
        );
        if (value.minFound > value.checklist.length)
          report(ctx, `must be at most the number of checklist items (${value.checklist.length})`, ['minFound']);
      },
      { when: soundAt(['checklist'], ['minFound']) },
    );

  const gate = z
    .strictObject({
      fromStars: wholeNumber.min(1, { error: 'must be 1 to 5' }).max(5, { error: 'must be 1 to 5' }),
      documents: z.array(documentKind).optional(),
      fieldVerified: z.boolean().optional(),
      minAspectScore: z.record(z.string(), percentage).optional(),
    })
    .superRefine((value, ctx) => {
      if (
        !value.documents?.length &&
        value.fieldVerified === undefined &&
        !Object.keys(value.minAspectScore ?? {}).length
      ) {
        report(ctx, 'a gate needs at least one condition: documents, fieldVerified or minAspectScore');
      }
    });
  const stars = z.strictObject({
    thresholds: z.record(z.enum(STAR_LEVELS), percentage).superRefine((thresholds, ctx) => {
      for (let i = 1; i < STAR_LEVELS.length; i++) {
        const [lower, higher] = [thresholds[STAR_LEVELS[i - 1]], thresholds[STAR_LEVELS[i]]];
        if (higher <= lower) {
          report(ctx, `must be higher than the Bintang ${STAR_LEVELS[i - 1]} threshold (${lower})`, [STAR_LEVELS[i]]);
        }
      }
    }),
    gates: z.array(gate).default([]),
  });

  const starLevel = wholeNumber.min(1, { error: 'must be 1 to 5' }).max(5, { error: 'must be 1 to 5' });
  const award = z
    .strictObject({
      maxStars: starLevel.default(5),
      determination: z
        .enum(['decree', 'per-nomination'], { error: unlessMissing('must be decree or per-nomination') })
        .default('per-nomination'),
      packagingFromStars: starLevel.default(3),
      coaching: z
        .strictObject({
          byStars: z
            .record(
              z.enum(STAR_LEVELS),
              z.enum(COACHING_LEVELS, { error: unlessMissing(`must be one of: ${COACHING_LEVELS.join(', ')}`) }),
            )
            .default(DEFAULT_COACHING),
          ministry: email.optional(),
        })
        .default({ byStars: DEFAULT_COACHING }),
      certificateHandover: z.strictObject({ within: duration }).optional(),
      secondApproval: z.strictObject({ within: duration }).default({ within: DEFAULT_SECOND_APPROVAL }),
    })
    .default({
      maxStars: 5,
      determination: 'per-nomination',
      packagingFromStars: 3,
      coaching: { byStars: DEFAULT_COACHING },
      secondApproval: { within: DEFAULT_SECOND_APPROVAL },
    });

  const stageDeadline = z
    .strictObject({
      within: duration,
      at: isoDateTimeWithOffset.optional(),
      remindBefore: z.array(duration),
      onMissed: z.enum(MISSED_DEADLINE_POLICIES, {
        error: unlessMissing(`must be one of: ${MISSED_DEADLINE_POLICIES.join(', ')}`),
      }),
      grace: duration.optional(),
    })
    .superRefine((value, ctx) => {
      if (value.onMissed === 'grace' && value.grace === undefined) {
        report(ctx, 'is required when onMissed is grace (how much extra time to grant)', ['grace']);
      }
      if (value.onMissed !== 'grace' && value.grace !== undefined) {
        report(ctx, `has no effect unless onMissed is grace (it is ${value.onMissed})`, ['grace']);
      }
    });

  // Every stage a cycle always has needs its deadline; the optional steps' deadlines are checked against their blocks.
  const deadlineShape = Object.fromEntries(
    DEADLINE_STAGES.map((stage) => [
      stage,
      (OPTIONAL_DEADLINE_STAGES as readonly DeadlineStage[]).includes(stage) ? stageDeadline.optional() : stageDeadline,
    ]),
  ) as Record<DeadlineStage, typeof stageDeadline>;
  const deadlines = z.strictObject(deadlineShape) as unknown as z.ZodType<CycleConfig['deadlines']>;

  const prescreen = z.strictObject({
    enabled: z.boolean().default(true),
    maxReturns: wholeNumber.min(0, { error: 'must be 0 or more' }).default(2),
  });
  const sentra = z.strictObject({
    // Permenperin 14/2021: a sentra counts at least 5 units; a cycle may ask more, not fewer.
    minUnits: wholeNumber.min(5, { error: 'must be at least 5, the units a sentra counts by regulation' }).default(5),
    decreeDocument: documentKind.optional(),
  });
  const samples = z.strictObject({ required: z.boolean().default(true) });

  const addressPattern = (placeholder: string, sample: string) =>
    z.string().superRefine((pattern, ctx) => {
      const address = pattern.replaceAll(placeholder, sample);
      if (!pattern.includes(placeholder))
        report(ctx, `must contain ${placeholder}, e.g. disperin.${placeholder}@daerah.example`);
      else if (!z.email().safeParse(address).success) {
        report(ctx, `must give an email address once ${placeholder} is replaced (${sample} gave "${address}")`);
      }
    });

  return z
    .strictObject({
      id: slug,
      name: label,
      cadence: z.enum(['yearly', 'biennial'], { error: unlessMissing('must be yearly or biennial') }),
      timezone,
      phases,
      intakeWindow: duration,
      sessions,
      /** Refuse a schedule that leaves any province without a session (otherwise it is only reported). */
      requireFullCoverage: z.boolean().default(false),
      documents,
      assessment,
      fieldVisit: fieldVisit.optional(),
      stars,
      deadlines,
      prescreen: prescreen.optional(),
      sentra: sentra.optional(),
      samples: samples.optional(),
      contacts: z.strictObject({
        coordinators: z.array(email).min(1, { error: 'must list at least one coordinator address' }),
        dinasProvinsi: addressPattern('{province}', '32'),
        dinasKabKota: addressPattern('{regency}', '32.05'),
      }),
      award,
    })
    .superRefine(
      (config, ctx) => {
        // Conflict of interest: an assessor never scores a nomination from their own province, and a panel is drawn
        // from those matching the nomination's commodity; a short panel is escalated unless the config forbids it.
        if (!config.assessment.requireFullPanels) return;
        const short = describeShortfalls(
          panelShortfalls(config),
          config.assessment.assessorsPerNomination,
          regionDisplayName,
        );
        if (short) report(ctx, `${short}; add assessors (requireFullPanels is on)`, ['assessment', 'assessors']);
      },
      {
        when: soundAt(
          ['sessions', '*', 'provinces'],
          ['assessment', 'assessorsPerNomination'],
          ['assessment', 'assessors', '*', 'province'],
          ['assessment', 'assessors', '*', 'commodities'],
          ['assessment', 'requireFullPanels'],
        ),
      },
    )
    .superRefine(
      (config, ctx) => {
        if (!config.requireFullCoverage) return;
        const gaps = describeGaps(
          sessionCoverage({ sessions: config.sessions, provinces: displayNames(regions.provinces) }),
        );
        if (gaps) report(ctx, `${gaps} (requireFullCoverage is on)`, ['sessions']);
      },
      { when: soundAt(['sessions'], ['requireFullCoverage']) },
    )
    .superRefine(
      (config, ctx) => {
        // A step the cycle takes needs its deadline; a deadline for a step it leaves out is a sign of a mistake.
        const steps: [boolean, DeadlineStage, string][] = [
          [!!config.prescreen?.enabled, 'prescreen', 'prescreen.enabled'],
          [!!config.prescreen?.enabled, 'prescreenCompletion', 'prescreen.enabled'],
          [!!config.samples?.required, 'samples', 'samples.required'],
        ];
        for (const [on, stage, flag] of steps) {
          if (on && !config.deadlines[stage]) report(ctx, `is required when ${flag} is true`, ['deadlines', stage]);
          if (!on && config.deadlines[stage])
            report(ctx, `has no effect unless ${flag} is true; remove it or turn the step on`, ['deadlines', stage]);
        }
        // The sentra's legalising decree is a document every nomination submits.
        const decree = config.sentra?.decreeDocument;
        if (decree !== undefined) {
          const entry = config.documents.checklist.find((d) => d.kind === decree);
          const kinds = config.documents.checklist.map((d) => d.kind).join(', ');
          if (!entry)
            report(ctx, `"${decree}" is not a kind in documents.checklist (${kinds})`, ['sentra', 'decreeDocument']);
          else if (entry.commodities !== 'all')
            report(ctx, `the sentra decree ${decree} must be required for \`all\` commodities in documents.checklist`, [
              'sentra',
              'decreeDocument',
            ]);
        }
      },
      { when: soundAt(['deadlines'], ['prescreen'], ['samples'], ['sentra'], ['documents', 'checklist']) },
    )
    .superRefine(
      (config, ctx) => {
        const kinds = new Set(config.documents.checklist.map((d) => d.kind));
        const aspectIds = new Set(config.assessment.aspects.map((a) => a.id));
        config.stars.gates.forEach((g, i) => {
          g.documents?.forEach((kind, j) => {
            if (kinds.has(kind)) return;
            const message = `"${kind}" is not a kind in documents.checklist (${[...kinds].join(', ')})`;
            report(ctx, message, ['stars', 'gates', i, 'documents', j]);
          });
          for (const id of Object.keys(g.minAspectScore ?? {})) {
            if (aspectIds.has(id)) continue;
            const message = `"${id}" is not an aspect id in assessment.aspects (${[...aspectIds].join(', ')})`;
            report(ctx, message, ['stars', 'gates', i, 'minAspectScore', id]);
          }
        });
      },
      {
        when: soundAt(
          ['documents', 'checklist', '*', 'kind'],
          ['assessment', 'aspects', '*', 'id'],
          ['stars', 'gates'],
        ),
      },
    );
}

// ---------------------------------------------------------------------------------------------------------------------
// Helpers for reporting.

type PathPattern = readonly (PropertyKey | '*')[];

/**
 * A `when` condition for a cross-field check: run it unless a field it reads (or a parent of one) failed to parse as
 * the right type. Zod's default is to skip a check after any such failure anywhere in the object, which would hide,
 * say, a duplicate session province behind an unrelated typo in an assessor's email.
 */
function soundAt(...patterns: PathPattern[]) {
  return (payload: z.core.ParsePayload): boolean =>
    !payload.issues.some(
      (issue) => issue.continue !== true && patterns.some((pattern) => overlaps(issue.path ?? [], pattern)),
    );
}

/** Whether one path lies on the other (either is a prefix of the other), `*` matching any key or index. */
function overlaps(path: readonly PropertyKey[], pattern: PathPattern): boolean {
  const length = Math.min(path.length, pattern.length);
  for (let i = 0; i < length; i++) if (pattern[i] !== '*' && pattern[i] !== path[i]) return false;
  return true;
}

/**
 * Records a problem and lets validation go on. (A bare-string `ctx.addIssue('…')` counts as aborting in zod 4 and
 * would silence the cross-field checks of every enclosing object.)
 */
function report(ctx: z.core.$RefinementCtx, message: string, path: PropertyKey[] = []): void {
  ctx.addIssue({ code: 'custom', message, path, continue: true });
}

function reportDuplicates(
  ctx: z.core.$RefinementCtx,
  values: string[],
  pathOf: (index: number) => PropertyKey[],
  what: string,
): void {
  const firstIndex = new Map<string, number>();
  values.forEach((value, index) => {
    const first = firstIndex.get(value);
    if (first === undefined) firstIndex.set(value, index);
    else report(ctx, `duplicate ${what} "${value}" (also at position ${first})`, pathOf(index));
  });
}

/**
 * A schema's own message, quoting the bad value. It wins over the per-parse map, so a missing or empty value is passed
 * on to that map to read "is required" rather than, say, "must be an email address".
 */
function unlessMissing(message: string) {
  return (issue: z.core.$ZodRawIssue): string | undefined =>
    issue.input === undefined || issue.input === null ? undefined : `${message}, got ${describe(issue.input)}`;
}

/** Per-parse messages in plain words for the generic cases; schema-specific messages above take precedence. */
function plainMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'is required';
    // `key:` with nothing after it reads as null in YAML.
    if (issue.input === null) return 'is empty; give it a value';
    const expected = EXPECTED_WORDS[issue.expected] ?? issue.expected;
    return `must be ${expected}, got ${describe(issue.input)}`;
  }
  if (issue.code === 'invalid_value')
    return `must be one of: ${issue.values.map(String).join(', ')}, got ${describe(issue.input)}`;
  if (issue.code === 'too_small' && issue.origin === 'array') return `must list at least ${issue.minimum} item(s)`;
  return undefined;
}

const EXPECTED_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of keys to values',
  record: 'a mapping of keys to values',
};

/** The offending value, short enough for one line of an error message. */
function describe(value: unknown): string {
  if (value === null) return 'nothing (null)';
  const text = JSON.stringify(value) ?? String(value);
  if (text.length <= 60) return text;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${text.slice(0, 57)}...`;
}

function toIssues(issues: readonly z.core.$ZodIssue[]): CycleConfigIssue[] {
  return issues.flatMap((issue) =>
    // One line per unknown key, so each typo shows with its own full path.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          path: formatPath([...issue.path, key]),
          message: 'unknown key (check the spelling)',
        }))
      : [{ path: formatPath(issue.path), message: issue.message }],
  );
}

/** `['deadlines', 'documents', 'remindBefore', 1]` → `deadlines.documents.remindBefore[1]`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    '',
  );
}

/** Region names as people read them in mail and reports ("Kab. Garut", not "KABUPATEN GARUT"). */
function displayNames(table: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(table).map((code) => [code, regionDisplayName(code)]));
}
