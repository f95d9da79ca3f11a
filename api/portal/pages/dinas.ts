/**
 * The dinas kabupaten/kota page: its nominations with their stage, the step expected of it and the deadline with the
 * time left; the socialization sessions it may attend (those covering its province); withdrawal; and the form that
 * nominates one IKM. Reads are the API's own (listNominations, scoped in SQL to the office's kabupaten/kota); no
 * assessor identity or individual score is read at all.
 */
import { countNominations, listNominations, type NominationRow } from '../../nomination-reads';
import { COMMODITIES, isTerminal, type DeadlineStage, type Stage } from '../../../domain/types';
import { regionDisplayName } from '../../../domain/regions';
import { STAGE_DEADLINE } from '../../../workflows/deadline-clock';
import type { PageContext, PortalDeps } from '../context';
import { nominationUrl, requireSignedIn } from '../context';
import {
  choicesNote,
  cycleChoices,
  cyclesById,
  moreOpenNote,
  openCycles,
  timeZoneOf,
  type OpenCycles,
  type PortalCycle,
} from '../cycles';
import { PAGE_SIZE, pager, pagingOf, viewQuery } from '../paging';

/** The view a form on this page carries back (paging.ts's viewQuery): the cycle filter and the page. */
const KEPT = ['siklus', 'halaman'];
import { emptyForm, selectField, textArea, textField, type FormState } from '../fields';
import { formatWhen, timeLeft } from '../format';
import { html, type SafeHtml } from '../html';
import { csrfField, page } from '../layout';

/** The deadlines that wait on the dinas kabupaten/kota itself. */
const DINAS_STEPS: readonly DeadlineStage[] = ['attendance', 'documents', 'prescreenCompletion', 'revision'];
/** Those done on the nomination's own page, where its documents are uploaded. */
const UPLOAD_STEPS: readonly DeadlineStage[] = ['documents', 'prescreenCompletion', 'revision'];

export interface DinasPageState {
  nominate?: FormState;
  /** A refused action on one nomination, shown beside its form. */
  actionError?: { workflowId: string; message: string };
  notice?: { text: string; kind: 'ok' | 'error' } | null;
}

export async function dinasPage(deps: PortalDeps, ctx: PageContext, state: DinasPageState = {}): Promise<SafeHtml> {
  const p = requireSignedIn(ctx);
  const { t } = ctx;
  const paging = pagingOf(ctx);
  const fetched = await listNominations(deps.db, p, {
    cycleId: paging.cycleId,
    limit: paging.limit,
    offset: paging.offset,
  });
  const rows = fetched.slice(0, PAGE_SIZE);
  const open = await openCycles(deps.db);
  const choices = await cycleChoices(deps.db, paging.cycleId);
  const cycles = await cyclesById(
    deps.db,
    rows.map((r) => r.cycle_id),
  );
  for (const c of open.cycles) cycles.set(c.id, c);
  const office = regionDisplayName(p.actor.region);
  // The dinas provinsi reads its province's nominations here; only the dinas kabupaten/kota acts on them.
  const acts = p.actor.role === 'dinas_kabkota';
  // Counted by PostgreSQL over the province, not from a page of rows.
  const awaiting =
    p.actor.role === 'dinas_provinsi' ? await countNominations(deps.db, p, { stage: 'PROVINCIAL_PRESCREEN' }) : 0;
  const main = html`
    ${p.actor.role === 'dinas_provinsi' ? html`<p><a href="/dinas/praseleksi">${t.prescreen.link(awaiting)}</a></p>` : ''}
    <section aria-labelledby="usulan">
      <h2 id="usulan">${t.dinas.list}</h2>
      <form method="get" action="/dinas">
        ${selectField({
          form: { values: { siklus: paging.cycleId ?? '' }, errors: {} },
          idPrefix: 'saring',
          name: 'siklus',
          label: t.paging.cycle,
          options: [
            { value: '', label: t.paging.allCycles },
            ...choices.cycles.map((c) => ({ value: c.id, label: `${c.name} (${c.id})` })),
          ],
        })}
        <button type="submit" class="secondary">${t.paging.show}</button>
        ${choicesNote(t, choices) ? html`<p class="muted">${choicesNote(t, choices)}</p>` : ''}
      </form>
      ${
        rows.length === 0
          ? html`<p>${t.dinas.empty}</p>`
          : html`<table class="cards">
              <thead>
                <tr>
                  <th scope="col">${t.dinas.ikm}</th>
                  <th scope="col">${t.dinas.stage}</th>
                  <th scope="col">${t.dinas.next}</th>
                  <th scope="col">${t.dinas.deadline}</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map((r) => nominationRow(ctx, r, cycles.get(r.cycle_id), state, acts))}
              </tbody>
            </table>`
      }
      ${pager(ctx, '/dinas', paging, fetched.length)}
    </section>
    ${acts ? nominateForm(ctx, open, state.nominate ?? emptyForm()) : ''}
  `;
  return page(ctx, { title: t.dinas.heading(office), main, notice: state.notice, home: '/dinas' });
}

