/**
 * Blind assessment (#15 item 2): who assesses a nomination and what each of them gave is seen only by coordinators and
 * auditors; the dinas (kabupaten/kota and provinsi) and the assessors see the aggregate only once the stars are
 * determined. One function per view, used by the workflow's Update answers, the API, the portal and the CLI alike.
 *
 * WORKFLOW-SAFE: pure.
 */
import type { Stage } from '../domain/types';
import type { NominationAnswer, NominationView, TimelineEntry } from './messages';

/** Whether a reader of this role sees assessor identities and individual scores. */
export const seesPanel = (role: string): boolean => role === 'coordinator' || role === 'auditor';

/** Whether a reader of this role sees the score, the aspect scores and the recommendation at this stage. */
export const seesAggregate = (role: string, stage: Stage): boolean =>
  seesPanel(role) || stage === 'DETERMINED' || stage === 'NOT_CLASSIFIED';

/** Keys of an event's detail that name assessors or carry one assessor's scores. */
const PANEL_KEYS = [
  'assessors',
  'perAssessor',
  'team',
  'total',
  'drawn',
  'replacement',
  'removed',
  'assessorId',
  'draw',
];
/** Keys of an event's detail that carry the aggregate or the recommendation. */
const AGGREGATE_KEYS = ['provisionalScore', 'aspects', 'recommendedStars', 'byThreshold', 'cappedBy', 'score'];
/** The stand-in for an assessor wherever a blind reader would see one. */
export const BLIND_ASSESSOR = { role: 'assessor', id: 'penilai', region: '' } as const;

/** The answer as a reader of `role` may see it. */
export function blindAnswer<T extends NominationAnswer | NominationView>(a: T, role: string): T {
  if (seesPanel(role)) return a;
  const aggregate = seesAggregate(role, a.stage);
  const blind: T = {
    ...a,
    assessors: [],
    scoredBy: [],
    remindersSent: a.remindersSent.filter((k) => !k.startsWith('reminder:assessment') && !k.startsWith('visit:')),
    fieldVisit: a.fieldVisit && {
      ...a.fieldVisit,
      team: [],
      evidence: a.fieldVisit.evidence.map((e) => ({ ...e, recordedBy: '' })),
    },
    // A determination awaiting a second coordinator is the coordinators' business until it stands.
    awaitingApproval: null,
    ...(!aggregate && { provisionalScore: null, aspectScores: null, recommendedStars: null, cappedBy: [] }),
  };
  if ('history' in a) (blind as NominationView).history = a.history.map((e) => blindEntry(e, aggregate));
  return blind;
}

/** A timeline entry as a blind reader sees it: no assessor named as its actor or in its detail. */
export function blindEntry(e: TimelineEntry, aggregate: boolean): TimelineEntry {
  const hidden = aggregate ? PANEL_KEYS : [...PANEL_KEYS, ...AGGREGATE_KEYS];
  const detail = e.detail && Object.fromEntries(Object.entries(e.detail).filter(([k]) => !hidden.includes(k)));
  return { ...e, actor: e.actor.role === 'assessor' ? { ...BLIND_ASSESSOR } : e.actor, ...(detail && { detail }) };
}
