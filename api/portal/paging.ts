/**
 * A long list a page at a time, by query parameters a link can carry (`?siklus=<cycle>&halaman=<n>`): the page asks the
 * projection for one row more than it shows, so it knows whether a next page exists without counting the whole list.
 * A page with several lists (the coordinator's dashboard) gives each its own parameter. The forms of a paged list carry
 * the same parameters in their action's query (`viewQuery`), so that a refused action, answered by the page rendered
 * from the post, shows the refusal on the cycle and the pages the reader was on.
 */
import type { PageContext } from './context';
import { html } from './html';

/** Rows a list shows at once: a screenful on a desktop, a few scrolls on a phone. */
export const PAGE_SIZE = 25;

export interface Paging {
  /** 1-based. */
  page: number;
  /** The query parameter that carries the page: `halaman` for a page's only list, one of its own for each list of a
   * page with several, so that paging one keeps the others where they were. */
  param: string;
  cycleId?: string;
  limit: number;
  offset: number;
}

export function pagingOf(ctx: PageContext, param = 'halaman'): Paging {
  const q = ctx.req.query as Record<string, string | undefined>;
  const n = Number(q[param]);
  const page = Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
  const cycleId = typeof q.siklus === 'string' && q.siklus !== '' ? q.siklus : undefined;
  return { page, param, cycleId, limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE };
}

export interface PagerOptions {
  /** The other query parameters the links carry as the page has them: by default the cycle chosen. */
  keep?: readonly string[];
  /** The navigation's name, when a page has more than one list. */
  label?: string;
  /** The id of the list's section, which the links lead back to. */
  anchor?: string;
}

/** The previous and next pages' links, keeping the parameters named; nothing when the list fits one page. */
export function pager(ctx: PageContext, path: string, paging: Paging, fetched: number, opts: PagerOptions = {}) {
  const { t } = ctx;
  const more = fetched > PAGE_SIZE;
  if (paging.page === 1 && !more) return '';
  const href = (page: number) => {
    const q = keptParams(
      ctx,
      (opts.keep ?? ['siklus']).filter((name) => name !== paging.param),
    );
    q.set(paging.param, String(page));
    return `${path}?${q}${opts.anchor ? `#${opts.anchor}` : ''}`;
  };
  return html`<nav class="pager" aria-label="${opts.label ?? t.paging.label}">
    ${paging.page > 1 ? html`<a href="${href(paging.page - 1)}" rel="prev">${t.paging.previous}</a>` : ''}
    <span>${t.paging.page(paging.page)}</span>
    ${more ? html`<a href="${href(paging.page + 1)}" rel="next">${t.paging.next}</a>` : ''}
  </nav>`;
}

/** The parameters named, as the request has them (a page's GET, or a form's post that carried them). */
function keptParams(ctx: PageContext, keep: readonly string[]): URLSearchParams {
  const asked = (ctx.req.query ?? {}) as Record<string, unknown>;
  const q = new URLSearchParams();
  for (const name of keep) {
    const value = asked[name];
    if (typeof value === 'string' && value !== '') q.set(name, value);
  }
  return q;
}

/**
 * The page's view (its cycle and its lists' pages, the parameters named) as the query of a form's action on it, `''`
 * when it has none: the post carries it, and the page rendered from the post for a refusal, or the page the action's
 * success leads back to, is the same view. A query in the action, not hidden fields, so that the post's `req.query` is
 * the view every page already reads, and no referrer policy can take it away.
 */
export function viewQuery(ctx: PageContext, keep: readonly string[]): string {
  const q = keptParams(ctx, keep).toString();
  return q ? `?${q}` : '';
}
