/**
 * The link a mail carries to its nomination's page in the portal. A workflow id carries the IKM's name (which may be
 * a person's), so the link names the nomination by a digest of the id instead: `/n/<24 hex digits>`; the portal
 * resolves it only for a signed-in user who may read that nomination.
 */
import { createHash } from 'node:crypto';

export const NOMINATION_REF = /^[0-9a-f]{24}$/;

export function nominationRef(workflowId: string): string {
  return createHash('sha256').update(workflowId, 'utf8').digest('hex').slice(0, 24);
}

/** The nomination's link under the portal's public address (`OVOP_PORTAL_URL`). */
export function nominationLink(portalUrl: string, workflowId: string): string {
  return `${portalUrl.replace(/\/+$/, '')}/n/${nominationRef(workflowId)}`;
}

/** Nomination workflows, as opposed to a cycle's: `ovop/<cycle>/nomination/<regency>/<slug>`. */
export const isNominationWorkflow = (workflowId: string) => /^ovop\/[^/]+\/nomination\//.test(workflowId);
