/**
 * The Worker entry: one Worker, the app chosen by Host; the scheduled health checks run
 * every app through the real fetch handler.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import worker, { appForHost } from '../../workers/index';
import { runHealthChecks } from '../../workers/health/checks';

const fetchHost = (url: string, init?: RequestInit) => exports.default.fetch(new Request(url, { redirect: 'manual', ...init }));

describe('routing by Host', () => {
  it('maps every configured host (with or without port) to its app, and anything else to the data API', () => {
    expect(appForHost('localhost:8787', env)).toBe('data');
    expect(appForHost('data.localhost', env)).toBe('data');
    expect(appForHost('CLIENT.localhost:8787', env)).toBe('client');
    expect(appForHost('corsproxy.localhost', env)).toBe('corsproxy');
    expect(appForHost('legacy.localhost:8787', env)).toBe('legacy');
    expect(appForHost('unknown.example', env)).toBe('data');
  });

  it('serves the data API on localhost, the client on client.localhost, legacy redirects on legacy.localhost', async () => {
    const data = await fetchHost('http://localhost/index.json');
    expect(data.status).toBe(200);
    expect(((await data.json()) as { dataset: { url: string } }).dataset.url).toBe('http://localhost/dataset/');
    expect(data.headers.get('X-PeriodO-Server-Version')).toBe(env.SERVER_VERSION);

    const client = await fetchHost('http://client.localhost/');
    expect(client.status).toBe(200);
    expect(client.headers.get('Content-Type')).toMatch(/^text\/html/);
    expect(await client.text()).toContain('<title>PeriodO</title>');
    // The single-page app's routes fall back to index.html.
    const deep = await fetchHost('http://client.localhost/some/client/route');
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<title>PeriodO</title>');
    expect((await fetchHost('http://client.localhost/', { method: 'POST' })).status).toBe(405);

    const legacy = await fetchHost('http://legacy.localhost/trgkv');
    expect(legacy.status).toBe(301);
  });
});

describe('scheduled health checks', () => {
  it('probe every app through the fetch handler and report each as healthy', async () => {
    const results = await runHealthChecks(env, (request) => exports.default.fetch(request));
    expect(results.map((r) => r.check)).toEqual(expect.arrayContaining(['data', 'data.d1', 'exports', 'dead-letters', 'last-merge', 'data.index', 'client', 'corsproxy', 'legacy']));
    for (const r of results) expect(r, `${r.check}: ${r.status} ${r.detail ?? ''}`).toMatchObject({ ok: true });
  });

  it('run from the cron trigger and log a line per app', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: '*/5 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    const lines = log.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('health '));
    log.mockRestore();
    expect(lines.map((l) => l.split(' ')[1])).toEqual(expect.arrayContaining(['client', 'corsproxy', 'data', 'legacy']));
    expect(lines.every((l) => l.split(' ')[2] === 'ok')).toBe(true);
  });

  it('report a failing app as FAILING instead of throwing', async () => {
    const results = await runHealthChecks(env, async (request) => (new URL(request.url).hostname === 'client.localhost' ? new Response('down', { status: 500 }) : exports.default.fetch(request)));
    expect(results.find((r) => r.check === 'client')).toMatchObject({ ok: false, status: 500 });
    expect(results.find((r) => r.check === 'data')).toMatchObject({ ok: true });
  });
});
