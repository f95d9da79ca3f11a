/**
 * The assessor's page: the nominations assigned to it (scoped in SQL to its assignments and never its own province),
 * each with a score sheet built from the cycle's aspects and criteria — the scale and every weight shown — until its
 * sheet is in, then among the others. Both lists are paged 25 at a time by a parameter of their own and counted by
 * PostgreSQL (../../assessor-lists.ts). The sheet goes to POST /api/nominations/:id/scores.
 */
import { ASSESSOR_LISTS, assessorList, assessorListCount, type AssessorList } from '../../assessor-lists';
import type { NominationRow } from '../../nomination-reads';
import type { Stage } from '../../../domain/types';
import type { PageContext, PortalDeps } from '../context';
import { nominationUrl, requireSignedIn } from '../context';
import { cyclesById, timeZoneOf, type PortalCycle } from '../cycles';
import { formatNumber, formatWhen, timeLeft } from '../format';
import { html, type SafeHtml } from '../html';
import { csrfField, page } from '../layout';
import { PAGE_SIZE, pager, pagingOf, viewQuery, type Paging } from '../paging';

export interface AssessorPageState {
  /** A refused sheet: the nomination, the values sent (kept in the form) and the API's reason. */
  refused?: { workflowId: string; values: Record<string, string>; message: string };
  notice?: { text: string; kind: 'ok' | 'error' } | null;
}

/** Each list's section id and the query parameter of its page: distinct, so that paging one keeps the other where it
 * was, and the language switch keeps both. */
const SECTIONS: Record<AssessorList, { id: string; param: string }> = {
  due: { id: 'nilai', param: 'halaman_nilai' },
  other: { id: 'lain', param: 'halaman_lain' },
};
const KEPT = ASSESSOR_LISTS.map((l) => SECTIONS[l].param);

export async function assessorPage(
  deps: PortalDeps,
  ctx: PageContext,
  state: AssessorPageState = {},
): Promise<SafeHtml> {
  const p = requireSignedIn(ctx);
  const { t } = ctx;
  const lists = {} as Record<AssessorList, { rows: NominationRow[]; count: number; paging: Paging; fetched: number }>;
  for (const list of ASSESSOR_LISTS) {
    const paging = pagingOf(ctx, SECTIONS[list].param);
    const fetched = await assessorList(deps.db, p, list, paging);
    const count = await assessorListCount(deps.db, p, list);
    lists[list] = { rows: fetched.slice(0, PAGE_SIZE), count, paging, fetched: fetched.length };
  }
  const { due, other } = lists;
  const cycles = await cyclesById(
    deps.db,
    due.rows.map((r) => r.cycle_id),
  );
  const more = (list: AssessorList, heading: string) =>
    pager(ctx, '/penilai', lists[list].paging, lists[list].fetched, {
      keep: KEPT,
      label: `${t.paging.label}: ${heading}`,
      anchor: SECTIONS[list].id,
    });
  // A refused sheet for a nomination this page does not show (scored meanwhile, or on another page) is said at the top.
  const shown = due.rows.some((r) => r.workflow_id === state.refused?.workflowId);
  const notice = state.refused && !shown ? { text: state.refused.message, kind: 'error' as const } : state.notice;
  const n = (v: number) => formatNumber(t, v, 0);
  const main = html`
    <h2 id="${SECTIONS.due.id}">${t.assessor.dueHeading} (${n(due.count)})</h2>
    ${due.rows.length === 0 ? html`<p>${t.assessor.empty}</p>` : ''}
    ${due.rows.map((r) => sheet(ctx, r, cycles.get(r.cycle_id), state))} ${more('due', t.assessor.dueHeading)}
    ${
      other.count
        ? html`<section aria-labelledby="${SECTIONS.other.id}">
            <h2 id="${SECTIONS.other.id}">${t.assessor.others} (${n(other.count)})</h2>
            <ul>
              ${other.rows.map(
                (r) =>
                  html`<li>
                    <a href="${nominationUrl(r.workflow_id)}">${r.ikm_name}</a> —
                    ${t.stages[r.stage as Stage] ?? r.stage}${
                      // Not due while assigned: in assessment, that is because its own sheet is in.
                      r.stage === 'IN_ASSESSMENT' ? html` · ${t.assessor.submitted}` : ''
                    }
                  </li>`,
              )}
            </ul>
            ${more('other', t.assessor.others)}
          </section>`
        : ''
    }
  `;
  return page(ctx, { title: t.assessor.heading, main, notice, home: '/penilai' });
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
    <h3 id="h-${base}">${r.ikm_name}</h3>
    <p class="muted">
      ${r.product} · ${t.commodities[r.commodity] ?? r.commodity}<br />
      ${t.assessor.due}: ${formatWhen(t, r.deadline_at?.toISOString(), zone)}
      ${r.deadline_at ? html`(${timeLeft(t, r.deadline_at.toISOString())})` : ''}
    </p>
    <p>${t.assessor.scale(a.scale.min, a.scale.max)}</p>
    ${refused ? html`<p class="notice error" role="alert">${refused.message}</p>` : ''}
    <form method="post" action="${nominationUrl(r.workflow_id, '/nilai')}${viewQuery(ctx, KEPT)}">
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
