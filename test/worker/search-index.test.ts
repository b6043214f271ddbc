/**
 * `GET /search-index.json[?version=N]`: the web client's compact, per-version search
 * resource (workers/data/routes/search-index.ts), public for scripts too.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalize, SEARCH_INDEX_FORMAT, type SearchIndex } from '../../workers/domain/search-index';
import { get, json, load, loadTestData } from './read-api/support';

describe('before any data', () => {
  it('describes the empty version 0', async () => {
    const r = await get('/search-index.json');
    expect(r.status).toBe(200);
    const index = (await r.json()) as SearchIndex;
    expect(index.version).toBe(0);
    expect(index.periods.id).toEqual([]);
    expect(index.authorities.id).toEqual([]);
  });
});

describe('the search index', () => {
  beforeAll(async () => {
    await loadTestData();
  });

  it('describes every period of the head version in columns, with CORS and revalidation', async () => {
    const r = await get('/search-index.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('application/json');
    expect(r.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=0');
    expect(r.headers.get('ETag')).toBe('W/"periodo-search-index-version-1"');
    const index = (await r.json()) as SearchIndex;
    expect(index.format).toBe(SEARCH_INDEX_FORMAT);
    expect(index.version).toBe(1);
    expect(Date.parse(index.created)).not.toBeNaN();
    expect(index.authorities.id).toEqual(['p0trgkv']);
    expect([...index.periods.id].sort()).toEqual(['p0trgkv4kxb', 'p0trgkvkhrv', 'p0trgkvwbjd']);
    // In label order, and saying so: the client sorts nothing when it loads.
    expect(index.order).toBe('label');
    const keys = index.periods.label.map(normalize);
    expect(keys).toEqual([...keys].sort());
    for (const column of Object.values(index.periods)) expect(column).toHaveLength(3);
    const at = index.periods.id.indexOf('p0trgkvwbjd');
    expect(index.periods.label[at]).toBe('Archaic');
    expect([index.periods.startEarliest[at], index.periods.stopLatest[at]]).toEqual([-679, -546]);
    expect(index.places.label[index.periods.places[at][0]]).toBe('Turkey');
  });

  it('is built once per version: kept in R2, then served from the edge cache', async () => {
    const first = await get('/search-index.json?version=1');
    const text = await first.text();
    expect(first.headers.get('Cache-Control')).toBe('public, max-age=31557600');
    const stored = await env.EXPORTS.get(`search-index/format-${SEARCH_INDEX_FORMAT}/v1.json`);
    expect(await stored?.text()).toBe(text);
    const again = await get('/search-index.json?version=1');
    expect(again.headers.get('X-Cache-Status')).toBe('HIT');
    expect(await again.text()).toBe(text);
    const revalidated = await get('/search-index.json', { headers: { 'If-None-Match': 'W/"periodo-search-index-version-1"' } });
    expect(revalidated.status).toBe(304);
  });

  it('follows the head after a merge while ?version=N stays as it was', async () => {
    const before = (await (await get('/search-index.json')).json()) as SearchIndex;
    const result = await load([{ op: 'remove', path: '/authorities/p0trgkv/periods/p0trgkv4kxb' }]);
    const head = (await (await get('/search-index.json')).json()) as SearchIndex;
    expect(head.version).toBe(result.version);
    expect([...head.periods.id].sort()).toEqual(['p0trgkvkhrv', 'p0trgkvwbjd']);
    const old = (await (await get('/search-index.json?version=1')).json()) as SearchIndex;
    expect(old).toEqual(before);
  });

  it('refuses a bad version with a message, and names an unknown one', async () => {
    const bad = await get('/search-index.json?version=latest');
    expect(bad.status).toBe(422);
    expect((await json(bad)).message).toMatch(/version must be the number of a version, a whole number/);
    const unknown = await get('/search-index.json?version=999');
    expect(unknown.status).toBe(404);
  });
});
