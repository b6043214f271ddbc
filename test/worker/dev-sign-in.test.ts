/**
 * Offline sign-in for local development: the fake ORCID on the data host
 * (workers/data/routes/dev-orcid.ts), switched on by DEV_SIGN_IN in wrangler.toml's
 * development vars only.
 */
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../../workers/env';
import { workerFetchWith } from './support/worker';
import { envFor, wranglerVars } from './support/wrangler-vars';

const H = 'http://localhost:8787';
const CLIENT = 'http://client.localhost:8787';

afterEach(() => {
  vi.restoreAllMocks();
});

function call(path: string, init: RequestInit = {}, e: Env = env as Env): Promise<Response> {
  return workerFetchWith(e, path.startsWith('http') ? path : `${H}${path}`, { redirect: 'manual', ...init });
}

/** Runs the whole popup flow as a browser would: register, choose, come back. */
async function signIn(persona: string, e: Env = env as Env) {
  const register = await call(`/register?${new URLSearchParams({ origin: CLIENT })}`, {}, e);
  expect(register.status).toBe(302);
  const cookie = register.headers.get('Set-Cookie')!.split(';')[0];
  const authorize = new URL(register.headers.get('Location')!);
  const page = await call(authorize.toString(), {}, e);
  const html = await page.text();
  const form = new URLSearchParams({
    state: authorize.searchParams.get('state')!,
    redirect_uri: authorize.searchParams.get('redirect_uri')!,
    persona,
  });
  const chosen = await call(authorize.toString(), { method: 'POST', body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, e);
  const back = chosen.headers.get('Location');
  const registered = back ? await call(back, { headers: { Cookie: cookie } }, e) : null;
  return { register, authorize, page, html, chosen, registered };
}

function tokenFrom(html: string): { name: string; token: string; origin: string } {
  const m = /postMessage\(\{ name: (".*?"), token: (".*?") \}, (".*?")\)/.exec(html);
  expect(m).not.toBeNull();
  return { name: JSON.parse(m![1]), token: JSON.parse(m![2]), origin: JSON.parse(m![3]) };
}

async function identity(token: string, e: Env = env as Env) {
  const response = await call('/identity', { headers: { Authorization: `Bearer ${token}` } }, e);
  return { status: response.status, body: (await response.json()) as { id: string; name: string; permissions: string[] } };
}

describe('signing in offline in local development', () => {
  it('is switched on in the development vars only', () => {
    expect(wranglerVars('development').DEV_SIGN_IN).toBe('fake-orcid');
    expect(wranglerVars('staging').DEV_SIGN_IN).toBeUndefined();
    expect(wranglerVars('production').DEV_SIGN_IN).toBeUndefined();
  });

  it('signs in an editor through the popup flow, with no network request', async () => {
    const network = vi.spyOn(globalThis, 'fetch');
    const flow = await signIn('editor');
    expect(flow.authorize.origin + flow.authorize.pathname).toBe(`${H}/dev/orcid/oauth/authorize`);
    expect(flow.page.headers.get('Cache-Control')).toBe('no-store');
    expect(flow.html).toContain('Sign in as Dev Editor');
    expect(flow.html).toContain('Sign in as Dev Contributor');
    expect(new URL(flow.chosen.headers.get('Location')!).pathname).toBe('/registered');
    expect(flow.registered!.status).toBe(200);
    const handed = tokenFrom(await flow.registered!.text());
    expect(handed.name).toBe('Dev Editor');
    expect(handed.origin).toBe(CLIENT);
    const who = await identity(handed.token);
    expect(who.status).toBe(200);
    expect(who.body.id).toBe('https://orcid.org/0000-0000-0000-0002');
    expect(who.body.permissions).toContain('can accept and merge changes to the dataset');
    expect(network).not.toHaveBeenCalled();
  });

  it('signs in a contributor, who may propose but not merge; each sign-in gets a fresh token', async () => {
    const first = tokenFrom(await (await signIn('contributor')).registered!.text());
    const second = tokenFrom(await (await signIn('contributor')).registered!.text());
    expect(first.token).not.toBe(second.token);
    const who = await identity(second.token);
    expect(who.body.name).toBe('Dev Contributor');
    expect(who.body.permissions).toEqual(['can submit proposed changes to the dataset', 'can create and update bags of periods']);
    // The earlier token was replaced, as a new ORCID sign-in replaces it.
    expect((await identity(first.token)).status).toBe(401);
  });

  it('refuses the sign-in when the person denies it', async () => {
    const flow = await signIn('deny');
    expect(flow.registered!.status).toBe(403);
    expect(((await flow.registered!.json()) as { message: string }).message).toMatch(/did not authorize/);
  });

  it('sends codes only back to this data host', async () => {
    const evil = `${H}/dev/orcid/oauth/authorize?${new URLSearchParams({ client_id: 'APP-LOCAL-DEVELOPMENT', redirect_uri: 'https://evil.example/registered', state: 'x' })}`;
    expect((await call(evil)).status).toBe(400);
    const post = await call(`${H}/dev/orcid/oauth/authorize`, {
      method: 'POST',
      body: new URLSearchParams({ state: 'x', redirect_uri: 'https://evil.example/registered', persona: 'editor' }),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(post.status).toBe(400);
    expect(post.headers.get('Location')).toBeNull();
  });

  it('does not exist in staging or production, even if the var were set there', async () => {
    for (const name of ['staging', 'production'] as const) {
      const e = { ...envFor(name), DEV_SIGN_IN: 'fake-orcid' } as Env;
      const host = `https://${wranglerVars(name).DATA_HOSTS.split(',')[0]}`;
      expect((await call(`${host}/register`, {}, e)).status).toBe(503);
      expect((await call(`${host}/dev/orcid/oauth/authorize?client_id=APP-LOCAL-DEVELOPMENT`, {}, e)).status).toBe(404);
      const token = await call(`${host}/dev/orcid/oauth/token`, { method: 'POST', body: 'client_id=APP-LOCAL-DEVELOPMENT&code=editor.0123456789abcdef' }, e);
      expect(token.status).toBe(404);
    }
  });

  it('steps aside when real ORCID credentials are configured', async () => {
    const e = { ...env, ORCID_CLIENT_ID: 'APP-REAL', ORCID_CLIENT_SECRET: 'secret' } as Env;
    const register = await call('/register?cli', {}, e);
    expect(new URL(register.headers.get('Location')!).origin).toBe('https://orcid.org');
    expect((await call('/dev/orcid/oauth/authorize', {}, e)).status).toBe(404);
  });
});
