/**
 * What a signed-in user may read and do, decided on the server from their user record alone (role, region) and the
 * projection (a nomination's regency and province, the assessors assigned to it). The workflow validators check the
 * same rules again with the actor derived here: this is the first line, they are the second.
 *
 * - coordinator: reads everything; reviews, verifies, determines, extends, decides holds, withdraws, steers cycles.
 * - dinas_kabkota: reads and acts for the nominations of its own kabupaten/kota (attend, documents, withdraw, nominate).
 * - dinas_provinsi: reads the nominations of its province; no actions.
 * - assessor: reads and scores only the nominations assigned to it, never one of its own province.
 * - auditor: reads everything, including the audit trail; no actions.
 * A dinas never sees who assesses it or any one assessor's scores (see nomination-reads.ts).
 */
import type { Role } from '../domain/types';
import type { Principal } from './auth';
import { forbidden } from './errors';

/** The projection's facts about one nomination that its access depends on. */
export interface NominationScope {
  workflowId: string;
  regencyCode: string;
  provinceCode: string;
  /** Assessor ids assigned to it (empty before assessment). */
  assessors: readonly string[];
}

export const ROLE_LABEL: Record<Role, string> = {
  coordinator: 'a coordinator',
  dinas_kabkota: 'a dinas kabupaten/kota',
  dinas_provinsi: 'a dinas provinsi',
  assessor: 'an assessor',
  auditor: 'an auditor',
};

/** Why the principal may not read this nomination, or null when it may. */
export function readRefusal(p: Principal, n: NominationScope): string | null {
  const { role, region, id } = p.actor;
  switch (role) {
    case 'coordinator':
    case 'auditor':
      return null;
    case 'dinas_kabkota':
      return n.regencyCode === region
        ? null
        : `nomination ${n.workflowId} belongs to kabupaten/kota ${n.regencyCode}; you act for ${region}`;
    case 'dinas_provinsi':
      return n.provinceCode === region
        ? null
        : `nomination ${n.workflowId} is in province ${n.provinceCode}; you act for province ${region}`;
    case 'assessor':
      if (n.provinceCode === region)
        return `conflict of interest: nomination ${n.workflowId} is in your own province ${region}`;
      return n.assessors.includes(id) ? null : `nomination ${n.workflowId} is not assigned to assessor ${id}`;
    default:
      return `role ${role} may not read nominations`;
  }
}

export function requireRead(p: Principal, n: NominationScope): void {
  const why = readRefusal(p, n);
  if (why) throw forbidden(why);
}

/** Refuses unless the principal has one of the roles (`what` completes "may not …"). */
export function requireRole(p: Principal, roles: readonly Role[], what: string): void {
  const role = p.actor.role as Role;
  if (!roles.includes(role))
    throw forbidden(`role ${role} may not ${what}; only ${roles.map((r) => ROLE_LABEL[r]).join(' or ')} may`);
}

/** Whether the principal sees assessor identities and their individual scores. */
export const seesAssessors = (p: Principal): boolean => p.actor.role === 'coordinator' || p.actor.role === 'auditor';
