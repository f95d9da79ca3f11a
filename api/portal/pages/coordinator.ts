/**
 * The coordinator's dashboard for one cycle: its nominations per stage, those past their deadline, those held awaiting
 * a decision (extend or disqualify), the administrative review queue, and the determination with the recommendation,
 * the gates that capped it, the aspect scores and each assessor's sheet in view, and the cycle's pictures (charts of
 * the stars, the provinces' map: ./coordinator-pictures.ts). An auditor reads the same page
 * without the forms. Each list is its own query, paged by its own parameter and counted in SQL (../../coordinator-lists.ts);
 * the other reads are the API's (assessmentsOf, the projection's counts and events).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/database';
import { stageCounts } from '../../../db/reports';
import { STAGES, type Stage } from '../../../domain/types';
import { seesAssessors } from '../../authorization';
import {
  COORDINATOR_LISTS,
  coordinatorList,
  coordinatorListCount,
  type CoordinatorList,
} from '../../coordinator-lists';
import { assessmentsOf, type NominationRow } from '../../nomination-reads';
import type { PageContext, PortalDeps } from '../context';
import { nominationUrl, requireSignedIn } from '../context';
import { choicesNote, cycleChoices, timeZoneOf, type PortalCycle } from '../cycles';
import { emptyForm, selectField, textArea, textField } from '../fields';
import { formatNumber, formatWhen, timeLeft } from '../format';
import { html, type SafeHtml } from '../html';
import { csrfField, page } from '../layout';
import { PAGE_SIZE, pager, pagingOf, viewQuery, type Paging } from '../paging';
import { cyclePictures, mapMeasureOf } from './coordinator-pictures';

export interface CoordinatorPageState {
  actionError?: { workflowId: string; message: string };
  notice?: { text: string; kind: 'ok' | 'error' } | null;
}

/** Each list's section id on the page, and the query parameter of its page (`?halaman_verifikasi=2`): distinct, so
 * that paging one list keeps the others where they were, and the language switch keeps them all. */
const SECTIONS: Record<CoordinatorList, { id: string; param: string }> = {
  overdue: { id: 'lewat', param: 'halaman_lewat' },
  holds: { id: 'tahan', param: 'halaman_tahan' },
  review: { id: 'verifikasi', param: 'halaman_verifikasi' },
  determination: { id: 'penetapan', param: 'halaman_penetapan' },
};
const KEPT = ['siklus', 'peta', ...COORDINATOR_LISTS.map((l) => SECTIONS[l].param)];

interface ListPage {
  rows: NominationRow[];
  /** Over every page, counted by PostgreSQL. */
  count: number;
  paging: Paging;
  fetched: number;
}

/** What the recommendation recorded: the stars by score threshold and the gates that capped them. */
async function recommendationsOf(db: Kysely<Database>, ids: string[]) {
  const out = new Map<string, { byThreshold?: number; cappedBy: { fromStars: number; reason: string }[] }>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('nomination_events')
    .select(['workflow_id', 'payload'])
    .where('workflow_id', 'in', ids)
    .where('type', '=', 'stage.changed')
    .where('stage', '=', 'STAR_RECOMMENDED')
    .orderBy('seq')
    .execute();
  for (const r of rows) {
    const p = r.payload as { byThreshold?: number; cappedBy?: { fromStars: number; reason: string }[] };
    out.set(r.workflow_id, { byThreshold: p.byThreshold, cappedBy: Array.isArray(p.cappedBy) ? p.cappedBy : [] });
  }
  return out;
}

