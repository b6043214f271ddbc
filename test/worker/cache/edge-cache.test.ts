/**
 * The edge cache in front of the data app (issue 4): HIT/MISS, keys by Accept, the
 * reference's cache policies, conditional requests, and freshness right after a merge.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_ACCEPT, get, getAccepting, H, json, load, loadTestData } from '../read-api/support';
import { addPeriodPatch, cacheStatus, expectStatus, stableHeaders } from './support';

beforeAll(async () => {
  await loadTestData();
});

describe('HIT and MISS', () => {
  it('serves a second GET of /d.json from the cache, byte for byte and with the same headers', async () => {
    const first = await get('/d.json');
    const missBody = await expectStatus(first, 'MISS');
    const second = await get('/d.json');
    const hitBody = await expectStatus(second, 'HIT');
    expect(hitBody).toBe(missBody);
    expect(stableHeaders(second)).toEqual(stableHeaders(first));
    // The reference's server-only policy reaches clients unchanged: revalidate, edge keeps a day.
    expect(second.headers.get('Cache-Control')).toBe('public, max-age=0');
    expect(second.headers.get('X-Accel-Expires')).toBe('86400');
    expect(second.headers.get('Date')).toMatch(/GMT$/);
    expect(second.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(second.headers.get('X-PeriodO-Server-Version')).toBe(env.SERVER_VERSION);
    expect(second.headers.get('Cache-Tag')).toBeNull();
  });

  it('caches entities, the context, VoID and the identifier map', async () => {
    for (const path of ['/trgkv.json', '/trgkvwbjd.jsonld', '/c', '/.well-known/void', '/identifier-map.json', '/index.json', '/']) {
      const miss = await get(path);
      const missBody = await miss.text();
      expect([200, 303], path).toContain(miss.status);
      const hit = await get(path);
      expect(await expectStatus(hit, 'HIT'), path).toBe(missBody);
      expect(hit.status, path).toBe(miss.status);
    }
  });

  it('keeps ?version=N a year and the latest context revalidating', async () => {
    const v = await get('/d.json?version=1');
    await expectStatus(v, 'MISS');
    const hit = await get('/d.json?version=1');
    await expectStatus(hit, 'HIT');
    expect(hit.headers.get('Cache-Control')).toBe('public, max-age=31557600');
    expect(hit.headers.get('X-Accel-Expires')).toBeNull();
    expect(hit.headers.get('ETag')).toBe('W/"periodo-dataset-version-1"');
    const c = await get('/c.json');
    await c.text();
    const c2 = await get('/c.json');
    await expectStatus(c2, 'HIT');
    expect(c2.headers.get('Cache-Control')).toBe('public, max-age=0');
  });

  it('answers HEAD from a cached GET, without a body', async () => {
    await (await get('/trgkv.jsonld')).text();
    const head = await get('/trgkv.jsonld', { method: 'HEAD' });
    expect(cacheStatus(head)).toBe('HIT');
    expect(head.status).toBe(200);
    expect(head.headers.get('Content-Type')).toBe('application/ld+json');
    expect(await head.text()).toBe('');
  });

  it('does not store what a HEAD asked for (the body is never built)', async () => {
    const head = await get('/trgkvwbjd.json', { method: 'HEAD' });
    expect(cacheStatus(head)).toBe('MISS');
    expect(await head.text()).toBe('');
    await expectStatus(await get('/trgkvwbjd.json'), 'MISS');
  });
});

describe('content negotiation', () => {
  it('caches each Accept variant of /d/ separately', async () => {
    const json1 = await getAccepting('/d/', 'application/json');
    const ld1 = await getAccepting('/d/', 'application/ld+json');
    await expectStatus(json1, 'MISS');
    await expectStatus(ld1, 'MISS');
    const json2 = await getAccepting('/d/', 'application/json');
    const ld2 = await getAccepting('/d/', 'application/ld+json');
    await expectStatus(json2, 'HIT');
    await expectStatus(ld2, 'HIT');
    expect(json2.headers.get('Content-Type')).toBe('application/json');
    expect(ld2.headers.get('Content-Type')).toBe('application/ld+json');
    expect(json2.headers.get('Content-Disposition')).toContain('.json"');
    expect(ld2.headers.get('Content-Disposition')).toContain('.jsonld"');
  });

  it('never serves the JSON index to a client asking for Turtle or HTML', async () => {
    for (let round = 0; round < 2; round++) {
      const status = round === 0 ? 'MISS' : 'HIT';
      const index = await getAccepting('/', 'application/json');
      await expectStatus(index, status);
      expect(index.headers.get('Content-Type')).toBe('application/json');
      const turtle = await getAccepting('/', 'text/turtle');
      expect(await expectStatus(turtle, status)).toContain('void:');
      expect(turtle.headers.get('Content-Type')).toBe('text/turtle');
      const html = await getAccepting('/', BROWSER_ACCEPT);
      await expectStatus(html, status);
      expect(html.status).toBe(303);
      expect(html.headers.get('Location')).toBe(`${H}/index.json.html`);
    }
  });

  it('keys the 303 of an entity URI by Accept', async () => {
    for (let round = 0; round < 2; round++) {
      const status = round === 0 ? 'MISS' : 'HIT';
      const ttl = await getAccepting('/trgkv', 'text/turtle');
      await expectStatus(ttl, status);
      expect(ttl.headers.get('Location')).toBe(`${H}/trgkv.ttl`);
      const ld = await getAccepting('/trgkv', 'application/ld+json');
      await expectStatus(ld, status);
      expect(ld.headers.get('Location')).toBe(`${H}/trgkv.jsonld`);
      const browser = await getAccepting('/trgkv', BROWSER_ACCEPT);
      await expectStatus(browser, status);
      expect(browser.headers.get('Location')).toMatch(/page=authority-view/);
    }
  });

  it('keys the 404 page by Accept (JSON for application/json, HTML otherwise)', async () => {
    for (let round = 0; round < 2; round++) {
      const status = round === 0 ? 'MISS' : 'HIT';
      const asJson = await getAccepting('/nothing-here.json', 'application/json');
      expect(await expectStatus(asJson, status)).toMatch(/^\{"code": 404/);
      const asHtml = await getAccepting('/nothing-here.json', 'text/html');
      expect(await expectStatus(asHtml, status)).toMatch(/<html/i);
    }
  });
});

describe('conditional requests', () => {
  it('answers a matching If-None-Match with a bare 304 from the cache', async () => {
    await (await get('/d.jsonld')).text();
    const r = await get('/d.jsonld', { headers: { 'If-None-Match': 'W/"periodo-dataset-version-1"' } });
    expect(r.status).toBe(304);
    expect(cacheStatus(r)).toBe('HIT');
    expect(await r.text()).toBe('');
    expect(r.headers.get('ETag')).toBeNull();
    expect(r.headers.get('Cache-Control')).toBeNull();
    expect(r.headers.get('Last-Modified')).toBeNull();
    expect(r.headers.get('Access-Control-Allow-Origin')).toBe('*');
    const star = await get('/d.jsonld', { headers: { 'If-None-Match': '*' } });
    expect(star.status).toBe(304);
  });

  it('serves the full document from the cache when the tag does not match', async () => {
    const r = await get('/d.jsonld', { headers: { 'If-None-Match': 'W/"periodo-dataset-version-0"' } });
    expect(r.status).toBe(200);
    expect(cacheStatus(r)).toBe('HIT');
    expect((await json(r)).authorities).toBeTruthy();
  });
});

describe('what is never cached', () => {
  it('bypasses authenticated requests, writes, patches, the feed, bags and identity', async () => {
    const auth = await get('/d.json', { headers: { Authorization: 'Bearer abc' } });
    await expectStatus(auth, 'BYPASS');
    for (const path of ['/patches/', '/feed.xml', '/bags/', '/identity', '/export.sql']) {
      const r = await get(path);
      await r.text();
      expect(cacheStatus(r), path).toBe('BYPASS');
    }
    const options = await get('/d.json', { method: 'OPTIONS' });
    expect(cacheStatus(options)).toBe('BYPASS');
    const admin = await get('/admin/dataset', { headers: { Authorization: 'Bearer dev-admin-token' } });
    await expectStatus(admin, 'BYPASS');
  });

  it('does not store the 5xx an export route answers while its export is not built', async () => {
    // (A fixed 503 is tested on the middleware itself in purge.test.ts.)
    for (const path of ['/dataset.ttl', '/dataset.csv']) {
      const first = await get(path);
      await first.text();
      if (first.status < 500) continue;
      expect(cacheStatus(first), path).toBe('MISS');
      const second = await get(path);
      await second.text();
      expect(cacheStatus(second), path).not.toBe('HIT');
    }
  });

  it('does not store a 422 for a bad version', async () => {
    await expectStatus(await get('/d.json?version=abc'), 'MISS');
    await expectStatus(await get('/d.json?version=abc'), 'MISS');
  });
});

describe('the proxy routes and static files', () => {
  it('redirects /d.ttl and /d.csv permanently, from the cache the second time', async () => {
    for (const [from, to] of [
      ['/d.ttl', '/dataset.ttl'],
      ['/d.csv', '/dataset.csv'],
    ]) {
      for (const status of ['MISS', 'HIT']) {
        const r = await get(from);
        await expectStatus(r, status);
        expect(r.status).toBe(301);
        expect(r.headers.get('Location')).toBe(`${H}${to}`);
      }
      const q = await get(`${from}?version=1`);
      await q.text();
      expect(q.headers.get('Location')).toBe(`${H}${to}?version=1`);
    }
  });

  it('serves the vocabulary and the highlight stylesheet with long caching', async () => {
    for (const [path, type] of [
      ['/v.ttl', 'text/turtle'],
      ['/v.ttl.html', 'text/html; charset=utf-8'],
      ['/highlight-style.css', 'text/css; charset=utf-8'],
    ]) {
      const miss = await get(path);
      const body = await expectStatus(miss, 'MISS');
      const hit = await get(path);
      expect(await expectStatus(hit, 'HIT')).toBe(body);
      expect(hit.status).toBe(200);
      expect(hit.headers.get('Content-Type')).toBe(type);
      expect(hit.headers.get('Cache-Control')).toBe('public, max-age=31557600');
    }
  });
});

describe('after a merge', () => {
  it('shows the new version at once on every latest resource (no stale HIT)', async () => {
    const paths = ['/d.json', '/d.jsonld', '/d.json?inline-context', '/trgkv.json', '/.well-known/void', '/h.nt', '/identifier-map.json', '/c'];
    const before: Record<string, string> = {};
    for (const path of paths) {
      await (await get(path)).text();
      const hit = await get(path);
      before[path] = await expectStatus(hit, 'HIT');
    }
    const merged = await load(addPeriodPatch('p0trgkv', 'Merged while cached'));
    const tag = `W/"periodo-dataset-version-${merged.version}"`;

    for (const path of ['/d.json', '/d.jsonld', '/d.json?inline-context']) {
      const r = await get(path);
      const text = await expectStatus(r, 'MISS');
      expect(r.headers.get('ETag'), path).toBe(tag);
      expect(text, path).toContain('Merged while cached');
    }
    const authority = await get('/trgkv.json');
    expect(await expectStatus(authority, 'MISS')).toContain('Merged while cached');
    const voidDescription = await get('/.well-known/void');
    const voidText = await expectStatus(voidDescription, 'MISS');
    expect(voidText).not.toBe(before['/.well-known/void']);
    const history = await get('/h.nt');
    const historyText = await expectStatus(history, 'MISS');
    expect(historyText).toContain(`/d?version=${merged.version}>`);
    const idMap = await get('/identifier-map.json');
    expect(await expectStatus(idMap, 'MISS')).toContain(merged.created[0]);
    // The context did not change, but latest entries are keyed by the head: rebuilt once.
    await expectStatus(await get('/c'), 'MISS');
    await expectStatus(await get('/c'), 'HIT');
    // Versioned entries stay valid and cached.
    await expectStatus(await get('/d.json?version=1'), 'HIT');
  });

  it('does not cache a version that does not exist yet as if it were immutable', async () => {
    const head = (await env.DB.prepare('SELECT MAX(id) AS v FROM versions').first<{ v: number }>())!.v;
    const future = await get(`/d.json?version=${head + 1}`);
    expect(future.status).toBe(404);
    await future.text();
    await load(addPeriodPatch('p0trgkv', 'The future arrives'));
    const now = await get(`/d.json?version=${head + 1}`);
    expect(now.status).toBe(200);
    expect(await now.text()).toContain('The future arrives');
  });
});
