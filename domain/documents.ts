import type { Commodity, DocumentRequirement } from './types';

/** The largest upload of one document when a cycle's `documents.maxFileMegabytes` does not say: scanned PDFs and
 * photos of certificates are a few MB. */
export const DEFAULT_MAX_FILE_MEGABYTES = 10;

/** The largest file, in bytes, a cycle's rules accept for one document. */
export const maxFileBytes = (documents: { maxFileMegabytes?: number }): number =>
  Math.floor((documents.maxFileMegabytes ?? DEFAULT_MAX_FILE_MEGABYTES) * 1_000_000);

/** The document kinds a nomination of this commodity must submit: the checklist's `all` entries and its own group's. */
export function requiredDocumentKinds(checklist: readonly DocumentRequirement[], commodity: Commodity): string[] {
  return checklist.filter((d) => d.commodities === 'all' || d.commodities.includes(commodity)).map((d) => d.kind);
}
