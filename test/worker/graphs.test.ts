/**
 * Graphs through the real Worker, D1 and the DatasetCoordinator: the reference's
 * test/test_graphs.py scenarios (spec §14.7) one for one, then the container shapes and
 * headers of §3.13, documents over D1's 2 MB value limit, the authorization matrix, bad
 * input, deletion and concurrent updates.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import testGraphText from '../fixtures/server/test-graph.json?raw';
import testGraphUpdatedText from '../fixtures/server/test-graph-updated.json?raw';
import { purgeEverything } from '../../workers/cache/purge';
import { ADMIN_TOKEN, get, H, json, loadTestData, location } from './read-api/support';

const USERS = {
  admin: { orcid: '1211-1098-7654-321X', token: 'this-token-has-admin-permissions', permissions: ['submit-patch', 'create-bag', 'accept-patch', 'create-graph'] },
  active: { orcid: '1234-5678-9101-112X', token: 'this-token-has-normal-permissions', permissions: ['submit-patch', 'create-bag'] },
  expired: { orcid: '0000-0002-1825-0097', token: 'this-token-has-expired', permissions: ['create-graph'], expiresIn: -3600 },
};
type UserName = keyof typeof USERS;
type Json = Record<string, unknown>;
type Container = { '@context': { '@version': number; graphs: { '@id': string; '@container': string[] } }; graphs: Record<string, Json> };

const testGraph = JSON.parse(testGraphText) as Json;
const testGraphUpdated = JSON.parse(testGraphUpdatedText) as Json;

function send(method: string, path: string, as: UserName | null, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (as) headers.Authorization = `Bearer ${btoa(USERS[as].token)}`;
  return get(path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
}
const put = (path: string, body: unknown, as: UserName | null = 'admin') => send('PUT', path, as, body);
const del = (path: string, as: UserName | null = 'admin') => send('DELETE', path, as);

async function created(response: Response, id: string, version: number): Promise<string> {
  expect(response.status, await response.clone().text()).toBe(201);
  const url = location(response);
  expect(url.origin).toBe(H);
  expect(url.pathname).toBe(`/graphs/${id}`);
  expect(url.search).toBe(`?version=${version}`);
  return url.toString();
}

async function container(response: Response): Promise<Container> {
  expect(response.status).toBe(200);
  expect(response.headers.get('Content-Type')).toBe('application/json');
  return (await response.json()) as Container;
}

const keys = (c: Container) => new Set(Object.keys(c.graphs));
const toponym = (graph: Json) => ((graph.features as Json[])[0].names as Json[])[0].toponym;

async function storedCounts(): Promise<unknown> {
  return env.DB.prepare("SELECT (SELECT COUNT(*) FROM graphs) AS graphs, (SELECT COUNT(*) FROM graphs WHERE deleted) AS deleted, (SELECT COUNT(*) FROM blob_chunks WHERE blob_id LIKE 'graph/%') AS chunks").first();
}

/** Runs a refused request and checks that it changed nothing. */
async function refused(attempt: () => Promise<Response>, status: number): Promise<Response> {
  const before = await storedCounts();
  const response = await attempt();
  expect(response.status, await response.clone().text()).toBe(status);
  expect(await storedCounts()).toEqual(before);
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

beforeEach(async () => {
  // The reference runs every test on a fresh database: start each from no graphs at all,
  // and from an empty edge cache (this bypasses the writer, so no purge would follow).
  await env.DB.batch([env.DB.prepare('DELETE FROM graphs'), env.DB.prepare("DELETE FROM blob_chunks WHERE blob_id LIKE 'graph/%'")]);
  expect((await purgeEverything(env)).ok).toBe(true);
});

describe('test_graphs.py (reference scenarios)', () => {
  const id = 'places/us-states';

  it('test_put_graph', async () => {
    const url = await created(await put(`/graphs/${id}`, testGraph), id, 0);
    const res = await get(url);
    expect(res.status).toBe(200);
    expect(res.headers.has('Last-Modified')).toBe(true);
    expect(res.headers.get('ETag')).toBe('W/"graph-places/us-states-version-0"');
    const all = await container(await get('/graphs/'));
    expect(keys(all)).toEqual(new Set([`${H}/d/`, `${H}/graphs/${id}`]));
  });

  it('test_if_none_match', async () => {
    const url = await created(await put(`/graphs/${id}`, testGraph), id, 0);
    const res = await get(url, { headers: { 'If-None-Match': 'W/"graph-places/us-states-version-0"' } });
    expect(res.status).toBe(304);
  });

  it('test_put_graph_requires_permission', async () => {
    expect((await put(`/graphs/${id}`, testGraph, 'active')).status).toBe(403);
  });

  it('test_delete_graph_requires_auth', async () => {
    await put(`/graphs/${id}`, testGraph);
    expect((await del(`/graphs/${id}`, null)).status).toBe(401);
  });

  it('test_update_graph', async () => {
    await created(await put(`/graphs/${id}`, testGraph), id, 0);
    await created(await put(`/graphs/${id}`, testGraphUpdated), id, 1);

    let res = await get(`/graphs/${id}`);
    let data = await container(res);
    expect(Object.keys(data.graphs)).toHaveLength(1);
    expect(toponym(data.graphs[`${H}/graphs/${id}`])).toBe('Minnesooooooota');
    expect(res.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-graph-places-us-states.json"');

    res = await get(`/graphs/${id}?version=0`);
    data = await container(res);
    expect(Object.keys(data.graphs)).toHaveLength(1);
    expect(toponym(data.graphs[`${H}/graphs/${id}?version=0`])).toBe('Minnesota');
    expect(res.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-graph-places-us-states-v0.json"');

    res = await get(`/graphs/${id}?version=1`);
    data = await container(res);
    expect(Object.keys(data.graphs)).toHaveLength(1);
    expect(toponym(data.graphs[`${H}/graphs/${id}?version=1`])).toBe('Minnesooooooota');
    expect(data.graphs[`${H}/graphs/${id}?version=1`].wasRevisionOf).toBe(`${H}/graphs/${id}?version=0`);
    expect(res.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-graph-places-us-states-v1.json"');
  });

  it('test_delete_graph', async () => {
    await put(`/graphs/${id}`, testGraph);
    expect((await del(`/graphs/${id}`)).status).toBe(204);
    expect((await get(`/graphs/${id}`)).status).toBe(404);
    expect((await get(`/graphs/${id}?version=0`)).status).toBe(200);
    expect(keys(await container(await get('/graphs/')))).toEqual(new Set([`${H}/d/`]));
    await created(await put(`/graphs/${id}`, testGraph), id, 1);
    expect((await get(`/graphs/${id}`)).status).toBe(200);
    expect((await get(`/graphs/${id}?version=0`)).status).toBe(200);
    expect((await get(`/graphs/${id}?version=1`)).status).toBe(200);
  });

  it('test_group_sibling_graphs', async () => {
    await created(await put('/graphs/places/A', testGraph), 'places/A', 0);
    await created(await put('/graphs/places/B', testGraph), 'places/B', 0);
    await created(await put('/graphs/not-places/C', testGraph), 'not-places/C', 0);
    const siblings = new Set([`${H}/graphs/places/A`, `${H}/graphs/places/B`]);

    let data = await container(await get('/graphs/places/'));
    expect(keys(data)).toEqual(siblings);
    expect(data['@context'].graphs['@id']).toBe(`${H}/graphs/places/`);

    data = await container(await get('/graphs/places.json'));
    expect(keys(data)).toEqual(siblings);
    expect(data['@context'].graphs['@id']).toBe(`${H}/graphs/places/`);

    let res = await get('/graphs/places');
    data = await container(res);
    expect(keys(data)).toEqual(siblings);
    expect(data['@context'].graphs['@id']).toBe(`${H}/graphs/places/`);
    expect(res.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-graph-places.json"');

    res = await get('/graphs/');
    data = await container(res);
    expect(keys(data)).toEqual(new Set([...siblings, `${H}/graphs/not-places/C`, `${H}/d/`]));
    expect(data['@context'].graphs['@id']).toBe(`${H}/graphs/`);
    expect(res.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-graphs.json"');
  });
});

describe('containers and headers', () => {
  it('wraps a single graph in the reference container, with its cache headers', async () => {
    await created(await put('/graphs/places/us-states', testGraph), 'places/us-states', 0);
    const latest = await get('/graphs/places/us-states');
    const data = await container(latest);
    expect(data['@context']).toEqual({ '@version': 1.1, graphs: { '@id': `${H}/graphs/places/us-states`, '@container': ['@graph', '@id'] } });
    expect(data.graphs[`${H}/graphs/places/us-states`]).toEqual(testGraph);
    expect(latest.headers.get('Cache-Control')).toBe('public, max-age=604800');
    expect(latest.headers.get('Last-Modified')).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);

    const fixed = await get('/graphs/places/us-states.json?version=0');
    const fixedData = await container(fixed);
    expect(fixedData['@context'].graphs['@id']).toBe(`${H}/graphs/places/us-states?version=0`);
    expect(fixed.headers.get('Cache-Control')).toBe('public, max-age=31557600');
    expect(fixed.headers.get('ETag')).toBe('W/"graph-places/us-states-version-0"');
    expect(fixed.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-graph-places-us-states-v0.json"');
  });

  it('writes the reference JSON text: the graph as sent in Python form, ", " and ": ", a final newline', async () => {
    const id = 'places/us-states';
    await created(await put(`/graphs/${id}`, testGraphText), id, 0);
    const text = await (await get(`/graphs/${id}`)).text();
    const url = `${H}/graphs/${id}`;
    const pythonText = pyDumps(testGraph);
    expect(text).toBe(`{"@context": {"@version": 1.1, "graphs": {"@id": "${url}", "@container": ["@graph", "@id"]}}, "graphs": {"${url}": ${pythonText}}}\n`);
  });

  it('lists every graph and, last, the dataset as stored (no primaryTopicOf, full context); cached a week', async () => {
    await put('/graphs/places/A', testGraph);
    await put('/graphs/b', testGraph);
    const res = await get('/graphs.json');
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=604800');
    expect(res.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-graphs.json"');
    const text = await res.text();
    expect(text.endsWith('}}\n')).toBe(true);
    const data = JSON.parse(text) as Container;
    expect(Object.keys(data.graphs)).toEqual([`${H}/graphs/b`, `${H}/graphs/places/A`, `${H}/d/`]);
    const dataset = data.graphs[`${H}/d/`];
    expect(dataset).not.toHaveProperty('primaryTopicOf');
    expect((dataset['@context'] as Json)['@base']).toBe('http://n2t.net/ark:/99152/');
    // Byte for byte the stored dataset at the head.
    const stored = await (await get('/admin/dataset', { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    expect(text.endsWith(`"${H}/d/": ${stored.slice(0, -1)}}}\n`)).toBe(true);
    expect(await (await get('/graphs/')).text()).toBe(text);
  });

  it('lists just the dataset when there is no graph, and redirects /graphs (308)', async () => {
    const data = await container(await get('/graphs/'));
    expect(Object.keys(data.graphs)).toEqual([`${H}/d/`]);
    const r = await get('/graphs');
    expect(r.status).toBe(308);
    expect(r.headers.get('Location')).toBe(`${H}/graphs/`);
  });

  it('names a prefix group after the path as asked (a trailing slash gives "-"), and ignores ?version there', async () => {
    await put('/graphs/places/A', testGraph);
    await put('/graphs/places/A', testGraphUpdated);
    const r = await get('/graphs/places/?version=0');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-graph-places-.json"');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=604800');
    expect(r.headers.has('ETag')).toBe(false);
    const data = await container(r);
    expect(toponym(data.graphs[`${H}/graphs/places/A`])).toBe('Minnesooooooota');
  });

  it('leaves deleted graphs out of their group, and a group of deleted graphs is gone', async () => {
    await put('/graphs/places/A', testGraph);
    await put('/graphs/places/B', testGraph);
    expect((await del('/graphs/places/A')).status).toBe(204);
    expect(keys(await container(await get('/graphs/places/')))).toEqual(new Set([`${H}/graphs/places/B`]));
    expect((await del('/graphs/places/B')).status).toBe(204);
    expect((await get('/graphs/places/')).status).toBe(404);
  });

  it('treats % and _ in a prefix literally', async () => {
    await put('/graphs/a_b/x', testGraph);
    await put('/graphs/axb/y', testGraph);
    expect(keys(await container(await get('/graphs/a_b/')))).toEqual(new Set([`${H}/graphs/a_b/x`]));
  });

  it('answers unknown graphs and versions with 404, a version that is not a number with 422', async () => {
    await put('/graphs/places/A', testGraph);
    expect((await get('/graphs/places/Z')).status).toBe(404);
    expect((await get('/graphs/places/A?version=1')).status).toBe(404);
    const bad = await get('/graphs/places/A?version=one');
    expect(bad.status).toBe(422);
    expect(await message(bad)).toMatch(/version/);
  });

  it('shows readers a PUT or DELETE at once, although graphs are kept in the edge cache', async () => {
    await put('/graphs/places/A', testGraph);
    const paths = ['/graphs/places/A', '/graphs/places/A.json', '/graphs/places/', '/graphs/places', '/graphs/', '/graphs.json'];
    for (const path of paths) {
      await (await get(path)).text();
      const again = await get(path);
      expect(again.headers.get('X-Cache-Status'), path).toBe('HIT');
      await again.text();
    }
    await created(await put('/graphs/places/A', testGraphUpdated), 'places/A', 1);
    for (const path of paths) {
      const data = await container(await get(path));
      const graph = data.graphs[`${H}/graphs/places/A`];
      expect(toponym(graph), path).toBe('Minnesooooooota');
    }
    expect((await del('/graphs/places/A')).status).toBe(204);
    for (const path of paths.slice(0, 4)) expect((await get(path)).status, path).toBe(404);
    expect(Object.keys((await container(await get('/graphs/'))).graphs)).toEqual([`${H}/d/`]);
  });

  it('answers HEAD with the headers and no body', async () => {
    await put('/graphs/places/A', testGraph);
    const r = await get('/graphs/places/A', { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.headers.get('ETag')).toBe('W/"graph-places/A-version-0"');
    expect(await r.text()).toBe('');
  });
});

/** Python's json.dumps(value, ensure_ascii=False) for JSON whose numbers JavaScript writes as Python does (the fixtures'). */
function pyDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyDumps).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pyDumps(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

describe('graphs over D1\'s 2 MB value limit', () => {
  /** A gazetteer in Python's JSON form, with numbers JavaScript would rewrite, of about `bytes` bytes. */
  function bigGraph(bytes: number): string {
    const features: string[] = [];
    let size = 0;
    for (let i = 0; size < bytes; i++) {
      const f = `{"id": "http://example.org/place/${i}", "type": "Feature", "names": [{"toponym": "Ville ${i} — Ülm ${'ß'.repeat(i % 7)}"}], "geometry": {"type": "Point", "coordinates": [${(i % 180) - 90}.0, 45.${(i % 9) + 1}${(i % 7) + 1}, 1e-07, -0.0]}, "properties": {"${i % 100}": ${i}, "population": 12345678901234567890${i % 10}}}`;
      features.push(f);
      size += new TextEncoder().encode(f).length + 2;
    }
    return `{"@context": {"geojson": "https://purl.org/geojson/vocab#"}, "type": "FeatureCollection", "features": [${features.join(', ')}]}`;
  }

  it('round-trips a graph of more than 2 MB byte for byte, stored in pieces under the limit', async () => {
    const id = 'places/big';
    const text = bigGraph(2_600_000);
    expect(new TextEncoder().encode(text).length).toBeGreaterThan(2_000_000);
    await created(await put(`/graphs/${id}`, text), id, 0);

    const url = `${H}/graphs/${id}`;
    const served = await (await get(`/graphs/${id}`)).text();
    expect(served).toBe(`{"@context": {"@version": 1.1, "graphs": {"@id": "${url}", "@container": ["@graph", "@id"]}}, "graphs": {"${url}": ${text}}}\n`);

    const { results } = await env.DB.prepare("SELECT length(CAST(data AS BLOB)) AS bytes FROM blob_chunks WHERE blob_id = 'graph/places/big/0' ORDER BY seq").all<{ bytes: number }>();
    expect(results.length).toBeGreaterThan(1);
    for (const r of results) expect(r.bytes).toBeLessThan(2_000_000);

    // An update adds wasRevisionOf at the end and changes nothing else.
    await created(await put(`/graphs/${id}`, text), id, 1);
    const v1 = await (await get(`/graphs/${id}?version=1`)).text();
    const v1url = `${url}?version=1`;
    expect(v1).toBe(
      `{"@context": {"@version": 1.1, "graphs": {"@id": "${v1url}", "@container": ["@graph", "@id"]}}, "graphs": {"${v1url}": ${text.slice(0, -1)}, "wasRevisionOf": "${url}?version=0"}}}\n`,
    );
    // And the listing carries it whole too.
    const listing = await (await get('/graphs/')).text();
    expect(listing).toContain(`"${url}": ${text.slice(0, -1)}, "wasRevisionOf": "${url}?version=0"}, "${H}/d/": {`);
  });

  it('rewrites numbers as Python does when they were not in its form, and keeps member order', async () => {
    const id = 'numbers';
    await created(await put(`/graphs/${id}`, '{"b": 1.50, "a": 1E5, "2": 0.00001, "1": -0, "big": 123456789012345678901234567890, "x": 1e16, "y": 123.0e-2}'), id, 0);
    const text = await (await get(`/graphs/${id}`)).text();
    expect(text).toContain(`: {"b": 1.5, "a": 100000.0, "2": 1e-05, "1": 0, "big": 123456789012345678901234567890, "x": 1e+16, "y": 1.23}}}\n`);
  });
});

describe('who may write graphs', () => {
  const id = 'places/guarded';

  it('asks anonymous clients to authenticate (401, WWW-Authenticate: Bearer realm="PeriodO")', async () => {
    const r = await refused(() => put(`/graphs/${id}`, testGraph, null), 401);
    expect(r.headers.get('WWW-Authenticate')).toBe('Bearer realm="PeriodO"');
    await put(`/graphs/${id}`, testGraph);
    const d = await refused(() => del(`/graphs/${id}`, null), 401);
    expect(d.headers.get('WWW-Authenticate')).toBe('Bearer realm="PeriodO"');
  });

  it('refuses users without the create-graph permission (403 insufficient_scope), to PUT and to DELETE', async () => {
    await put(`/graphs/${id}`, testGraph);
    const scope =
      'Bearer realm="PeriodO", error="insufficient_scope", error_description="The access token does not provide sufficient privileges", error_uri="http://tools.ietf.org/html/rfc6750#section-6.2.3"';
    const p = await refused(() => put(`/graphs/${id}`, testGraphUpdated, 'active'), 403);
    expect(p.headers.get('WWW-Authenticate')).toBe(scope);
    const d = await refused(() => del(`/graphs/${id}`, 'active'), 403);
    expect(d.headers.get('WWW-Authenticate')).toBe(scope);
    expect(toponym((await container(await get(`/graphs/${id}`))).graphs[`${H}/graphs/${id}`])).toBe('Minnesota');
  });

  it('refuses an expired token (401 invalid_token)', async () => {
    const r = await refused(() => put(`/graphs/${id}`, testGraph, 'expired'), 401);
    expect(r.headers.get('WWW-Authenticate')).toBe(
      'Bearer realm="PeriodO", error="invalid_token", error_description="The access token expired", error_uri="http://tools.ietf.org/html/rfc6750#section-6.2.2"',
    );
  });
});

describe('bad input is refused with a message, and writes nothing', () => {
  const cases: [string, string, string, number, string | RegExp][] = [
    ['malformed JSON', 'places/x', '{"type": "FeatureCollection", ', 400, 'Request data could not be parsed as JSON.'],
    ['JSON that is not an object', 'places/x', '[1, 2]', 400, /JSON object/],
    ['a path ending in /', 'places/x/', '{}', 400, 'graph uri path cannot end in /'],
    ['a path with characters that would need escaping', 'places/a%20b', '{}', 400, /graph path/],
    ['a path with an empty segment', 'places//x', '{}', 400, /graph path/],
    ['nesting deeper than the reference could read', 'places/x', `${'['.repeat(2000)}${']'.repeat(2000)}`, 400, 'Request data could not be parsed as JSON.'],
  ];
  for (const [name, id, body, status, expected] of cases) {
    it(`refuses ${name}`, async () => {
      await put('/graphs/places/x', testGraph);
      const r = await refused(() => put(`/graphs/${id}`, body), status);
      const text = await message(r);
      if (typeof expected === 'string') expect(text).toBe(expected);
      else expect(text).toMatch(expected);
      expect((await get('/graphs/places/x')).headers.get('ETag')).toBe('W/"graph-places/x-version-0"');
    });
  }

  it('refuses a document over 16 MB with 413, streamed or not', async () => {
    await put('/graphs/places/x', testGraph);
    const big = `{"a": "${'x'.repeat(16 * 1024 * 1024)}"}`;
    const r = await refused(() => put('/graphs/places/x', big), 413);
    expect(await message(r)).toMatch(/at most 16777216 bytes/);
    const bytes = new TextEncoder().encode(big);
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 1 << 20) controller.enqueue(bytes.subarray(i, i + (1 << 20)));
        controller.close();
      },
    });
    const s = await refused(
      () => get('/graphs/places/x', { method: 'PUT', headers: { Authorization: `Bearer ${btoa(USERS.admin.token)}` }, body: streamed, duplex: 'half' } as RequestInit),
      413,
    );
    expect(await message(s)).toMatch(/at most/);
    expect((await get('/graphs/places/x')).headers.get('ETag')).toBe('W/"graph-places/x-version-0"');
  });

  it('answers DELETE of a graph that never existed with 404', async () => {
    await refused(() => del('/graphs/places/never'), 404);
  });
});

describe('concurrent updates', () => {
  it('gives concurrent PUTs of one graph consecutive versions, losing none', async () => {
    const id = 'places/busy';
    const docs = Array.from({ length: 6 }, (_, i) => ({ ...testGraph, title: `Revision ${i}` }));
    const responses = await Promise.all(docs.map((d) => put(`/graphs/${id}`, d)));
    const versions = responses.map((r) => {
      expect(r.status).toBe(201);
      return Number(location(r).searchParams.get('version'));
    });
    expect([...versions].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (let i = 0; i < docs.length; i++) {
      const url = `${H}/graphs/${id}?version=${versions[i]}`;
      const graph = (await container(await get(`/graphs/${id}?version=${versions[i]}`))).graphs[url];
      expect(graph.title).toBe(`Revision ${i}`);
      if (versions[i] === 0) expect(graph).not.toHaveProperty('wasRevisionOf');
      else expect(graph.wasRevisionOf).toBe(`${H}/graphs/${id}?version=${versions[i] - 1}`);
    }
  });
});
