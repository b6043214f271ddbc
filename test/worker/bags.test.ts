/**
 * Bags through the real Worker, D1 and the DatasetCoordinator: the reference's
 * test/test_bags.py scenarios (spec §14.6) one for one, then the headers and HTML views
 * of §1.9–1.11 and §3.12, the authorization matrix, bad input, concurrent updates and
 * refused writes that leave nothing behind.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import testBag from '../fixtures/server/test-bag.json';
import testBagUpdated from '../fixtures/server/test-bag-updated.json';
import testBagJsonldText from '../fixtures/server/test-bag.jsonld?raw';
import testBagUpdatedJsonldText from '../fixtures/server/test-bag-updated.jsonld?raw';
import removePeriod from '../fixtures/server/test-patch-remove-period.json';
import type { Env } from '../../workers/env';
import { ADMIN_TOKEN, ARK, get, H, json, load, loadTestData, location } from './read-api/support';
import { workerFetchWith } from './support/worker';

/** The reference's tests ran on this host; its fixtures name it. */
const REFERENCE_HOST = 'http://localhost.localdomain:5000';
const ID = '6f2c64e2-c65f-4e2d-b028-f89dfb71ce69';

const USERS = {
  active: { orcid: '1234-5678-9101-112X', token: 'this-token-has-normal-permissions', permissions: ['submit-patch', 'create-bag'] },
  admin: { orcid: '1211-1098-7654-321X', token: 'this-token-has-admin-permissions', permissions: ['submit-patch', 'create-bag', 'accept-patch', 'create-graph'] },
  patcher: { orcid: '0000-0001-5109-3700', token: 'this-token-may-only-submit-patches', permissions: ['submit-patch'] },
  expired: { orcid: '0000-0002-1825-0097', token: 'this-token-has-expired', permissions: ['submit-patch', 'create-bag'], expiresIn: -3600 },
};
type UserName = keyof typeof USERS;

type Json = Record<string, unknown>;

/** A fixture as the reference's tests see it, on this test host (and, optionally, for another bag). */
function fixture(text: string, uuid = ID): Json {
  return JSON.parse(text.replaceAll(REFERENCE_HOST, H).replaceAll(ID, uuid)) as Json;
}
const testBagJsonld = (uuid = ID) => fixture(testBagJsonldText, uuid);
const testBagUpdatedJsonld = (uuid = ID) => fixture(testBagUpdatedJsonldText, uuid);

