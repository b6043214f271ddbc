/**
 * Hostile input that the Worker might echo: invalid UTF-8 bodies, CRLF that could reach a
 * header, odd or traversing ids for bags and graphs, script payloads in what HTML pages
 * show, and tokens that must never show up in logs or answers (but `/registered`).
 * Body size, nesting depth, huge numbers and prototype keys in patches are covered by
 * test/worker/hostile-input.test.ts and the property test beside this file.
 */
import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Env } from '../../../workers/env';
import { BROWSER_ACCEPT, get, H, headVersion, json, loadTestData } from '../read-api/support';
import { workerFetchWith } from '../support/worker';
import { addUsers, merge, rowCounts, send, submit, USERS } from '../support/editors';

const SCRIPT = '<script>alert("pwned")</script>';
/** Sign-in configured, as a deployed environment's secrets configure it. */
const ORCID_ENV = { ...env, ORCID_CLIENT_ID: 'APP-HOSTILE', ORCID_CLIENT_SECRET: 'hostile-secret' } as Env;
const signIn = (query: string, accept: string) => workerFetchWith(ORCID_ENV, `${H}/register${query}`, { redirect: 'manual', headers: { Accept: accept } });
const IMG = '"><img src=x onerror=alert(1)>';

async function expectRefused(r: Response, what: string): Promise<string> {
  expect(r.status, what).toBeGreaterThanOrEqual(400);
  expect(r.status, what).toBeLessThan(500);
  const text = await r.text();
  const body = JSON.parse(text) as { message?: string };
  expect(typeof body.message, `${what}: ${text}`).toBe('string');
  return body.message!;
}

/** Every header of an answer: none may carry a line break or a header smuggled through one. */
function expectCleanHeaders(r: Response, what: string): void {
  for (const [name, value] of r.headers) {
    expect(value, `${what}: header ${name}`).not.toMatch(/[\r\n]/);
    // (The sign-in sets its own state cookie; nothing else may.)
    if (name === 'set-cookie') expect(value, what).not.toMatch(/stolen/);
    expect(name, what).not.toBe('x-injected');
  }
}

beforeAll(async () => {
  await loadTestData();
  await addUsers();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('bodies that are not UTF-8', () => {
  const bytes = (text: string, bad: number[]) => {
    const [head, tail] = text.split('BAD');
    return new Uint8Array([...new TextEncoder().encode(head), ...bad, ...new TextEncoder().encode(tail)]);
  };

  it('are refused with 400 and a message on every write, storing nothing', async () => {
    const rows = await rowCounts();
    const note = (bad: number[]) => bytes('[{"op": "add", "path": "/authorities/p0trgkv/editorialNote", "value": "caf BAD"}]', bad);
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
      const message = await expectRefused(await send('PATCH', '/d/', 'contributor', note(bad)), `patch with bytes ${bad}`);
      expect(message).toMatch(/UTF-8/);
    }
    const path = await submit([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'fine' }]);
    const rowsAfterSubmit = await rowCounts();
    await expectRefused(await send('PUT', `${path}patch.jsonpatch`, 'contributor', note([0xff])), 'update');
    await expectRefused(await send('POST', `${path}messages`, 'contributor', bytes('{"message": "BAD"}', [0xfe])), 'comment');
    await expectRefused(await send('PUT', '/graphs/hostile-utf8', 'editor', bytes('{"label": "BAD"}', [0xc0, 0xaf])), 'graph');
    expect(await rowCounts()).toEqual(rowsAfterSubmit);
    expect(rowsAfterSubmit.patch_requests).toBe(rows.patch_requests + 1);
    expect(await (await get(`${path}patch.jsonpatch`)).text()).toContain('"fine"');
  });
});