function nominationRow(
  ctx: PageContext,
  r: NominationRow,
  cycle: PortalCycle | undefined,
  state: DinasPageState,
  acts: boolean,
) {
  const { t } = ctx;
  const stage = r.stage as Stage;
  const step = STAGE_DEADLINE[stage];
  const zone = timeZoneOf(cycle);
  const overdue = r.deadline_at !== null && r.deadline_at.getTime() < Date.now();
  const next = isTerminal(stage)
    ? html`<span class="muted">${t.dinas.nothingExpected}</span>`
    : step && DINAS_STEPS.includes(step)
      ? UPLOAD_STEPS.includes(step)
        ? html`<a href="${nominationUrl(r.workflow_id)}#dokumen">${capitalize(t.actions[step])}</a>.`
        : html`${capitalize(t.actions[step])}.`
      : html`<span class="muted">${t.dinas.waitingOthers}: ${t.stages[stage]}.</span>`;
  const error = state.actionError?.workflowId === r.workflow_id ? state.actionError.message : null;
  return html`<tr>
    <td data-label="${t.dinas.ikm}">
      <a href="${nominationUrl(r.workflow_id)}">${r.ikm_name}</a><br />
      <span class="muted">${r.sentra_name} · ${t.commodities[r.commodity] ?? r.commodity}</span>
    </td>
    <td data-label="${t.dinas.stage}">${t.stages[stage] ?? stage}</td>
    <td data-label="${t.dinas.next}">
      ${next} ${error ? html`<p class="notice error" role="alert">${error}</p>` : ''}
      ${acts && stage === 'AWAITING_SOCIALIZATION' ? attendForm(ctx, r, cycle) : ''}
      ${acts && !isTerminal(stage) ? withdrawForm(ctx, r) : ''}
    </td>
    <td data-label="${t.dinas.deadline}" class="deadline">
      ${
        r.deadline_at && !isTerminal(stage)
          ? html`${formatWhen(t, r.deadline_at.toISOString(), zone)}<br /><span class="${overdue ? 'overdue' : 'muted'}"
                >${timeLeft(t, r.deadline_at.toISOString())}</span
              >`
          : t.time.none
      }
    </td>
  </tr>`;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** Element ids from a workflow id (which holds slashes and spaces). */
const idOf = (workflowId: string) => workflowId.replace(/[^A-Za-z0-9_-]/g, '_');

function attendForm(ctx: PageContext, r: NominationRow, cycle: PortalCycle | undefined) {
  const { t } = ctx;
  const sessions = (cycle?.rules.sessions ?? []).filter((s) => s.provinces.includes(r.province_code));
  const zone = timeZoneOf(cycle);
  const dateOf = (d: string) =>
    new Intl.DateTimeFormat(t.locale, { dateStyle: 'long', timeZone: zone }).format(new Date(`${d}T12:00:00Z`));
  return html`<form method="post" action="${nominationUrl(r.workflow_id, '/kehadiran')}${viewQuery(ctx, KEPT)}">
    ${csrfField(ctx)}
    ${selectField({
      form: emptyForm(),
      idPrefix: `hadir-${idOf(r.workflow_id)}`,
      name: 'sessionId',
      label: t.dinas.session,
      required: true,
      options: sessions.map((s) => ({ value: s.id, label: `${dateOf(s.date)} — ${s.venue}` })),
    })}
    <button type="submit">${t.dinas.attend}</button>
  </form>`;
}

function withdrawForm(ctx: PageContext, r: NominationRow) {
  const { t } = ctx;
  return html`<details>
    <summary>${t.dinas.withdrawHeading}</summary>
    <form method="post" action="${nominationUrl(r.workflow_id, '/penarikan')}${viewQuery(ctx, KEPT)}">
      ${csrfField(ctx)}
      ${textArea({ form: emptyForm(), idPrefix: `tarik-${idOf(r.workflow_id)}`, name: 'reason', label: t.dinas.reason, required: true })}
      <button type="submit" class="danger" data-confirm="${t.dinas.withdrawHeading}: ${r.ikm_name}?">
        ${t.dinas.withdraw}
      </button>
    </form>
  </details>`;
}

function nominateForm(ctx: PageContext, open: OpenCycles, form: FormState) {
  const { t } = ctx;
  if (open.cycles.length === 0)
    return html`<section aria-labelledby="usulkan">
      <h2 id="usulkan">${t.dinas.nominateHeading}</h2>
      <p>${t.dinas.noOpenCycle}</p>
    </section>`;
  const f = { form, idPrefix: 'usul' };
  return html`<section class="card" aria-labelledby="usulkan">
    <h2 id="usulkan">${t.dinas.nominateHeading}</h2>
    ${form.message ? html`<p class="notice error" role="alert">${form.message}</p>` : ''}
    <p><a href="/dinas/csv">${t.csv.link}</a></p>
    <form method="post" action="/dinas/usulan" novalidate>
      ${csrfField(ctx)}
      ${selectField({ ...f, name: 'cycleId', label: t.dinas.cycle, required: true, options: open.cycles.map((c) => ({ value: c.id, label: c.name })) })}
      ${moreOpenNote(t, open) ? html`<p class="muted">${moreOpenNote(t, open)}</p>` : ''}
      ${textField({ ...f, name: 'ikmName', label: t.dinas.ikmName, required: true })}
      ${textField({ ...f, name: 'sentraName', label: t.dinas.sentraName, required: true })}
      ${selectField({
        ...f,
        name: 'commodity',
        label: t.dinas.commodity,
        required: true,
        options: [{ value: '', label: '—' }, ...COMMODITIES.map((c) => ({ value: c, label: t.commodities[c] ?? c }))],
      })}
      ${textField({ ...f, name: 'product', label: t.dinas.product, required: true })}
      ${textField({ ...f, name: 'sentraSize', label: t.dinas.sentraSize, type: 'number', required: true, extra: html`min="1" step="1" inputmode="numeric"` })}
      <button type="submit">${t.dinas.nominate}</button>
    </form>
  </section>`;
}
