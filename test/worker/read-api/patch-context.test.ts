/**
 * test_patch.py test_context_versioning (spec §14.4): the context is data, versioned with
 * the dataset. v1 test data, v2 test-patch-modify-context (adds `foobar` to the context).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import modifyContext from '../../fixtures/server/test-patch-modify-context.json';
import { get, H, json, load, loadTestData, type LoadResult } from './support';

let v2: LoadResult;

beforeAll(async () => {
  await loadTestData();
  v2 = await load(modifyContext);
});

describe('test_context_versioning', () => {
  it('changes no entity', () => {
    expect(v2.version).toBe(2);
    expect(v2).toMatchObject({ created: [], updated: [], removed: [] });
  });

  it('serves version 0 as the empty dataset, which has no context', async () => {
    const r = await get('/d.json?version=0');
    expect(r.status).toBe(200);
    expect(r.headers.get('ETag')).toBe('W/"periodo-dataset-version-0"');
    expect(await r.text()).toBe('{}\n');
    expect((await get('/c?version=0')).status).toBe(404);
  });

  it('serves version 1 of the dataset and its context without foobar, cached for a year', async () => {
    const d = await get('/d.json?version=1');
    expect(d.status).toBe(200);
    expect(d.headers.get('Cache-Control')).toBe('public, max-age=31557600');
    expect(((await json(d))['@context'] as unknown[])[0]).toBe(`${H}/c?version=1`);

    const c = await get('/c?version=1');
    expect(c.status).toBe(200);
    expect(c.headers.get('Cache-Control')).toBe('public, max-age=31557600');
    expect(c.headers.get('ETag')).toBe('W/"periodo-context-version-1"');
    const context = (await json(c))['@context'] as Record<string, unknown>;
    expect(context).not.toHaveProperty('foobar');
    expect(context['@base']).toBe('http://n2t.net/ark:/99152/');
  });

  it('serves version 2 of the dataset and its context with foobar', async () => {
    const d = await json(await get('/d.json?version=2'));
    expect((d['@context'] as unknown[])[0]).toBe(`${H}/c?version=2`);
    const context = (await json(await get('/c?version=2')))['@context'] as Record<string, unknown>;
    expect(context.foobar).toEqual({ '@id': 'http://example.org/vocab#foobar', '@type': '@id' });
  });

  it('serves the head context with foobar, revalidated on every use', async () => {
    const c = await get('/c');
    expect(c.headers.get('Cache-Control')).toBe('public, max-age=0');
    expect(c.headers.get('ETag')).toBe('W/"periodo-context-version-2"');
    expect((await json(c))['@context']).toHaveProperty('foobar');
    const inline = (await json(await get('/d.json?inline-context')))['@context'];
    expect(inline).toHaveProperty('foobar');
  });

  it('keeps the entities of version 1, which the context change did not touch', async () => {
    const r = await get('/trgkv.json?version=2');
    expect(r.status).toBe(301);
    expect(r.headers.get('Location')).toBe(`${H}/trgkv.json?version=1`);
    const v1 = await json(await get('/trgkv.json?version=1'));
    expect((v1['@context'] as unknown[])[0]).toBe(`${H}/c?version=1`);
  });
});
