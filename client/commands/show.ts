/** `ovop show <nomination>`: the nomination's current state (its state query), e.g. to see who must act next; with an
 * actor (--as, OVOP_ACTOR), as that actor's role may see it. */
import { blindAnswer } from '../../workflows/blind-view';
import { nominationStateQuery } from '../../workflows/messages';
import { awardLines } from '../award-lines';
import type { Context, Outcome } from '../context';
import { nominationHandle, missingDocuments, resultLines, viewOutcome } from '../nomination';

export async function show(ctx: Context, id: string): Promise<Outcome> {
  const { ref, handle } = await nominationHandle(ctx, id);
  const state = await ctx.call(handle.query(nominationStateQuery), `the state query of ${ref.workflowId}`);
  // With an actor, the view its role may see (blind assessment); without one, the operator's full view.
  const actor = ctx.optionalActor();
  const view = actor ? blindAnswer(state, actor.role) : state;
  const extra: string[] = [];
  // Views answered by a worker older than the sentra fields lack them.
  if (view.sentraUnits !== undefined) extra.push(`sentra       ${view.sentraName}, ${view.sentraUnits} units`);
  if (view.attendedSession) extra.push(`attended     ${view.attendedSession}`);
  if (['AWAITING_DOCUMENTS', 'REVISION_REQUESTED', 'PRESCREEN_RETURNED'].includes(view.stage))
    extra.push(`missing      ${missingDocuments(view).join(', ') || 'nothing'}`);
  if (view.prescreenNotes?.length) extra.push(`pre-screen   ${view.prescreenNotes.join('; ')}`);
  if (view.samples)
    extra.push(
      `samples      received ${view.samples.receivedOn} by ${view.samples.receivedBy}, ${view.samples.condition}${view.samples.notes ? ` (${view.samples.notes})` : ''}`,
    );
  if (view.documents.length > 0)
    extra.push(`documents    ${view.documents.map((d) => `${d.kind}#${d.round}`).join(', ')}`);
  if (view.reviewNotes.length > 0) extra.push(`review       ${view.reviewNotes.join('; ')}`);
  if (view.assessors.length > 0)
    extra.push(
      `assessors    ${view.assessors.map((a) => (view.scoredBy.includes(a) ? `${a} (scored)` : a)).join(', ')}`,
    );
  extra.push(...resultLines(view), ...awardLines(view));
  extra.push(`events       ${view.eventCount} recorded`);
  return viewOutcome(
    view,
    `${view.ikmName}${view.reevaluation ? ` (re-evaluation; Bintang ${view.previousStars} before)` : ''}`,
    extra,
  );
}
