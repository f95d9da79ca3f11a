/**
 * What the people around a nomination do next, given its state: the dinas attends its socialization session and
 * submits the checklist, the dinas provinsi pre-screens and the coordinator records the samples (in cycles with those
 * steps), the coordinator reviews, each assessor scores, the coordinator verifies the field visit and
 * determines the stars. One decision table for the three scripted drivers — the demo (demo/actors.ts), the
 * bench (bench/throughput/driver.ts) and chaos (bench/chaos/drive.ts) — which differ only in how they send, time and survive.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { Actor, CycleConfig } from '../domain/types';
import { provinceOf } from '../domain/region-codes';
import {
  attendSocializationUpdate,
  determineStarsUpdate,
  recordFieldEvidenceUpdate,
  prescreenUpdate,
  recordSamplesUpdate,
  resolveHoldUpdate,
  reviewDocumentsUpdate,
  scheduleFieldVisitUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
  verifyFieldUpdate,
  withdrawUpdate,
  type NominationAnswer,
  type NominationView,
} from '../workflows/messages';
import { runUpdate } from '../common/run-update';

export const COORDINATOR: Actor = { role: 'coordinator', id: 'koordinator-ikma', region: '00' };

/** How one nomination's people behave. */
export interface ActorPlan {
  /** The dinas attends its session; when false the attendance deadline passes. */
  attends: boolean;
  /** The dinas withdraws at the document stage instead of submitting. */
  withdraws: boolean;
  /** The coordinator asks for changes once (review round 0) before approving. */
  requestsChanges: boolean;
  /** The dinas provinsi returns the proposal once for completion before passing it (cycles with a pre-screen). */
  prescreenReturnsOnce?: boolean;
  /** An assessor's score (1–3) for a criterion, from a stable key (`workflowId|assessor|criterion`). */
  score(key: string): number;
  /** Set: the coordinator extends a hold by ten minutes, with this reason, so that a run still ends. Unset: a hold
   * waits for a person. */
  extendHoldsBecause?: string;
  /** The stars are determined by the cycle's decree, not one by one: nobody acts on a recommended nomination. */
  determinesByDecree?: boolean;
}

/** The part of a nomination's view the decisions read. */
export type ActorView = Pick<
  NominationView,
  | 'workflowId'
  | 'stage'
  | 'regencyCode'
  | 'revisionRound'
  | 'hold'
  | 'requiredDocuments'
  | 'documents'
  | 'assessors'
  | 'scoredBy'
> &
  Partial<Pick<NominationView, 'fieldVisit' | 'prescreenReturns' | 'missingDocuments'>>;

/** How long after scheduling the scripted team arrives (the demo's visit reminder is 2 s before it). */
export const VISIT_LEAD_MS = 4_000;

export interface NextAction {
  /** Stable per nomination (`attend`, `doc:<kind>:<round>`, `score:<assessor>` …): drivers derive update ids from it. */
  key: string;
  /** The Update's name, for timings. */
  update: string;
  send(handle: WorkflowHandle, updateId?: string): Promise<NominationAnswer>;
}

/** A stable pseudo-random number in [0, 1) from a text, so that a scripted run is reproducible. */
export function unit(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h / 2 ** 32;
}

/** Mostly 3s, a quarter 2s: a nomination that is recommended and determined. */
export const steadyScores = (key: string) => (unit(key) < 0.75 ? 3 : 2);