function put(path: string, as: UserName | null, body: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (as) headers.Authorization = `Bearer ${btoa(USERS[as].token)}`;
  return get(path, { method: 'PUT', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function created(response: Response, uuid: string, version: number): Promise<string> {
  expect(response.status, await response.clone().text()).toBe(201);
  const url = location(response);
  expect(url.origin).toBe(H);
  expect(url.pathname).toBe(`/bags/${uuid}`);
  expect(url.search).toBe(`?version=${version}`);
  return url.toString();
}

async function storedCounts(): Promise<unknown> {
  return env.DB.prepare("SELECT (SELECT COUNT(*) FROM bags) AS bags, (SELECT COUNT(*) FROM blob_chunks WHERE blob_id LIKE 'bag/%') AS chunks").first();
}

/** Runs a refused PUT and checks that it changed nothing a reader could see. */
async function refused(attempt: () => Promise<Response>, status: number): Promise<Response> {
  const before = await storedCounts();
  const list = await (await get('/bags/')).text();
  const response = await attempt();
  expect(response.status, await response.clone().text()).toBe(status);
  expect(await storedCounts()).toEqual(before);
  expect(await (await get('/bags/')).text()).toBe(list);
  return response;
}

async function message(response: Response): Promise<string> {
  expect(response.headers.get('Content-Type')).toBe('application/json');
  return (await json(response)).message as string;
}

beforeAll(async () => {
  await loadTestData();
  for (const u of Object.values(USERS)) {
    const r = await get(`/admin/users/${u.orcid}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `User ${u.orcid}`, token: u.token, permissions: u.permissions, expiresIn: 'expiresIn' in u ? u.expiresIn : undefined }),
    });
    expect(r.status).toBe(200);
  }
});

describe('test_bags.py (reference scenarios, each on an empty set of bags)', () => {
  beforeEach(async () => {
    // The reference runs every test on a fresh database: start each from no bags at all.
    await env.DB.batch([env.DB.prepare('DELETE FROM bags'), env.DB.prepare("DELETE FROM blob_chunks WHERE blob_id LIKE 'bag/%'")]);
  });

  it('test_create_bag', async () => {
    const url = await created(await put(`/bags/${ID}`, 'active', testBag), ID, 0);
    const res = await get(url);
    expect(res.status).toBe(200);
    expect(res.headers.has('Last-Modified')).toBe(true);
    expect(res.headers.get('ETag')).toBe(`W/"bag-${ID}-version-0"`);
    const jsonld = await json(res);
    expect(jsonld).toEqual(testBagJsonld());
    expect(jsonld['@context']).toEqual([`${H}/c`, { '@base': ARK }]);

    const list = await get('/bags/');
    expect(list.status).toBe(200);
    expect(list.headers.get('Content-Type')).toBe('application/json');
    expect(await list.json()).toEqual([`${H}/bags/${ID}`]);
  });

  it('test_if_none_match', async () => {
    const url = await created(await put(`/bags/${ID}`, 'active', testBag), ID, 0);
    const res = await get(url, { headers: { 'If-None-Match': `W/"bag-${ID}-version-0"` } });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe('');
  });

  it('test_create_bag_requires_auth', async () => {
    expect((await put(`/bags/${ID}`, null, testBag)).status).toBe(401);
  });

  it('test_create_bag_requires_title', async () => {
    const { title: _, ...bag } = testBag;
    const res = await put(`/bags/${ID}`, 'active', bag);
    expect(res.status).toBe(400);
    expect(await message(res)).toBe('A bag must have a title');
  });

  it('test_create_bag_requires_items_array', async () => {
    const { items: _, ...bag } = testBag;
    const res = await put(`/bags/${ID}`, 'active', bag);
    expect(res.status).toBe(400);
    expect(await message(res)).toBe('A bag must have at least two items');
  });

  it('test_create_bag_requires_minimum_of_two_items', async () => {
    const res = await put(`/bags/${ID}`, 'active', { ...testBag, items: testBag.items.slice(0, 1) });
    expect(res.status).toBe(400);
    expect(await message(res)).toBe('A bag must have at least two items');
  });

  it('test_create_bag_requires_items_be_periodo_ids', async () => {
    const res = await put(`/bags/${ID}`, 'active', { ...testBag, items: [...testBag.items, 'foobar'] });
    expect(res.status).toBe(400);
    expect(await message(res)).toBe('No resource with key: foobar');
  });

  it('test_update_bag', async () => {
    await created(await put(`/bags/${ID}`, 'active', testBag), ID, 0);
    await created(await put(`/bags/${ID}`, 'active', testBagUpdated), ID, 1);
    expect(await json(await get(`/bags/${ID}`))).toEqual(testBagUpdatedJsonld());
    expect(await json(await get(`/bags/${ID}?version=0`))).toEqual(testBagJsonld());
    expect(await json(await get(`/bags/${ID}?version=1`))).toEqual(testBagUpdatedJsonld());
  });

  it('test_create_bag_using_jsonld', async () => {
    await put(`/bags/${ID}`, 'active', testBag);
    const res = await put(`/bags/${ID}`, 'active', testBagUpdatedJsonld());
    expect(res.status).toBe(201);
    expect(await json(await get(`/bags/${ID}`))).toEqual(testBagUpdatedJsonld());
    expect(await json(await get(`/bags/${ID}?version=0`))).toEqual(testBagJsonld());
    expect(await json(await get(`/bags/${ID}?version=1`))).toEqual(testBagUpdatedJsonld());
  });

  it('test_update_bag_must_be_owner', async () => {
    await put(`/bags/${ID}`, 'active', testBag);
    const res = await put(`/bags/${ID}`, 'admin', testBagUpdatedJsonld());
    expect(res.status).toBe(403);
  });
});

describe('serving a bag', () => {
  const uuid = 'a3bb189e-8bf9-3888-9912-ace4e6543002';
  let v0: string;
  let v1: string;

  beforeAll(async () => {
    v0 = await created(await put(`/bags/${uuid}`, 'active', testBag), uuid, 0);
    v1 = await created(await put(`/bags/${uuid}`, 'active', testBagUpdated), uuid, 1);
  });

  it('writes the reference JSON text: its key order, ", " and ": ", a final newline', async () => {
    const text = await (await get(v0)).text();
    expect(text.endsWith('}\n')).toBe(true);
    const bag = JSON.parse(text) as Json;
    expect(Object.keys(bag)).toEqual(['title', 'items', '@context', '@id', 'creator']);
    expect(text.startsWith('{"title": "Minimal bag of periods", "items": {"p0trgkv4kxb": {')).toBe(true);
    expect(text).toContain(`"@context": ["${H}/c", {"@base": "${ARK}"}], "@id": "p0bags/${uuid}", "creator": "https://orcid.org/${USERS.active.orcid}"}`);
    // Each period comes with its authority, in the order of the bag's items.
    expect(Object.keys(bag.items as Json)).toEqual(testBag.items);
    for (const period of Object.values(bag.items as Record<string, Json>)) expect(period.authority).toBe('p0trgkv');
    // The update keeps the bag's own members and context terms in the order they were sent.
    const updated = JSON.parse(await (await get(v1)).text()) as Json;
    expect(Object.keys(updated)).toEqual(['title', 'items', 'foo', '@context', 'wasRevisionOf', '@id', 'creator']);
    expect(updated['@context']).toEqual([`${H}/c`, { foo: 'http://example.org/foo', '@base': ARK }]);
    expect(updated.wasRevisionOf).toBe(`p0bags/${uuid}?version=0`);
  });

  it('sends the cache headers of the latest and of a fixed version, and no Content-Disposition', async () => {
    const latest = await get(`/bags/${uuid}`);
    expect(latest.status).toBe(200);
    expect(latest.headers.get('Content-Type')).toBe('application/json');
    expect(latest.headers.get('Cache-Control')).toBe('public, max-age=0');
    expect(latest.headers.get('ETag')).toBe(`W/"bag-${uuid}-version-1"`);
    expect(latest.headers.get('Last-Modified')).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(latest.headers.has('Content-Disposition')).toBe(false);
    const fixed = await get(`/bags/${uuid}?version=0`);
    expect(fixed.headers.get('Cache-Control')).toBe('public, max-age=31557600');
    expect(fixed.headers.get('ETag')).toBe(`W/"bag-${uuid}-version-0"`);
    expect(await json(fixed)).toEqual(testBagJsonld(uuid));
  });

  it('answers If-None-Match with 304 only for the version it would serve', async () => {
    expect((await get(`/bags/${uuid}`, { headers: { 'If-None-Match': `W/"bag-${uuid}-version-1"` } })).status).toBe(304);
    expect((await get(`/bags/${uuid}`, { headers: { 'If-None-Match': `W/"bag-${uuid}-version-0"` } })).status).toBe(200);
    expect((await get(`/bags/${uuid}?version=0`, { headers: { 'If-None-Match': `"bag-${uuid}-version-0"` } })).status).toBe(304);
  });

  it('serves /bags/<uuid>.json as /bags/<uuid>, and an uppercase UUID as the same bag', async () => {
    expect(await (await get(`/bags/${uuid}.json`)).text()).toBe(await (await get(`/bags/${uuid}`)).text());
    const upper = await json(await get(`/bags/${uuid.toUpperCase()}?version=0`));
    expect(upper['@id']).toBe(`p0bags/${uuid}`);
  });

  it('redirects a browser (303) to the HTML view, with the ETag and cache headers', async () => {
    const r = await get(`/bags/${uuid}?version=1`, { headers: { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
    expect(r.status).toBe(303);
    expect(r.headers.get('Location')).toBe(`${H}/bags/${uuid}.json.html?version=1`);
    expect(r.headers.get('ETag')).toBe(`W/"bag-${uuid}-version-1"`);
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=31557600');
    expect(r.headers.get('Link')).toBe('<>; rel="alternate"; type="application/json"');
    const latest = await get(`/bags/${uuid}`, { headers: { Accept: 'text/html' } });
    expect(latest.status).toBe(303);
    expect(latest.headers.get('Cache-Control')).toBe('public, max-age=0');

    const page = await get(`/bags/${uuid}.json.html`);
    expect(page.status).toBe(200);
    expect(page.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('Cache-Control')).toBe('public, max-age=86400');
    expect(page.headers.get('ETag')).toBe(`W/"bag-${uuid}-version-1"`);
    expect(page.headers.has('Content-Disposition')).toBe(false);
    const html = await page.text();
    expect(html).toContain('<link rel="stylesheet" href="/highlight-style.css">');
    expect(html).toContain('Minimal bag of periods');
  });

  it('lists every bag once, even after updates, as absolute URLs; in HTML too', async () => {
    const list = (await (await get('/bags/')).json()) as string[];
    expect(list.filter((u) => u === `${H}/bags/${uuid}`)).toHaveLength(1);
    expect(await (await get('/bags.json')).json()).toEqual(list);
    const redirect = await get('/bags/', { headers: { Accept: 'text/html' } });
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('Location')).toBe(`${H}/bags.json.html`);
    const page = await get('/bags.json.html');
    expect(page.status).toBe(200);
    expect(page.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('Cache-Control')).toBe('public, max-age=86400');
    expect(await page.text()).toContain(`${H}/bags/${uuid}`);
    const slashless = await get('/bags?x=1');
    expect(slashless.status).toBe(308);
    expect(slashless.headers.get('Location')).toBe(`${H}/bags/?x=1`);
  });

  it('answers an unknown bag or version with 404, a version that is not a number with 422', async () => {
    expect((await get('/bags/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await get(`/bags/${uuid}?version=2`)).status).toBe(404);
    const bad = await get(`/bags/${uuid}?version=latest`);
    expect(bad.status).toBe(422);
    expect(await message(bad)).toMatch(/version/);
  });

  it('answers 404, not 500, for a path that is not a UUID', async () => {
    for (const path of ['/bags/not-a-uuid', '/bags/6f2c64e2c65f4e2db028f89dfb71ce69', `/bags/${uuid}x`, `/bags/${uuid}.jsonld`]) {
      const r = await get(path, { headers: { Accept: 'application/json' } });
      expect(r.status, path).toBe(404);
      expect((await json(r)).message).toMatch(/is not a valid PeriodO identifier/);
    }
    expect((await put('/bags/not-a-uuid', 'active', testBag)).status).toBe(404);
  });

  it('accepts PUT on /bags/<uuid>.json too', async () => {
    const other = '0f8fad5b-d9cb-469f-a165-70867728950e';
    await created(await put(`/bags/${other}.json`, 'active', testBag), other, 0);
    expect(await json(await get(`/bags/${other}`))).toEqual(testBagJsonld(other));
  });

  it('keeps numbers and member order exactly as sent (integer-like keys included)', async () => {
    const other = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    const body = '{"title": "Ordered", "2019": "a year", "items": ["p0trgkv4kxb", "p0trgkvwbjd"], "weight": 1.0, "big": 12345678901234567890123, "tiny": 1e-07}';
    await created(await put(`/bags/${other}`, 'active', body), other, 0);
    const text = await (await get(`/bags/${other}`)).text();
    expect(text.startsWith('{"title": "Ordered", "2019": "a year", "items": {')).toBe(true);
    expect(text).toContain('"weight": 1.0, "big": 12345678901234567890123, "tiny": 1e-07, "@context": [');
  });

  it('names the dataset context by its ARK when CANONICAL is set', async () => {
    const other = '16fd2706-8baf-433b-82eb-8c7fada847da';
    const canonicalEnv = { ...env, CANONICAL: 'true' } as unknown as Env;
    const r = await workerFetchWith(canonicalEnv, `${H}/bags/${other}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${btoa(USERS.active.token)}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(testBag),
    });
    await created(r, other, 0);
    expect((await json(await get(`/bags/${other}`)))['@context']).toEqual([`${ARK}p0c`, { '@base': ARK }]);
  });
});

