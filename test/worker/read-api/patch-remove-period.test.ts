/**
 * test_patch.py test_remove_period (spec §14.4): v1 test data, v2 test-patch-remove-period
 * (removes p0trgkvwbjd). A removed entity is gone at the head and kept in history.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import removePeriod from '../../fixtures/server/test-patch-remove-period.json';
import { generatedByChange, get, getAccepting, H, json, load, loadTestData, type LoadResult } from './support';

let v2: LoadResult;

beforeAll(async () => {
  await loadTestData();
  v2 = await load(removePeriod);
});

describe('test_remove_period', () => {
  it('removes exactly p0trgkvwbjd and updates its authority', async () => {
    expect(v2.version).toBe(2);
    expect(v2.removed).toEqual(['p0trgkvwbjd']);
    expect(v2.updated).toEqual(['p0trgkv']);
    expect(v2.created).toEqual([]);
    const row = await env.DB.prepare('SELECT removed_entities, updated_entities FROM patch_requests WHERE id = 2').first<Record<string, string>>();
    expect(JSON.parse(row!.removed_entities)).toEqual(['p0trgkvwbjd']);
    expect(JSON.parse(row!.updated_entities)).toEqual(['p0trgkv']);
  });

  it('answers 410 Gone for the removed period at the head', async () => {
    for (const path of ['/trgkvwbjd.json', '/trgkvwbjd.jsonld', '/trgkvwbjd.json.html']) {
      expect((await get(path)).status, path).toBe(410);
    }
  });

  it('answers 404 before the period existed and 200 while it did', async () => {
    expect((await get('/trgkvwbjd.json?version=0')).status).toBe(404);
    const r = await get('/trgkvwbjd.json?version=1');
    expect(r.status).toBe(200);
    expect((await json(r)).label).toBe('Archaic');
  });

  it('redirects a version after the removal to the last version that had the period', async () => {
    const r = await get('/trgkvwbjd.json?version=2');
    expect(r.status).toBe(301);
    expect(r.headers.get('Location')).toBe(`${H}/trgkvwbjd.json?version=1`);
  });

  it('drops the period from its authority and the dataset at the head only', async () => {
    const head = await json(await get('/trgkv.json'));
    expect(Object.keys(head.periods as object).sort()).toEqual(['p0trgkv4kxb', 'p0trgkvkhrv']);
    const before = await json(await get('/trgkv.json?version=1'));
    expect(Object.keys(before.periods as object)).toContain('p0trgkvwbjd');
    const dataset = await (await get('/d.json')).text();
    expect(dataset).not.toContain('p0trgkvwbjd');
    expect(await (await get('/d.json?version=1')).text()).toContain('"p0trgkvwbjd": {');
  });

  it('still redirects the bare id (the abstract URI stays valid)', async () => {
    const r = await getAccepting('/trgkvwbjd', 'application/json');
    expect(r.status).toBe(303);
  });

  it('lists only <H d?version=2> as prov:generated of h#change-2 in /history.nt', async () => {
    expect(await generatedByChange(2, '/history.nt')).toEqual([`${H}/d?version=2`]);
  });
});
