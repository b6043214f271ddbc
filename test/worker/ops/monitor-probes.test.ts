/**
 * The monitor's probes against the real Worker (every app by its host), the incident
 * bookkeeping driven by a real fault — a dead-lettered export — and the webhook faked at
 * the fetch boundary: alerted once while it lasts, recovered once.
 */
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { HEALTHY, monitorOnce, runProbes, type IncidentState } from '../../../workers/monitor/probes';
import { loadTestData } from '../read-api/support';
import { exportNow } from '../exports/support';

const target = { name: 'development', data: 'http://localhost/', client: 'http://client.localhost/', corsproxy: 'http://corsproxy.localhost/', legacy: 'http://legacy.localhost/' };
const WEBHOOK = 'https://alerts.example/hook';
const HEARTBEAT = 'https://heartbeat.example/ping';

const outside: Request[] = [];
/** The public URLs go to this Worker; the webhook and the heartbeat are the outside world. */
async function fetcher(request: Request): Promise<Response> {
  if (request.url.startsWith('https://')) {
    outside.push(request);
    return new Response('ok');
  }
  return exports.default.fetch(request);
}

beforeAll(async () => {
  await loadTestData();
  await Promise.all((['ttl', 'nt', 'csv'] as const).map((f) => exportNow(1, f)));
});

describe('probes over the public URLs of the real Worker', () => {
  it('find every app and every store healthy', async () => {
    const results = await runProbes(target, fetcher);
    expect(results.map((r) => r.check)).toEqual(['data', 'data.d1', 'data.durableObject', 'data.r2', 'data.queue', 'exports', 'dead-letters', 'last-merge', 'data.index', 'client', 'corsproxy', 'legacy']);
    for (const r of results) expect(r, `${r.check}: ${r.detail}`).toMatchObject({ ok: true });
  });

  it('alert once when an export is dead-lettered, stay quiet while it lasts, and recover once', async () => {
    let state: IncidentState = HEALTHY;
    const run = async () => {
      const r = await monitorOnce(target, state, { fetcher, webhook: WEBHOOK, heartbeat: HEARTBEAT });
      state = r.state;
      return r;
    };
    expect((await run()).alert).toBeNull();
    await env.DB.prepare("UPDATE export_jobs SET state = 'failed', error = 'gave up after 4 attempts' WHERE version = 1 AND format = 'nt'").run();
    const first = await run();
    expect(first.alert?.kind).toBe('incident');
    expect(first.delivered).toBe(true);
    expect(first.results.filter((r) => !r.ok).map((r) => `${r.check}: ${r.detail}`)).toEqual(['dead-letters: 1 export job(s) dead-lettered']);
    expect((await run()).alert).toBeNull();
    expect((await run()).alert).toBeNull();
    await env.DB.prepare("UPDATE export_jobs SET state = 'done', error = NULL WHERE version = 1 AND format = 'nt'").run();
    const recovered = await run();
    expect(recovered.alert?.kind).toBe('recovery');
    expect((await run()).alert).toBeNull();

    const alerts = outside.filter((r) => r.url === WEBHOOK);
    expect(alerts).toHaveLength(2);
    expect(((await alerts[0].json()) as { text: string }).text).toContain('- dead-letters: 1 export job(s) dead-lettered (http://localhost/.well-known/health)');
    expect(((await alerts[1].json()) as { text: string }).text).toMatch(/^PeriodO development: recovered/);
    expect(outside.filter((r) => r.url === HEARTBEAT)).toHaveLength(6);
  });
});