describe('who may create and update bags', () => {
  const uuid = '9b2f6e3c-1d4a-4c5e-8f70-2a1b3c4d5e6f';

  it('asks anonymous clients to authenticate (401, WWW-Authenticate: Bearer realm="PeriodO")', async () => {
    const r = await refused(() => put(`/bags/${uuid}`, null, testBag), 401);
    expect(r.headers.get('WWW-Authenticate')).toBe('Bearer realm="PeriodO"');
  });

  it('refuses a user without the create-bag permission (403 insufficient_scope)', async () => {
    const r = await refused(() => put(`/bags/${uuid}`, 'patcher', testBag), 403);
    expect(r.headers.get('WWW-Authenticate')).toBe(
      'Bearer realm="PeriodO", error="insufficient_scope", error_description="The access token does not provide sufficient privileges", error_uri="http://tools.ietf.org/html/rfc6750#section-6.2.3"',
    );
  });

  it('refuses an expired token (401 invalid_token)', async () => {
    const r = await refused(() => put(`/bags/${uuid}`, 'expired', testBag), 401);
    expect(r.headers.get('WWW-Authenticate')).toBe(
      'Bearer realm="PeriodO", error="invalid_token", error_description="The access token expired", error_uri="http://tools.ietf.org/html/rfc6750#section-6.2.2"',
    );
  });

  it('lets the creator update the bag, and nobody else (403), even with every other permission', async () => {
    await created(await put(`/bags/${uuid}`, 'active', testBag), uuid, 0);
    const r = await refused(() => put(`/bags/${uuid}`, 'admin', testBagUpdated), 403);
    expect(await message(r)).toMatch(/owner/);
    const latest = await json(await get(`/bags/${uuid}`));
    expect(latest).toEqual(testBagJsonld(uuid));
    await created(await put(`/bags/${uuid}`, 'active', testBagUpdated), uuid, 1);
  });
});

