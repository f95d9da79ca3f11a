import type { Commodity, DocumentRequirement } from './types';

/** The document kinds a nomination of this commodity must submit: the checklist's `all` entries and its own group's. */
export function requiredDocumentKinds(checklist: readonly DocumentRequirement[], commodity: Commodity): string[] {
  return checklist.filter((d) => d.commodities === 'all' || d.commodities.includes(commodity)).map((d) => d.kind);
}
