/**
 * The monitor Worker on its own configuration (workers/monitor/wrangler.toml), its cron
 * handler invoked as the platform would, with KV state between runs. The watched
 * environment, the alert webhook and the heartbeat are the outside internet here, faked
 * at the fetch boundary: an incident alerts once, however long it lasts, and recovers once.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import worker, { type MonitorEnv } from '../../../../workers/monitor/index';
import { fakeUpstream } from '../../support/fake-upstream';

const WEBHOOK = 'https://alerts.example/hooks/T01/very-secret-path';
const HEARTBEAT = 'https://heartbeat.example/ping/0f1e2d3c';

let dataDown = false;
let webhookStatus = 200;

function healthy(): Response {
  return Response.json({
    status: 'ok',
    datasetVersion: 3,
    checks: { d1: { ok: true }, durableObject: { ok: true }, r2: { ok: true }, queue: { ok: true } },
    exports: { version: 3, present: ['ttl', 'nt', 'csv'], missing: [], overdue: false },
    deadLetteredExports: 0,
    lastMerge: { version: 3, exportsDone: true, overdue: false },
    warnings: [],
  });
}

/** The public internet as the monitor sees it: the development environment's four apps, the webhook, the heartbeat. */
function internet(request: Request): Response {
  const url = new URL(request.url);
  if (url.origin === 'https://alerts.example') return new Response(null, { status: webhookStatus });
  if (url.origin === 'https://heartbeat.example') return new Response('OK');
  switch (url.host) {
    case 'localhost:8787':
      if (dataDown) return new Response('error code: 1101', { status: 500 });
      return url.pathname === '/.well-known/health' ? healthy() : Response.json({ dataset: {} });
    case 'client.localhost:8787':
      return new Response('<!doctype html>', { headers: { 'Content-Type': 'text/html' } });
    case 'corsproxy.localhost:8787':
      return new Response(null, { status: 403 });
    case 'legacy.localhost:8787':
      return new Response(null, { status: 301, headers: { Location: 'https://data.perio.do/' } });
  }
  return new Response('unexpected host', { status: 599 });
}

let net: ReturnType<typeof fakeUpstream>;
beforeEach(async () => {
  // Each test starts from a healthy history.
  await (env as unknown as MonitorEnv).MONITOR_STATE.delete('state:development');
  dataDown = false;
  webhookStatus = 200;
  net = fakeUpstream(internet);
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());

async function cron(): Promise<void> {
  const ctx = createExecutionContext();
  const e: MonitorEnv = { ...(env as unknown as MonitorEnv), ALERT_WEBHOOK: WEBHOOK, HEARTBEAT_URL: HEARTBEAT };
  await worker.scheduled!(createScheduledController({ cron: '*/5 * * * *' }), e, ctx);
  await waitOnExecutionContext(ctx);
}

const alerts = () => net.requests.filter((r) => r.url === WEBHOOK);
const heartbeats = () => net.requests.filter((r) => r.url === HEARTBEAT);
async function alertTexts(): Promise<string[]> {
  return Promise.all(alerts().map(async (r) => ((await r.clone().json()) as { text: string }).text));
}

describe('the monitor Worker', () => {
  it('probes every app over its public URL and pings the heartbeat when all is well', async () => {
    await cron();
    const probed = net.requests.filter((r) => !r.url.startsWith('https://')).map((r) => `${r.method} ${r.url}`);
    expect(probed).toEqual([
      'GET http://localhost:8787/.well-known/health',
      'GET http://localhost:8787/index.json',
      'GET http://client.localhost:8787/',
      'OPTIONS http://corsproxy.localhost:8787/',
      'GET http://legacy.localhost:8787/',
    ]);
    expect(alerts()).toHaveLength(0);
    expect(heartbeats()).toHaveLength(1);
  });

  it('alerts once per incident, however many runs it lasts, and once on recovery', async () => {
    await cron();
    dataDown = true;
    await cron();
    await cron();
    await cron();
    let texts = await alertTexts();
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/^PeriodO development: 2 check\(s\) failing since \S+\n- data: answered 500, expected 200 \(http:\/\/localhost:8787\/\.well-known\/health\)\n- data\.index: answered 500/);
    const body = (await alerts()[0].clone().json()) as Record<string, unknown>;
    expect(body).toMatchObject({ kind: 'incident', environment: 'development' });

    dataDown = false;
    await cron();
    await cron();
    texts = await alertTexts();
    expect(texts).toHaveLength(2);
    expect(texts[1]).toMatch(/^PeriodO development: recovered; every check passes again/);
    // The monitor kept running and pinging throughout.
    expect(heartbeats()).toHaveLength(6);
  });

  it('tries an undelivered alert again at the next run', async () => {
    dataDown = true;
    webhookStatus = 502;
    await cron();
    expect(alerts()).toHaveLength(1);
    webhookStatus = 200;
    await cron();
    await cron();
    expect(alerts()).toHaveLength(2);
    dataDown = false;
    await cron();
    expect(alerts()).toHaveLength(3);
    expect(await alertTexts()).toEqual([expect.stringMatching(/failing/), expect.stringMatching(/failing/), expect.stringMatching(/recovered/)]);
  });

  it('flags overdue exports, dead letters and an unreachable store from the health report', async () => {
    const report = await (healthy()).json() as Record<string, any>;
    report.checks.r2 = { ok: false, error: 'Error: R2 is down' };
    report.deadLetteredExports = 2;
    report.exports = { version: 3, present: [], missing: ['ttl', 'nt', 'csv'], overdue: true };
    report.lastMerge = { version: 3, exportsDone: false, overdue: true };
    net.requests.length = 0;
    vi.restoreAllMocks();
    net = fakeUpstream((r) => (new URL(r.url).pathname === '/.well-known/health' && r.url.startsWith('http://localhost') ? Response.json(report, { status: 503 }) : internet(r)));
    await cron();
    const [text] = await alertTexts();
    expect(text).toContain('- data: answered 503, expected 200');
    expect(text).toContain('- data.r2: Error: R2 is down');
    expect(text).toContain('- exports: version 3 has no ttl, nt, csv export');
    expect(text).toContain('- dead-letters: 2 export job(s) dead-lettered');
    expect(text).toContain('- last-merge: the side effects of the merge of version 3 did not finish');
  });

  it('shows its last run at GET /status, without the webhook or heartbeat URLs', async () => {
    await cron();
    const response = await exports.default.fetch(new Request('https://monitor.example/status'));
    expect(response.status).toBe(200);
    const text = await response.text();
    const status = JSON.parse(text) as Record<string, any>;
    expect(status.development.results.map((r: { check: string }) => r.check)).toContain('data.d1');
    expect(text).not.toContain('very-secret-path');
    expect(text).not.toContain('heartbeat.example');
    expect((await exports.default.fetch(new Request('https://monitor.example/'))).status).toBe(404);
  });
});
