/**
 * Signing in with ORCID (`/register`, `/registered`) and `/identity`, through the real
 * Worker entry and D1. ORCID is faked only at the outbound-fetch boundary: the global
 * `fetch` answers for orcid.org hosts and passes every other request through.
 */
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../../workers/env';
import { neverAnswers } from './support/fake-upstream';
import { workerFetchWith } from './support/worker';
import { envFor } from './support/wrangler-vars';

const H = 'http://localhost';
const CLIENT_ORIGIN = 'http://client.localhost:8787'; // wrangler.toml [vars] CLIENT_URL
const CLIENT_ID = 'APP-PERIODOTEST0001';
const CLIENT_SECRET = 'test-client-secret-d41d8cd98f00';
const ADMIN_TOKEN = 'dev-admin-token';

/** The dev environment with ORCID client credentials, as a deployed environment's secrets give them. */
const ORCID_ENV = { ...env, ORCID_CLIENT_ID: CLIENT_ID, ORCID_CLIENT_SECRET: CLIENT_SECRET } as Env;
const UNCONFIGURED_ENV = { ...env, ORCID_CLIENT_ID: undefined, ORCID_CLIENT_SECRET: undefined } as Env;

const REALM = 'Bearer realm="PeriodO"';
const invalidToken = (description: string) =>
  `Bearer realm="PeriodO", error="invalid_token", error_description="${description}", error_uri="http://tools.ietf.org/html/rfc6750#section-6.2.2"`;
const INSUFFICIENT_SCOPE =
  'Bearer realm="PeriodO", error="insufficient_scope", error_description="The access token does not provide sufficient privileges", error_uri="http://tools.ietf.org/html/rfc6750#section-6.2.3"';

const SUBMIT = 'can submit proposed changes to the dataset';
const ACCEPT = 'can accept and merge changes to the dataset';
const UPDATE = 'can update submissions of proposed changes';
const BAGS = 'can create and update bags of periods';
const GRAPHS = 'can create and update graphs of related triples';

afterEach(() => {
  vi.restoreAllMocks();
});

// ---------------------------------------------------------------------------------------
// Helpers, written independently of the implementation

function call(url: string, init: RequestInit = {}, e: Env = ORCID_ENV): Promise<Response> {
  return workerFetchWith(e, url.startsWith('http') ? url : `${H}${url}`, { redirect: 'manual', ...init });
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest));
}

const b64 = (ascii: string) => btoa(ascii);
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A form-encoded request body, read from a copy. */
async function formOf(request: Request): Promise<URLSearchParams> {
  return new URLSearchParams(new TextDecoder().decode(await request.clone().arrayBuffer()));
}

interface OrcidCall {
  request: Request;
  form: URLSearchParams;
}

/**
 * Fakes ORCID: requests to orcid.org (and its subdomains) are recorded and answered by
 * `answer`; any other request goes to the real network fetch.
 */
function fakeOrcid(answer: (request: Request) => Response | Promise<Response>) {
  const realFetch = globalThis.fetch;
  const calls: OrcidCall[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init as RequestInit);
    const host = new URL(request.url).hostname;
    if (host !== 'orcid.org' && !host.endsWith('.orcid.org')) return realFetch(input as RequestInfo, init as RequestInit);
    calls.push({ request, form: await formOf(request) });
    return answer(request);
  });
  return calls;
}

/** ORCID's token answer for a user (as documented for the /authenticate scope). */
function tokenAnswer(fields: Record<string, unknown>): Response {
  return Response.json({
    token_type: 'bearer',
    refresh_token: 'refresh-0000',
    expires_in: 631138518,
    scope: '/authenticate',
    ...fields,
  });
}

interface Started {
  response: Response;
  location: URL;
  state: string;
  redirectUri: string;
  setCookie: string;
  cookieName: string;
  cookieValue: string;
  /** The `Cookie` request header this browser now sends to /registered. */
  cookie: string;
}

async function startSignIn(query = '', e: Env = ORCID_ENV, base = H): Promise<Started> {
  const response = await call(`${base}/register${query}`, {}, e);
  expect(response.status, await response.clone().text()).toBe(302);
  const location = new URL(response.headers.get('Location')!);
  const setCookie = response.headers.get('Set-Cookie')!;
  expect(setCookie).toBeTruthy();
  const pair = setCookie.split(';')[0];
  const eq = pair.indexOf('=');
  const cookieName = pair.slice(0, eq);
  const cookieValue = pair.slice(eq + 1);
  return {
    response,
    location,
    state: location.searchParams.get('state')!,
    redirectUri: location.searchParams.get('redirect_uri')!,
    setCookie,
    cookieName,
    cookieValue,
    cookie: `${cookieName}=${cookieValue}`,
  };
}

