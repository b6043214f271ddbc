/**
 * The web client end to end: headless Chromium against the whole local system (workerd,
 * D1, R2, the data API and the client app on one port) loaded with the 2015 dataset.
 * Elements are found by role and accessible name; axe-core finds no violation on any
 * page; screenshots land in test/browser/screenshots/ (shown in the README).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, DESKTOP, launchChromium, newPage, PHONE, screenshot } from './support/browser.ts';
import { startSystem, type System } from './support/system.ts';

let system: System;
let browser: Browser;
/** A period of the dataset and its authority, read from the data API. */
let sample: { authorityId: string; periodId: string; label: string; authorityTitle: string };
let indexSize: { periods: number; authorities: number };

beforeAll(async () => {
  system = await startSystem(['periodo-2015.json']);
  browser = await launchChromium();
  const index = (await (await fetch(`${system.worker.url.origin}/search-index.json`)).json()) as {
    authorities: { id: string[]; title: string[] };
    periods: { id: string[]; label: string[]; authority: number[] };
  };
  indexSize = { periods: index.periods.id.length, authorities: index.authorities.id.length };
  // A Late Bronze Age whose label is unique within its authority.
  const i = index.periods.label.findIndex(
    (l, at) => l === 'Late Bronze Age' && index.periods.label.filter((m, j) => m === l && index.periods.authority[j] === index.periods.authority[at]).length === 1,
  );
  const a = index.periods.authority[i];
  sample = { authorityId: index.authorities.id[a], periodId: index.periods.id[i], label: index.periods.label[i], authorityTitle: index.authorities.title[a] };
});

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

function searchbox(page: Page) {
  return page.getByRole('searchbox', { name: 'Search periods' });
}

/** The live region's count ("1,234 periods found") as a number. */
async function resultCount(page: Page): Promise<number> {
  const text = (await page.locator('.result-count').textContent()) ?? '';
  const m = /([\d,]+) periods? found/.exec(text);
  return m ? Number(m[1].replace(/,/g, '')) : NaN;
}

async function expectNoAxeViolations(page: Page, where: string): Promise<void> {
  expect(await axeViolations(page), where).toEqual([]);
}

