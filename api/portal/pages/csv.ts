/**
 * Nominating many IKM at once from a CSV file (the columns of `ovop nominate --file`): the form, and after a post the
 * API's answer — how many were nominated, already in the cycle or refused, and each refused row with its row number
 * (the line of the file), column and reason. The file is checked and sent by the API's CSV route.
 */
import type { PageContext } from '../context';
import { moreOpenNote, type OpenCycles } from '../cycles';
import { emptyForm, selectField, type FormState } from '../fields';
import { formatNumber } from '../format';
import { html, type SafeHtml } from '../html';
import { csrfField, page } from '../layout';

export interface CsvAnswer {
  created: number;
  unchanged: number;
  refused: number;
  refusals: { row: number | null; field: string; reason: string }[];
  rows: { row: number | null; status: string; ikmName?: string; note?: string }[];
}

export interface CsvPageState {
  form?: FormState;
  answer?: CsvAnswer;
}

export function csvPage(ctx: PageContext, open: OpenCycles, state: CsvPageState = {}): SafeHtml {
  const { t } = ctx;
  const form = state.form ?? emptyForm();
  const f = { form, idPrefix: 'csv' };
  const a = state.answer;
  const main = html`${a ? result(ctx, a) : ''}
    <section class="card" aria-labelledby="unggah-csv">
      <h2 id="unggah-csv">${t.csv.formHeading}</h2>
      <p>${t.csv.intro} <a href="/aset/usulan-contoh.csv" download>${t.csv.template}</a></p>
      ${form.message ? html`<p class="notice error" role="alert">${form.message}</p>` : ''}
      ${
        open.cycles.length === 0
          ? html`<p>${t.dinas.noOpenCycle}</p>`
          : html`<form method="post" action="/dinas/csv" enctype="multipart/form-data" novalidate>
              ${csrfField(ctx)}
              ${selectField({ ...f, name: 'cycleId', label: t.dinas.cycle, required: true, options: open.cycles.map((c) => ({ value: c.id, label: c.name })) })}
              ${moreOpenNote(t, open) ? html`<p class="muted">${moreOpenNote(t, open)}</p>` : ''}
              <div class="field">
                <label for="csv-file">${t.csv.file}</label>
                <input
                  id="csv-file"
                  name="file"
                  type="file"
                  accept=".csv,text/csv"
                  ${form.errors.file ? html`aria-invalid="true" aria-describedby="csv-file-error"` : ''}
                />
                ${form.errors.file ? html`<p class="error" id="csv-file-error">${form.errors.file}</p>` : ''}
              </div>
              <button type="submit">${t.csv.submit}</button>
            </form>`
      }
    </section>
    <p><a href="/dinas">${t.detail.back}</a></p>`;
  return page(ctx, { title: t.csv.heading, main });
}

function result(ctx: PageContext, a: CsvAnswer) {
  const { t } = ctx;
  const n = (x: number) => formatNumber(t, x, 0);
  return html`<section aria-labelledby="hasil-csv">
    <h2 id="hasil-csv">${t.csv.result}</h2>
    <p class="notice ${a.refused ? 'error' : 'ok'}" role="${a.refused ? 'alert' : 'status'}">
      ${t.csv.counts(n(a.created), n(a.unchanged), n(a.refused))}
    </p>
    ${
      a.refusals.length
        ? html`<table class="cards" id="baris-ditolak">
            <caption>
              ${t.csv.refusedRows}
            </caption>
            <thead>
              <tr>
                <th scope="col">${t.csv.row}</th>
                <th scope="col">${t.csv.field}</th>
                <th scope="col">${t.csv.reason}</th>
              </tr>
            </thead>
            <tbody>
              ${a.refusals.map(
                (r) =>
                  html`<tr>
                    <td data-label="${t.csv.row}">${r.row ?? '-'}</td>
                    <td data-label="${t.csv.field}"><code>${r.field}</code></td>
                    <td data-label="${t.csv.reason}">${r.reason}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : ''
    }
    ${
      a.created
        ? html`<p>
            ${t.csv.createdList}:
            ${a.rows
              .filter((r) => r.status === 'created')
              .map((r) => r.ikmName)
              .join(', ')}
          </p>`
        : ''
    }
  </section>`;
}
