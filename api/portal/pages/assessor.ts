/**
 * The assessor's page: the nominations assigned to it (the API's listNominations, scoped in SQL to its assignments and
 * never its own province), each with a score sheet built from the cycle's aspects and criteria — the scale and every
 * weight shown — until its sheet is in. The sheet goes to POST /api/nominations/:id/scores.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/database';
import { listNominations, type NominationRow } from '../../nomination-reads';
import type { Stage } from '../../../domain/types';
import type { PageContext, PortalDeps } from '../context';
import { nominationUrl, requireSignedIn } from '../context';
import { cyclesById, timeZoneOf, type PortalCycle } from '../cycles';
import { formatNumber, formatWhen, timeLeft } from '../format';
import { html, type SafeHtml } from '../html';
import { csrfField, page } from '../layout';

export interface AssessorPageState {
  /** A refused sheet: the nomination, the values sent (kept in the form) and the API's reason. */
  refused?: { workflowId: string; values: Record<string, string>; message: string };
  notice?: { text: string; kind: 'ok' | 'error' } | null;
}

async function sheetsOf(db: Kysely<Database>, assessorId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('assessments')
    .select('workflow_id')
    .where('assessor_id', '=', assessorId)
    .where('workflow_id', 'in', ids)
    .execute();
  return new Set(rows.map((r) => r.workflow_id));
}

export async function assessorPage(
  deps: PortalDeps,
  ctx: PageContext,
  state: AssessorPageState = {},
): Promise<SafeHtml> {
  const p = requireSignedIn(ctx);
  const { t } = ctx;
  const rows = await listNominations(deps.db, p, { limit: 500, offset: 0 });
  const cycles = await cyclesById(
    deps.db,
    rows.map((r) => r.cycle_id),
  );
  // Its own sheets only: whether it has scored, never what another assessor gave.
  const scored = await sheetsOf(
    deps.db,
    p.actor.id,
    rows.map((r) => r.workflow_id),
  );
  const due = rows.filter((r) => r.stage === 'IN_ASSESSMENT' && !scored.has(r.workflow_id));
  const other = rows.filter((r) => !due.includes(r));
  const main = html`
    ${due.length === 0 ? html`<p>${t.assessor.empty}</p>` : ''}
    ${due.map((r) => sheet(ctx, r, cycles.get(r.cycle_id), state))}
    ${
      other.length
        ? html`<h2>${t.dinas.details}</h2>
            <ul>
              ${other.map(
                (r) =>
                  html`<li>
                    <a href="${nominationUrl(r.workflow_id)}">${r.ikm_name}</a> —
                    ${t.stages[r.stage as Stage] ?? r.stage}${
                      scored.has(r.workflow_id) ? html` · ${t.assessor.submitted}` : ''
                    }
                  </li>`,
              )}
            </ul>`
        : ''
    }
  `;
  return page(ctx, { title: t.assessor.heading, main, notice: state.notice });
}

const idOf = (workflowId: string) => workflowId.replace(/[^A-Za-z0-9_-]/g, '_');

function sheet(ctx: PageContext, r: NominationRow, cycle: PortalCycle | undefined, state: AssessorPageState) {
  const { t } = ctx;
  const a = cycle?.rules.assessment;
  if (!a) return html``;
  const scale = Array.from({ length: a.scale.max - a.scale.min + 1 }, (_, i) => a.scale.min + i);
  const refused = state.refused?.workflowId === r.workflow_id ? state.refused : undefined;
  const zone = timeZoneOf(cycle);
  const base = idOf(r.workflow_id);
  return html`<section class="card" aria-labelledby="h-${base}">
    <h2 id="h-${base}">${r.ikm_name}</h2>
    <p class="muted">
      ${r.product} · ${t.commodities[r.commodity] ?? r.commodity}<br />
      ${t.assessor.due}: ${formatWhen(t, r.deadline_at?.toISOString(), zone)}
      ${r.deadline_at ? html`(${timeLeft(t, r.deadline_at.toISOString())})` : ''}
    </p>
    <p>${t.assessor.scale(a.scale.min, a.scale.max)}</p>
    ${refused ? html`<p class="notice error" role="alert">${refused.message}</p>` : ''}
    <form method="post" action="${nominationUrl(r.workflow_id, '/nilai')}">
      ${csrfField(ctx)}
      ${a.aspects.map(
        (aspect) =>
          html`<fieldset>
            <legend>${aspect.label} — ${t.assessor.weight} ${formatNumber(t, aspect.weight)}</legend>
            ${aspect.criteria.map(
              (c) =>
                html`<fieldset class="scale">
                  <legend>${c.label} (${t.assessor.weight} ${formatNumber(t, c.weight)})</legend>
                  ${scale.map(
                    (v) =>
                      html`<label
                        ><input
                          type="radio"
                          name="s.${c.id}"
                          value="${v}"
                          required${refused?.values[`s.${c.id}`] === String(v) ? html` checked` : ''}
                        />
                        ${v}</label
                      >`,
                  )}
                </fieldset>`,
            )}
          </fieldset>`,
      )}
      <button type="submit">${t.assessor.submit}</button>
    </form>
  </section>`;
}
