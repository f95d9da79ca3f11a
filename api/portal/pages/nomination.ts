/**
 * One nomination: what every reader of it may see (stage, deadline, documents, scores as aggregated). Access is the
 * API's: nominationScope and requireRead, the functions GET /api/nominations/:id runs; a refusal is its 403. For its
 * dinas kabupaten/kota the page is also where documents are uploaded: the checklist of its commodity group with what is
 * still missing, the reviewer's (or the dinas provinsi's) request in a revision round, one upload form per kind, and
 * the withdrawal.
 */
import { requireRead } from '../../authorization';
import { nominationScope, nominationSummary } from '../../nomination-reads';
import { isTerminal, type Stage } from '../../../domain/types';
import type { PageContext, PortalDeps } from '../context';
import { apiNominationUrl, nominationUrl, requireSignedIn } from '../context';
import { checklistOf, UPLOAD_STAGES, type Checklist, type ChecklistItem } from '../checklist';
import { cyclesById, timeZoneOf } from '../cycles';
import { emptyForm, textArea, type FormState } from '../fields';
import { formatNumber, formatWhen, timeLeft } from '../format';
import { html, type SafeHtml } from '../html';
import { csrfField, page } from '../layout';

export interface NominationPageState {
  notice?: { text: string; kind: 'ok' | 'error' } | null;
  /** A refused upload, shown beside its kind's file field. */
  uploadError?: { kind: string; message: string };
  /** The kind just uploaded, for the notice. */
  uploaded?: string;
  /** A refused withdrawal, its reason as typed. */
  withdraw?: FormState;
}