export async function coordinatorPage(
  deps: PortalDeps,
  ctx: PageContext,
  state: CoordinatorPageState = {},
): Promise<SafeHtml> {
  const p = requireSignedIn(ctx);
  const { t } = ctx;
  const acts = p.actor.role === 'coordinator';
  const { siklus: asked, peta } = ctx.req.query as { siklus?: string; peta?: string };
  const choices = await cycleChoices(deps.db, asked);
  const cycles = choices.cycles;
  const cycle = cycles.find((c) => c.id === asked) ?? cycles[0];
  if (!cycle) return page(ctx, { title: t.coordinator.heading, main: html`<p>${t.coordinator.none}</p>` });
  const zone = timeZoneOf(cycle);
  const counts = await stageCounts(deps.db, cycle.id);
  const now = Date.now();
  const lists = {} as Record<CoordinatorList, ListPage>;
  for (const list of COORDINATOR_LISTS) {
    const paging = pagingOf(ctx, SECTIONS[list].param);
    const fetched = await coordinatorList(deps.db, p, cycle.id, list, paging, new Date(now));
    const count = await coordinatorListCount(deps.db, p, cycle.id, list, new Date(now));
    lists[list] = { rows: fetched.slice(0, PAGE_SIZE), count, paging, fetched: fetched.length };
  }
  const { overdue, holds, review, determination: toDetermine } = lists;
  const recommendations = await recommendationsOf(
    deps.db,
    toDetermine.rows.map((r) => r.workflow_id),
  );
  const sheets = new Map<string, Awaited<ReturnType<typeof assessmentsOf>>>();
  if (seesAssessors(p))
    for (const r of toDetermine.rows) sheets.set(r.workflow_id, await assessmentsOf(deps.db, r.workflow_id));
  const pictures = await cyclePictures(deps.db, ctx, cycle, mapMeasureOf(peta));
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  // A refusal is shown on the cycle and the pages its form was on (the form's action carries them: paging.ts's
  // viewQuery); for a row this page no longer shows (moved meanwhile to another list or page) it is said at the top.
  const shown = COORDINATOR_LISTS.some((l) =>
    lists[l].rows.some((r) => r.workflow_id === state.actionError?.workflowId),
  );
  const notice =
    state.actionError && !shown ? { text: state.actionError.message, kind: 'error' as const } : state.notice;
  const more = (list: CoordinatorList, heading: string) =>
    pager(ctx, '/koordinator', lists[list].paging, lists[list].fetched, {
      keep: KEPT,
      label: `${t.paging.label}: ${heading}`,
      anchor: SECTIONS[list].id,
    });
  const err = (r: NominationRow) =>
    state.actionError?.workflowId === r.workflow_id
      ? html`<p class="notice error" role="alert">${state.actionError.message}</p>`
      : '';
  const link = (r: NominationRow) =>
    html`<a href="${nominationUrl(r.workflow_id)}">${r.ikm_name}</a> <span class="muted">(${r.regency_code})</span>`;
  const deadline = (r: NominationRow) =>
    r.deadline_at
      ? html`${formatWhen(t, r.deadline_at.toISOString(), zone)} ·
          <span class="overdue">${timeLeft(t, r.deadline_at.toISOString(), now)}</span>`
      : t.time.none;

  const main = html`
    <form method="get" action="/koordinator" class="card">
      ${selectField({
        form: { values: { siklus: cycle.id }, errors: {} },
        idPrefix: 'pilih',
        name: 'siklus',
        label: t.dinas.cycle,
        options: cycles.map((c) => ({ value: c.id, label: `${c.name} (${c.id})` })),
      })}
      <button type="submit" class="secondary">OK</button>
      ${choicesNote(t, choices) ? html`<p class="muted">${choicesNote(t, choices)}</p>` : ''}
    </form>

    <section aria-labelledby="tahap">
      <h2 id="tahap">${t.coordinator.perStage}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">${t.dinas.stage}</th>
            <th scope="col" class="num">${t.coordinator.total}</th>
          </tr>
        </thead>
        <tbody>
          ${STAGES.filter((s) => counts[s]).map(
            (s) =>
              html`<tr>
                <td>${t.stages[s]}</td>
                <td class="num">${formatNumber(t, counts[s], 0)}</td>
              </tr>`,
          )}
          <tr>
            <th scope="row">${t.coordinator.total}</th>
            <td class="num"><strong>${formatNumber(t, total, 0)}</strong></td>
          </tr>
        </tbody>
      </table>
    </section>

    ${pictures}

    <section aria-labelledby="lewat">
      <h2 id="lewat">${t.coordinator.overdue} (${formatNumber(t, overdue.count, 0)})</h2>
      ${
        overdue.rows.length
          ? html`<ul>
              ${overdue.rows.map((r) => html`<li>${link(r)} — ${t.stages[r.stage as Stage]} — ${deadline(r)}</li>`)}
            </ul>`
          : html`<p>${t.coordinator.none}</p>`
      }
      ${more('overdue', t.coordinator.overdue)}
    </section>

    <section aria-labelledby="tahan">
      <h2 id="tahan">${t.coordinator.holds} (${formatNumber(t, holds.count, 0)})</h2>
      ${
        holds.rows.length
          ? holds.rows.map(
              (r) =>
                html`<div class="card">
                  <p>${link(r)} — ${t.stages[r.stage as Stage]} — ${deadline(r)}</p>
                  ${err(r)} ${acts ? holdForm(ctx, r, zone) : ''}
                </div>`,
            )
          : html`<p>${t.coordinator.none}</p>`
      }
      ${more('holds', t.coordinator.holds)}
    </section>

    <section aria-labelledby="verifikasi">
      <h2 id="verifikasi">${t.coordinator.reviewQueue} (${formatNumber(t, review.count, 0)})</h2>
      ${
        review.rows.length
          ? review.rows.map(
              (r) =>
                html`<div class="card">
                  <p>${link(r)} — ${t.dinas.deadline}: ${deadline(r)}</p>
                  ${err(r)} ${acts ? reviewForm(ctx, r) : ''}
                </div>`,
            )
          : html`<p>${t.coordinator.none}</p>`
      }
      ${more('review', t.coordinator.reviewQueue)}
    </section>

    <section aria-labelledby="penetapan">
      <h2 id="penetapan">${t.coordinator.determination} (${formatNumber(t, toDetermine.count, 0)})</h2>
      ${
        toDetermine.rows.length
          ? toDetermine.rows.map((r) =>
              determination(
                ctx,
                r,
                cycle,
                recommendations.get(r.workflow_id),
                sheets.get(r.workflow_id) ?? [],
                acts,
                err(r),
              ),
            )
          : html`<p>${t.coordinator.none}</p>`
      }
      ${more('determination', t.coordinator.determination)}
    </section>
  `;
  return page(ctx, { title: `${t.coordinator.heading}: ${cycle.name}`, main, notice, home: '/koordinator' });
}

