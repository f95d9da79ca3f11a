/**
 * A long list a page at a time, by query parameters a link can carry (`?siklus=<cycle>&halaman=<n>`): the page asks the
 * projection for one row more than it shows, so it knows whether a next page exists without counting the whole list.
 */
import type { PageContext } from './context';
import { html } from './html';

/** Rows a list shows at once: a screenful on a desktop, a few scrolls on a phone. */
export const PAGE_SIZE = 25;

export interface Paging {
  /** 1-based. */
  page: number;
  cycleId?: string;
  limit: number;
  offset: number;
}

export function pagingOf(ctx: PageContext): Paging {
  const q = ctx.req.query as { halaman?: string; siklus?: string };
  const n = Number(q.halaman);
  const page = Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
  const cycleId = typeof q.siklus === 'string' && q.siklus !== '' ? q.siklus : undefined;
  return { page, cycleId, limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE };
}

/** The previous and next pages' links, keeping the cycle chosen; nothing when the list fits one page. */
export function pager(ctx: PageContext, path: string, paging: Paging, fetched: number) {
  const { t } = ctx;
  const more = fetched > PAGE_SIZE;
  if (paging.page === 1 && !more) return '';
  const href = (page: number) => {
    const q = new URLSearchParams();
    if (paging.cycleId) q.set('siklus', paging.cycleId);
    q.set('halaman', String(page));
    return `${path}?${q}`;
  };
  return html`<nav class="pager" aria-label="${t.paging.label}">
    ${paging.page > 1 ? html`<a href="${href(paging.page - 1)}" rel="prev">${t.paging.previous}</a>` : ''}
    <span>${t.paging.page(paging.page)}</span>
    ${more ? html`<a href="${href(paging.page + 1)}" rel="next">${t.paging.next}</a>` : ''}
  </nav>`;
}
