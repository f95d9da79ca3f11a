/**
 * One nomination: what every reader of it may see (stage, deadline, documents, scores as aggregated). Access is the
 * API's: nominationScope and requireRead, the functions GET /api/nominations/:id runs; a refusal is its 403.
 */
import { requireRead } from '../../authorization';
import { documentsOf, nominationScope, nominationSummary } from '../../nomination-reads';
import { isTerminal, type Stage } from '../../../domain/types';
import type { PageContext, PortalDeps } from '../context';
import { requireSignedIn } from '../context';
import { cyclesById, timeZoneOf } from '../cycles';
import { formatNumber, formatWhen, timeLeft } from '../format';
import { html, type SafeHtml } from '../html';
import { page } from '../layout';

export async function nominationPage(deps: PortalDeps, ctx: PageContext, workflowId: string): Promise<SafeHtml> {
  const p = requireSignedIn(ctx);
  const { t } = ctx;
  const { row, scope } = await nominationScope(deps.db, workflowId);
  requireRead(p, scope);
  const n = nominationSummary(row);
  const documents = await documentsOf(deps.db, row.workflow_id);
  const zone = timeZoneOf((await cyclesById(deps.db, [row.cycle_id])).get(row.cycle_id));
  const stage = n.stage as Stage;
  const main = html`<dl class="card">
      <dt>${t.dinas.stage}</dt>
      <dd>${t.stages[stage] ?? stage}</dd>
      <dt>${t.detail.region}</dt>
      <dd>${n.regencyName}, ${n.provinceName}</dd>
      <dt>${t.detail.product}</dt>
      <dd>${n.product} (${t.commodities[n.commodity] ?? n.commodity}) · ${n.sentraName}</dd>
      ${
        n.deadlineAt && !isTerminal(stage)
          ? html`<dt>${t.dinas.deadline}</dt>
              <dd>${formatWhen(t, n.deadlineAt, zone)} (${timeLeft(t, n.deadlineAt)})</dd>`
          : ''
      }
      ${
        n.provisionalScore !== null
          ? html`<dt>${t.detail.score}</dt>
              <dd>${formatNumber(t, n.provisionalScore)}</dd>`
          : ''
      }
      ${
        n.recommendedStars !== null
          ? html`<dt>${t.detail.recommended}</dt>
              <dd>${n.recommendedStars}</dd>`
          : ''
      }
      ${
        n.stars !== null
          ? html`<dt>${t.detail.stars}</dt>
              <dd>${n.stars}</dd>`
          : ''
      }
    </dl>
    <h2>${t.detail.documents}</h2>
    ${
      documents.length === 0
        ? html`<p>${t.detail.noDocuments}</p>`
        : html`<ul>
            ${documents.map(
              (d) =>
                html`<li>
                  ${d.kind}: ${d.fileName} (${formatNumber(t, d.sizeBytes / 1024, 0)} KB) —
                  ${formatWhen(t, d.submittedAt, zone)}
                </li>`,
            )}
          </ul>`
    }
    <p><a href="/">${t.detail.back}</a></p>`;
  return page(ctx, { title: n.ikmName, main });
}