export async function nominationPage(
  deps: PortalDeps,
  ctx: PageContext,
  workflowId: string,
  state: NominationPageState = {},
): Promise<SafeHtml> {
  const p = requireSignedIn(ctx);
  const { t } = ctx;
  const { row, scope } = await nominationScope(deps.db, workflowId);
  requireRead(p, scope);
  const n = nominationSummary(row, p);
  const checklist = await checklistOf(deps.db, row.workflow_id, row.commodity);
  const zone = timeZoneOf((await cyclesById(deps.db, [row.cycle_id])).get(row.cycle_id));
  const stage = n.stage as Stage;
  // Only the nomination's own dinas kabupaten/kota uploads and withdraws (the API decides; the page offers no more).
  const acts = p.actor.role === 'dinas_kabkota' && p.actor.region === row.regency_code;
  const uploads = acts && UPLOAD_STAGES.includes(stage);
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
    ${uploads && checklist.request ? revisionRequest(ctx, checklist) : ''}
    ${checklistSection(ctx, row.workflow_id, n.commodity, checklist, uploads, state)}
    ${documentList(ctx, row.workflow_id, checklist, zone)}
    ${acts && !isTerminal(stage) ? withdrawSection(ctx, row.workflow_id, state.withdraw) : ''}
    <p><a href="/">${t.detail.back}</a></p>`;
  const notice =
    state.notice ??
    (state.uploaded ? { text: t.documents.uploadedOk(labelOf(checklist, state.uploaded)), kind: 'ok' as const } : null);
  return page(ctx, { title: n.ikmName, main, notice });
}

const labelOf = (c: Checklist, kind: string) => c.items.find((i) => i.kind === kind)?.label ?? kind;
const megabytes = (t: PageContext['t'], bytes: number) => formatNumber(t, bytes / 1_000_000, 1);

function revisionRequest(ctx: PageContext, c: Checklist) {
  const { t } = ctx;
  const r = c.request!;
  return html`<section class="card notice-card" aria-labelledby="perbaikan">
    <h2 id="perbaikan">${t.documents.revisionHeading}</h2>
    <p>${t.documents.revisionBy[r.by]}${r.reason ? html`: <q>${r.reason}</q>` : '.'}</p>
    <p>${t.documents.revisionAnswer}</p>
  </section>`;
}

function checklistSection(
  ctx: PageContext,
  workflowId: string,
  commodity: string,
  c: Checklist,
  uploads: boolean,
  state: NominationPageState,
) {
  const { t } = ctx;
  const missing = c.missing.map((k) => labelOf(c, k)).join('; ');
  return html`<section aria-labelledby="dokumen">
    <h2 id="dokumen">${t.documents.heading}</h2>
    <p class="muted">
      ${t.documents.checklistFor(t.commodities[commodity] ?? commodity)}${c.round ? html` · ${t.documents.round(c.round)}` : ''}
    </p>
    <p id="kurang" class="${c.missing.length ? 'overdue' : ''}">
      ${c.missing.length ? t.documents.stillMissing(missing) : t.documents.complete}
    </p>
    <ul class="checklist">
      ${c.items.map((i) => checklistItem(ctx, workflowId, c, i, uploads, state))}
    </ul>
  </section>`;
}

/** Element ids from a document kind (lower-case letters, digits and underscores already). */
const fieldId = (kind: string) => `berkas-${kind}`;

function checklistItem(
  ctx: PageContext,
  workflowId: string,
  c: Checklist,
  i: ChecklistItem,
  uploads: boolean,
  state: NominationPageState,
) {
  const { t } = ctx;
  const status = i.submitted
    ? html`<span class="ok-text">✓ ${t.documents.uploaded}: ${i.submitted.fileName}</span>`
    : i.needed
      ? html`<span class="overdue">${t.documents.missing}</span>`
      : html`<span class="muted">${t.documents.notAsked}</span>`;
  const error = state.uploadError?.kind === i.kind ? state.uploadError.message : null;
  const id = fieldId(i.kind);
  const hint = t.documents.hint(megabytes(t, c.maxFileBytes));
  // A plain multipart post works without script; portal.js sends the same form by XHR to show the progress.
  const form =
    uploads && i.needed && !i.submitted
      ? html`<form
          method="post"
          action="${nominationUrl(workflowId, `/dokumen/${i.kind}`)}"
          enctype="multipart/form-data"
          class="upload"
          data-upload
          data-uploading="${t.documents.uploading}"
        >
          ${csrfField(ctx)}
          <div class="field">
            <label for="${id}">${t.documents.file(i.label)}</label>
            <input
              id="${id}"
              name="file"
              type="file"
              accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
              aria-describedby="${id}-hint${error ? html` ${id}-error` : ''}"
              ${error ? html`aria-invalid="true"` : ''}
            />
            <p class="muted" id="${id}-hint">${hint}</p>
            <p class="error" id="${id}-error" ${error ? '' : html`hidden`}>${error ?? ''}</p>
            <progress max="100" value="0" hidden aria-label="${t.documents.progress}: ${i.label}"></progress>
          </div>
          <button type="submit">${t.documents.upload}</button>
        </form>`
      : '';
  return html`<li class="card" data-kind="${i.kind}">
    <strong>${i.label}</strong><br />
    ${status} ${form}
  </li>`;
}

function documentList(ctx: PageContext, workflowId: string, c: Checklist, zone: string) {
  const { t } = ctx;
  return html`<h2>${t.documents.all}</h2>
    ${
      c.documents.length === 0
        ? html`<p>${t.detail.noDocuments}</p>`
        : html`<ul>
            ${c.documents.map(
              (d) =>
                html`<li>
                  ${labelOf(c, d.kind)}: ${d.fileName} (${formatNumber(t, d.sizeBytes / 1024, 0)} KB) —
                  ${formatWhen(t, d.submittedAt, zone)}${d.round ? html` · ${t.documents.round(d.round)}` : ''}
                  ${
                    d.documentId
                      ? html` ·
                          <a href="${apiNominationUrl(workflowId, `/documents/${d.documentId}`)}" download
                            >${t.documents.download}<span class="visually-hidden"> ${d.fileName}</span></a
                          >`
                      : ''
                  }
                </li>`,
            )}
          </ul>`
    }`;
}

function withdrawSection(ctx: PageContext, workflowId: string, form: FormState = emptyForm()) {
  const { t } = ctx;
  return html`<details class="card" ${form.errors.reason ? html`open` : ''}>
    <summary>${t.dinas.withdrawHeading}</summary>
    <form method="post" action="${nominationUrl(workflowId, '/penarikan')}">
      ${csrfField(ctx)}
      <input type="hidden" name="dari" value="nominasi" />
      ${textArea({ form, idPrefix: 'tarik', name: 'reason', label: t.dinas.reason, required: true })}
      <button type="submit" class="danger" data-confirm="${t.dinas.withdrawHeading}?">${t.dinas.withdraw}</button>
    </form>
  </details>`;
}
