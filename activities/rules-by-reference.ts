/**
 * Rules by reference (issue #16 item 4): a nomination is started with `rulesRef` (its cycle's id and the SHA-256 of
 * the cycle's rules) instead of the rules, and with no dinas address. The rules are stored once per content in
 * `cycle_rules`; the nomination's start check loads them and hands the workflow a copy **stripped** of names and
 * addresses, in which each address or name is a reference the mail activity resolves (activities/recipients.ts). So a
 * nomination's history — its inputs, every activity's input and result — holds no name or address of anyone.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import type { CycleRules, NominationStartInput, NominationWorkflowInput } from '../workflows/inputs';

/** How a stripped rule names a person or an office: `ref:<role>` or `ref:<role>:<id>`. */
export const REF_PREFIX = 'ref:';
export const ref = {
  /** The i-th address of `contacts.coordinators`. */
  coordinator: (i: number) => `${REF_PREFIX}coordinator:${i}`,
  assessor: (id: string) => `${REF_PREFIX}assessor:${id}`,
  assessorName: (id: string) => `${REF_PREFIX}assessor-name:${id}`,
  /** The nomination's dinas kabupaten/kota: the address it was proposed with, or the cycle's pattern for its regency. */
  dinas: `${REF_PREFIX}dinas`,
  /** The dinas provinsi pattern, its `{province}` placeholder kept for the workflow to fill in. */
  provinsi: `${REF_PREFIX}provinsi:{province}`,
  ministry: `${REF_PREFIX}ministry`,
} as const;

export const isRef = (v: unknown): v is string => typeof v === 'string' && v.startsWith(REF_PREFIX);

/** JSON with the keys of every object sorted, so equal rules hash alike whatever order their keys came in. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const rulesSha256 = (rules: CycleRules): string =>
  createHash('sha256').update(canonicalJson(rules)).digest('hex');

/**
 * The rules as a workflow may hold them: every assessor keeps id, province, affiliation and commodities, but their
 * name and address become references; the coordinators' addresses become one reference each (their number stays, as
 * a reminder goes to each), the dinas patterns and the ministry's address references too. Nothing else in the rules
 * names a person.
 */
export function stripRules(rules: CycleRules): CycleRules {
  const stripped: CycleRules = {
    ...rules,
    assessment: {
      ...rules.assessment,
      assessors: rules.assessment.assessors.map((a) => ({
        ...a,
        name: ref.assessorName(a.id),
        email: ref.assessor(a.id),
      })),
    },
    contacts: {
      coordinators: rules.contacts.coordinators.map((_, i) => ref.coordinator(i)),
      dinasProvinsi: ref.provinsi,
      dinasKabKota: ref.dinas,
    },
  };
  if (rules.award?.coaching.ministry !== undefined)
    stripped.award = { ...rules.award, coaching: { ...rules.award.coaching, ministry: ref.ministry } };
  return stripped;
}

/**
 * Stores the rules under their hash and the intake record of the nomination's start input, and returns that input:
 * the nomination without its dinas address (kept in `nomination_intake.dinas_email`), the rules as a reference. Both
 * writes are idempotent (a retried activity finds them); the first intake record of a workflow id stays, and what it
 * holds is returned: a start retried across the upgrade goes on with the whole rules it first recorded.
 */
export async function recordIntakeByReference(
  db: Kysely<Database>,
  workflowId: string,
  input: NominationWorkflowInput,
): Promise<NominationStartInput | NominationWorkflowInput> {
  const { rules, nomination, ...rest } = input;
  const cycleId = nomination.cycleId;
  const sha256 = rulesSha256(rules);
  await db
    .insertInto('cycle_rules')
    .values({ cycle_id: cycleId, sha256, rules: JSON.stringify(rules) })
    .onConflict((oc) => oc.columns(['cycle_id', 'sha256']).doNothing())
    .execute();
  const { dinasEmail, ...withoutAddress } = nomination;
  const start: NominationStartInput = { nomination: withoutAddress, rulesRef: { cycleId, sha256 }, ...rest };
  await db
    .insertInto('nomination_intake')
    .values({
      workflow_id: workflowId,
      cycle_id: cycleId,
      input: JSON.stringify(start),
      dinas_email: dinasEmail ?? null,
    })
    .onConflict((oc) => oc.column('workflow_id').doNothing())
    .execute();
  const row = await db
    .selectFrom('nomination_intake')
    .select(['input'])
    .where('workflow_id', '=', workflowId)
    .executeTakeFirstOrThrow();
  return row.input as NominationStartInput | NominationWorkflowInput;
}

/** The full rules a reference names, or null when none are stored under it. */
export async function loadRules(
  db: Kysely<Database>,
  rulesRef: { cycleId: string; sha256: string },
): Promise<CycleRules | null> {
  const row = await db
    .selectFrom('cycle_rules')
    .select(['rules'])
    .where('cycle_id', '=', rulesRef.cycleId)
    .where('sha256', '=', rulesRef.sha256)
    .executeTakeFirst();
  return row ? (row.rules as CycleRules) : null;
}