/** The browser's return from ORCID: redirect_uri plus code and state, with this browser's cookies. */
function returnFromOrcid(
  started: Started,
  options: { code?: string | null; state?: string | null; cookie?: string | null; extra?: Record<string, string> } = {},
  e: Env = ORCID_ENV,
): Promise<Response> {
  const url = new URL(started.redirectUri);
  const code = options.code === undefined ? 'orcid-auth-code' : options.code;
  const state = options.state === undefined ? started.state : options.state;
  if (code !== null) url.searchParams.set('code', code);
  if (state !== null) url.searchParams.set('state', state);
  for (const [k, v] of Object.entries(options.extra ?? {})) url.searchParams.set(k, v);
  const cookie = options.cookie === undefined ? started.cookie : options.cookie;
  return call(url.toString(), cookie === null ? {} : { headers: { Cookie: cookie } }, e);
}

/** The arguments of the page's postMessage call, read as JSON literals. */
function postedMessage(html: string): { script: string; name: string; token: string; origin: string } {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
  expect(scripts).toHaveLength(1);
  const script = scripts[0][1];
  const literal = '("(?:[^"\\\\]|\\\\.)*")';
  const m = new RegExp(`opener\\.postMessage\\(\\{ name: ${literal}, token: ${literal} \\}, ${literal}\\);`).exec(script);
  expect(m, `no postMessage call in ${script}`).not.toBeNull();
  return { script, name: JSON.parse(m![1]), token: JSON.parse(m![2]), origin: JSON.parse(m![3]) };
}

interface UserRow {
  id: string;
  name: string;
  permissions: string;
  token_hash: string | null;
  token_expires_at: number | null;
}

function userRow(orcid: string): Promise<UserRow | null> {
  return env.DB.prepare('SELECT * FROM users WHERE id = ?').bind(`https://orcid.org/${orcid}`).first<UserRow>();
}

function stateRow(state: string) {
  return env.DB.prepare('SELECT * FROM auth_states WHERE state = ?')
    .bind(state)
    .first<{ state: string; cookie_hash: string; params: string; expires_at: number }>();
}

