/**
 * Who a reference names (activities/rules-by-reference.ts): a nomination started with its rules by reference sends
 * its mails to `ref:coordinator:0`, `ref:assessor:A-01`, `ref:dinas`, `ref:provinsi:32` or `ref:ministry`, and names
 * assessors as `ref:assessor-name:A-01`; the addresses and names are looked up here, in its intake record and its
 * cycle's stored rules, so that they never enter the workflow's history. Plain addresses pass through unchanged (the
 * nominations started with the whole rules send those).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import type { CycleRules, NominationStartInput } from '../workflows/inputs';
import type { NotificationRequest } from './contracts';
import { isRef, loadRules } from './rules-by-reference';

/** What resolving a nomination's references needs: its cycle's full rules, its regency and its dinas address. */
export interface Contacts {
  rules: CycleRules;
  regencyCode: string;
  dinasEmail: string | null;
}

/** A reference that names nobody, or a nomination whose rules are not on record. */
export class UnknownReferenceError extends Error {}

export async function contactsOf(db: Kysely<Database>, workflowId: string): Promise<Contacts | null> {
  const row = await db
    .selectFrom('nomination_intake')
    .select(['input', 'dinas_email'])
    .where('workflow_id', '=', workflowId)
    .executeTakeFirst();
  const input = row?.input as Partial<NominationStartInput> | undefined;
  if (!row || !input?.rulesRef || !input.nomination) return null;
  const rules = await loadRules(db, input.rulesRef);
  return rules && { rules, regencyCode: input.nomination.regencyCode, dinasEmail: row.dinas_email };
}

const REF = /^ref:([a-z-]+)(?::(.+))?$/;

/** The address a reference names, or null when it names nobody. */
export function addressOf(c: Contacts, reference: string): string | null {
  const [, role, id] = REF.exec(reference) ?? [];
  switch (role) {
    case 'coordinator':
      return /^\d+$/.test(id ?? '') ? (c.rules.contacts.coordinators[Number(id)] ?? null) : null;
    case 'assessor':
      return c.rules.assessment.assessors.find((a) => a.id === id)?.email ?? null;
    case 'dinas':
      return c.dinasEmail ?? c.rules.contacts.dinasKabKota.replace('{regency}', c.regencyCode);
    case 'provinsi':
      return /^\d\d$/.test(id ?? '') ? c.rules.contacts.dinasProvinsi.replace('{province}', id!) : null;
    case 'ministry':
      return c.rules.award?.coaching.ministry ?? null;
    default:
      return null;
  }
}

/** The name a reference names (an assessor's), or null. */
export function nameOf(c: Contacts, reference: string): string | null {
  const [, role, id] = REF.exec(reference) ?? [];
  return role === 'assessor-name' ? (c.rules.assessment.assessors.find((a) => a.id === id)?.name ?? null) : null;
}

/** The request with its references replaced by addresses and names; unchanged when it holds none. Throws
 * UnknownReferenceError for a reference that names nobody. */
export async function resolveReferences(db: Kysely<Database>, req: NotificationRequest): Promise<NotificationRequest> {
  const { recipientName, team } = req.data;
  const refs = [...req.to, ...(req.cc ?? []), recipientName, ...(team ?? [])].filter(isRef);
  if (refs.length === 0) return req;
  const c = await contactsOf(db, req.workflowId);
  if (!c) throw new UnknownReferenceError(`${req.workflowId} has no rules on record to resolve ${refs.join(', ')}`);
  const resolve = (v: string, by: (c: Contacts, r: string) => string | null): string => {
    if (!isRef(v)) return v;
    const found = by(c, v);
    if (found === null) throw new UnknownReferenceError(`${v} names nobody in the rules of ${req.workflowId}`);
    return found;
  };
  const address = (v: string) => resolve(v, addressOf);
  const name = (v: string) => resolve(v, nameOf);
  return {
    ...req,
    to: req.to.map(address),
    ...(req.cc && { cc: req.cc.map(address) }),
    data: {
      ...req.data,
      ...(recipientName !== undefined && { recipientName: name(recipientName) }),
      ...(team && { team: team.map(name) }),
    },
  };
}

/** The address behind `value` when it is a reference (a coaching office in the projection), else `value`; a
 * reference that names nobody stays as it is, so the row is still written. */
export async function addressFor(db: Kysely<Database>, workflowId: string, value: string): Promise<string> {
  if (!isRef(value)) return value;
  const c = await contactsOf(db, workflowId);
  return (c && addressOf(c, value)) ?? value;
}
