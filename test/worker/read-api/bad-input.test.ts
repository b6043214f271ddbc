/**
 * Bad input: refused loads write nothing, bad versions and ids get a 4xx that says why,
 * unknown paths get the reference's 404, and the admin endpoints want the admin token.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, adminLoad, get, getAccepting, headVersion, json, loadTestData } from './support';

beforeAll(async () => {
  await loadTestData();
});

async function expectNothingWritten(attempt: () => Promise<Response>): Promise<Response> {
  const version = await headVersion();
  const dataset = await (await get('/d.json')).text();
  const rows = await env.DB.prepare(
    'SELECT (SELECT COUNT(*) FROM patch_requests) AS p, (SELECT COUNT(*) FROM periods) AS e, (SELECT COUNT(*) FROM blob_chunks) AS b',
  ).first();
  const response = await attempt();
  expect(await headVersion()).toBe(version);
  expect(await (await get('/d.json')).text()).toBe(dataset);
  expect(
    await env.DB.prepare('SELECT (SELECT COUNT(*) FROM patch_requests) AS p, (SELECT COUNT(*) FROM periods) AS e, (SELECT COUNT(*) FROM blob_chunks) AS b').first(),
  ).toEqual(rows);
  return response;
}

async function expectJsonRefusal(response: Response, status: number): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get('Content-Type')).toBe('application/json');
  const body = await json(response);
  expect(typeof body.message).toBe('string');
  expect((body.message as string).length).toBeGreaterThan(10);
  return body.message as string;
}

describe('refused loads', () => {
  it('refuses a body that is not JSON', async () => {
    const r = await expectNothingWritten(() => adminLoad('[{"op": "add", "path": '));
    expect(await expectJsonRefusal(r, 400)).toMatch(/JSON/);
  });

  it('refuses JSON that is not a patch (not an array)', async () => {
    const r = await expectNothingWritten(() => adminLoad({ op: 'add', path: '/foo', value: 1 }));
    expect(await expectJsonRefusal(r, 400)).toMatch(/array/);
  });

  it('refuses operations that are not JSON Patch operations', async () => {
    const r = await expectNothingWritten(() => adminLoad([{ op: 'frobnicate', path: '/authorities' }]));
    await expectJsonRefusal(r, 400);
  });

  it('refuses a patch that does not apply, and writes nothing', async () => {
    const r = await expectNothingWritten(() =>
      adminLoad([
        { op: 'replace', path: '/authorities/p0trgkv/periods/p0trgkvwbjd/label', value: 'Archaic (changed)' },
        { op: 'replace', path: '/authorities/p0trgkv/periods/p0trgkvwbjd/nosuchmember/label', value: 'x' },
      ]),
    );
    await expectJsonRefusal(r, 400);
    expect((await json(await get('/trgkvwbjd.json'))).label).toBe('Archaic');
  });

  it('refuses an assigned id that is already taken', async () => {
    const r = await expectNothingWritten(() =>
      adminLoad([{ op: 'add', path: '/authorities/https:~1~1perio.do~1.well-known~1genid~1assigned~1p0trgkv', value: { id: 'https://perio.do/.well-known/genid/assigned/p0trgkv', periods: {} } }]),
    );
    expect(await expectJsonRefusal(r, 400)).toMatch(/p0trgkv/);
  });
});

describe('bad versions', () => {
  it('answers an unknown version with the reference 404 body', async () => {
    for (const path of ['/d.json?version=999', '/d/?version=999', '/c?version=999']) {
      const r = await get(path);
      expect(r.status, path).toBe(404);
      expect(r.headers.get('Content-Type')).toBe('application/json');
      expect(await r.text()).toBe('{"message":"Could not find given version.","status":404}\n');
    }
  });

  it('answers a version that is not a number with 422 and a message', async () => {
    for (const path of ['/d.json?version=abc', '/c?version=abc', '/d.json?version=', '/trgkv.json?version=abc', '/trgkvwbjd.json?version=1.5']) {
      const r = await get(path);
      expect(r.status, path).toBe(422);
      expect(r.headers.get('Content-Type')).toBe('application/json');
      const body = await json(r);
      expect(body.status).toBe(422);
      expect(body.message as string).toMatch(/version/);
    }
  });

  it('answers an entity version before its creation with 404, and one beyond the head with its last update', async () => {
    expect((await get('/trgkv.json?version=0')).status).toBe(404);
    const r = await get('/trgkv.json?version=999');
    expect(r.status).toBe(301);
    expect(r.headers.get('Location')).toBe('http://localhost/trgkv.json?version=1');
  });
});

describe('malformed identifiers', () => {
  it('answers 404 for an authority id with a wrong check digit', async () => {
    expect((await getAccepting('/trgkx', 'application/json')).status).toBe(404);
    expect((await get('/trgkx')).status).toBe(404);
  });

  it('validates check digits on the bare route only, as the reference does', async () => {
    // trgkv4kxb is in the test data but its check digit is wrong in both styles.
    expect((await getAccepting('/trgkv4kxb', 'application/json')).status).toBe(404);
    const r = await get('/trgkv4kxb.json');
    expect(r.status).toBe(200);
    expect((await json(r)).label).toBe('Herakleid');
  });

  it('accepts an old-style check digit on the bare route', async () => {
    // trgkvwbjd's check digit is only valid the old way.
    expect((await getAccepting('/trgkvwbjd', 'application/json')).status).toBe(303);
  });

  it('answers 404 for a well-formed id that names nothing', async () => {
    expect((await get('/trgkvwbjp.json')).status).toBe(404);
    expect((await get('/bbbbv.json')).status).toBe(404);
  });
});

describe('unknown paths', () => {
  it('answers JSON clients with the reference 404 body', async () => {
    const r = await getAccepting('/nope', 'application/json');
    expect(r.status).toBe(404);
    expect(r.headers.get('Content-Type')).toBe('application/json');
    // Python json.dumps text: insertion order, spaced separators, no trailing newline.
    expect(await r.text()).toBe('{"code": 404, "status": "Not Found", "message": "nope is not a valid PeriodO identifier. Perhaps you followed a broken link?"}');
  });

  it('answers everyone else with an HTML page of the same message', async () => {
    for (const accept of [undefined, 'text/html', '*/*']) {
      const r = await get('/nope', accept ? { headers: { Accept: accept } } : {});
      expect(r.status).toBe(404);
      expect(r.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
      const html = await r.text();
      expect(html).toMatch(/^\s*<!doctype html>/i);
      expect(html).toContain('nope is not a valid PeriodO identifier. Perhaps you followed a broken link?');
    }
  });

  it('keeps only safe characters of the path in the message', async () => {
    const r = await getAccepting('/no%3Cscript%3Epe', 'application/json');
    expect(r.status).toBe(404);
    expect((await json(r)).message).toBe('noscriptpe is not a valid PeriodO identifier. Perhaps you followed a broken link?');
  });
});

