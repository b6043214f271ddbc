/**
 * Read side of the reference's test/test_patch.py (spec §14.4): test_merge_patch and
 * test_versioning, with the patches merged through the operator's /admin/load (the
 * patch-request routes come later). History: v1 test data, v2 test-patch-adds-items
 * (updates p0trgkv, creates a period in it and a new authority with two periods),
 * v3 test-patch-add-period (updates p0trgkv again).
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import addPeriod from '../../fixtures/server/test-patch-add-period.json';
import addsItems from '../../fixtures/server/test-patch-adds-items.json';
import { checkIdentifier } from '../../../workers/domain/identifiers';
import {
  adminLoad,
  ARK,
  get,
  getAccepting,
  H,
  headVersion,
  json,
  load,
  loadTestData,
  location,
  NS,
  objects,
  parseTurtle,
  XDIGITS,
  type LoadResult,
} from './support';

const X = `[${XDIGITS}]`;
const AUTHORITY_RE = new RegExp(`^p0${X}{5}$`);
const periodRe = (authorityId: string) => new RegExp(`^${authorityId}${X}{4}$`);

const SKOLEM = 'https://perio.do/.well-known/genid/';
const NEW_AUTHORITY = `${SKOLEM}36c1db27acc00e91c8a628abcaa64eb0`;
const HERAKLEID = `${SKOLEM}53f38e07f928ecdb849c1a98bbc24917`;

let initial: LoadResult;
let v2: LoadResult;
let v3: LoadResult;
let newAuthority: string;

beforeAll(async () => {
  initial = await loadTestData();
  v2 = await load(addsItems);
  v3 = await load(addPeriod);
  newAuthority = v2.identifierMap[NEW_AUTHORITY];
});

function expectAuthorityId(id: string) {
  expect(id).toMatch(AUTHORITY_RE);
  expect(() => checkIdentifier(id)).not.toThrow();
}

function expectPeriodId(id: unknown, authorityId: string) {
  expect(typeof id).toBe('string');
  expect(id).toMatch(periodRe(authorityId));
  expect(() => checkIdentifier(id as string)).not.toThrow();
}

describe('test_merge_patch', () => {
  it('merges each patch onto the previous version', async () => {
    expect(initial.version).toBe(1);
    expect(v2.version).toBe(2);
    expect(v3.version).toBe(3);
    const rows = await env.DB.prepare('SELECT id, applied_to_version, resulted_in_version, merged, open FROM patch_requests ORDER BY id').all();
    expect(rows.results).toEqual([
      { id: 1, applied_to_version: 0, resulted_in_version: 1, merged: 1, open: 0 },
      { id: 2, applied_to_version: 1, resulted_in_version: 2, merged: 1, open: 0 },
      { id: 3, applied_to_version: 2, resulted_in_version: 3, merged: 1, open: 0 },
    ]);
  });

  it('records the created entities of the initial load, sorted, and no updated ones', async () => {
    const row = await env.DB.prepare('SELECT created_entities, updated_entities FROM patch_requests WHERE id = 1').first<Record<string, string>>();
    expect(JSON.parse(row!.created_entities)).toEqual(['p0trgkv', 'p0trgkv4kxb', 'p0trgkvkhrv', 'p0trgkvwbjd']);
    expect(JSON.parse(row!.updated_entities)).toEqual([]);
  });

  it('creates four entities with fresh, valid identifiers for the skolem ids of test-patch-adds-items', async () => {
    expect(v2.created).toHaveLength(4);
    expect(Object.keys(v2.identifierMap).sort()).toEqual(
      [
        NEW_AUTHORITY,
        HERAKLEID,
        `${SKOLEM}8d3df296ba8665cf4045d34a2d983c97`,
        `${SKOLEM}d3f3f7b88bb711e8bf5b720004e3fb90`,
      ].sort(),
    );
    expect([...v2.created].sort()).toEqual(Object.values(v2.identifierMap).sort());
    expectAuthorityId(newAuthority);
    expectPeriodId(v2.identifierMap[HERAKLEID], 'p0trgkv');
    for (const [skolem, id] of Object.entries(v2.identifierMap)) {
      if (skolem === NEW_AUTHORITY || skolem === HERAKLEID) continue;
      expectPeriodId(id, newAuthority);
    }
    expect(v2.updated).toEqual(['p0trgkv']);
    const row = await env.DB.prepare('SELECT created_entities FROM patch_requests WHERE id = 2').first<{ created_entities: string }>();
    expect(JSON.parse(row!.created_entities)).toEqual([...v2.created].sort());
  });

  it('publishes the new ids in the identifier map', async () => {
    const r = await get('/identifier-map/');
    expect(r.status).toBe(200);
    const map = (await json(r)).identifier_map as Record<string, string>;
    for (const [skolem, id] of Object.entries(v2.identifierMap)) expect(map[skolem]).toBe(id);
    for (const [skolem, id] of Object.entries(v3.identifierMap)) expect(map[skolem]).toBe(id);
    expect(map['https://perio.do/.well-known/genid/assigned/p0trgkv']).toBe('p0trgkv');
  });

  it('replaces skolem ids in keys and references by the permanent ids', async () => {
    const authority = await json(await get(`/${newAuthority.slice(2)}.json`));
    expect(authority.id).toBe(newAuthority);
    const periods = authority.periods as Record<string, Record<string, unknown>>;
    expect(Object.keys(periods)).toHaveLength(2);
    for (const [key, period] of Object.entries(periods)) {
      expectPeriodId(key, newAuthority);
      expect(period.id).toBe(key);
      // Each references the other (broader / narrower), now by permanent id.
      const related = period.broader ?? period.narrower;
      expectPeriodId(related, newAuthority);
      expect(Object.keys(periods)).toContain(related);
      for (const derived of (period.derivedFrom as string[] | undefined) ?? []) expectPeriodId(derived, 'p0trgkv');
    }
    expect(JSON.stringify(authority)).not.toContain('.well-known/genid');
    const herakleid = await json(await get(`/${v2.identifierMap[HERAKLEID].slice(2)}.json`));
    expect(herakleid.label).toBe('Herakleid');
    expect(herakleid.authority).toBe('p0trgkv');
  });

  it('refuses to merge the same skolem patch again, writing nothing', async () => {
    const head = await headVersion();
    const before = await (await get('/d.json')).text();
    const patchRows = await env.DB.prepare('SELECT COUNT(*) AS n FROM patch_requests').first<{ n: number }>();
    const r = await adminLoad(addsItems);
    expect(r.status).toBe(400);
    expect(r.headers.get('Content-Type')).toBe('application/json');
    const body = await json(r);
    expect(typeof body.message).toBe('string');
    expect(body.message as string).toMatch(/already mapped/);
    expect(await headVersion()).toBe(head);
    expect(await (await get('/d.json')).text()).toBe(before);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM patch_requests').first<{ n: number }>()).toEqual(patchRows);
  });
});

describe('test_versioning', () => {
  it('has no authority before the initial load', async () => {
    expect((await get('/trgkv.json?version=0')).status).toBe(404);
  });

  for (const n of [1, 2, 3]) {
    it(`redirects to and serves version ${n} of the authority`, async () => {
      const redirect = await getAccepting(`/trgkv?version=${n}`, 'application/json');
      expect(redirect.status).toBe(303);
      expect(redirect.headers.get('Location')!.endsWith(`/trgkv.json?version=${n}`)).toBe(true);
      expect(redirect.headers.get('Location')).toBe(`${H}/trgkv.json?version=${n}`);
      const r = await get(`/trgkv.json?version=${n}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('Content-Type')).toBe('application/json');
      expect(r.headers.get('Content-Disposition')).toBe(`attachment; filename="periodo-authority-trgkv-v${n}.json"`);
      const body = await json(r);
      expect((body['@context'] as unknown[])[0]).toBe(`${H}/c?version=${n}`);
      expect((body.primaryTopicOf as { id: string }).id).toBe(`${H}/trgkv.json?version=${n}`);
    });
  }

  it('serves each version of the authority as it was then', async () => {
    const periodsAt = async (n: number) => Object.keys((await json(await get(`/trgkv.json?version=${n}`))).periods as object).length;
    expect(await periodsAt(1)).toBe(3);
    expect(await periodsAt(2)).toBe(4);
    expect(await periodsAt(3)).toBe(5);
    expect(Object.keys((await json(await get('/trgkv.json'))).periods as object)).toHaveLength(5);
  });

  it('redirects a version after the last update of an entity to the version of that update', async () => {
    // The new authority was created in v2 and not touched by v3.
    const raw = newAuthority.slice(2);
    const r = await get(`/${raw}.json?version=3`);
    expect(r.status).toBe(301);
    expect(r.headers.get('Location')).toBe(`${H}/${raw}.json?version=2`);
    expect((await get(`/${raw}.json?version=2`)).status).toBe(200);
    expect((await get(`/${raw}.json?version=1`)).status).toBe(404);
    // p0trgkvwbjd was last changed by the initial load; other query arguments are dropped.
    const period = await get('/trgkvwbjd.json?version=3&inline-context');
    expect(period.status).toBe(301);
    expect(period.headers.get('Location')).toBe(`${H}/trgkvwbjd.json?version=1`);
    const jsonld = await get('/trgkvwbjd.jsonld?version=2');
    expect(jsonld.status).toBe(301);
    expect(jsonld.headers.get('Location')).toBe(`${H}/trgkvwbjd.jsonld?version=1`);
  });

  it('serves each dataset version with its own context URL', async () => {
    for (const n of [1, 2, 3]) {
      const r = await get(`/d.json?version=${n}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('Cache-Control')).toBe('public, max-age=31557600');
      expect(r.headers.get('ETag')).toBe(`W/"periodo-dataset-version-${n}"`);
      expect(r.headers.get('Content-Disposition')).toBe(`attachment; filename="periodo-dataset-v${n}.json"`);
      const body = await json(r);
      expect((body['@context'] as unknown[])[0]).toBe(`${H}/c?version=${n}`);
      expect(Object.keys(body.authorities as object)).toHaveLength(n === 1 ? 1 : 2);
    }
  });

  it('sends Cache-Control public, max-age=0 and X-Accel-Expires 604800 on /history.nt (checked on each iteration)', async () => {
    for (const n of [1, 2, 3]) {
      const r = await get('/history.nt');
      expect(r.status, `iteration ${n}`).toBe(200);
      expect(r.headers.get('Content-Type'), `iteration ${n}`).toBe('application/n-triples');
      expect(r.headers.get('Cache-Control'), `iteration ${n}`).toBe('public, max-age=0');
      expect(r.headers.get('X-Accel-Expires'), `iteration ${n}`).toBe('604800');
      // The history lists the three merges.
      const g = parseTurtle(new TextDecoder().decode(await r.arrayBuffer()));
      expect(objects(g, `${H}/h#change-${n}`, 'http://www.w3.org/ns/prov#generated'), `iteration ${n}`).toEqual([`${H}/d?version=${n}`]);
    }
  });
});

describe('VoID after operator loads', () => {
  it('counts the merged entities and credits no contributor for loads by the initial data loader', async () => {
    const ttl = await (await getAccepting('/', 'text/turtle')).text();
    const g = parseTurtle(ttl);
    const p0d = `${ARK}p0d`;
    expect(objects(g, p0d, `${NS.dcterms}contributor`)).toEqual([]);
    const counts = new Map<string, number>();
    for (const part of g.filter((q) => q.subject.value === p0d && q.predicate.value === `${NS.void}classPartition`)) {
      const clazz = g.find((q) => q.subject.equals(part.object) && q.predicate.value === `${NS.void}class`)!.object.value;
      const n = g.find((q) => q.subject.equals(part.object) && q.predicate.value === `${NS.void}entities`)!.object.value;
      counts.set(clazz, Number(n));
    }
    // 3 + Herakleid + 2 in the new authority + Blah.
    expect(counts.get(`${NS.skos}Concept`)).toBe(7);
    expect(counts.get(`${NS.skos}ConceptScheme`)).toBe(2);
  });
});

describe('new ids are valid on the bare routes', () => {
  it('redirects every created entity from its bare id', async () => {
    for (const id of [...v2.created, ...v3.created]) {
      const r = await getAccepting(`/${id.slice(2)}`, 'application/json');
      expect(r.status, id).toBe(303);
      expect(location(r).pathname).toBe(`/${id.slice(2)}.json`);
    }
  });
});
