/**
 * The page every portal screen shares: the language, the title, who is signed in with the sign-out button, the
 * language switch, a notice after an accepted action, and one stylesheet and one small script from our own server.
 */
import type { Role } from '../../domain/types';
import { APPLYING, type PageContext } from './context';
import { html, type SafeHtml } from './html';

export interface PageOptions {
  title: string;
  main: SafeHtml;
  /** A line shown above the page, after an accepted action (role="status") or a refusal (role="alert"). */
  notice?: { text: string; kind: 'ok' | 'error' } | null;
  /** The page's own address, for a page rendered from a form's post (a refusal): the language switch leads there with
   * the view the post carried (its cycle and pages, see paging.ts's viewQuery). */
  home?: string;
}

export function page(ctx: PageContext, o: PageOptions): SafeHtml {
  const { t, principal, csrf } = ctx;
  const role = principal?.actor.role as Role | undefined;
  const other = t.lang === 'id' ? 'en' : 'id';
  return html`<!doctype html>
    <html lang="${t.lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${o.title} — ${t.title}</title>
        <link rel="stylesheet" href="/aset/portal.css" />
        <script src="/aset/portal.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#isi">${t.skipToContent}</a>
        <header class="top">
          <a class="brand" href="/">${t.title}</a>
          <nav aria-label="${t.title}">
            ${
              principal
                ? html`<span class="who"
                      >${t.signedInAs} <strong>${principal.user.name}</strong> (${role ? t.roles[role] : ''})</span
                    >
                    <form method="post" action="/keluar" class="inline">
                      <input type="hidden" name="_csrf" value="${csrf ?? ''}" />
                      <button type="submit" class="link">${t.signOut}</button>
                    </form>`
                : ''
            }
            <a href="${switchHref(ctx, other, o.home)}" lang="${other}">${t.switchLanguage}</a>
          </nav>
        </header>
        <main id="isi">
          <h1>${o.title}</h1>
          ${
            o.notice
              ? html`<p class="notice ${o.notice.kind}" role="${o.notice.kind === 'ok' ? 'status' : 'alert'}">
                  ${o.notice.text}
                </p>`
              : ''
          }
          ${stillApplying(ctx) ? html`<p class="notice applying" role="status">${t.stillApplying}</p>` : ''} ${o.main}
        </main>
      </body>
    </html>`;
}

/** After an action the API accepted but had not applied yet (202): what the page shows may not have it yet. */
const stillApplying = (ctx: PageContext) => (ctx.req.query as Record<string, unknown> | undefined)?.[APPLYING] === '1';

/**
 * The same page in the other language: its path and query (the cycle, the map's measure, the page of a list) kept, only
 * `lang` replaced. After a form post the address posted to only takes POST: the switch then leads to the page's own
 * address (`home`) with the view the post carried, or else to the main page.
 */
export function switchHref(ctx: PageContext, lang: 'id' | 'en', home?: string): string {
  if (ctx.req.method !== 'GET' && !home) return `/?lang=${lang}`;
  const url = new URL(ctx.req.url, 'http://portal.invalid');
  url.searchParams.set('lang', lang);
  return `${ctx.req.method === 'GET' ? url.pathname : home}${url.search}`;
}

/** The hidden field of every form a signed-in page posts. */
export const csrfField = (ctx: PageContext) => html`<input type="hidden" name="_csrf" value="${ctx.csrf ?? ''}" />`;
