import type { Env } from '../env';
import { dataApp } from '../data/app';
import { within } from '../shared/deadline';
import { escapeHtml } from '../shared/html';
import { authorityTitle, periodIn, periodLabel, shortId } from './src/api/names';
import { NAV } from './src/site-nav';

/**
 * How long the page waits for its entity before it is sent without a heading. The head
 * (stylesheet, code, the entity's preload) has gone out by then, so a wait costs the
 * browser nothing it could have used: the app's first render waits for the same entity.
 */
export const SHELL_WAIT_MS = 250;

/** What a period or authority page shows first: its `h1` and the line below it. */
export interface PageHeading {
  heading: string;
  kind: string;
  /** A period's authority, linked after `kind`. */
  authority?: { title: string; href: string };
}

interface EntityJson {
  id: string;
  source?: { title?: string; partOf?: { title?: string } };
  periods?: Record<string, { id: string; label?: string }>;
}

/**
 * The heading of the period or authority page at `url`, read from its entity (the one the
 * page preloads, `entityUrl`) through the data app in this Worker and its edge cache; null for
 * another page, a missing entity, an error or a wait longer than SHELL_WAIT_MS.
 */
export function pageHeading(url: URL, entityUrl: string, env: Env, ctx: ExecutionContext): Promise<PageHeading | null> {
  const read = async (): Promise<PageHeading | null> => {
    const response = await dataApp.fetch(new Request(entityUrl, { headers: { Accept: 'application/json' } }), env, ctx);
    if (response.status !== 200) {
      await response.body?.cancel();
      return null;
    }
    const authority = (await response.json()) as EntityJson;
    const title = authorityTitle(authority);
    if (url.searchParams.get('page') === 'authority-view') return { heading: title, kind: `Authority · ${Object.keys(authority.periods ?? {}).length} periods` };
    const period = periodIn(authority, url.searchParams.get('periodID') ?? '');
    if (!period) return null;
    return { heading: periodLabel(period), kind: 'Period in ', authority: { title, href: `?page=authority-view&authorityID=${shortId(authority.id)}` } };
  };
  return within(read().catch(() => null), SHELL_WAIT_MS, null);
}

/** The room the app's "Sign in with ORCID" takes (SignIn.tsx), kept empty: a button needs the app. */
const SIGN_IN_SPACE =
  '<div class="sign-in" aria-hidden="true"><ul class="account"><li><button type="button" class="on-dark placeholder" disabled tabindex="-1">Sign in with ORCID</button></li></ul></div>';

/**
 * The page's first frame before the app's code runs: the app's header and navigation (with
 * room for the sign-in button, which comes with the app) and the page's heading, so the app's first render
 * replaces it without moving it.
 */
export function shellHtml(h: PageHeading): string {
  const nav = NAV.map(([page, label]) => `<li><a href="?page=${page}">${escapeHtml(label)}</a></li>`).join('');
  const authority = h.authority ? `<a href="${escapeHtml(h.authority.href)}">${escapeHtml(h.authority.title)}</a>` : '';
  return (
    `<a class="skip" href="#main">Skip to content</a>` +
    `<header class="site"><a class="brand" href="/">PeriodO</a><nav aria-label="Main"><ul>${nav}</ul></nav>${SIGN_IN_SPACE}</header>` +
    `<main id="main" tabindex="-1"><h1>${escapeHtml(h.heading)}</h1><p class="kind">${escapeHtml(h.kind)}${authority}</p>` +
    `<p class="boot" role="status">Loading PeriodO…</p></main>`
  );
}