/** The actions the state calls for now, in the order a person would take them; empty while the workflow is busy. */
export function nextActions(s: ActorView, plan: ActorPlan, config: CycleConfig): NextAction[] {
  const dinas: Actor = { role: 'dinas_kabkota', id: `disperin-${s.regencyCode}`, region: s.regencyCode };
  const r = s.revisionRound;
  const action = (key: string, update: string, send: NextAction['send']): NextAction => ({ key, update, send });
  if (s.hold) {
    if (plan.extendHoldsBecause === undefined) return [];
    const reason = plan.extendHoldsBecause;
    return [
      action(`resolve-hold:${s.hold.stage}:${s.hold.since}`, 'resolveHold', (h, updateId) =>
        runUpdate(h, resolveHoldUpdate, {
          updateId,
          args: [
            { actor: COORDINATOR, decision: 'extend', until: new Date(Date.now() + 10 * 60_000).toISOString(), reason },
          ],
        }),
      ),
    ];
  }
  switch (s.stage) {
    case 'AWAITING_SOCIALIZATION': {
      if (!plan.attends) return [];
      const session = config.sessions.find((x) => x.provinces.includes(provinceOf(s.regencyCode)))!;
      return [
        action('attend', 'attendSocialization', (h, updateId) =>
          runUpdate(h, attendSocializationUpdate, { updateId, args: [{ actor: dinas, sessionId: session.id }] }),
        ),
      ];
    }
    case 'PROVINCIAL_PRESCREEN': {
      const province = provinceOf(s.regencyCode);
      const provinsi: Actor = { role: 'dinas_provinsi', id: `disperin-prov-${province}`, region: province };
      const decree = config.sentra?.decreeDocument ?? 'legality';
      return [
        plan.prescreenReturnsOnce && !s.prescreenReturns
          ? action(`prescreen:${r}`, 'prescreen', (h, updateId) =>
              runUpdate(h, prescreenUpdate, {
                updateId,
                args: [
                  {
                    actor: provinsi,
                    decision: 'return',
                    reason: 'SK penetapan sentra belum ditandatangani bupati/walikota',
                    missing: [decree],
                  },
                ],
              }),
            )
          : action(`prescreen:${r}`, 'prescreen', (h, updateId) =>
              runUpdate(h, prescreenUpdate, { updateId, args: [{ actor: provinsi, decision: 'pass' }] }),
            ),
      ];
    }
    case 'AWAITING_SAMPLES':
      return [
        action('samples', 'recordSamples', (h, updateId) =>
          runUpdate(h, recordSamplesUpdate, {
            updateId,
            args: [
              {
                actor: COORDINATOR,
                receivedOn: new Date().toISOString().slice(0, 10),
                condition: 'good',
                receivedBy: 'Bagian Tata Usaha Ditjen IKMA',
              },
            ],
          }),
        ),
      ];
    case 'AWAITING_DOCUMENTS':
    case 'REVISION_REQUESTED':
    case 'PRESCREEN_RETURNED':
      if (plan.withdraws && s.stage === 'AWAITING_DOCUMENTS') {
        return [
          action('withdraw', 'withdraw', (h, updateId) =>
            runUpdate(h, withdrawUpdate, {
              updateId,
              args: [{ actor: dinas, reason: 'IKM memilih mengikuti siklus berikutnya' }],
            }),
          ),
        ];
      }
      // A reviewer's request for changes asks for the whole checklist again (see Nomination.review); a return by the
      // pre-screen asks for what it lists.
      return (s.missingDocuments ?? s.requiredDocuments)
        .filter((kind) => !s.documents.some((d) => d.kind === kind && d.round === r))
        .map((kind) => {
          const checksum = Array.from(
            { length: 64 },
            (_, i) => '0123456789abcdef'[Math.floor(unit(`${s.workflowId}${kind}${r}${i}`) * 16)],
          ).join('');
          return action(`doc:${kind}:${r}`, 'submitDocument', (h, updateId) =>
            runUpdate(h, submitDocumentUpdate, {
              updateId,
              args: [{ actor: dinas, kind, fileName: `${kind}-r${r}.pdf`, checksum, sizeBytes: 50_000 + kind.length }],
            }),
          );
        });
    case 'UNDER_REVIEW':
      return [
        plan.requestsChanges && r === 0
          ? action(`review:${r}`, 'reviewDocuments', (h, updateId) =>
              runUpdate(h, reviewDocumentsUpdate, {
                updateId,
                args: [
                  {
                    actor: COORDINATOR,
                    decision: 'request_changes',
                    reason: 'Salinan NIB tidak terbaca; unggah ulang',
                  },
                ],
              }),
            )
          : action(`review:${r}`, 'reviewDocuments', (h, updateId) =>
              runUpdate(h, reviewDocumentsUpdate, { updateId, args: [{ actor: COORDINATOR, decision: 'approve' }] }),
            ),
      ];
    case 'IN_ASSESSMENT':
      return s.assessors
        .filter((a) => !s.scoredBy.includes(a))
        .map((id) => {
          const profile = config.assessment.assessors.find((a) => a.id === id)!;
          const scores: Record<string, number> = {};
          for (const aspect of config.assessment.aspects)
            for (const c of aspect.criteria) scores[c.id] = plan.score(`${s.workflowId}|${id}|${c.id}`);
          return action(`score:${id}`, 'submitScores', (h, updateId) =>
            runUpdate(h, submitScoresUpdate, {
              updateId,
              args: [{ actor: { role: 'assessor', id, region: profile.province }, scores }],
            }),
          );
        });
    case 'FIELD_VERIFICATION':
      if (config.fieldVisit) return fieldVisitActions(s, config, action);
      return [
        action('verify', 'verifyField', (h, updateId) =>
          runUpdate(h, verifyFieldUpdate, {
            updateId,
            args: [{ actor: COORDINATOR, passed: true, notes: 'Sentra aktif dan produksi berjalan' }],
          }),
        ),
      ];
    case 'STAR_RECOMMENDED':
      if (plan.determinesByDecree) return [];
      return [
        action('determine', 'determineStars', (h, updateId) =>
          runUpdate(h, determineStarsUpdate, { updateId, args: [{ actor: COORDINATOR }] }),
        ),
      ];
    default:
      return [];
  }
}

/**
 * A field visit: the coordinator schedules it a few seconds ahead with a team from the pool (not of the nomination's
 * province); once the team is there, one member records every checklist item as found.
 */
function fieldVisitActions(
  s: ActorView,
  config: CycleConfig,
  action: (key: string, update: string, send: NextAction['send']) => NextAction,
): NextAction[] {
  const visit = s.fieldVisit;
  if (!visit) {
    const province = provinceOf(s.regencyCode);
    const team = config.assessment.assessors
      .filter((a) => a.province !== province)
      .slice(0, config.fieldVisit!.team.max)
      .map((a) => a.id);
    return [
      action('visit:schedule', 'scheduleFieldVisit', (h, updateId) =>
        runUpdate(h, scheduleFieldVisitUpdate, {
          updateId,
          args: [
            {
              actor: COORDINATOR,
              date: new Date(Date.now() + VISIT_LEAD_MS).toISOString(),
              team,
              facilitator: `Pendamping disperin-${s.regencyCode}`,
            },
          ],
        }),
      ),
    ];
  }
  if (Date.now() < Date.parse(visit.date) || visit.outstanding.length === 0) return [];
  const member = visit.team[0];
  const region = config.assessment.assessors.find((a) => a.id === member)!.province;
  const items = visit.outstanding.map((item) => ({ item, found: true, note: 'Ditemukan dan diperiksa di lokasi' }));
  return [
    action('visit:evidence', 'recordFieldEvidence', (h, updateId) =>
      runUpdate(h, recordFieldEvidenceUpdate, {
        updateId,
        args: [{ actor: { role: 'assessor', id: member, region }, items }],
      }),
    ),
  ];
}
