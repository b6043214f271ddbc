/**
 * The client app (workers/client/app.ts): the built web client from Workers Static
 * Assets with cache headers, deep links falling back to the app, and /config.json naming
 * the data API of each environment. Needs `npm run build` (npm test runs it first).
 */
import { describe, expect, it } from 'vitest';
import { get, loadTestData } from './read-api/support';
import { waitForExport } from './support/wait';
import { envFor } from './support/wrangler-vars';
import { workerFetch, workerFetchWith } from './support/worker';

const CLIENT = 'http://client.localhost:8787';

describe('the web client', () => {
  it('serves the app, revalidated, at / and at any deep link', async () => {
    for (const path of ['/', '/?page=period-view&authorityID=p0trgkv&periodID=p0trgkvwbjd', '/some/deep/link']) {
      const r = await workerFetch(CLIENT + path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('Content-Type'), path).toMatch(/^text\/html/);
      expect(r.headers.get('Cache-Control'), path).toBe('public, max-age=0, must-revalidate');
      const html = await r.text();
      expect(html, path).toContain('<div id="app">');
      // The data API's URL is in the page: no round trip before the first data request.
      expect(html, path).toContain('<meta name="periodo-data-url" content="http://localhost:8787/">');
    }
    const production = await workerFetchWith(envFor('production'), 'https://client.perio.do/?page=backend-home');
    expect(await production.text()).toContain('<meta name="periodo-data-url" content="https://data.perio.do/">');
  });

  it("starts a page's first data request with the page: the entity of a period or authority page, the home's search index", async () => {
    const preloads = async (url: string, worker = workerFetch) => {
      const html = await (await worker(url)).text();
      const found = [...html.matchAll(/<link rel="preload" as="fetch" crossorigin="anonymous" href="([^"]+)">/g)].map((m) => m[1]);
      // The home also names its index for the boot script, which takes the request over and starts the search Worker: both before it.
      const index = [...html.matchAll(/<meta name="periodo-search-index" content="([^"]+)">/g)].map((m) => m[1]);
      expect(index).toEqual(found.filter((u) => u.endsWith('/search-index.json')));
      if (index.length) expect(Math.max(html.indexOf('periodo-search-index'), html.indexOf('rel="preload"'))).toBeLessThan(html.indexOf('<script>'));
      return found;
    };
    expect(await preloads(`${CLIENT}/?page=period-view&authorityID=p0trgkv&periodID=p0trgkvwbjd`)).toEqual(['http://localhost:8787/trgkv.json']);
    expect(await preloads(`${CLIENT}/?page=authority-view&authorityID=http%3A%2F%2Fn2t.net%2Fark%3A%2F99152%2Fp0trgkv`)).toEqual(['http://localhost:8787/trgkv.json']);
    expect(await preloads(`${CLIENT}/`)).toEqual(['http://localhost:8787/search-index.json']);
    expect(await preloads(`${CLIENT}/?page=backend-home&q=bronze`)).toEqual(['http://localhost:8787/search-index.json']);
    // The reference client's backendID names the data API, as the app itself reads it.
    expect(await preloads(`${CLIENT}/?page=period-view&authorityID=p0trgkv&periodID=p0trgkvwbjd&backendID=web-https%3A%2F%2Fdata.example.org%2F`)).toEqual([
      'https://data.example.org/trgkv.json',
    ]);
    expect(await preloads(`${CLIENT}/?page=backend-history`)).toEqual([]);
    expect(await preloads(`${CLIENT}/?page=period-view&authorityID=not-an-id`)).toEqual([]);
    expect(await preloads('https://client.perio.do/?page=period-view&authorityID=p0trgkv', (u) => workerFetchWith(envFor('production'), u))).toEqual([
      'https://data.perio.do/trgkv.json',
    ]);
  });

  it("writes a period or authority page's heading into the page it sends, read from the entity the page preloads", async () => {
    await loadTestData();
    // The page waits at most SHELL_WAIT_MS for the entity: not while the merge's exports hold the thread.
    for (const format of ['ttl', 'nt', 'csv'] as const) await waitForExport(1, format);
    type Entity = { id: string; label?: string; source?: { title?: string; partOf?: { title?: string } }; periods: Record<string, Entity> };
    const dataset = (await (await get('/d.json')).json()) as { authorities: Record<string, Entity> };
    const authority = Object.values(dataset.authorities).find((a) => Object.keys(a.periods).length > 1)!;
    const period = Object.values(authority.periods).find((p) => p.label)!;
    const title = authority.source?.title ?? authority.source?.partOf?.title;
    expect(title).toBeTruthy();
    // A page sent without its heading is a wait over SHELL_WAIT_MS: on a machine busy with other test files, ask again.
    const main = async (url: string) => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const found = /<main id="main" tabindex="-1">(.*?)<\/main>/s.exec(await (await workerFetch(url)).text());
        if (found) return found[1];
      }
      return null;
    };

    const periodPage = await main(`${CLIENT}/?page=period-view&authorityID=${authority.id}&periodID=${period.id}`);
    expect(periodPage).toContain(`<h1>${period.label}</h1>`);
    expect(periodPage).toContain(`<p class="kind">Period in <a href="?page=authority-view&amp;authorityID=${authority.id}">${title}</a></p>`);
    const authorityPage = await main(`${CLIENT}/?page=authority-view&authorityID=${authority.id}`);
    expect(authorityPage).toContain(`<h1>${title}</h1><p class="kind">Authority · ${Object.keys(authority.periods).length} periods</p>`);

    // No heading it cannot vouch for: a period the authority lacks, an authority not in the
    // dataset, or another data API's entity. The page is the app's as ever, which says so.
    for (const url of [
      `${CLIENT}/?page=period-view&authorityID=${authority.id}&periodID=${authority.id}zzzz`,
      `${CLIENT}/?page=authority-view&authorityID=p0zzzzz`,
      `${CLIENT}/?page=period-view&authorityID=${authority.id}&periodID=${period.id}&backendID=web-https%3A%2F%2Fdata.example.org%2F`,
    ]) {
      const r = await workerFetch(url);
      expect(r.status, url).toBe(200);
      const html = await r.text();
      expect(html, url).toContain('<div id="app"><p class="boot">Loading PeriodO…</p></div>');
      expect(html, url).not.toContain('<h1>');
    }
  });

  it('keeps hashed files for a year and answers 404 for a missing one', async () => {
    const html = await (await workerFetch(`${CLIENT}/`)).text();
    // The stylesheet is inline: it no longer holds up the page's first frame.
    expect(html).toMatch(/<style>:root\{/);
    expect(html).not.toContain('rel="stylesheet"');
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"|new Worker\('(\/assets\/[^']+)'/g)].map((m) => m[1] ?? m[2]);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      const r = await workerFetch(CLIENT + asset);
      expect(r.status, asset).toBe(200);
      expect(r.headers.get('Cache-Control'), asset).toBe('public, max-age=31536000, immutable');
    }
    expect((await workerFetch(`${CLIENT}/assets/index-gone.js`)).status).toBe(404);
  });

  it('names the data API of its environment in /config.json (locally on the same port)', async () => {
    const local = await workerFetch('http://client.localhost:9123/config.json');
    expect(local.headers.get('Cache-Control')).toBe('no-cache');
    expect(await local.json()).toEqual({ dataUrl: 'http://localhost:9123/', environment: 'development' });
    const staging = await workerFetchWith(envFor('staging'), 'https://client.staging.perio.do/config.json');
    expect(await staging.json()).toEqual({ dataUrl: 'https://data.staging.perio.do/', environment: 'staging' });
    const production = await workerFetchWith(envFor('production'), 'https://client.perio.do/config.json');
    expect(await production.json()).toEqual({ dataUrl: 'https://data.perio.do/', environment: 'production' });
  });

  it('refuses writes with a message', async () => {
    const r = await workerFetch(`${CLIENT}/`, { method: 'POST', body: '{}' });
    expect(r.status).toBe(405);
    expect(r.headers.get('Allow')).toBe('GET, HEAD');
    expect(((await r.json()) as { message: string }).message).toMatch(/read-only/);
  });
});