describe('bad input is refused with 400 and a message, and writes nothing', () => {
  const uuid = 'c56a4180-65aa-42ec-a945-5fd21dec0538';

  beforeAll(async () => {
    await created(await put(`/bags/${uuid}`, 'active', testBag), uuid, 0);
  });

  const cases: [string, unknown, string | RegExp][] = [
    ['malformed JSON', '{"title": "x", "items": [', 'Request data could not be parsed as JSON.'],
    ['JSON that is not an object', '["p0trgkv4kxb", "p0trgkvwbjd"]', /JSON object/],
    ['no title', { items: testBag.items }, 'A bag must have a title'],
    ['an empty title', { ...testBag, title: '' }, 'A bag must have a title'],
    ['one item', { ...testBag, items: ['p0trgkv4kxb'] }, 'A bag must have at least two items'],
    ['items that are not a list', { ...testBag, items: 'p0trgkv4kxb p0trgkvwbjd' }, 'A bag must have at least two items'],
    ['an unknown period of a known authority', { ...testBag, items: ['p0trgkv4kxb', 'p0trgkvzzzz'] }, 'No resource with key: p0trgkvzzzz'],
    // As the reference does, the key named is the authority's when the authority is unknown.
    ['a period of an unknown authority', { ...testBag, items: ['p0trgkv4kxb', 'p0zzzzzbbbb'] }, 'No resource with key: p0zzzzz'],
    ['an authority instead of a period', { ...testBag, items: ['p0trgkv4kxb', 'p0trgkv'] }, 'No resource with key: p0trgkv'],
    ['an item that is not a string', { ...testBag, items: ['p0trgkv4kxb', 42] }, 'No resource with key: 42'],
    ['a @context that is neither an object nor a list', { ...testBag, '@context': 'http://example.org/c' }, /@context/],
  ];

  for (const [name, body, expected] of cases) {
    it(`refuses ${name}`, async () => {
      const r = await refused(() => put(`/bags/${uuid}`, 'active', body), 400);
      const text = await message(r);
      if (typeof expected === 'string') expect(text).toBe(expected);
      else expect(text).toMatch(expected);
      // The bag is still at version 0, unchanged.
      expect((await get(`/bags/${uuid}`)).headers.get('ETag')).toBe(`W/"bag-${uuid}-version-0"`);
    });
  }

  it('refuses a new bag with bad input without creating it', async () => {
    const other = 'e02fd0e4-00fd-490a-8a3a-6f0fd5ee5a1c';
    await refused(() => put(`/bags/${other}`, 'active', { title: 'x', items: ['p0trgkv4kxb'] }), 400);
    expect((await get(`/bags/${other}`)).status).toBe(404);
  });
});

