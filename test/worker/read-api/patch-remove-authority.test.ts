/**
 * test_patch.py test_remove_authority (spec §14.4): v1 test data, v2
 * test-patch-remove-authority (removes p0trgkv, and with it its three periods).
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import removeAuthority from '../../fixtures/server/test-patch-remove-authority.json';
import { ARK, generatedByChange, get, getAccepting, H, json, load, loadTestData, NS, parseTurtle, type LoadResult } from './support';

let v2: LoadResult;

beforeAll(async () => {
  await loadTestData();
  v2 = await load(removeAuthority);
});

describe('test_remove_authority', () => {
  it('removes the authority and its three periods', async () => {
    expect(v2.version).toBe(2);
    expect([...v2.removed].sort()).toEqual(['p0trgkv', 'p0trgkv4kxb', 'p0trgkvkhrv', 'p0trgkvwbjd']);
    expect(v2.updated).toEqual([]);
    const row = await env.DB.prepare('SELECT removed_entities FROM patch_requests WHERE id = 2').first<Record<string, string>>();
    expect(JSON.parse(row!.removed_entities)).toEqual(['p0trgkv', 'p0trgkv4kxb', 'p0trgkvkhrv', 'p0trgkvwbjd']);
  });

  for (const raw of ['trgkv', 'trgkvwbjd']) {
    it(`answers 410 for /${raw}.json at the head, 404 at version 0, 200 at version 1`, async () => {
      expect((await get(`/${raw}.json`)).status).toBe(410);
      expect((await get(`/${raw}.json?version=0`)).status).toBe(404);
      const r = await get(`/${raw}.json?version=1`);
      expect(r.status).toBe(200);
      expect((await json(r)).id).toBe(`p0${raw}`);
      const after = await get(`/${raw}.json?version=2`);
      expect(after.status).toBe(301);
      expect(after.headers.get('Location')).toBe(`${H}/${raw}.json?version=1`);
    });
  }

  it('answers 410 for every removed period, even though its authority is gone', async () => {
    for (const raw of ['trgkv4kxb', 'trgkvkhrv', 'trgkvwbjd']) expect((await get(`/${raw}.json`)).status, raw).toBe(410);
  });

  it('leaves an empty dataset at the head and the full one in history', async () => {
    const head = await json(await get('/d.json'));
    expect(head.authorities).toEqual({});
    const v1 = await json(await get('/d.json?version=1'));
    expect(Object.keys(v1.authorities as object)).toEqual(['p0trgkv']);
  });

  it('counts no authority and no period in the VoID description', async () => {
    const g = parseTurtle(await (await getAccepting('/', 'text/turtle')).text());
    const p0d = `${ARK}p0d`;
    const counts = new Map<string, number>();
    for (const part of g.filter((q) => q.subject.value === p0d && q.predicate.value === `${NS.void}classPartition`)) {
      const clazz = g.find((q) => q.subject.equals(part.object) && q.predicate.value === `${NS.void}class`)!.object.value;
      counts.set(clazz, Number(g.find((q) => q.subject.equals(part.object) && q.predicate.value === `${NS.void}entities`)!.object.value));
    }
    expect(counts.get(`${NS.skos}Concept`)).toBe(0);
    expect(counts.get(`${NS.skos}ConceptScheme`)).toBe(0);
  });

  it('lists only <H d?version=2> as prov:generated of h#change-2 in /h.nt', async () => {
    expect(await generatedByChange(2, '/h.nt')).toEqual([`${H}/d?version=2`]);
  });
});
