/**
 * Purging (issue 4): the local purger behind `POST /admin/purge` and `purgeGraph`, the
 * zone purger against a fake Cloudflare API (faked only at the outbound fetch), the tags
 * stored entries carry, expiry, and the answers the cache must never keep.
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { Hono } from 'hono';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Env } from '../../../workers/env';
import { cacheStatusHeader, edgeCache } from '../../../workers/cache/middleware';
import { cacheKey } from '../../../workers/cache/keys';
import { graphPaths, mergeTags, purgeAfterMerge, purgeGraph, purgerFor, purgeUrls } from '../../../workers/cache/purge';
import { ADMIN_TOKEN, get, H, load, loadTestData } from '../read-api/support';
import { addPeriodPatch, cacheStatus, expectStatus } from './support';

const GRAPH_USER = { orcid: '1211-1098-7654-321X', token: 'cache-test-graph-token' };
const graphAuth = { Authorization: `Bearer ${btoa(GRAPH_USER.token)}`, 'Content-Type': 'application/json' };

function graph(label: string): unknown {
  return { '@context': { '@version': 1.1 }, features: [{ id: `place-${label}`, names: [{ toponym: label }] }] };
}

async function putGraph(id: string, label: string): Promise<void> {
  const r = await get(`/graphs/${id}`, { method: 'PUT', headers: graphAuth, body: JSON.stringify(graph(label)) });
  expect(r.status, await r.text()).toBe(201);
}

function admin(body: unknown, token = ADMIN_TOKEN): Promise<Response> {
  return get('/admin/purge', { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

/** Requests a path twice so that it is cached; returns the body. */
async function warm(path: string, init: RequestInit = {}): Promise<string> {
  await (await get(path, init)).text();
  return expectStatus(await get(path, init), 'HIT');
}

async function head(): Promise<number> {
  return (await env.DB.prepare('SELECT MAX(id) AS v FROM versions').first<{ v: number }>())!.v;
}

const zoneEnv = { ...env, CACHE_ZONE_ID: 'zone-123', CACHE_PURGE_TOKEN: 'purge-token' } as Env;
const PURGE_URL = 'https://api.cloudflare.com/client/v4/zones/zone-123/purge_cache';

