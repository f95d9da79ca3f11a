/** The page of a refusal or a failure: its status, a heading for it in the reader's language, and the API's message. */
import type { PageContext } from '../context';
import { html, type SafeHtml } from '../html';
import { page } from '../layout';

export function errorPage(ctx: PageContext, status: number, message: string): SafeHtml {
  const { t } = ctx;
  const title = t.errors.heading[status] ?? t.errors.heading[500];
  return page(ctx, {
    title,
    main: html`<p class="notice error" role="alert">${message}</p>
      <p><a href="/">${t.errors.back}</a></p>`,
  });
}