describe('CRLF that could reach a header', () => {
  const crlf = '%0D%0ASet-Cookie:%20stolen=1%0D%0AX-Injected:%201';
  it('is never written into a header, and never causes a 500', async () => {
    const paths = [
      `/d?x=${crlf}`,
      `/dataset?x=${crlf}`,
      `/d.ttl?x=${crlf}`,
      `/h?x=${crlf}`,
      `/h.ttl?x=${crlf}`,
      `/patches?x=${crlf}`,
      `/patches/1?x=${crlf}`,
      `/bags?x=${crlf}`,
      `/graphs?x=${crlf}`,
      `/identifier-map?x=${crlf}`,
      `/v?x=${crlf}`,
      `/${crlf}`,
      `/trgkv${crlf}.json`,
      `/trgkv.json?version=${crlf}`,
      `/d.json?version=1${crlf}`,
      `/graphs/${crlf}`,
      `/bags/${crlf}`,
    ];
    for (const path of paths) {
      for (const accept of ['application/json', BROWSER_ACCEPT]) {
        const r = await get(path, { headers: { Accept: accept } });
        expect(r.status, path).toBeLessThan(500);
        expectCleanHeaders(r, `${path} (${accept})`);
        await r.body?.cancel();
      }
    }
    for (const query of [`?origin=${encodeURIComponent('http://client.localhost:8787')}${crlf}`, `?origin=http://a${crlf}`, `?cli=${crlf}`]) {
      const r = await signIn(query, BROWSER_ACCEPT);
      expect(r.status, query).toBeLessThan(500);
      expectCleanHeaders(r, `/register${query}`);
      await r.body?.cancel();
    }
  });

  it('in a graph id or a patch, written as data, reaches no header', async () => {
    const graph = await send('PUT', `/graphs/crlf${crlf}`, 'editor', { label: 'x' });
    expect(graph.status).toBeLessThan(500);
    expectCleanHeaders(graph, 'graph PUT');
    await graph.body?.cancel();
    const r = await send('PATCH', '/d/', 'contributor', [{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'a\r\nSet-Cookie: x=1' }]);
    expect(r.status).toBe(202);
    expectCleanHeaders(r, 'patch submission');
    const m = await merge(new URL(r.headers.get('Location')!).pathname);
    expect(m.status).toBe(204);
    for (const path of ['/trgkv.json', '/trgkv.json.html', '/d.json', '/h.nt', '/feed.xml']) {
      const read = await get(path);
      expect(read.status, path).toBe(200);
      expectCleanHeaders(read, path);
      await read.body?.cancel();
    }
  });
});

