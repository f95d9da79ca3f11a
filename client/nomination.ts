/**
 * Acting on one nomination through the API (POST /api/nominations/<id>/<action>, as the token's user), and the view
 * printed after it.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { NominationAnswer } from '../workflows/messages';
import { nominationPath } from './api-client';
import type { Context, Outcome } from './context';
import { parseNominationId, type NominationRef } from './ids';
import { commodityLabel } from './output';
import { formatTime } from './time';

/** A nomination's workflow handle, for the operator commands that read Temporal directly (audit trail, export, replay). */
export async function nominationHandle(
  ctx: Context,
  idArg: string,
): Promise<{ ref: NominationRef; handle: WorkflowHandle }> {
  const ref = parseNominationId(idArg);
  ctx.subject = { kind: 'nomination', id: ref.workflowId };
  const { client } = await ctx.temporal();
  return { ref, handle: client.workflow.getHandle(ref.workflowId) };
}

/** An action as the API takes it: the last segment of POST /api/nominations/<id>/<path>, and its JSON body. */
export interface ApiAction {
  path: string;
  body: unknown;
}

/** Does an action through the API and returns its answer, the nomination's new state as the token's user may see it. */
export async function act(ctx: Context, idArg: string, action: ApiAction): Promise<NominationAnswer> {
  const ref = parseNominationId(idArg);
  ctx.subject = { kind: 'nomination', id: ref.workflowId };
  return ctx.api().request<NominationAnswer>('POST', nominationPath(ref.workflowId, `/${action.path}`), {
    json: action.body,
  });
}

/**
 * The outcome of an action: its answer (the state; `show` adds the timeline) as JSON, a headline and the stage for
 * people, with times in the cycle's zone.
 */
export function viewOutcome(view: NominationAnswer, headline: string, extra: string[] = []): Outcome {
  const at = (iso: string) => formatTime(iso, view.timezone);
  const lines = [
    headline,
    `  nomination   ${view.workflowId}`,
    `  ikm          ${view.ikmName} — ${view.regencyName}, ${view.provinceName} — ${commodityLabel(view.commodity)}`,
    `  stage        ${view.stage} (since ${at(view.stageEnteredAt)})`,
  ];
  if (view.deadline) lines.push(`  deadline     ${view.deadline.stage} until ${at(view.deadline.at)}`);
  if (view.hold)
    lines.push(
      `  on hold      after the ${view.hold.stage} deadline, since ${at(view.hold.since)}; a coordinator decides`,
    );
  lines.push(...extra.map((l) => `  ${l}`));
  return { json: view, text: lines.join('\n'), timezone: view.timezone };
}

/** What the assessment came to — score, field check, recommendation, stars — as `show` and `determine` print it. */
export function resultLines(view: NominationAnswer): string[] {
  const lines: string[] = [];
  if (view.provisionalScore !== null) {
    const aspects = view.aspectScores
      ? ` (${Object.entries(view.aspectScores)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})`
      : '';
    lines.push(`score        ${view.provisionalScore}${aspects}`);
  }
  const visit = view.fieldVisit;
  if (visit) {
    const found = visit.evidence.map((e) => `${e.item} ${e.found ? 'found' : 'not found'}`);
    const left = visit.outstanding.length ? `; to record: ${visit.outstanding.join(', ')}` : '';
    const facilitator = visit.facilitator ? ` with ${visit.facilitator}` : '';
    // A dinas or an assessor is not told who is on the team (the API leaves it out).
    const team = visit.team?.length ? ` by ${visit.team.join(', ')}` : '';
    lines.push(
      `field visit  ${formatTime(visit.date, view.timezone)}${team}${facilitator}`,
      `evidence     ${found.join(', ') || 'none yet'}${left}`,
    );
  }
  if (view.fieldVerified !== null) lines.push(`field check  ${view.fieldVerified ? 'passed' : 'failed'}`);
  if (view.recommendedStars !== null) {
    const capped = view.cappedBy.length ? ` (capped: ${view.cappedBy.map((c) => c.reason).join('; ')})` : '';
    lines.push(`recommended  ${starsLabel(view.recommendedStars)}${capped}`);
  }
  if (view.stars !== null) lines.push(`stars        ${starsLabel(view.stars)}`);
  return lines;
}

export const starsLabel = (stars: number): string => (stars > 0 ? `Bintang ${stars}` : 'not classified');

/** Documents still missing in the current round, for the line after a submission. */
export function missingDocuments(view: NominationAnswer): string[] {
  // Answers from workers older than the field: the checklist less what this round holds.
  if (view.missingDocuments) return view.missingDocuments;
  return view.requiredDocuments.filter(
    (kind) => !view.documents.some((d) => d.kind === kind && d.round === view.revisionRound),
  );
}
