/**
 * The client app (workers/client/app.ts): the built web client from Workers Static
 * Assets with cache headers, deep links falling back to the app, and /config.json naming
 * the data API of each environment. Needs `npm run build` (npm test runs it first).
 */
import { describe, expect, it } from 'vitest';
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

  it('keeps hashed files for a year and answers 404 for a missing one', async () => {
    const html = await (await workerFetch(`${CLIENT}/`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
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
