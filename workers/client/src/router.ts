/**
 * The client's URLs are the reference client's: one page, the view in the query string
 * (`?page=period-view&authorityID=…&periodID=…`). Every view state that should be shared
 * (a query, its filters, a selection) lives in these parameters; navigation pushes
 * history entries so Back and Forward work.
 */
import { signal } from '@preact/signals';

export type PageName =
  | 'backend-home'
  | 'backend-authorities'
  | 'authority-view'
  | 'period-view'
  | 'backend-history'
  | 'backend-patches'
  | 'review-patch'
  | 'period-edit'
  | 'authority-add-period'
  | 'authority-edit'
  | 'backend-add-authority'
  | 'backend-changes';

export const PAGES: PageName[] = [
  'backend-home',
  'backend-authorities',
  'authority-view',
  'period-view',
  'backend-history',
  'backend-patches',
  'review-patch',
  // Contributing (part 2): edit forms, the draft change set.
  'period-edit',
  'authority-add-period',
  'authority-edit',
  'backend-add-authority',
  'backend-changes',
];

/** Parameters that travel with every link (the reference client's backend choice). */
const STICKY = ['backendID'];

export const params = signal<URLSearchParams>(new URLSearchParams(location.search));

export function pageOf(p: URLSearchParams): PageName | 'not-found' {
  const page = p.get('page') ?? 'backend-home';
  return (PAGES as string[]).includes(page) ? (page as PageName) : 'not-found';
}

export type Query = Record<string, string | number | undefined | null>;

/** A link to `query` keeping the sticky parameters of the current URL. */
export function hrefFor(query: Query): string {
  const out = new URLSearchParams();
  for (const k of STICKY) {
    // peek: a link does not make its component re-render on every change of the URL (each
    // keystroke); a sticky parameter changes only with a page load.
    const v = params.peek().get(k);
    if (v !== null) out.set(k, v);
  }
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') out.set(k, String(v));
  const s = out.toString();
  return s ? `?${s}` : location.pathname;
}

/**
 * Typing replaces the current entry's URL on every keystroke. In Chromium a `replaceState`
 * took ≈ 4 ms of the keystroke's path, and at 50k periods taking it off that path brought
 * keystroke → results from 40 to 25 ms (median).
 * So a run of replacements is written to the history once, this long after the last one, or
 * at once before the app pushes an entry. The page itself follows `params` at once. (A reload
 * or another site within this time finds the address without the last keys: the browser takes
 * the entry's URL before `pagehide` could write it.)
 */
const REPLACE_DELAY_MS = 150;
let pendingReplace: URL | null = null;
let pendingTimer: ReturnType<typeof setTimeout> | undefined;

function writePendingReplace(): void {
  clearTimeout(pendingTimer);
  if (pendingReplace) history.replaceState(null, '', pendingReplace);
  pendingReplace = null;
}

/** Goes to `href` (from hrefFor); `replace` for state changes that should not stack (typing). */
export function navigate(href: string, options: { replace?: boolean } = {}): void {
  const url = new URL(href, location.href);
  if (url.href === (pendingReplace ?? location).href) return;
  if (options.replace) {
    pendingReplace = url;
    clearTimeout(pendingTimer);
    pendingTimer = setTimeout(writePendingReplace, REPLACE_DELAY_MS);
  } else {
    writePendingReplace();
    history.pushState(null, '', url);
  }
  params.value = new URLSearchParams(url.search);
  if (!options.replace) window.scrollTo(0, 0);
}

/** Changes some parameters of the current page. */
export function update(changes: Query, options: { replace?: boolean } = {}): void {
  const query: Query = Object.fromEntries(params.value);
  for (const k of STICKY) delete query[k];
  navigate(hrefFor({ ...query, ...changes }), options);
}

window.addEventListener('popstate', () => {
  // The entry left behind can no longer be written; the one come back to is as it was.
  clearTimeout(pendingTimer);
  pendingReplace = null;
  params.value = new URLSearchParams(location.search);
});

/** Same-origin `<a href="?…">` clicks are handled here: no reload. */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const a = (event.target as Element).closest('a');
    if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
    if (a.pathname !== location.pathname && a.pathname !== '/') return;
    event.preventDefault();
    navigate(a.href);
  });
}