describe('concurrent updates', () => {
  it('gives concurrent PUTs of one bag consecutive versions, losing none', async () => {
    const uuid = 'd9428888-122b-11e1-b85c-61cd3cbb3210';
    const titles = Array.from({ length: 8 }, (_, i) => `Concurrent title ${i}`);
    const responses = await Promise.all(titles.map((title) => put(`/bags/${uuid}`, 'active', { ...testBag, title })));
    const versions = responses.map((r) => {
      expect(r.status).toBe(201);
      return Number(location(r).searchParams.get('version'));
    });
    expect([...versions].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const seen: string[] = [];
    for (let v = 0; v < titles.length; v++) {
      const bag = await json(await get(`/bags/${uuid}?version=${v}`));
      seen.push(bag.title as string);
      if (v === 0) expect(bag).not.toHaveProperty('wasRevisionOf');
      else expect(bag.wasRevisionOf).toBe(`p0bags/${uuid}?version=${v - 1}`);
    }
    // Every PUT landed as its own version: each title is there exactly once.
    expect(seen.sort()).toEqual([...titles].sort());
    // The version each PUT was told is the one holding its title.
    for (let i = 0; i < titles.length; i++) {
      expect((await json(await get(`/bags/${uuid}?version=${versions[i]}`))).title).toBe(titles[i]);
    }
    expect((await get(`/bags/${uuid}`)).headers.get('ETag')).toBe(`W/"bag-${uuid}-version-7"`);
  });
});

describe('a bag whose period was later removed from the dataset', () => {
  it('shows that period as null, in every version, and refuses it in new bags', async () => {
    const uuid = '3d813cbb-47fb-32ba-91df-831e1593ac29';
    await created(await put(`/bags/${uuid}`, 'active', testBag), uuid, 0);
    await load(removePeriod);
    const bag = await json(await get(`/bags/${uuid}?version=0`));
    const items = bag.items as Record<string, Json | null>;
    expect(Object.keys(items)).toEqual(testBag.items);
    expect(items.p0trgkvwbjd).toBeNull();
    expect(items.p0trgkv4kxb?.label).toBe('Herakleid');
    const r = await put(`/bags/${uuid}`, 'active', testBag);
    expect(r.status).toBe(400);
    expect(await message(r)).toBe('No resource with key: p0trgkvwbjd');
  });
});