const idOf = (workflowId: string) => workflowId.replace(/[^A-Za-z0-9_-]/g, '_');

function reviewForm(ctx: PageContext, r: NominationRow) {
  const { t } = ctx;
  return html`<form method="post" action="${nominationUrl(r.workflow_id, '/verifikasi')}${viewQuery(ctx, KEPT)}">
    ${csrfField(ctx)}
    ${selectField({
      form: emptyForm(),
      idPrefix: `ver-${idOf(r.workflow_id)}`,
      name: 'decision',
      label: t.coordinator.decision,
      options: [
        { value: 'approve', label: t.coordinator.approve },
        { value: 'request_changes', label: t.coordinator.requestChanges },
        { value: 'reject', label: t.coordinator.reject },
      ],
    })}
    ${textArea({ form: emptyForm(), idPrefix: `ver-${idOf(r.workflow_id)}`, name: 'reason', label: t.dinas.reason })}
    <button type="submit">${t.coordinator.decision}</button>
  </form>`;
}

function holdForm(ctx: PageContext, r: NominationRow, zone: string) {
  const { t } = ctx;
  const f = { form: emptyForm(), idPrefix: `tahan-${idOf(r.workflow_id)}` };
  return html`<form method="post" action="${nominationUrl(r.workflow_id, '/tahanan')}${viewQuery(ctx, KEPT)}">
    ${csrfField(ctx)}
    <input type="hidden" name="zone" value="${zone}" />
    ${selectField({
      ...f,
      name: 'decision',
      label: t.coordinator.decision,
      options: [
        { value: 'extend', label: t.coordinator.extend },
        { value: 'disqualify', label: t.coordinator.disqualify },
      ],
    })}
    ${textField({ ...f, name: 'until', label: `${t.coordinator.until} (${zone})`, type: 'datetime-local' })}
    ${textArea({ ...f, name: 'reason', label: t.dinas.reason })}
    <button type="submit">${t.coordinator.decision}</button>
  </form>`;
}

function determination(
  ctx: PageContext,
  r: NominationRow,
  cycle: PortalCycle,
  rec: { byThreshold?: number; cappedBy: { fromStars: number; reason: string }[] } | undefined,
  sheets: Awaited<ReturnType<typeof assessmentsOf>>,
  acts: boolean,
  error: SafeHtml | string,
) {
  const { t } = ctx;
  const aspects = ((r.scores as { aspects?: Record<string, number> } | null)?.aspects ?? {}) as Record<string, number>;
  const labels = new Map(
    cycle.rules.assessment.aspects.map((a) => [a.id, `${a.label} (${t.assessor.weight} ${a.weight})`]),
  );
  const f = { form: emptyForm(), idPrefix: `tetap-${idOf(r.workflow_id)}` };
  return html`<div class="card">
    <h3>${r.ikm_name} <span class="muted">(${r.regency_code})</span></h3>
    <dl>
      <dt>${t.coordinator.recommendation}</dt>
      <dd>
        <strong>${r.recommended_stars ?? t.time.none}</strong> · ${t.detail.score}
        ${formatNumber(t, r.provisional_score)}
      </dd>
      ${
        rec?.byThreshold !== undefined
          ? html`<dt>${t.coordinator.byThreshold}</dt>
              <dd>${rec.byThreshold}</dd>`
          : ''
      }
      <dt>${t.coordinator.gates}</dt>
      <dd>
        ${
          rec && rec.cappedBy.length
            ? html`<ul>
                ${rec.cappedBy.map((g) => html`<li>${g.fromStars}: ${g.reason}</li>`)}
              </ul>`
            : t.coordinator.none
        }
      </dd>
      <dt>${t.coordinator.aspects}</dt>
      <dd>
        <ul>
          ${Object.entries(aspects).map(([id, v]) => html`<li>${labels.get(id) ?? id}: ${formatNumber(t, v)}</li>`)}
        </ul>
      </dd>
      ${
        sheets.length
          ? html`<dt>${t.coordinator.sheets}</dt>
              <dd>
                <ul>
                  ${sheets.map((s) => html`<li>${s.assessorId}: ${formatNumber(t, s.total)}</li>`)}
                </ul>
              </dd>`
          : ''
      }
    </dl>
    ${error}
    ${
      acts
        ? html`<form method="post" action="${nominationUrl(r.workflow_id, '/penetapan')}${viewQuery(ctx, KEPT)}">
            ${csrfField(ctx)}
            ${textField({ ...f, name: 'stars', label: t.coordinator.otherStars, type: 'number', extra: html`min="0" max="5" step="1"` })}
            ${textArea({ ...f, name: 'reason', label: t.coordinator.reasonIfOther })}
            <button type="submit">${t.coordinator.determine}</button>
          </form>`
        : ''
    }
  </div>`;
}