describe('admin endpoints', () => {
  const attempts: [string, RequestInit][] = [
    ['/admin/load', { method: 'POST', body: '[]' }],
    ['/admin/dataset', {}],
    ['/admin/users/0000-0002-1825-0097', { method: 'PUT', body: '{"name":"x","token":"y"}' }],
  ];

  it('refuses a request without the admin token', async () => {
    for (const [path, init] of attempts) {
      const r = await expectNothingWritten(() => get(path, init));
      expect(r.status, path).toBe(401);
      expect(r.headers.get('Content-Type')).toBe('application/json');
      expect(r.headers.get('WWW-Authenticate')).toMatch(/^Bearer /);
    }
  });

  it('refuses a wrong admin token', async () => {
    for (const token of ['wrong-token', `${ADMIN_TOKEN}x`, ADMIN_TOKEN.slice(0, -1), '']) {
      for (const [path, init] of attempts) {
        const r = await expectNothingWritten(() => get(path, { ...init, headers: { Authorization: `Bearer ${token}` } }));
        expect(r.status, `${path} ${token}`).toBe(401);
      }
    }
    // The token in another scheme is no admin token either.
    const basic = await get('/admin/dataset', { headers: { Authorization: `Basic ${ADMIN_TOKEN}` } });
    expect(basic.status).toBe(401);
  });

  it('creates no user without the admin token', async () => {
    const users = await env.DB.prepare('SELECT COUNT(*) AS n FROM users').first<{ n: number }>();
    expect(users!.n).toBe(0);
  });
});