async function addUser(orcid: string, body: Record<string, unknown>): Promise<void> {
  const response = await call(`/admin/users/${orcid}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

function identity(authorization?: string, path = '/identity'): Promise<Response> {
  return call(path, authorization === undefined ? {} : { headers: { Authorization: authorization } });
}

async function expectJsonMessage(response: Response, status: number, message?: RegExp): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get('Content-Type')).toBe('application/json');
  const body = (await response.json()) as { code: number; message: string };
  expect(body.code).toBe(status);
  expect(typeof body.message).toBe('string');
  if (message) expect(body.message).toMatch(message);
  return body.message;
}

// ---------------------------------------------------------------------------------------

describe('sign-in with ORCID: the full flow', () => {
  it('redirects to ORCID, exchanges the code, stores the user with a hashed token, and the token works on /identity', async () => {
    const orcid = '0000-0002-1825-0097';
    const accessToken = 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b';
    const calls = fakeOrcid(() => tokenAnswer({ access_token: accessToken, name: 'Josiah Carberry', orcid }));

    // 1. /register: a 302 to ORCID's authorize URL with a fresh state and a browser-bound cookie.
    const started = await startSignIn();
    const raw = started.response.headers.get('Location')!;
    expect(raw.startsWith('https://orcid.org/oauth/authorize?')).toBe(true);
    expect(raw).toContain('scope=%2Fauthenticate');
    expect(raw).toContain(`redirect_uri=${encodeURIComponent(`${H}/registered`)}`);
    expect([...started.location.searchParams.keys()]).toEqual(['client_id', 'redirect_uri', 'response_type', 'scope', 'state']);
    expect(started.location.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(started.location.searchParams.get('response_type')).toBe('code');
    expect(started.location.searchParams.get('scope')).toBe('/authenticate');
    expect(started.redirectUri).toBe(`${H}/registered`);
    expect(started.state).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(started.response.headers.get('Cache-Control')).toBe('no-store');

    // The cookie: HttpOnly, SameSite=Lax, scoped to /registered, short-lived, not Secure over http.
    const attributes = started.setCookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=lax');
    expect(attributes).toContain('path=/registered');
    expect(attributes).toContain('max-age=600');
    expect(attributes).not.toContain('secure');
    expect(started.cookieValue).toMatch(/^[A-Za-z0-9_-]{32,}$/);

    // The state row holds the cookie's hash, never the cookie.
    const row = await stateRow(started.state);
    expect(row).not.toBeNull();
    expect(row!.cookie_hash).toBe(await sha256Hex(started.cookieValue));
    expect(JSON.stringify(row)).not.toContain(started.cookieValue);
    expect(row!.expires_at).toBeGreaterThan(nowSeconds() + 500);
    expect(row!.expires_at).toBeLessThanOrEqual(nowSeconds() + 600);
    expect(calls).toHaveLength(0);

    // 2. ORCID sends the browser back to /registered with a code and the state.
    const before = nowSeconds();
    const response = await returnFromOrcid(started, { code: 'Q7nR2x' });
    const html = await response.text();
    expect(response.status, html).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('Cache-Control')).toBe('no-store');

    // The code exchange, exactly as ORCID's token endpoint expects it.
    expect(calls).toHaveLength(1);
    const { request, form } = calls[0];
    expect(request.method).toBe('POST');
    expect(request.url).toBe('https://orcid.org/oauth/token');
    expect(request.headers.get('Accept')).toBe('application/json');
    expect(request.headers.get('Content-Type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(form)).toEqual({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      code: 'Q7nR2x',
      grant_type: 'authorization_code',
      redirect_uri: `${H}/registered`,
    });

    // The page posts name and base64(token) to the client's origin (CLIENT_URL's).
    const message = postedMessage(html);
    expect(message).toMatchObject({ name: 'Josiah Carberry', token: b64(accessToken), origin: CLIENT_ORIGIN });

    // The user: default permissions, the token's SHA-256 only, its expiry.
    const user = await userRow(orcid);
    expect(user).not.toBeNull();
    expect(user!.name).toBe('Josiah Carberry');
    expect(JSON.parse(user!.permissions)).toEqual(['submit-patch', 'create-bag']);
    expect(user!.token_hash).toBe(await sha256Hex(accessToken));
    expect(user!.token_expires_at).toBeGreaterThanOrEqual(before + 631138518);
    expect(user!.token_expires_at).toBeLessThanOrEqual(nowSeconds() + 631138518);

    // The state is gone (single use), and the cookie is cleared.
    expect(await stateRow(started.state)).toBeNull();
    expect(response.headers.get('Set-Cookie')).toMatch(new RegExp(`^${started.cookieName}=;.*Max-Age=0`));

    // 3. The bearer base64(token) identifies the user.
    const who = await identity(`Bearer ${message.token}`);
    const text = await who.text();
    expect(who.status, text).toBe(200);
    expect(who.headers.get('Content-Type')).toBe('application/json');
    const body = JSON.parse(text) as { id: string; name: string; permissions: string[] };
    expect(Object.keys(body)).toEqual(['id', 'name', 'permissions']);
    expect(body.id).toBe(`https://orcid.org/${orcid}`);
    expect(body.name).toBe('Josiah Carberry');
    expect([...body.permissions].sort()).toEqual([BAGS, SUBMIT].sort());
    expect(text).toBe(`${JSON.stringify(body)}\n`); // compact, as jsonify writes it
  });

  it('never stores the token or base64(token) in clear anywhere in the database', async () => {
    const orcid = '0000-0003-1419-2405';
    const accessToken = 'cleartext-check-6f1b2a9e-0d4c-4b7a-93e1';
    fakeOrcid(() => tokenAnswer({ access_token: accessToken, name: 'Clara Text', orcid }));
    const started = await startSignIn('?cli');
    const response = await returnFromOrcid(started);
    expect(await response.text()).toBe(`Your token is: ${b64(accessToken)}`);

    const { results: tables } = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'",
    ).all<{ name: string }>();
    expect(tables.map((t) => t.name)).toContain('users');
    for (const { name } of tables) {
      const { results } = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
      const dump = JSON.stringify(results);
      expect(dump, `table ${name}`).not.toContain(accessToken);
      expect(dump, `table ${name}`).not.toContain(b64(accessToken));
    }
    expect((await userRow(orcid))!.token_hash).toBe(await sha256Hex(accessToken));
  });

  it('keeps an existing user’s permissions, updates the name and replaces the token', async () => {
    const orcid = '0000-0001-5109-3700';
    await addUser(orcid, { name: 'Old Name', token: 'old-token-4b1c', permissions: ['submit-patch', 'accept-patch', 'create-graph'] });
    expect((await identity(`Bearer ${b64('old-token-4b1c')}`)).status).toBe(200);

    fakeOrcid(() => tokenAnswer({ access_token: 'new-token-8d2e', name: 'New Name', orcid, expires_in: 3600 }));
    const response = await returnFromOrcid(await startSignIn());
    expect(response.status, await response.clone().text()).toBe(200);

    const user = await userRow(orcid);
    expect(user!.name).toBe('New Name');
    expect(JSON.parse(user!.permissions)).toEqual(['submit-patch', 'accept-patch', 'create-graph']);
    expect(user!.token_hash).toBe(await sha256Hex('new-token-8d2e'));
    expect(user!.token_expires_at).toBeGreaterThan(nowSeconds() + 3500);

    const old = await identity(`Bearer ${b64('old-token-4b1c')}`);
    expect(old.status).toBe(401);
    expect(old.headers.get('WWW-Authenticate')).toBe(invalidToken('The access token is invalid'));
    const now = await identity(`Bearer ${b64('new-token-8d2e')}`);
    expect(now.status).toBe(200);
    // No open patch request of their own: no "update submissions" (as the reference).
    expect(((await now.json()) as { permissions: string[] }).permissions.sort()).toEqual([ACCEPT, GRAPHS, SUBMIT].sort());
  });

  it('names a user who keeps their name private by their ORCID iD (as the reference does)', async () => {
    for (const [orcid, fields] of [
      ['0000-0002-9079-593X', {}],
      ['0000-0002-7970-7855', { name: '' }],
      ['0000-0001-8135-3489', { name: null }],
    ] as const) {
      fakeOrcid(() => tokenAnswer({ access_token: `private-${orcid}`, orcid, ...fields }));
      const response = await returnFromOrcid(await startSignIn());
      const html = await response.text();
      expect(response.status, html).toBe(200);
      expect(postedMessage(html).name).toBe(orcid);
      expect((await userRow(orcid))!.name).toBe(orcid);
      vi.restoreAllMocks();
    }
  });

  it('uses ORCID_BASE_URL (the sandbox) for both ORCID requests, and still names users https://orcid.org/<iD>', async () => {
    const sandbox = { ...ORCID_ENV, ORCID_BASE_URL: 'https://sandbox.orcid.org/' } as Env;
    const orcid = '0000-0002-2231-5457';
    const calls = fakeOrcid(() => tokenAnswer({ access_token: 'sandbox-token-1', name: 'Sandy Box', orcid }));
    const started = await startSignIn('', sandbox);
    expect(started.response.headers.get('Location')!.startsWith('https://sandbox.orcid.org/oauth/authorize?')).toBe(true);
    const response = await returnFromOrcid(started, {}, sandbox);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(calls.map((c) => c.request.url)).toEqual(['https://sandbox.orcid.org/oauth/token']);
    expect((await userRow(orcid))!.name).toBe('Sandy Box');
  });

  it('in production (its wrangler.toml vars) posts to the production client from https://data.perio.do', async () => {
    const production = { ...envFor('production'), ORCID_CLIENT_ID: CLIENT_ID, ORCID_CLIENT_SECRET: CLIENT_SECRET } as Env;
    const calls = fakeOrcid(() => tokenAnswer({ access_token: 'production-token-1', name: 'Prod User', orcid: '0000-0002-2231-5458' }));
    const started = await startSignIn('', production, 'https://data.perio.do');
    expect(started.response.headers.get('Location')!.startsWith('https://orcid.org/oauth/authorize?')).toBe(true);
    expect(started.redirectUri).toBe('https://data.perio.do/registered');
    expect(started.setCookie.split(';').map((a) => a.trim())).toContain('Secure');
    const response = await returnFromOrcid(started, {}, production);
    const html = await response.text();
    expect(response.status, html).toBe(200);
    expect(postedMessage(html).origin).toBe('https://client.perio.do');
    expect(calls[0].form.get('redirect_uri')).toBe('https://data.perio.do/registered');
  });

  it('sets the Secure cookie attribute and an https redirect_uri when the request came over https', async () => {
    const started = await startSignIn('', ORCID_ENV, 'https://localhost');
    expect(started.redirectUri).toBe('https://localhost/registered');
    const attributes = started.setCookie.split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toContain('secure');
    expect(attributes).toContain('httponly');
  });

  it('gives every sign-in a fresh random state and cookie, and lets sign-ins started in two windows both finish', async () => {
    const a = await startSignIn();
    const b = await startSignIn();
    expect(a.state).not.toBe(b.state);
    expect(a.cookieValue).not.toBe(b.cookieValue);
    expect(a.cookieName).not.toBe(b.cookieName);

    // One browser holds both cookies.
    const both = `${a.cookie}; ${b.cookie}`;
    fakeOrcid(async (request) => {
      const code = (await formOf(request)).get('code');
      const orcid = code === 'A' ? '0000-0002-0000-0001' : '0000-0002-0000-0002';
      return tokenAnswer({ access_token: `two-windows-${code}`, name: `Window ${code}`, orcid });
    });
    const ra = await returnFromOrcid(a, { code: 'A', cookie: both });
    const rb = await returnFromOrcid(b, { code: 'B', cookie: both });
    expect(ra.status, await ra.clone().text()).toBe(200);
    expect(rb.status, await rb.clone().text()).toBe(200);
    expect(postedMessage(await ra.text()).token).toBe(b64('two-windows-A'));
    expect(postedMessage(await rb.text()).token).toBe(b64('two-windows-B'));
  });
});

