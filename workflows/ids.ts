/**
 * Workflow ids from business keys, so the client, the cycle and retries agree, and Temporal's id uniqueness is what
 * refuses the same IKM twice in one cycle. The same sentra under another lead firm is refused by a unique key in
 * PostgreSQL (sentra_claims, keyed by `sentraKey`), not by the id: see activities/cycle.activity.ts.
 */

/** Lower-case ASCII slug of an IKM name: "UD. Sido Mulyo" → "ud-sido-mulyo". */
export function ikmSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}

export function nominationWorkflowId(cycleId: string, regencyCode: string, ikmName: string): string {
  return `ovop/${cycleId}/nomination/${regencyCode}/${ikmSlug(ikmName)}`;
}

export function cycleWorkflowId(cycleId: string): string {
  return `ovop/${cycleId}/cycle`;
}

/** The key of a sentra within its regency: "Sentra Tenun Pandai Sikek" and "sentra tenun  pandai-sikek" are one. */
export function sentraKey(name: string): string {
  return ikmSlug(name);
}
