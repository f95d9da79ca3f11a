/**
 * `ovop show <nomination>`: a nomination as the API reads it from the PostgreSQL projection (GET /api/nominations/<id>)
 * for the token's user: a dinas or an assessor sees no assessor and no score before the determination (the API leaves
 * them out); coordinators and auditors also see the assessors and their sheets. Operators who need the workflow's own
 * state use Temporal's tools (the Web UI, `temporal workflow query`).
 */
import type { z } from 'zod';
import type { NominationDetail } from '../../api/schemas';
import { nominationPath } from '../api-client';
import type { Context, Outcome } from '../context';
import { parseNominationId } from '../ids';
import { starsLabel } from '../nomination';
import { commodityLabel } from '../output';
import { formatTime } from '../time';

type Detail = z.infer<typeof NominationDetail>;

export async function show(ctx: Context, id: string): Promise<Outcome> {
  const ref = parseNominationId(id);
  ctx.subject = { kind: 'nomination', id: ref.workflowId };
  const view = await ctx.api().request<Detail>('GET', nominationPath(ref.workflowId));
  return { json: view, text: render(view), timezone: view.timezone ?? undefined };
}

const kb = (bytes: number) => (bytes < 1024 ? `${bytes} B` : `${Math.round(bytes / 1024)} KB`);

function render(view: Detail): string {
  const at = (iso: string) => formatTime(iso, view.timezone ?? undefined);
  const lines = [
    `${view.ikmName}${view.previousStars !== null ? ` (re-evaluation; Bintang ${view.previousStars} before)` : ''}`,
    `  nomination   ${view.workflowId}`,
    `  ikm          ${view.ikmName} — ${view.regencyName}, ${view.provinceName} — ${commodityLabel(view.commodity)}`,
    `  sentra       ${view.sentraName}`,
    `  product      ${view.product}`,
    `  stage        ${view.stage} (updated ${at(view.updatedAt)})`,
  ];
  if (view.deadlineAt) lines.push(`  deadline     ${at(view.deadlineAt)}`);
  if (view.documents.length === 0) lines.push('  documents    none yet');
  for (const [i, d] of view.documents.entries())
    lines.push(
      `  ${i === 0 ? 'documents   ' : '            '} ${d.kind}#${d.round}  ${d.fileName} (${kb(d.sizeBytes)}, sha256 ${d.checksum.slice(0, 12)}…)`,
    );
  // Only coordinators and auditors are told who assesses (blind assessment).
  if (view.assessors?.length)
    lines.push(`  assessors    ${view.assessors.map((a) => (a.scored ? `${a.id} (scored)` : a.id)).join(', ')}`);
  for (const s of view.assessments ?? []) lines.push(`  sheet        ${s.assessorId}: ${s.total}`);
  if (view.provisionalScore !== null) {
    const aspects = view.aspectScores
      ? ` (${Object.entries(view.aspectScores)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})`
      : '';
    lines.push(`  score        ${view.provisionalScore}${aspects}`);
  }
  if (view.recommendedStars !== null) lines.push(`  recommended  ${starsLabel(view.recommendedStars)}`);
  if (view.stars !== null) lines.push(`  stars        ${starsLabel(view.stars)}`);
  return lines.join('\n');
}