describe('sign-in with ORCID: cli mode', () => {
  it('sends redirect_uri …/registered?cli=True and answers the token as text', async () => {
    const orcid = '0000-0001-7000-0001';
    const calls = fakeOrcid(() => tokenAnswer({ access_token: 'cli-token-93a7', name: 'Cli User', orcid }));
    const started = await startSignIn('?cli');
    expect(started.redirectUri).toBe(`${H}/registered?cli=True`);
    expect(started.response.headers.get('Location')).toContain(`redirect_uri=${encodeURIComponent(`${H}/registered?cli=True`)}`);

    const response = await returnFromOrcid(started);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/plain');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(await response.text()).toBe(`Your token is: ${b64('cli-token-93a7')}`);
    expect(calls[0].form.get('redirect_uri')).toBe(`${H}/registered?cli=True`);
    expect((await identity(`Bearer ${b64('cli-token-93a7')}`)).status).toBe(200);
  });

  it('prefers cli over origin, as the reference does', async () => {
    const started = await startSignIn(`?cli=yes&origin=${encodeURIComponent('http://localhost:3000')}`);
    expect(started.redirectUri).toBe(`${H}/registered?cli=True`);
  });
});

describe('sign-in with ORCID: the origin the token is posted to', () => {
  it.each([
    ['http://localhost:3000', 'http://localhost:3000'],
    ['https://client.perio.do', 'https://client.perio.do'],
    ['https://client.perio.do/', 'https://client.perio.do'],
    ['HTTPS://Client.Perio.DO:443', 'https://client.perio.do'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
  ])('accepts ?origin=%s and posts to %s', async (given, expected) => {
    const orcid = '0000-0001-7000-0002';
    const calls = fakeOrcid(() => tokenAnswer({ access_token: `origin-token-${expected}`, name: 'Origin User', orcid }));
    const started = await startSignIn(`?origin=${encodeURIComponent(given)}`);
    expect(new URL(started.redirectUri).searchParams.get('origin')).toBe(expected);
    expect(started.redirectUri.startsWith(`${H}/registered?origin=`)).toBe(true);

    const response = await returnFromOrcid(started);
    const html = await response.text();
    expect(response.status, html).toBe(200);
    expect(postedMessage(html).origin).toBe(expected);
    expect(calls[0].form.get('redirect_uri')).toBe(started.redirectUri);
  });

  it.each(['https://evil.example', 'https://perio.do.evil.example', 'http://client.perio.do', 'http://[::1]:5173'])(
    'refuses ?origin=%s, which is not an origin of the PeriodO web client, with 403 and starts no sign-in',
    async (foreign) => {
      const before = await env.DB.prepare('SELECT COUNT(*) AS n FROM auth_states').first<{ n: number }>();
      const response = await call(`/register?origin=${encodeURIComponent(foreign)}`);
      expect(response.status).toBe(403);
      expect(((await response.json()) as { message: string }).message).toMatch(/only handed to the PeriodO web client/);
      expect(response.headers.get('Set-Cookie')).toBeNull();
      const after = await env.DB.prepare('SELECT COUNT(*) AS n FROM auth_states').first<{ n: number }>();
      expect(after!.n).toBe(before!.n);
    },
  );

  it.each([
    '"</script><script>alert(1)//',
    'javascript:alert(1)',
    'javascript://client.perio.do/%0aalert(1)',
    'data:text/html,<script>alert(1)</script>',
    'https://client.perio.do/page',
    'https://client.perio.do/?x=1',
    'https://client.perio.do/#x',
    'https://user:pw@client.perio.do',
    'https://a"b.example',
    "https://a'b.example",
    'https://a`b.example',
    'https://a{b}.example',
    'https://a&b.example',
    'ftp://client.perio.do',
    'null',
    '*',
    '',
  ])('refuses ?origin=%j with 400 and starts no sign-in', async (hostile) => {
    const calls = fakeOrcid(() => new Response('unexpected', { status: 500 }));
    const before = await env.DB.prepare('SELECT COUNT(*) AS n FROM auth_states').first<{ n: number }>();
    const response = await call(`/register?origin=${encodeURIComponent(hostile)}`);
    await expectJsonMessage(response, 400, /origin/);
    expect(response.headers.get('Location')).toBeNull();
    expect(response.headers.get('Set-Cookie')).toBeNull();
    const after = await env.DB.prepare('SELECT COUNT(*) AS n FROM auth_states').first<{ n: number }>();
    expect(after!.n).toBe(before!.n);
    expect(calls).toHaveLength(0);
  });

  it('posts to the origin given at /register, whatever origin or cli the return URL claims', async () => {
    fakeOrcid(() => tokenAnswer({ access_token: 'tampered-return-1', name: 'Tamper Proof', orcid: '0000-0001-7000-0003' }));
    const started = await startSignIn(`?origin=${encodeURIComponent('https://client.perio.do')}`);
    const response = await returnFromOrcid(started, { extra: { origin: '"</script><script>alert(1)//', cli: 'True' } });
    const html = await response.text();
    expect(response.status, html).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(postedMessage(html).origin).toBe('https://client.perio.do');
    expect(html).not.toContain('alert(1)');
  });

  it('keeps a hostile ORCID name inert: JSON-escaped in the script, HTML-escaped in the page, and the script pinned by CSP', async () => {
    const hostile = '"</script><script>alert(1)//\u2028\u2029 <!-- & \'x\' ${x} `y` \\';
    const orcid = '0000-0001-7000-0004';
    fakeOrcid(() => tokenAnswer({ access_token: 'hostile-name-token', name: hostile, orcid }));
    const response = await returnFromOrcid(await startSignIn());
    const html = await response.text();
    expect(response.status, html).toBe(200);

    // Exactly one script element, and the name comes back intact from its JSON literal.
    expect(html.match(/<script/gi)).toHaveLength(1);
    expect(html.match(/<\/script/gi)).toHaveLength(1);
    const message = postedMessage(html);
    expect(message.name).toBe(hostile.trim());
    expect(message.token).toBe(b64('hostile-name-token'));
    for (const bad of ['<', '>', '&', '\u2028', '\u2029']) expect(message.script).not.toContain(bad);

    // In the visible text the name is escaped for HTML.
    const body = /<body>([\s\S]*)<\/body>/.exec(html)![1];
    expect(body).not.toContain('<script');
    expect(body).not.toContain('<!--');
    expect(body).toContain('&lt;/script&gt;&lt;script&gt;alert(1)//');

    // Only this exact script may run.
    const csp = response.headers.get('Content-Security-Policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${await sha256Base64(message.script)}'`);
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
  });
});

describe('sign-in with ORCID: the state', () => {
  it('refuses a return without a state (403), and calls no ORCID endpoint', async () => {
    const calls = fakeOrcid(() => tokenAnswer({ access_token: 'never', orcid: '0000-0001-7100-0001' }));
    const started = await startSignIn();
    await expectJsonMessage(await returnFromOrcid(started, { state: null }), 403, /state/);
    expect(calls).toHaveLength(0);
    expect(await stateRow(started.state)).not.toBeNull();
  });

  it('refuses a wrong state (403), even with a valid cookie', async () => {
    const calls = fakeOrcid(() => tokenAnswer({ access_token: 'never', orcid: '0000-0001-7100-0002' }));
    const started = await startSignIn();
    const last = started.state.slice(-1);
    const other = `${started.state.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`; // same shape, one character off
    await expectJsonMessage(await returnFromOrcid(started, { state: other }), 403);
    await expectJsonMessage(await returnFromOrcid(started, { state: 'not-a-state' }), 403);
    await expectJsonMessage(await returnFromOrcid(started, { state: '"><script>alert(1)</script>' }), 403);
    expect(calls).toHaveLength(0);
  });

  it('refuses a return without the cookie (403)', async () => {
    const calls = fakeOrcid(() => tokenAnswer({ access_token: 'never', orcid: '0000-0001-7100-0003' }));
    const started = await startSignIn();
    await expectJsonMessage(await returnFromOrcid(started, { cookie: null }), 403, /browser/);
    expect(calls).toHaveLength(0);
  });

  it('refuses another browser’s cookie (403) without spending the sign-in of the browser that started it', async () => {
    const orcid = '0000-0001-7100-0004';
    const calls = fakeOrcid(() => tokenAnswer({ access_token: 'victim-token-5e1a', name: 'Victim', orcid }));
    const victim = await startSignIn();
    const attacker = await startSignIn();

    // The attacker's browser has its own cookie (named for its own state) …
    await expectJsonMessage(await returnFromOrcid(victim, { cookie: attacker.cookie }), 403);
    // … or forges one with the right name and its own value.
    await expectJsonMessage(await returnFromOrcid(victim, { cookie: `${victim.cookieName}=${attacker.cookieValue}` }), 403);
    await expectJsonMessage(await returnFromOrcid(victim, { cookie: `${victim.cookieName}=x` }), 403);
    expect(calls).toHaveLength(0);
    expect(await userRow(orcid)).toBeNull();

    // The browser that started it still can finish.
    const response = await returnFromOrcid(victim);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(calls).toHaveLength(1);
  });

  it('refuses a reused state (403): a state is good for one return only', async () => {
    const orcid = '0000-0001-7100-0005';
    const calls = fakeOrcid(() => tokenAnswer({ access_token: 'reuse-token-77c3', name: 'Once Only', orcid }));
    const started = await startSignIn();
    const first = await returnFromOrcid(started);
    expect(first.status, await first.clone().text()).toBe(200);
    await expectJsonMessage(await returnFromOrcid(started), 403, /already|unknown/);
    expect(calls).toHaveLength(1);
  });

  it('refuses an expired state (403) and forgets it', async () => {
    const calls = fakeOrcid(() => tokenAnswer({ access_token: 'never', orcid: '0000-0001-7100-0006' }));
    const started = await startSignIn();
    // Ten minutes and a second later.
    await env.DB.prepare('UPDATE auth_states SET expires_at = ? WHERE state = ?').bind(nowSeconds() - 1, started.state).run();
    await expectJsonMessage(await returnFromOrcid(started), 403, /expired/);
    expect(await stateRow(started.state)).toBeNull();
    expect(calls).toHaveLength(0);
  });

  it('forgets expired states of abandoned sign-ins when a new one starts', async () => {
    const abandoned = await startSignIn();
    await env.DB.prepare('UPDATE auth_states SET expires_at = ? WHERE state = ?').bind(nowSeconds() - 60, abandoned.state).run();
    await startSignIn();
    expect(await stateRow(abandoned.state)).toBeNull();
  });

  it('answers 403 when the user declines at ORCID, spending the state and calling no token endpoint', async () => {
    const calls = fakeOrcid(() => tokenAnswer({ access_token: 'never', orcid: '0000-0001-7100-0007' }));
    const started = await startSignIn();
    const url = new URL(started.redirectUri);
    url.searchParams.set('error', 'access_denied');
    url.searchParams.set('error_description', 'User denied access');
    url.searchParams.set('state', started.state);
    await expectJsonMessage(await call(url.toString(), { headers: { Cookie: started.cookie } }), 403, /access_denied/);
    expect(await stateRow(started.state)).toBeNull();
    expect(calls).toHaveLength(0);
  });

  it('answers 400 when ORCID sends no code', async () => {
    const calls = fakeOrcid(() => tokenAnswer({ access_token: 'never', orcid: '0000-0001-7100-0008' }));
    await expectJsonMessage(await returnFromOrcid(await startSignIn(), { code: null }), 400, /code/);
    expect(calls).toHaveLength(0);
  });
});

describe('sign-in with ORCID: ORCID failures', () => {
  const orcid = '0000-0001-7200-0001';
  it.each<[string, (request: Request) => Response | Promise<Response>, RegExp]>([
    ['an OAuth error', () => Response.json({ error: 'invalid_grant', error_description: 'Reused authorization code: Q7' }, { status: 400 }), /invalid_grant/],
    ['a server error page', () => new Response('<html>Internal Server Error</html>', { status: 500, headers: { 'Content-Type': 'text/html' } }), /HTTP 500/],
    ['a redirect', () => new Response(null, { status: 307, headers: { Location: 'https://evil.example/steal' } }), /HTTP 307/],
    ['a network failure', () => Promise.reject(new TypeError('Network connection lost.')), /could not be reached/],
    ['a timeout', () => Promise.reject(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), /did not answer/],
    ['a 200 that is not JSON', () => new Response('<html>ok</html>', { status: 200 }), /cannot read/],
    ['a 200 without access_token', () => tokenAnswer({ name: 'No Token', orcid }), /cannot read/],
    ['a 200 with an empty access_token', () => tokenAnswer({ access_token: '', name: 'No Token', orcid }), /cannot read/],
    ['a 200 with a malformed ORCID iD', () => tokenAnswer({ access_token: 'bad-orcid-token', name: 'Bad iD', orcid: '../../admin' }), /cannot read/],
    ['a 200 without expires_in', () => tokenAnswer({ access_token: 'no-expiry-token', name: 'No Expiry', orcid, expires_in: undefined }), /cannot read/],
  ])('answers 502 with a message on %s, and writes no user', async (_, answer, message) => {
    const calls = fakeOrcid(answer);
    const started = await startSignIn();
    const response = await returnFromOrcid(started);
    const text = await expectJsonMessage(response, 502, message);
    expect(text).not.toContain(CLIENT_SECRET);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(calls).toHaveLength(1);
    expect(calls[0].request.redirect).toBe('manual');
    expect(await userRow(orcid)).toBeNull();
    const { results } = await env.DB.prepare("SELECT id FROM users WHERE id LIKE '%../%'").all();
    expect(results).toHaveLength(0);
    // The code was spent with the state: the user starts again.
    expect(await stateRow(started.state)).toBeNull();
  });

  it('gives up on an ORCID that never answers (after its 10-second timeout) with 502', async () => {
    const calls = fakeOrcid(neverAnswers);
    const started = await startSignIn();
    const t0 = Date.now();
    await expectJsonMessage(await returnFromOrcid(started), 502, /did not answer/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(9_000);
    expect(calls).toHaveLength(1);
    expect(await userRow(orcid)).toBeNull();
  }, 60_000);
});

describe('sign-in with ORCID: not configured', () => {
  it('answers 503 on /register and /registered without ORCID client credentials, and sets no cookie', async () => {
    const calls = fakeOrcid(() => tokenAnswer({ access_token: 'never', orcid: '0000-0001-7300-0001' }));
    for (const path of ['/register', '/register?cli', '/registered?state=x&code=y']) {
      const response = await call(path, {}, UNCONFIGURED_ENV);
      await expectJsonMessage(response, 503, /not configured/);
      expect(response.headers.get('Set-Cookie')).toBeNull();
      expect(response.headers.get('Location')).toBeNull();
    }
    const onlyId = { ...UNCONFIGURED_ENV, ORCID_CLIENT_ID: CLIENT_ID } as Env;
    await expectJsonMessage(await call('/register', {}, onlyId), 503, /not configured/);
    expect(calls).toHaveLength(0);
  });
});

describe('/identity', () => {
  const regular = { orcid: '0000-0001-7400-0001', token: 'this-token-has-normal-permissions' };
  const admin = { orcid: '0000-0001-7400-0002', token: 'this-token-has-admin-permissions' };
  const expired = { orcid: '0000-0001-7400-0003', token: 'this-is-an-expired-token' };
  const unauthorized = { orcid: '0000-0001-7400-0004', token: 'this-token-has-no-permissions' };

  async function users() {
    await addUser(regular.orcid, { name: 'Testy Testerson', token: regular.token, expiresIn: 631138518 });
    await addUser(admin.orcid, {
      name: 'Super Admin',
      token: admin.token,
      expiresIn: 3600,
      permissions: ['submit-patch', 'create-bag', 'accept-patch', 'create-graph'],
    });
    await addUser(expired.orcid, { name: 'Eric Expired', token: expired.token, expiresIn: -3600 });
    await addUser(unauthorized.orcid, { name: 'Dangerous Dan', token: unauthorized.token, permissions: [] });
  }

  it.each(['/identity', '/identity.json'])('%s describes a regular user', async (path) => {
    await users();
    const response = await identity(`Bearer ${b64(regular.token)}`, path);
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const body = JSON.parse(text) as { id: string; name: string; permissions: string[] };
    expect(text).toBe(`{"id":${JSON.stringify(`https://orcid.org/${regular.orcid}`)},"name":"Testy Testerson","permissions":${JSON.stringify(body.permissions)}}\n`);
    expect([...body.permissions].sort()).toEqual([BAGS, SUBMIT].sort());
  });

  it('describes an editor’s permissions in words, each once (no "update submissions" without an open request of their own)', async () => {
    await users();
    const response = await identity(`Bearer ${b64(admin.token)}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { name: string; permissions: string[] };
    expect(body.name).toBe('Super Admin');
    expect([...body.permissions].sort()).toEqual([ACCEPT, BAGS, GRAPHS, SUBMIT].sort());
    expect(new Set(body.permissions).size).toBe(body.permissions.length);
  });

  it('says a submitter may update submissions while they have an open patch request of their own', async () => {
    const submitter = { orcid: '0000-0001-7400-0005', token: 'token-of-a-submitter' };
    await addUser(submitter.orcid, { name: 'Sue Mitter', token: submitter.token });
    const now = new Date().toISOString();
    await env.DB.prepare(
      'INSERT INTO patch_requests (created_by, updated_by, created_at, updated_at, open, merged, original_patch_blob) VALUES (?, ?, ?, ?, 1, 0, ?)',
    )
      .bind(`https://orcid.org/${submitter.orcid}`, `https://orcid.org/${submitter.orcid}`, now, now, 'identity-test-blob')
      .run();
    const body = (await (await identity(`Bearer ${b64(submitter.token)}`)).json()) as { permissions: string[] };
    expect([...body.permissions].sort()).toEqual([BAGS, SUBMIT, UPDATE].sort());
  });

  it('answers 401 with the bare realm to a request without credentials, or with another scheme', async () => {
    for (const authorization of [undefined, 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==', 'Bearer', 'BearerdGhpcy10b2tlbg==']) {
      const response = await identity(authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('WWW-Authenticate')).toBe(REALM);
    }
  });

  it('answers 401 invalid_token to a malformed, an unknown and an expired token', async () => {
    await users();
    const cases: [string, string][] = [
      ['Bearer =!@#$%^&*()_+', 'The access token is malformed'],
      ['Bearer mF_9.B5f-4.1JqM', 'The access token is invalid'],
      [`Bearer ${b64('no-such-token-anywhere')}`, 'The access token is invalid'],
      [`Bearer ${b64(expired.token)}`, 'The access token expired'],
    ];
    for (const [authorization, description] of cases) {
      const response = await identity(authorization);
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get('WWW-Authenticate'), authorization).toBe(invalidToken(description));
    }
  });

  it('answers 403 insufficient_scope to a user without the submit-patch permission', async () => {
    await users();
    const response = await identity(`Bearer ${b64(unauthorized.token)}`);
    expect(response.status).toBe(403);
    expect(response.headers.get('WWW-Authenticate')).toBe(INSUFFICIENT_SCOPE);
  });
});