async function pageErrors(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

describe('find, read and see', () => {
  it('home → query → count → year filter → a period page with timeline, ARK and downloads', async () => {
    const { page, context } = await newPage(browser);
    const errors = await pageErrors(page);
    const indexRequests: string[] = [];
    page.on('request', (r) => void (new URL(r.url()).pathname === '/search-index.json' && indexRequests.push(r.url())));
    await page.goto(system.client);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('PeriodO: find period definitions');
    // The dataset's size, from the search index, once it has loaded; and the whole dataset as the first count.
    await expect.poll(() => resultCount(page), { timeout: 30_000 }).toBe(indexSize.periods);
    // The request the page's boot script started is the one the search uses: the index is fetched once.
    expect(indexRequests).toEqual([`${system.data}search-index.json`]);
    const summary = page.getByRole('definition').first();
    expect(await summary.textContent()).toBe(indexSize.periods.toLocaleString('en'));
    // The latest changes are a request of their own, which may answer after the index.
    await expect.poll(() => page.getByRole('table', { name: 'Merged changes, newest first' }).getByRole('row').count(), { timeout: 30_000 }).toBeGreaterThan(1);
    await expectNoAxeViolations(page, 'home');
    await screenshot(page, 'home');

    await searchbox(page).fill('bronze');
    await expect.poll(() => resultCount(page)).toBeLessThan(indexSize.periods);
    const bronze = await resultCount(page);
    expect(bronze).toBeGreaterThan(10);
    // The address follows the typing once it pauses (router.ts: one history write per run of keystrokes).
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('bronze');
    // Every row shown mentions bronze somewhere (label, place or source); the first ones by label do in the label.
    const first = page.getByRole('region', { name: 'Search results' }).getByRole('link').first();
    expect((await first.textContent())!.toLowerCase()).toContain('bronze');

    await page.getByRole('textbox', { name: 'From' }).fill('1500 BCE');
    await page.getByRole('textbox', { name: 'To' }).fill('1200 BCE');
    await page.getByRole('button', { name: 'Apply years' }).click();
    await expect.poll(() => resultCount(page)).toBeLessThan(bronze);
    const inRange = await resultCount(page);
    expect(inRange).toBeGreaterThan(0);
    expect(new URL(page.url()).searchParams.get('from')).toBe('1500 BCE');
    await expectNoAxeViolations(page, 'search results');
    await screenshot(page, 'search');

    // Facet counts follow the query: the authority counts add up to at least the result count.
    const authorities = page.getByRole('group', { name: 'Authority' });
    const showAll = authorities.getByRole('button', { name: /^Show all/ });
    if (await showAll.count()) await showAll.click();
    // Every value comes from the Worker once asked for (it sends a dozen until then).
    const facetSum = async () => (await authorities.locator('.count').allTextContents()).map((t) => Number(t.replace(/\D/g, ''))).reduce((a, b) => a + b, 0);
    await expect.poll(facetSum).toBe(inRange);

    const link = page.getByRole('region', { name: 'Search results' }).getByRole('link').first();
    const label = (await link.textContent())!;
    await link.click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 20_000 }).toBe(label);
    expect(new URL(page.url()).searchParams.get('page')).toBe('period-view');
    const ark = page.getByRole('link', { name: /^http:\/\/n2t\.net\/ark:\/99152\/p0[0-9a-z]{9}$/ });
    await expect.poll(() => ark.isVisible()).toBe(true);
    expect(await ark.getAttribute('href')).toMatch(/^http:\/\/n2t\.net\/ark:\/99152\/p0[0-9a-z]{9}$/);
    // The timeline is drawn once the page has been painted, a frame after the heading.
    const timeline = page.getByRole('img', { name: /^Timeline of/ });
    await expect.poll(() => timeline.isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Copy permalink' }).isVisible()).toBe(true);
    await expectNoAxeViolations(page, 'period page');
    await screenshot(page, 'period', true);

    const expected: Record<string, RegExp> = {
      JSON: /^application\/json/,
      'JSON-LD': /^application\/ld\+json/,
      Turtle: /^text\/turtle/,
      CSV: /^text\/csv/,
      'N-Triples': /^application\/n-triples/,
    };
    for (const [format, type] of Object.entries(expected)) {
      const href = await page.getByRole('link', { name: `${label} as ${format}`, exact: true }).getAttribute('href');
      expect(href, format).toMatch(/^http:\/\/localhost:\d+\/[0-9a-z]{9}\.(json|jsonld|ttl|csv|nt)$/);
      const response = await page.request.get(href!);
      expect(response.status(), format).toBe(200);
      expect(response.headers()['content-type'], format).toMatch(type);
    }

    // Back returns to the same search, filters and all.
    await page.goBack();
    await expect.poll(() => resultCount(page)).toBe(inRange);
    expect(await searchbox(page).inputValue()).toBe('bronze');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('writes what was typed to the address once typing pauses, or at once when the reader moves on', async () => {
    const { page, context } = await newPage(browser);
    const errors = await pageErrors(page);
    await page.goto(system.client);
    await expect.poll(() => resultCount(page), { timeout: 30_000 }).toBe(indexSize.periods);
    // One history write for a run of keystrokes, not one per key.
    await page.evaluate(() => {
      const w = window as unknown as { replaced: string[] };
      w.replaced = [];
      const replace = history.replaceState.bind(history);
      history.replaceState = (data, unused, url) => {
        w.replaced.push(String(url));
        replace(data, unused, url);
      };
    });
    await searchbox(page).pressSequentially('bronze');
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('bronze');
    const replaced = await page.evaluate(() => (window as unknown as { replaced: string[] }).replaced);
    expect(replaced.length).toBeLessThan(6);
    expect(new URL(replaced.at(-1)!).searchParams.get('q')).toBe('bronze');

    // A link followed right after a keystroke: the search's entry keeps every letter, so Back finds it.
    await searchbox(page).press('End');
    await searchbox(page).pressSequentially(' a');
    await page.getByRole('link', { name: 'Authorities', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Authorities');
    await page.goBack();
    await expect.poll(() => searchbox(page).inputValue()).toBe('bronze a');
    expect(new URL(page.url()).searchParams.get('q')).toBe('bronze a');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a new result from its top, however far the last one was scrolled', async () => {
    const { page, context } = await newPage(browser);
    await page.goto(system.client);
    await expect.poll(() => resultCount(page), { timeout: 30_000 }).toBe(indexSize.periods);
    const results = page.getByRole('region', { name: 'Search results' });
    await results.hover();
    await page.mouse.wheel(0, 3000);
    // Rows further down the list come into view.
    await expect.poll(() => results.getByRole('listitem').first().getAttribute('aria-posinset')).not.toBe('1');
    // Long enough (93 rows) to be scrolled as far as the last result was.
    await searchbox(page).fill('bronze');
    await expect.poll(() => resultCount(page)).toBeLessThan(indexSize.periods);
    await expect.poll(() => results.evaluate((el) => el.scrollTop)).toBe(0);
    expect(await results.getByRole('listitem').first().getAttribute('aria-posinset')).toBe('1');
    await context.close();
  });

  it('lands on the right page for every reference ?page= URL, and axe finds nothing on any', async () => {
    const { page, context } = await newPage(browser);
    const errors = await pageErrors(page);
    const authority = sample.authorityId;
    const cases: [string, string | RegExp][] = [
      ['?page=backend-home', 'PeriodO: find period definitions'],
      ['?page=backend-authorities', 'Authorities'],
      [`?page=authority-view&authorityID=${authority}`, sample.authorityTitle],
      [`?page=period-view&authorityID=${authority}&periodID=${sample.periodId}`, sample.label],
      ['?page=backend-history', 'History'],
      ['?page=backend-patches', 'Proposed changes'],
      [`?page=review-patch&patchURL=${encodeURIComponent(`${system.data}patches/1/`)}`, 'Proposal No. 1'],
      ['?page=no-such-page', 'Page not found'],
    ];
    for (const [query, heading] of cases) {
      await page.goto(system.client + query);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 20_000 }).toMatch(heading instanceof RegExp ? heading : new RegExp(`^${heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
      // Part 2 fills these pages: the public list of proposals, and a proposal with its changes.
      if (query.includes('backend-patches')) await expect.poll(() => page.locator('main').textContent()).toContain('newest first');
      if (query.includes('review-patch')) await expect.poll(() => page.locator('main').textContent(), { timeout: 20_000 }).toMatch(/Merged[\s\S]*What it changes[\s\S]*Show the JSON Patch/);
      if (query.includes('backend-authorities')) await expect.poll(() => page.getByRole('region', { name: 'Authorities' }).getByRole('link').count()).toBeGreaterThan(5);
      if (query.includes('backend-history')) await expect.poll(() => page.getByRole('link', { name: 'Change 1' }).count()).toBe(1);
      await expectNoAxeViolations(page, query);
    }
    // A deep link with another path falls back to the app.
    await page.goto(`${system.client}some/deep/link?page=backend-authorities`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Authorities');

    // The data API sends browsers to these URLs: its redirect for a period names the period view.
    const redirect = await fetch(`${system.worker.url.origin}/${sample.periodId.slice(2)}`, { headers: { Accept: 'text/html' }, redirect: 'manual' });
    expect(redirect.status).toBe(303);
    const location = new URL(redirect.headers.get('location')!);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      page: 'period-view',
      authorityID: sample.authorityId,
      periodID: sample.periodId,
      // The reference's redirects name the data API as the client's backend; the client honours it.
      backendID: `web-${system.worker.url.origin}/`,
    });
    await page.goto(system.client + location.search);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(sample.label);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a period with only the first page’s code, and loads an edit page’s code when it is opened', async () => {
    const { page, context } = await newPage(browser);
    const errors = await pageErrors(page);
    const scripts: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
    await page.goto(`${system.client}?page=period-view&authorityID=${sample.authorityId}&periodID=${sample.periodId}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 20_000 }).toBe(sample.label);
    // Language names without the browser's locale data for the common tags; the same name Intl gives.
    expect(await page.locator('dd', { hasText: sample.label }).first().textContent()).toContain('(English (Latin))');
    await expect.poll(() => page.getByRole('img', { name: /^Timeline of/ }).isVisible()).toBe(true);
    expect(scripts).toHaveLength(1);
    await page.getByRole('link', { name: 'Edit this period' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 20_000 }).toBe(`Edit “${sample.label}”`);
    expect(scripts.length).toBeGreaterThan(1);
    expect(scripts.slice(1).every((s) => /^\/assets\/.+\.js$/.test(s))).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('sends a period page with its heading, in the place the app then renders it', async () => {
    const url = `${system.client}?page=period-view&authorityID=${sample.authorityId}&periodID=${sample.periodId}`;
    for (const viewport of [DESKTOP, PHONE]) {
      // Without JavaScript (a reader, a crawler or a link preview): the heading and its authority are in the page as sent.
      const bare = await browser.newContext({ viewport, javaScriptEnabled: false });
      const page = await bare.newPage();
      await page.goto(url);
      const sent = page.getByRole('heading', { level: 1 });
      expect(await sent.textContent()).toBe(sample.label);
      expect(await page.getByRole('link', { name: sample.authorityTitle }).getAttribute('href')).toBe(`?page=authority-view&authorityID=${sample.authorityId}`);
      expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(['Find periods', 'Authorities', 'History', 'Changes']);
      const sentAt = await sent.boundingBox();
      await bare.close();

      // With it, the app's render replaces that frame without moving the heading.
      const { page: app, context } = await newPage(browser, viewport);
      await app.goto(url);
      await expect.poll(() => app.getByRole('heading', { name: 'Permalink' }).isVisible(), { timeout: 20_000 }).toBe(true);
      expect(await app.getByRole('heading', { level: 1 }).boundingBox(), `${viewport.width} px`).toEqual(sentAt);
      await context.close();
    }
  });

  it('shows an authority with its citation, periods table, timeline and downloads', async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${system.client}?page=authority-view&authorityID=${sample.authorityId}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 20_000 }).toBe(sample.authorityTitle);
    expect(await page.getByRole('table', { name: 'Periods defined by this authority' }).getByRole('link', { name: sample.label, exact: true }).count()).toBe(1);
    await expect.poll(() => page.getByRole('img', { name: /^Timeline of the periods of/ }).isVisible()).toBe(true);
    for (const format of ['JSON', 'JSON-LD', 'Turtle', 'CSV', 'N-Triples']) {
      expect(await page.getByRole('link', { name: `${sample.authorityTitle} as ${format}`, exact: true }).count(), format).toBe(1);
    }
    await screenshot(page, 'authority', true);
    // Zoom changes the range shown; Reset restores it.
    const range = page.locator('.timeline-range');
    const before = await range.textContent();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    expect(await range.textContent()).not.toBe(before);
    await page.getByRole('button', { name: 'Reset' }).click();
    expect(await range.textContent()).toBe(before);
    await context.close();
  });

  it('draws a search result as a timeline (aggregated when large) and on a map, with text alternatives', async () => {
    const { page, context } = await newPage(browser);
    const errors = await pageErrors(page);
    await page.goto(`${system.client}?q=bronze&view=timeline`);
    const timeline = page.getByRole('img', { name: /^Timeline of the periods found: \d+ periods between/ });
    await expect.poll(() => timeline.count(), { timeout: 30_000 }).toBe(1);
    await expectNoAxeViolations(page, 'timeline');
    await screenshot(page, 'timeline');
    await page.goto(`${system.client}?view=timeline`);
    await expect.poll(() => page.getByRole('img', { name: /drawn as how many periods are in force/ }).count(), { timeout: 30_000 }).toBe(1);

    await page.goto(`${system.client}?q=bronze&view=map`);
    const map = page.getByRole('img', { name: /^World map of the places these periods cover: \d+ countries shaded/ });
    await expect.poll(() => map.count(), { timeout: 30_000 }).toBe(1);
    const shaded = Number(/(\d+) countries/.exec((await map.getAttribute('aria-label'))!)![1]);
    expect(shaded).toBeGreaterThan(3);
    await expectNoAxeViolations(page, 'map');
    await screenshot(page, 'map');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('fits a 360 px phone without sideways scrolling', async () => {
    const { page, context } = await newPage(browser, PHONE);
    for (const [query, name] of [
      ['?q=bronze', 'phone-search'],
      [`?page=period-view&authorityID=${sample.authorityId}&periodID=${sample.periodId}`, 'phone-period'],
    ]) {
      await page.goto(system.client + query);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 20_000 }).not.toBe('');
      if (name === 'phone-search') await expect.poll(() => resultCount(page), { timeout: 30_000 }).toBeGreaterThan(0);
      else await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(sample.label);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, name).toBeLessThanOrEqual(PHONE.width);
      await expectNoAxeViolations(page, name);
      await screenshot(page, name);
    }
    await context.close();
  });

  it('works with IndexedDB and service workers unavailable', async () => {
    const { page, context } = await newPage(browser, DESKTOP);
    await page.addInitScript(() => {
      Object.defineProperty(window, 'indexedDB', { value: undefined });
      Object.defineProperty(navigator, 'serviceWorker', { value: undefined });
    });
    await page.goto(`${system.client}?q=bronze`);
    await expect.poll(() => resultCount(page), { timeout: 30_000 }).toBeGreaterThan(10);
    await context.close();
  });

  it('says so when the data API is down, and recovers by itself when it is back', async () => {
    const { page, context } = await newPage(browser);
    const dataOrigin = new URL(system.data).origin;
    let down = true;
    await context.route(`${dataOrigin}/**`, (route) => (down ? route.abort('connectionrefused') : route.continue()));
    await page.goto(`${system.client}?page=authority-view&authorityID=${sample.authorityId}`);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: 20_000 }).toMatch(/Could not load this authority\. The PeriodO data API \(localhost:\d+\) could not be reached\..*Trying again in \d+ s/);
    expect(await page.getByRole('button', { name: 'Try again now' }).isVisible()).toBe(true);
    down = false;
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 30_000 }).toBe(sample.authorityTitle);

    down = true;
    await page.goto(system.client);
    await expect.poll(() => page.getByRole('alert').first().textContent(), { timeout: 20_000 }).toMatch(/Search is unavailable/);
    down = false;
    await expect.poll(() => resultCount(page), { timeout: 40_000 }).toBe(indexSize.periods);
    await context.close();
  });
});