describe('odd and traversing ids for bags and graphs', () => {
  const ODD = ['..', '../..', '%2e%2e', '%2e%2e%2f%2e%2e%2fadmin', '..%2f..%2fadmin%2fusers', 'a/../../admin', 'a//b', '%00', 'a%00b', '~', '%E2%80%AE', 'x'.repeat(3000), '%ff', '.', 'a/./b', 'CON', '%20', 'a%2Fb'];

  it('reading them answers 4xx (or the graph, for a plain id), never 5xx, and never another resource', async () => {
    for (const id of ODD) {
      for (const base of ['/bags/', '/graphs/']) {
        const r = await get(`${base}${id}`, { headers: { Accept: 'application/json' } });
        expect(r.status, `${base}${id}`).toBeLessThan(500);
        await r.body?.cancel();
        expect(r.headers.get('Location') ?? '', `${base}${id}`).not.toMatch(/\/admin/);
        // (A literal `..` is resolved by the URL parser before any request is made.)
        const resolved = new URL(`${base}${id}`, H).pathname;
        if (resolved.startsWith(base) && resolved.length > base.length) expect(r.status, `${base}${id}`).toBeGreaterThanOrEqual(400);
      }
    }
  });

  it('writing them is refused with a message, or stored under exactly that graph id and nowhere else', async () => {
    const before = await rowCounts();
    let stored = 0;
    const asJson = { Accept: 'application/json' };
    for (const id of ODD) {
      if (!new URL(`/graphs/${id}`, H).pathname.startsWith('/graphs/')) continue;
      const bag = await send('PUT', `/bags/${id}`, 'contributor', { title: 'odd', items: {} }, asJson);
      await expectRefused(bag, `PUT /bags/${id}`);
      const graph = await send('PUT', `/graphs/${id}`, 'editor', { label: 'odd' }, asJson);
      expect(graph.status, `PUT /graphs/${id}`).toBeLessThan(500);
      if (graph.status >= 400) await expectRefused(graph, `PUT /graphs/${id}`);
      else {
        stored++;
        await graph.body?.cancel();
        const location = graph.headers.get('Location');
        expect(location, `PUT /graphs/${id}`).toMatch(/\/graphs\//);
        expect(new URL(location!).pathname).not.toMatch(/(^|\/)\.\.?(\/|$)/);
      }
    }
    const after = await rowCounts();
    expect(after.bags).toBe(before.bags);
    expect(after.graphs - before.graphs).toBe(stored);
    expect(after.users).toBe(before.users);
    // The admin API was not reached through any of them.
    const admin = await get('/admin/users/0000-0000-0000-000X');
    expect(admin.status).toBe(401);
    await admin.body?.cancel();
  });
});

describe('HTML pages the Worker writes', () => {
  it('escape script payloads in labels, notes and ids they show', async () => {
    const skolem = 'https://perio.do/.well-known/genid/hostile-html';
    const path = await submit([
      { op: 'add', path: '/authorities/p0trgkv/editorialNote', value: `${SCRIPT}${IMG}` },
      {
        op: 'add',
        path: `/authorities/p0trgkv/periods/${skolem.replace(/\//g, '~1')}`,
        value: { id: skolem, type: 'Period', label: SCRIPT, note: IMG, localizedLabels: { [SCRIPT]: [IMG] }, spatialCoverageDescription: '</pre></code><script>x()</script>' },
      },
    ]);
    expect((await merge(path)).status).toBe(204);
    const id = Object.values((await json(await get(path))).identifier_map as Record<string, string>)[0].replace(/^p0/, '');
    const pages = [`/${id}.json.html`, `/${id}.jsonld.html`, `/${id}.ttl.html`, '/trgkv.json.html', '/trgkv.ttl.html', '/trgkv.jsonld.html', '/index.json.html', `/d.json.html`];
    let checked = 0;
    for (const page of pages) {
      const r = await get(page, { headers: { Accept: BROWSER_ACCEPT } });
      expect(r.status, page).toBeLessThan(500);
      const html = await r.text();
      if (r.status !== 200 || !(r.headers.get('Content-Type') ?? '').startsWith('text/html')) continue;
      checked++;
      expect(html, page).not.toContain('<script>alert');
      expect(html, page).not.toContain('<img src=x');
      expect(html, page).not.toContain('<script>x()');
      if (page.includes(id) || page.startsWith('/trgkv')) expect(html, `${page} shows the payload, escaped`).toMatch(/&lt;script&gt;alert|\\u003cscript|&lt;script/);
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it('escape what error pages echo from the URL', async () => {
    for (const path of [`/${encodeURIComponent(SCRIPT)}`, `/patches/${encodeURIComponent(IMG)}/`, `/trgkv.json?version=${encodeURIComponent(SCRIPT)}`, `/graphs/${encodeURIComponent(SCRIPT)}`]) {
      const r = await get(path, { headers: { Accept: BROWSER_ACCEPT } });
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.status, path).toBeLessThan(500);
      const text = await r.text();
      // A JSON answer may quote the URL; an HTML one must escape it.
      if (!(r.headers.get('Content-Type') ?? '').startsWith('text/html')) continue;
      expect(text, path).not.toContain('<script>alert');
      expect(text, path).not.toContain('<img src=x');
    }
  });

  it('refuse a script payload as the sign-in origin, without echoing it', async () => {
    for (const origin of [`javascript:alert(1)`, `http://a${SCRIPT}`, `http://client.localhost"${IMG}`]) {
      const r = await signIn(`?origin=${encodeURIComponent(origin)}`, BROWSER_ACCEPT);
      expect(r.status, origin).toBeGreaterThanOrEqual(400);
      expect(r.status, origin).toBeLessThan(500);
      const text = await r.text();
      expect(text).not.toContain('<script>alert');
      expect(text).not.toContain('<img src=x');
    }
  });
});

describe('tokens', () => {
  it('never appear in logs or in any answer', async () => {
    const logged: string[] = [];
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
    }
    const secrets = [USERS.contributor.token, USERS.editor.token, 'a-token-nobody-has', 'dev-admin-token'];
    const forms = secrets.flatMap((t) => [t, btoa(t)]);
    const answers: string[] = [];
    const record = async (r: Response) => {
      answers.push([...r.headers].map(([k, v]) => `${k}: ${v}`).join('\n') + '\n' + (await r.text()));
    };
    const unknown = { Authorization: `Bearer ${btoa('a-token-nobody-has')}` };
    await record(await send('PATCH', '/d/', 'contributor', [{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'token test' }]));
    await record(await send('PATCH', '/d/', 'contributor', '[{"op": "nonsense"}]'));
    await record(await send('PATCH', '/d/', null, [], unknown));
    await record(await send('PATCH', '/d/', null, [], { Authorization: 'Bearer not base64 at all!' }));
    await record(await send('PATCH', '/d/', null, [], { Authorization: `Bearer ${btoa('a-token-nobody-has')}\u00e9` }));
    await record(await send('POST', '/patches/1/merge', 'contributor'));
    await record(await send('POST', '/patches/999999/merge', 'editor'));
    await record(await get('/identity', { headers: { Authorization: `Bearer ${btoa(USERS.editor.token)}` } }));
    await record(await get('/identity', { headers: unknown }));
    await record(await get('/admin/users/1234-5678-9101-112X', { headers: { Authorization: 'Bearer wrong-admin-token' } }));
    await record(await get('/patches.json'));
    await record(await get('/patches/1/'));
    await record(await get('/export.sql'));
    await record(await get('/h.nt?full'));
    // A merge that fails inside the coordinator logs its error: the token must not be in it.
    const path = await submit([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'failing merge' }]);
    await (await import('cloudflare:workers')).env.COORDINATOR.getByName('dataset').injectFailure('before-merge-batch');
    await record(await merge(path));
    for (const form of forms) {
      for (const line of logged) expect(line, 'a log line').not.toContain(form);
      for (const answer of answers) expect(answer, 'an answer').not.toContain(form);
    }
    expect(answers.length).toBe(15);
    expect(await headVersion()).toBeGreaterThan(0);
  });
});
