/**
 * Scripted actors for the demo: each nomination is driven by what its dinas, the coordinator and its assessors would
 * do at each stage, through the same Updates a real client sends.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Actor, CycleConfig, Stage } from '../../domain/types';
import { isTerminal } from '../../domain/types';
import { provinceOf } from '../../workflows/ids';
import {
  attendSocializationUpdate,
  determineStarsUpdate,
  nominationStateQuery,
  reviewDocumentsUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
  verifyFieldUpdate,
  withdrawUpdate,
  type NominationView,
} from '../../workflows/messages';
import type { DemoScript } from './nominations';

const coordinator: Actor = { role: 'coordinator', id: 'koordinator-ikma', region: '00' };

/** A stable pseudo-random number in [0, 1) from a text, so a demo run is reproducible. */
function unit(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h / 2 ** 32;
}

function scoreFor(script: DemoScript, key: string): number {
  const r = unit(key);
  if (script === 'excellent') return 3;
  if (script === 'good') return r < 0.75 ? 3 : 2;
  return r < 0.3 ? 3 : r < 0.85 ? 2 : 1;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends an update; a refusal because the state moved on meanwhile is not an error for a scripted actor. */
async function act(send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (err) {
    if (!(err instanceof WorkflowUpdateFailedError)) throw err;
  }
}

export async function driveNomination(
  handle: WorkflowHandle,
  script: DemoScript,
  config: CycleConfig,
  onStage: (stage: Stage) => void,
): Promise<NominationView> {
  let seen: Stage | null = null;
  for (;;) {
    const s = await handle.query(nominationStateQuery);
    if (s.stage !== seen) onStage((seen = s.stage));
    if (isTerminal(s.stage)) {
      // The query answers from memory; the result waits until the last row and mail of the workflow are done.
      await handle.result();
      return s;
    }
    const dinas: Actor = { role: 'dinas_kabkota', id: `disperin-${s.regencyCode}`, region: s.regencyCode };
    const submitMissing = async () => {
      // A reviewer's request for changes asks for the whole checklist again (see Nomination.review).
      for (const kind of s.requiredDocuments) {
        if (s.documents.some((d) => d.kind === kind && d.round === s.revisionRound)) continue;
        const checksum = Array.from({ length: 64 }, (_, i) => '0123456789abcdef'[Math.floor(unit(`${s.workflowId}${kind}${s.revisionRound}${i}`) * 16)]).join('');
        await act(() => handle.executeUpdate(submitDocumentUpdate, { args: [{ actor: dinas, kind, fileName: `${kind}-r${s.revisionRound}.pdf`, checksum, sizeBytes: 50_000 + kind.length }] }));
      }
    };
    if (!s.hold) {
      switch (s.stage) {
        case 'AWAITING_SOCIALIZATION':
          if (script !== 'late-attendance') {
            const session = config.sessions.find((x) => x.provinces.includes(provinceOf(s.regencyCode)))!;
            await act(() => handle.executeUpdate(attendSocializationUpdate, { args: [{ actor: dinas, sessionId: session.id }] }));
          }
          break;
        case 'AWAITING_DOCUMENTS':
          if (script === 'withdraw') await act(() => handle.executeUpdate(withdrawUpdate, { args: [{ actor: dinas, reason: 'IKM memilih mengikuti siklus berikutnya' }] }));
          else await submitMissing();
          break;
        case 'REVISION_REQUESTED':
          await submitMissing();
          break;
        case 'UNDER_REVIEW':
          if (script === 'revision' && s.revisionRound === 0) {
            await act(() => handle.executeUpdate(reviewDocumentsUpdate, { args: [{ actor: coordinator, decision: 'request_changes', reason: 'Salinan NIB tidak terbaca; unggah ulang' }] }));
          } else {
            await act(() => handle.executeUpdate(reviewDocumentsUpdate, { args: [{ actor: coordinator, decision: 'approve' }] }));
          }
          break;
        case 'IN_ASSESSMENT':
          for (const id of s.assessors.filter((a) => !s.scoredBy.includes(a))) {
            const profile = config.assessment.assessors.find((a) => a.id === id)!;
            const scores: Record<string, number> = {};
            for (const aspect of config.assessment.aspects) for (const c of aspect.criteria) scores[c.id] = scoreFor(script, `${s.workflowId}|${id}|${c.id}`);
            await act(() => handle.executeUpdate(submitScoresUpdate, { args: [{ actor: { role: 'assessor', id, region: profile.province }, scores }] }));
          }
          break;
        case 'FIELD_VERIFICATION':
          await act(() => handle.executeUpdate(verifyFieldUpdate, { args: [{ actor: coordinator, passed: true, notes: 'Sentra aktif dan produksi berjalan' }] }));
          break;
        case 'STAR_RECOMMENDED':
          await act(() => handle.executeUpdate(determineStarsUpdate, { args: [{ actor: coordinator }] }));
          break;
        default:
          break;
      }
    }
    await pause(400);
  }
}
