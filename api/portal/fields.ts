/**
 * Form fields that keep what was typed and say what to fix next to the field: the message is linked to the control
 * (aria-describedby) and the control marked invalid, so screen readers announce it too.
 */
import { html, type SafeHtml } from './html';

export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  /** A refusal that belongs to no one field. */
  message?: string;
}

export const emptyForm = (): FormState => ({ values: {}, errors: {} });

interface FieldOptions {
  form: FormState;
  /** Prefix of the element ids, so two forms on a page do not share one. */
  idPrefix: string;
  name: string;
  label: string;
}

function wrap(o: FieldOptions, control: (attrs: SafeHtml) => SafeHtml): SafeHtml {
  const id = `${o.idPrefix}-${o.name}`;
  const error = o.form.errors[o.name];
  const attrs = html`id="${id}"
  name="${o.name}"${error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}`;
  return html`<div class="field">
    <label for="${id}">${o.label}</label>
    ${control(attrs)} ${error ? html`<p class="error" id="${id}-error">${error}</p>` : ''}
  </div>`;
}

export const textField = (o: FieldOptions & { type?: string; required?: boolean; extra?: SafeHtml }) =>
  wrap(
    o,
    (attrs) =>
      html`<input
        ${attrs}
        type="${o.type ?? 'text'}"
        value="${o.form.values[o.name] ?? ''}"
        ${o.required ? html` required` : ''}
        ${o.extra ?? ''}
      />`,
  );

export const selectField = (
  o: FieldOptions & { options: readonly { value: string; label: string }[]; required?: boolean },
) =>
  wrap(
    o,
    (attrs) =>
      html`<select ${attrs}${o.required ? html` required` : ''}>
        ${o.options.map(
          (opt) =>
            html`<option value="${opt.value}" ${o.form.values[o.name] === opt.value ? html` selected` : ''}>
              ${opt.label}
            </option>`,
        )}
      </select>`,
  );

export const textArea = (o: FieldOptions & { required?: boolean }) =>
  wrap(
    o,
    (attrs) =>
      html`<textarea ${attrs} rows="2" ${o.required ? html` required` : ''}>${o.form.values[o.name] ?? ''}</textarea>`,
  );
