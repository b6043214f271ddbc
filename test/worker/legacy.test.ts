import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { legacyApp } from '../../workers/legacy/app';
import { runHealthChecks } from '../../workers/health/checks';
import { fakeUpstream } from './support/fake-upstream';
import { workerFetch, workerFetchWith } from './support/worker';
import { envFor, wranglerVars } from './support/wrangler-vars';

afterEach(() => {
  vi.restoreAllMocks();
});

async function expectPermanentRedirect(response: Response, location: string) {
  expect(response.status).toBe(301);
  expect(response.headers.get('location')).toBe(location);
  expect(await response.text()).toBe('');
}

describe('legacy subdomain: production (test.perio.do)', () => {
  const production = envFor('production');
  const get = (path: string, init?: RequestInit) => workerFetchWith(production, `https://test.perio.do${path}`, { redirect: 'manual', ...init });

  it('sends / to the client home for the production data app', async () => {
    await expectPermanentRedirect(
      await get('/'),
      'https://client.perio.do/?page=backend-home&backendID=web-https%3A%2F%2Fdata.perio.do%2F',
    );
  });

  it.each([
    ['/trgkv', 'https://n2t.net/ark:/99152/p0trgkv'],
    ['/trgkvwbjd', 'https://n2t.net/ark:/99152/p0trgkvwbjd'],
    ['/trgkvwbjd.jsonld', 'https://n2t.net/ark:/99152/p0trgkvwbjd.jsonld'],
    ['/d.jsonld', 'https://n2t.net/ark:/99152/p0d.jsonld'],
    ['/trgkv?version=3', 'https://n2t.net/ark:/99152/p0trgkv?version=3'],
    ['/trgkv.ttl?version=3&inline=yes', 'https://n2t.net/ark:/99152/p0trgkv.ttl?version=3&inline=yes'],
  ])('sends %s to its permalink %s', async (path, location) => {
    await expectPermanentRedirect(await get(path), location);
  });

  it('lets browsers and caches keep the redirect for a day', async () => {
    expect((await get('/trgkv')).headers.get('cache-control')).toBe('public, max-age=86400');
  });
});

describe('legacy subdomain: staging (test.staging.perio.do)', () => {
  const staging = envFor('staging');
  const get = (path: string, init?: RequestInit) => workerFetchWith(staging, `https://test.staging.perio.do${path}`, { redirect: 'manual', ...init });

  it('sends / to the client home for the staging data app', async () => {
    await expectPermanentRedirect(
      await get('/'),
      'https://client.staging.perio.do/?page=backend-home&backendID=web-https%3A%2F%2Fdata.staging.perio.do%2F',
    );
  });

  it.each([
    ['/trgkv', 'https://data.staging.perio.do/trgkv'],
    ['/trgkvwbjd.json?version=2', 'https://data.staging.perio.do/trgkvwbjd.json?version=2'],
    ['/d.jsonld', 'https://data.staging.perio.do/d.jsonld'],
  ])('sends %s to %s', async (path, location) => {
    await expectPermanentRedirect(await get(path), location);
  });
});

describe('legacy subdomain: local development (legacy.localhost, test.localhost)', () => {
  it.each(['http://legacy.localhost', 'http://test.localhost:8787'])('%s/ goes to the local client home', async (host) => {
    await expectPermanentRedirect(
      await workerFetch(`${host}/`, { redirect: 'manual' }),
      'http://client.localhost:8787/?page=backend-home&backendID=web-http%3A%2F%2Flocalhost%3A8787%2F',
    );
  });

  it('sends a path to the local data app, query string kept', async () => {
    await expectPermanentRedirect(await workerFetch('http://legacy.localhost/trgkv?version=1', { redirect: 'manual' }), 'http://localhost:8787/trgkv?version=1');
  });
});

describe('legacy subdomain: every request, nothing else', () => {
  const production = envFor('production');

  it.each(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('answers %s with the same 301', async (method) => {
    const response = await workerFetchWith(production, 'https://test.perio.do/trgkv', { method, redirect: 'manual' });
    await expectPermanentRedirect(response, 'https://n2t.net/ark:/99152/p0trgkv');
  });

  it('drops the query string of / (the client home has its own), keeps it everywhere else', async () => {
    await expectPermanentRedirect(
      await workerFetchWith(production, 'https://test.perio.do/?page=x', { redirect: 'manual' }),
      'https://client.perio.do/?page=backend-home&backendID=web-https%3A%2F%2Fdata.perio.do%2F',
    );
  });

  it('keeps percent-encoding in the path as requested', async () => {
    await expectPermanentRedirect(
      await workerFetchWith(production, 'https://test.perio.do/trgkv%20x/caf%C3%A9', { redirect: 'manual' }),
      'https://n2t.net/ark:/99152/p0trgkv%20x/caf%C3%A9',
    );
  });

  it.each([
    '//evil.example/',
    '/\\evil.example/',
    '/\\\\evil.example/',
    '/@evil.example',
    '/%2F%2Fevil.example',
    '/..%2F..%2Fevil.example',
    '/../../../evil.example',
    '/https://evil.example/',
    '/%0d%0aLocation:%20https://evil.example',
  ])('never redirects off the permalink site, whatever the path (%s)', async (path) => {
    for (const [name, base] of [
      ['production', 'https://n2t.net'],
      ['staging', 'https://data.staging.perio.do'],
    ] as const) {
      const host = name === 'production' ? 'test.perio.do' : 'test.staging.perio.do';
      const response = await workerFetchWith(envFor(name), `https://${host}${path}`, { redirect: 'manual' });
      expect(response.status).toBe(301);
      const location = response.headers.get('location')!;
      expect(new URL(location).origin, `${name} ${path} → ${location}`).toBe(base);
      expect(location).not.toMatch(/[\r\n]/);
    }
  });

  it('makes no outbound request', async () => {
    const upstream = fakeUpstream();
    await workerFetchWith(production, 'https://test.perio.do/trgkv', { redirect: 'manual' });
    expect(upstream.calls).toBe(0);
  });

  it('answers 500 with a message, not a broken redirect, when its configuration is not a URL', async () => {
    const response = await legacyApp.fetch(new Request('https://test.perio.do/trgkv'), { ...production, PERMALINK_BASE: 'n2t.net/ark:/99152/p0' });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ code: 500, message: expect.stringMatching(/misconfigured: PERMALINK_BASE/) });
  });

  it("passes the scheduled health check's probe", async () => {
    const results = await runHealthChecks(env, (request) => workerFetch(request));
    expect(results.find((r) => r.check === 'legacy')).toMatchObject({ ok: true, status: 301 });
  });
});

describe('legacy subdomain: configuration', () => {
  it.each(['development', 'staging', 'production'] as const)('%s declares the URLs the redirects are built from', (name) => {
    const vars = wranglerVars(name);
    for (const key of ['CLIENT_URL', 'DATA_URL', 'PERMALINK_BASE', 'LEGACY_HOSTS']) expect(vars[key], `${name} ${key}`).toBeTruthy();
    expect(vars.CLIENT_URL).toMatch(/^https?:\/\/[^/]+\/$/);
    expect(vars.DATA_URL).toMatch(/^https?:\/\/[^/]+\/$/);
  });

  it('production permalinks are ARKs at n2t.net; staging ones are on the staging data app', () => {
    expect(wranglerVars('production').PERMALINK_BASE).toBe('https://n2t.net/ark:/99152/p0');
    expect(wranglerVars('staging').PERMALINK_BASE).toBe('https://data.staging.perio.do/');
  });
});
