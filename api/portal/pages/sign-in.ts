/** The sign-in page: ask for a one-time link by mail (the API's POST /api/sign-in/link), and the page a link opens. */
import type { PageContext } from '../context';
import { emptyForm, textField, type FormState } from '../fields';
import { html, type SafeHtml } from '../html';
import { page } from '../layout';

export function signInPage(
  ctx: PageContext,
  o: {
    form?: FormState;
    notice?: { text: string; kind: 'ok' | 'error' } | null;
    sso?: boolean;
    /** The page to come back to once signed in. */
    next?: string;
  } = {},
): SafeHtml {
  const { t } = ctx;
  // The single sign-on (routes/oidc.ts) when the API is configured with one; it comes back to the role's page.
  const sso = o.sso
    ? html`<p>
          <a class="button" href="/api/sign-in/oidc?next=${encodeURIComponent(o.next ?? '/')}">${t.signIn.sso}</a>
        </p>
        <p class="muted">${t.signIn.or}</p>`
    : '';
  const main = html`${sso}
    <section class="card">
      <p>${t.signIn.intro}</p>
      <form method="post" action="/masuk">
        ${o.next ? html`<input type="hidden" name="next" value="${o.next}" />` : ''}
        ${textField({ form: o.form ?? emptyForm(), idPrefix: 'masuk', name: 'email', label: t.signIn.email, type: 'email', required: true, extra: html`autocomplete="email"` })}
        <button type="submit">${t.signIn.submit}</button>
      </form>
    </section>`;
  return page(ctx, { title: t.signIn.heading, main, notice: o.notice });
}

/** The page a mailed link opens: one button that posts the link back (a mail scanner's GET does not use it up). */
export function signInLinkPage(ctx: PageContext, token: string, next?: string): SafeHtml {
  const { t } = ctx;
  const back = next ? `?next=${encodeURIComponent(next)}` : '';
  const main = html`<form method="post" action="/masuk/${encodeURIComponent(token)}${back}">
    <button type="submit">${t.signIn.linkButton}</button>
  </form>`;
  return page(ctx, { title: t.signIn.linkHeading, main });
}
