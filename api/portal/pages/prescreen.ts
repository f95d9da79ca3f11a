/**
 * The dinas provinsi's pre-screen: the proposals of its province whose documents are complete and wait on its decision
 * (stage PROVINCIAL_PRESCREEN), each with its deadline and documents, and one form to pass it, return it to its dinas
 * kabupaten/kota with the documents to complete and why, or reject it with a reason. The list is the API's own read
 * (listNominations, scoped and filtered in SQL to the province's waiting proposals, newest cycle first), paged 25 at a
 * time (`?halaman=`) and counted by PostgreSQL; the decision goes through POST /api/nominations/:id/prescreen.
 */
import { requiredDocumentKinds } from '../../../domain/documents';
import type { Commodity } from '../../../domain/types';
import { countNominations, listNominations, type NominationRow } from '../../nomination-reads';
import { regionDisplayName } from '../../../domain/regions';
import type { PageContext, PortalDeps } from '../context';
import { nominationUrl, requireSignedIn } from '../context';
import { cyclesById, timeZoneOf, type PortalCycle } from '../cycles';
import { emptyForm, textArea, type FormState } from '../fields';
import { formatNumber, formatWhen, timeLeft } from '../format';
import { html, type SafeHtml } from '../html';
import { csrfField, page } from '../layout';
import { PAGE_SIZE, pager, pagingOf, viewQuery } from '../paging';

export const PRESCREEN_DECISIONS = ['pass', 'return', 'reject'] as const;

export interface PrescreenPageState {
  /** A refused decision on one proposal: its form as filled, the refusal beside the field or above the form. */
  refused?: { workflowId: string; form: FormState; missing: string[] };
  notice?: { text: string; kind: 'ok' | 'error' } | null;
}

export async function prescreenPage(
  deps: PortalDeps,
  ctx: PageContext,
  state: PrescreenPageState = {},
): Promise<SafeHtml> {
  const p = requireSignedIn(ctx);
  const { t } = ctx;
  const paging = pagingOf(ctx);
  const waiting = { stage: 'PROVINCIAL_PRESCREEN' };
  const fetched = await listNominations(deps.db, p, { ...waiting, limit: paging.limit, offset: paging.offset });
  const rows = fetched.slice(0, PAGE_SIZE);
  const count = await countNominations(deps.db, p, waiting);
  const cycles = await cyclesById(
    deps.db,
    rows.map((r) => r.cycle_id),
  );
  // A refusal for a proposal no longer waiting (decided meanwhile, in another tab) has no row to stand beside.
  const listed = rows.some((r) => r.workflow_id === state.refused?.workflowId);
  const stray = state.refused && !listed ? state.refused.form.message : undefined;
  const notice = stray ? { text: stray, kind: 'error' as const } : state.notice;
  const main = html`<p>${t.prescreen.intro}</p>
    <p><a href="/dinas">${t.prescreen.allNominations}</a></p>
    <section aria-labelledby="menunggu">
      <h2 id="menunggu">${t.prescreen.waiting(formatNumber(t, count, 0))}</h2>
      ${
        rows.length === 0
          ? html`<p>${t.prescreen.empty}</p>`
          : html`<ul class="plain">
              ${rows.map((r) => proposal(ctx, r, cycles.get(r.cycle_id), state))}
            </ul>`
      }
      ${pager(ctx, '/dinas/praseleksi', paging, fetched.length, { keep: [] })}
    </section>`;
  const title = t.prescreen.heading(regionDisplayName(p.actor.region));
  return page(ctx, { title, main, notice, home: '/dinas/praseleksi' });
}

/** Element ids from a workflow id (which holds slashes and spaces). */
const idOf = (workflowId: string) => workflowId.replace(/[^A-Za-z0-9_-]/g, '_');

function proposal(ctx: PageContext, r: NominationRow, cycle: PortalCycle | undefined, state: PrescreenPageState) {
  const { t } = ctx;
  const mine = state.refused?.workflowId === r.workflow_id ? state.refused : undefined;
  const form = mine?.form ?? emptyForm();
  const prefix = `pra-${idOf(r.workflow_id)}`;
  const checklist = cycle?.rules.documents.checklist ?? [];
  const kinds = requiredDocumentKinds(checklist, r.commodity as Commodity);
  const documents = checklist.filter((d) => kinds.includes(d.kind));
  const zone = timeZoneOf(cycle);
  const deadline = r.deadline_at?.toISOString();
  const decision = form.values.decision;
  const fieldError = (name: string) =>
    form.errors[name] ? html`<p class="error" id="${prefix}-${name}-error">${form.errors[name]}</p>` : '';
  const described = (name: string) =>
    form.errors[name] ? html` aria-invalid="true" aria-describedby="${prefix}-${name}-error"` : '';
  return html`<li class="card" data-nomination="${r.workflow_id}">
    <h3 id="${prefix}">${r.ikm_name}</h3>
    <p>
      ${regionDisplayName(r.regency_code)} · ${r.sentra_name} · ${t.commodities[r.commodity] ?? r.commodity}<br />
      ${t.dinas.deadline}: ${formatWhen(t, deadline, zone)}
      <span class="${r.deadline_at && r.deadline_at.getTime() < Date.now() ? 'overdue' : 'muted'}"
        >(${timeLeft(t, deadline)})</span
      ><br />
      <a href="${nominationUrl(r.workflow_id)}#dokumen">${t.prescreen.documents}<span class="visually-hidden">: ${r.ikm_name}</span></a>
    </p>
    ${form.message ? html`<p class="notice error" role="alert">${form.message}</p>` : ''}
    <form
      method="post"
      action="${nominationUrl(r.workflow_id, '/praseleksi')}${viewQuery(ctx, ['halaman'])}"
      novalidate aria-labelledby="${prefix}">
      ${csrfField(ctx)}
      <fieldset${described('decision')}>
        <legend>${t.prescreen.decision}</legend>
        ${PRESCREEN_DECISIONS.map(
          (d) =>
            html`<label class="choice"
              ><input type="radio" name="decision" value="${d}" ${decision === d ? html`checked` : ''} />
              ${t.prescreen.decisions[d]}</label
            >`,
        )}
        ${fieldError('decision')}
      </fieldset>
      <fieldset${described('missing')}>
        <legend>${t.prescreen.missing}</legend>
        ${documents.map(
          (d) =>
            html`<label class="choice"
              ><input
                type="checkbox"
                name="missing"
                value="${d.kind}"
                ${mine?.missing.includes(d.kind) ? html`checked` : ''}
              />
              ${d.label}</label
            >`,
        )}
        ${fieldError('missing')}
      </fieldset>
      ${textArea({ form, idPrefix: prefix, name: 'reason', label: t.prescreen.reason })}
      <button type="submit">${t.prescreen.submit}</button>
    </form>
  </li>`;
}
