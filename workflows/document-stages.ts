/**
 * The stages between the documents and the assessment: the provincial pre-screen and the product samples (steps a
 * cycle's config adds, issue 17), and the national administrative review with its revision rounds.
 */
import { deadlineOf } from './deadline-clock';
import {
  dinasEmail,
  missingDocuments,
  nationalRevisions,
  type NominationState,
  provinsiEmail,
} from './nomination-state';
import type { StageContext } from './stage-context';

/**
 * The dinas provinsi's pre-screen, in rounds: it passes the proposal on to the national selection, returns it to its
 * dinas kabupaten/kota to complete what it lists (a new document round, screened again), or rejects it. Returns false
 * when the nomination ended here.
 */
export async function provincialPrescreen(ctx: StageContext): Promise<boolean> {
  const { s, fx, clock } = ctx;
  for (;;) {
    s.prescreenDecision = null;
    await fx.enter('PROVINCIAL_PRESCREEN', 'stage.changed', { round: s.revisionRound });
    await fx.notify('prescreen_requested', `prescreen#${s.revisionRound}`, [provinsiEmail(s)], {
      deadlineStage: 'prescreen',
      deadline: new Date(deadlineOf(s, 'prescreen')).toISOString(),
    });
    if ((await clock.waitStage('prescreen', () => s.prescreenDecision !== null)) === 'closed') return false;
    const decision = s.prescreenDecision!;
    s.cause = decision.actor;
    const cc = [provinsiEmail(s)];
    if (decision.decision === 'pass') {
      await fx.notify('prescreen_passed', `prescreen_passed#${s.revisionRound}`, [dinasEmail(s)], { cc });
      return true;
    }
    if (decision.decision === 'reject') {
      await fx.enter('PRESCREEN_REJECTED', 'prescreen.rejected', { reason: decision.reason });
      await fx.notify('prescreen_rejected', 'prescreen_rejected', [dinasEmail(s)], { cc, reason: decision.reason });
      return false;
    }
    // A return opens a document round of its own, so the completed documents sit beside the first ones.
    s.revisionRound += 1;
    s.prescreenReturns += 1;
    s.resubmit = [...decision.missing!];
    await fx.enter('PRESCREEN_RETURNED', 'prescreen.returned', {
      reason: decision.reason,
      missing: s.resubmit,
      round: s.revisionRound,
    });
    await fx.notify('prescreen_returned', `prescreen_returned#${s.revisionRound}`, [dinasEmail(s)], {
      cc,
      reason: decision.reason,
      missing: s.resubmit.map((kind) => documentLabel(s, kind)).join('; '),
      deadlineStage: 'prescreenCompletion',
      deadline: new Date(deadlineOf(s, 'prescreenCompletion')).toISOString(),
    });
    if ((await clock.waitStage('prescreenCompletion', () => missingDocuments(s).length === 0)) === 'closed')
      return false;
  }
}

/** Waits for the coordinator to record the receipt of the product samples. Returns false when it ended here. */
export async function productSamples(ctx: StageContext): Promise<boolean> {
  const { s, fx, clock } = ctx;
  await fx.enter('AWAITING_SAMPLES', 'stage.changed');
  await fx.notify('samples_requested', 'samples_requested', [dinasEmail(s)], {
    deadlineStage: 'samples',
    deadline: new Date(deadlineOf(s, 'samples')).toISOString(),
  });
  return (await clock.waitStage('samples', () => s.sampleReceipt !== null)) === 'done';
}

/** Review rounds until the documents pass or the nomination is rejected. Returns false when it ended here. */
export async function administrativeReview(ctx: StageContext, resumedSince?: number): Promise<boolean> {
  const { s, fx, clock, chain } = ctx;
  const rounds = s.input.rules.documents.revisionRounds;
  let since = resumedSince;
  for (let first = true; ; first = false) {
    // A run continued here is already in its first round's UNDER_REVIEW (short runs: nomination-chain.ts).
    if (since === undefined) {
      s.reviewDecision = null;
      await fx.enter('UNDER_REVIEW', 'stage.changed', { round: s.revisionRound });
      if (first && chain.switchesAtBoundaries()) await chain.continueAt('review');
    }
    const wait = await clock.waitStage('review', () => s.reviewDecision !== null, since);
    since = undefined;
    if (wait === 'closed') return false;
    const decision = s.reviewDecision!;
    s.cause = decision.actor;
    // The dinas hears that it passed together with the assessors' assignment (see assessment()).
    if (decision.decision === 'approve') return true;
    // Rounds the pre-screen opened do not count against the national revision rounds.
    const exhausted = decision.decision === 'request_changes' && nationalRevisions(s) >= rounds;
    if (decision.decision === 'reject' || exhausted) {
      const reason = exhausted ? `revision rounds exhausted (${rounds}): ${decision.reason}` : decision.reason;
      await fx.enter('ADMIN_REJECTED', 'review.rejected', { reason });
      await fx.notify('admin_rejected', 'admin_rejected', [dinasEmail(s)], { cc: [provinsiEmail(s)], reason });
      return false;
    }
    s.revisionRound += 1;
    await fx.enter('REVISION_REQUESTED', 'review.changes_requested', {
      reason: decision.reason,
      resubmit: s.resubmit,
      round: s.revisionRound,
    });
    await fx.notify('revision_requested', `revision#${s.revisionRound}`, [dinasEmail(s)], {
      reason: decision.reason,
    });
    if ((await clock.waitStage('revision', () => missingDocuments(s).length === 0)) === 'closed') return false;
  }
}

/** A document kind as people read it in mail: its checklist label, with the kind for reference. */
function documentLabel(s: NominationState, kind: string): string {
  const entry = s.input.rules.documents.checklist.find((d) => d.kind === kind);
  return entry ? `${entry.label} (${kind})` : kind;
}
