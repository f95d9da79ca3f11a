/** Checks the ids people type: a nomination is named by its full workflow id, a cycle by its config id. */
import { usage } from './errors';

const NOMINATION_ID = /^ovop\/([a-z0-9-]+)\/nomination\/(\d{2}\.\d{2})\/([a-z0-9-]+)$/;

export interface NominationRef {
  workflowId: string;
  cycleId: string;
  regencyCode: string;
  slug: string;
}

export function parseNominationId(text: string): NominationRef {
  const m = NOMINATION_ID.exec(text.trim());
  if (!m) {
    throw usage(
      `"${text}" is not a nomination id; expected ovop/<cycle>/nomination/<regency>/<ikm-slug>, e.g. ovop/ovop-contoh/nomination/32.05/pt-tama-cokelat-indonesia (ovop nominate prints them)`,
    );
  }
  return { workflowId: m[0], cycleId: m[1], regencyCode: m[2], slug: m[3] };
}

export function parseCycleId(text: string): string {
  const id = text.trim();
  if (!/^[a-z0-9-]+$/.test(id))
    throw usage(`"${text}" is not a cycle id; cycle ids are slugs such as ovop-2027 (the id: of the cycle config)`);
  return id;
}