beforeAll(async () => {
  await loadTestData();
  const r = await get(`/admin/users/${GRAPH_USER.orcid}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Graph editor', token: GRAPH_USER.token, permissions: ['create-graph'] }),
  });
  expect(r.status).toBe(200);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('POST /admin/purge (npm run periodo -- purge)', () => {
  it('purges given URLs in every Accept variant, and only them', async () => {
    await warm('/trgkv.json');
    await warm('/trgkv.json', { headers: { Accept: 'text/html' } });
    await warm('/d.json');
    const r = await admin({ urls: [`${H}/trgkv.json`] });
    expect(r.status).toBe(200);
    const report = (await r.json()) as { purger: string; ok: boolean; deleted: number };
    expect(report.purger).toBe('local');
    expect(report.ok).toBe(true);
    expect(report.deleted).toBeGreaterThanOrEqual(2);
    await expectStatus(await get('/trgkv.json'), 'MISS');
    await expectStatus(await get('/trgkv.json', { headers: { Accept: 'text/html' } }), 'MISS');
    await expectStatus(await get('/d.json'), 'HIT');
  });

  it('accepts paths on its own host', async () => {
    await warm('/c.json');
    expect((await admin({ urls: ['/c.json'] })).status).toBe(200);
    await expectStatus(await get('/c.json'), 'MISS');
  });

  it('purges everything with {"all": true}', async () => {
    await warm('/d.json');
    await warm('/v.ttl');
    await warm('/d.json?version=1');
    const r = await admin({ all: true });
    expect(r.status).toBe(200);
    await expectStatus(await get('/d.json'), 'MISS');
    await expectStatus(await get('/v.ttl'), 'MISS');
    await expectStatus(await get('/d.json?version=1'), 'MISS');
  });

  it('refuses bad bodies and wrong tokens', async () => {
    expect((await admin({})).status).toBe(400);
    expect((await admin({ urls: [] })).status).toBe(400);
    expect((await admin({ urls: [42] })).status).toBe(400);
    expect((await admin({ all: true }, 'wrong')).status).toBe(401);
  });
});

describe('what entries carry', () => {
  it('stores the Cache-Tag a zone purge names, scoped to the environment', async () => {
    await warm('/trgkv.json');
    const key = cacheKey(new URL(`${H}/trgkv.json`), { serverVersion: env.SERVER_VERSION, accept: null, generation: `v${await head()}` });
    const entry = await caches.default.match(key);
    expect(entry).toBeTruthy();
    const tags = entry!.headers.get('Cache-Tag')!.split(',');
    await entry!.body?.cancel();
    const scope = `periodo:${env.ENVIRONMENT}:`;
    expect(tags).toEqual(expect.arrayContaining([`${scope}all`, `${scope}latest`, `${scope}entities`, `${scope}entity:p0trgkv`, `${scope}path:/trgkv.json`]));
  });

  it('reports an entry past its edge lifetime as EXPIRED, rebuilds and stores it', async () => {
    const url = new URL(`${H}/trgkvwbjd.json`);
    const key = cacheKey(url, { serverVersion: env.SERVER_VERSION, accept: null, generation: `v${await head()}` });
    await caches.default.put(
      key,
      new Response('stale', { headers: { 'Cache-Control': 'public, max-age=600', 'X-PeriodO-Cache-Expires': String(Date.now() - 1000), 'X-PeriodO-Cache-Client-Control': '-' } }),
    );
    const expired = await get('/trgkvwbjd.json');
    const body = await expectStatus(expired, 'EXPIRED');
    expect(body).not.toBe('stale');
    expect(JSON.parse(body).id).toBe('p0trgkvwbjd');
    expect(await expectStatus(await get('/trgkvwbjd.json'), 'HIT')).toBe(body);
  });
});

describe('answers never stored', () => {
  const app = new Hono<{ Bindings: Env }>();
  app.use('*', cacheStatusHeader);
  app.use('*', edgeCache());
  let calls = 0;
  app.get('/busy.json', () => {
    calls++;
    return new Response('busy\n', { status: 503, headers: { 'Retry-After': '120', 'Cache-Control': 'public, max-age=600' } });
  });
  app.get('/queued.json', () => new Response('{}', { status: 202, headers: { 'Cache-Control': 'public, max-age=600' } }));
  app.get('/broken.json', () => {
    throw new Error('boom');
  });
  app.get('/private.json', () => new Response('{}', { headers: { 'Cache-Control': 'private, max-age=600' } }));
  app.get('/cookie.json', () => new Response('{}', { headers: { 'Set-Cookie': 'a=b', 'Cache-Control': 'public, max-age=600' } }));
  app.get('/fine.json', () => new Response('{"fine": true}\n', { headers: { 'Cache-Control': 'public, max-age=600' } }));
  app.onError(() => new Response('failed', { status: 500 }));

  async function fetchApp(path: string): Promise<Response> {
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request(`${H}${path}`), env, ctx);
    await response.text();
    await waitOnExecutionContext(ctx);
    return response;
  }

  it('does not cache a 503', async () => {
    const first = await fetchApp('/busy.json');
    expect(first.status).toBe(503);
    expect(cacheStatus(first)).toBe('MISS');
    const second = await fetchApp('/busy.json');
    expect(cacheStatus(second)).toBe('MISS');
    expect(calls).toBe(2);
  });

  it('does not cache a 202, a 500, a private answer or one that sets a cookie', async () => {
    for (const path of ['/queued.json', '/broken.json', '/private.json', '/cookie.json']) {
      expect(cacheStatus(await fetchApp(path)), path).toBe('MISS');
      expect(cacheStatus(await fetchApp(path)), path).toBe('MISS');
    }
  });

  it('does cache a public 200 through the same middleware', async () => {
    expect(cacheStatus(await fetchApp('/fine.json'))).toBe('MISS');
    expect(cacheStatus(await fetchApp('/fine.json'))).toBe('HIT');
  });
});

describe('graphs', () => {
  it('serves a graph update at once and purges the graph and its prefix containers', async () => {
    await putGraph('places/us-states', 'Ohio');
    await putGraph('places/cities', 'Cairo');
    const paths = ['/graphs/places/us-states', '/graphs/places/us-states.json', '/graphs/places/', '/graphs/places.json', '/graphs/'];
    for (const path of paths) expect(await warm(path), path).toContain('Ohio');

    await putGraph('places/us-states', 'Iowa');
    // The graphs generation moved: no stale HIT anywhere, whether or not a purge ran.
    for (const path of paths) {
      const text = await expectStatus(await get(path), 'MISS');
      expect(text, path).toContain('Iowa');
      expect(text, path).not.toContain('Ohio');
      await expectStatus(await get(path), 'HIT');
    }

    // Any graph write moves the graphs generation, so the sibling is rebuilt once too.
    await warm('/graphs/places/cities');
    // purgeGraph (called after PUT/DELETE) drops the graph, each prefix container and the root.
    const report = await purgeGraph(env, 'places/us-states', { origin: H });
    expect(report.ok).toBe(true);
    expect(report.tags).toEqual(
      expect.arrayContaining([`periodo:${env.ENVIRONMENT}:graph:places/us-states`, `periodo:${env.ENVIRONMENT}:graph:places`, `periodo:${env.ENVIRONMENT}:graphs-root`]),
    );
    for (const path of paths) await expectStatus(await get(path), 'MISS');
    // A sibling graph is not a prefix container of this one.
    await expectStatus(await get('/graphs/places/cities'), 'HIT');
  });

  it('serves a deleted graph as gone at once', async () => {
    await putGraph('rivers/nile', 'Nile');
    await warm('/graphs/rivers/nile');
    const d = await get('/graphs/rivers/nile', { method: 'DELETE', headers: graphAuth });
    expect(d.status).toBe(204);
    expect((await get('/graphs/rivers/nile')).status).toBe(404);
  });

  it('lists the URLs of a graph and its containers', () => {
    expect(graphPaths('a/b/c')).toEqual([
      '/graphs/',
      '/graphs.json',
      '/graphs/a/b/c',
      '/graphs/a/b/c.json',
      '/graphs/a/b/c/',
      '/graphs/a/b',
      '/graphs/a/b.json',
      '/graphs/a/b/',
      '/graphs/a',
      '/graphs/a.json',
      '/graphs/a/',
    ]);
  });

});

describe('after a merge', () => {
  it('purges the old head entries locally (space only: they were already unreachable)', async () => {
    await warm('/d.json');
    const oldKey = cacheKey(new URL(`${H}/d.json`), { serverVersion: env.SERVER_VERSION, accept: null, generation: `v${await head()}` });
    expect(await caches.default.match(oldKey)).toBeTruthy();
    await load(addPeriodPatch('p0trgkv', 'Purged after merge'));
    expect(await caches.default.match(oldKey)).toBeUndefined();
  });

  it('names the families a merge changes and the entities it touched', () => {
    expect(mergeTags({ version: 5, entities: ['p0trgkv', 'p0trgkvwbjd'], patchRequestId: 3 })).toEqual([
      'dataset',
      'context',
      'history',
      'void',
      'identifier-map',
      'patches',
      'feed',
      'graphs-root',
      'entity:p0trgkv',
      'entity:p0trgkvwbjd',
    ]);
    const many = Array.from({ length: 150 }, (_, i) => `p0x${i}`);
    expect(mergeTags({ version: 5, entities: many, patchRequestId: 3 })).toContain('entities');
  });
});

describe('the zone purger (Cloudflare purge-by-tag API)', () => {
  type Call = { url: string; init: RequestInit };
  function fakeApi(...answers: (() => Response)[]): Call[] {
    const calls: Call[] = [];
    const real = globalThis.fetch;
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (!url.startsWith('https://api.cloudflare.com/')) return real(input, init);
      calls.push({ url, init: init ?? {} });
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
      return answer();
    });
    return calls;
  }
  const ok = () => Response.json({ success: true, errors: [], messages: [], result: { id: 'zone-123' } });
  const tagsOf = (call: Call) => (JSON.parse(String(call.init.body)) as { tags: string[] }).tags;

  it('is chosen when a zone id and a token are configured', () => {
    expect(purgerFor(zoneEnv).kind).toBe('zone');
    expect(purgerFor(env).kind).toBe('local');
  });

  it('purges a merge by tag with the zone token', async () => {
    const calls = fakeApi(ok);
    await purgeAfterMerge(zoneEnv, { version: 7, entities: ['p0trgkv', 'p0trgkvwbjd'], patchRequestId: 4 });
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe(PURGE_URL);
    expect(calls[0].init.method).toBe('POST');
    expect(new Headers(calls[0].init.headers).get('Authorization')).toBe('Bearer purge-token');
    const scope = `periodo:${env.ENVIRONMENT}:`;
    expect(tagsOf(calls[0])).toEqual(mergeTags({ version: 7, entities: ['p0trgkv', 'p0trgkvwbjd'], patchRequestId: 4 }).map((t) => scope + t));
  });

  it('sends at most 30 tags per call', async () => {
    const calls = fakeApi(ok);
    const entities = Array.from({ length: 60 }, (_, i) => `p0e${i}`);
    await purgeAfterMerge(zoneEnv, { version: 8, entities, patchRequestId: 5 });
    expect(calls.map((c) => tagsOf(c).length)).toEqual([30, 30, 8]);
  });

  it('purges a graph, its prefix containers and the graphs root', async () => {
    const calls = fakeApi(ok);
    await purgeGraph(zoneEnv, 'places/us-states');
    const scope = `periodo:${env.ENVIRONMENT}:`;
    expect(tagsOf(calls[0]).sort()).toEqual([`${scope}graph:places`, `${scope}graph:places/us-states`, `${scope}graphs-root`].sort());
  });

  it('purges URLs by path tag, and everything by the environment tag (never the whole zone)', async () => {
    const calls = fakeApi(ok);
    await purgeUrls(zoneEnv, [`${H}/d.json?x=1`, `${H}/trgkv.json`]);
    const scope = `periodo:${env.ENVIRONMENT}:`;
    expect(tagsOf(calls[0])).toEqual([`${scope}path:/d.json`, `${scope}path:/trgkv.json`]);
    await purgerFor(zoneEnv).purge({ tags: [], everything: true });
    expect(JSON.parse(String(calls[1].init.body))).toEqual({ tags: [`${scope}all`] });
  });

  it('retries a failed call, then succeeds', async () => {
    const calls = fakeApi(() => new Response('upstream error', { status: 502 }), ok);
    const report = await purgerFor(zoneEnv).purge({ tags: ['dataset'] });
    expect(calls).toHaveLength(2);
    expect(report.ok).toBe(true);
  });

  it('logs and gives up after three attempts, without throwing into the merge', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const calls = fakeApi(() => {
      throw new TypeError('network down');
    });
    await expect(purgeAfterMerge(zoneEnv, { version: 9, entities: [], patchRequestId: 6 })).resolves.toBeUndefined();
    expect(calls).toHaveLength(3);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining('purge after merge of version 9 failed'));
  });

  it('does not retry a refusal (bad token), and reports it', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const calls = fakeApi(() => Response.json({ success: false, errors: [{ code: 10000, message: 'Authentication error' }] }, { status: 403 }));
    const report = await purgerFor(zoneEnv).purge({ tags: ['dataset'] });
    expect(calls).toHaveLength(1);
    expect(report.ok).toBe(false);
    expect(report.errors?.[0]).toContain('Authentication error');
  });

  it('treats {"success": false} with status 200 as a failure', async () => {
    const calls = fakeApi(() => Response.json({ success: false, errors: [{ message: 'rate limited' }] }), ok);
    const report = await purgerFor(zoneEnv).purge({ tags: ['dataset'] });
    expect(calls).toHaveLength(1);
    expect(report.ok).toBe(false);
  });
});
