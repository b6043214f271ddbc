/**
 * Request logs: one JSON line per request through the real Worker entry, with the request
 * id echoed as X-Request-Id, and event lines for merges, purges and exports — never a
 * token, an Authorization header or a secret query value.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { get, loadTestData } from '../read-api/support';
import { addPeriodPatch } from '../cache/support';
import { workerFetch } from '../support/worker';
import { load } from '../read-api/support';
import { exportNow } from '../exports/support';

type Line = Record<string, unknown>;

function capture() {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args) => void lines.push(args.map(String).join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...args) => void lines.push(args.map(String).join(' ')));
  return {
    lines,
    json(): Line[] {
      return lines.flatMap((l) => {
        try {
          const v = JSON.parse(l);
          return typeof v === 'object' && v ? [v as Line] : [];
        } catch {
          return [];
        }
      });
    },
    restore() {
      log.mockRestore();
      error.mockRestore();
    },
  };
}

let authority = '';
beforeAll(async () => {
  const loaded = await loadTestData();
  authority = loaded.created.find((id) => id.length === 7)!;
});
afterEach(() => vi.restoreAllMocks());

describe('request log lines', () => {
  it('log one line per request with app, method, path, status, duration, cache status, dataset version and request id', async () => {
    const logs = capture();
    const first = await get('/d.json');
    await first.arrayBuffer();
    const again = await get('/d.json');
    await again.arrayBuffer();
    const client = await workerFetch('http://client.localhost/');
    await client.arrayBuffer();
    logs.restore();
    const requests = logs.json().filter((l) => l.type === 'request');
    expect(requests).toHaveLength(3);
    const [miss, hit, page] = requests;
    expect(miss).toMatchObject({ app: 'data', method: 'GET', path: '/d.json', status: 200, cache: 'MISS', datasetVersion: 1 });
    expect(hit).toMatchObject({ app: 'data', path: '/d.json', status: 200, cache: 'HIT', datasetVersion: 1 });
    expect(page).toMatchObject({ app: 'client', method: 'GET', path: '/', status: 200 });
    for (const l of requests) {
      expect(typeof l.durationMs).toBe('number');
      expect(l.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(first.headers.get('X-Request-Id')).toBe(miss.requestId);
    expect(again.headers.get('X-Request-Id')).toBe(hit.requestId);
    expect(miss.requestId).not.toBe(hit.requestId);
  });

  it('take the request id from CF-Ray where Cloudflare set one', async () => {
    const logs = capture();
    const response = await get('/index.json', { headers: { 'CF-Ray': '8e3f2a1b4c5d6e7f-LHR' } });
    await response.arrayBuffer();
    logs.restore();
    expect(response.headers.get('X-Request-Id')).toBe('8e3f2a1b4c5d6e7f-LHR');
    expect(logs.json().find((l) => l.type === 'request')).toMatchObject({ requestId: '8e3f2a1b4c5d6e7f-LHR', path: '/index.json' });
  });

  it('never write a token, an Authorization header or a secret query value', async () => {
    const logs = capture();
    const secret = 'sekrit-bearer-0123456789';
    const r1 = await get('/identity.json', { headers: { Authorization: `Bearer ${btoa(secret)}` } });
    await r1.arrayBuffer();
    const r2 = await get(`/registered?code=${secret}&state=${secret}-state&foo=bar`);
    await r2.arrayBuffer();
    const r3 = await get('/admin/audit', { headers: { Authorization: `Bearer ${secret}` } });
    await r3.arrayBuffer();
    const r4 = await get(`/d.json?access_token=${secret}`);
    await r4.arrayBuffer();
    logs.restore();
    const all = logs.lines.join('\n');
    expect(all).not.toContain(secret);
    expect(all).not.toContain(btoa(secret));
    expect(all).not.toMatch(/authorization/i);
    const requests = logs.json().filter((l) => l.type === 'request');
    expect(requests.map((l) => l.path)).toEqual(['/identity.json', '/registered?code=REDACTED&state=REDACTED&foo=bar', '/admin/audit', '/d.json?access_token=REDACTED']);
    expect(requests.map((l) => l.status)).toEqual([r1.status, r2.status, 401, 200]);
  });
});

describe('event lines', () => {
  it('log a merge, its purge and its exports with the version they concern', async () => {
    const logs = capture();
    const merged = await load(addPeriodPatch(authority, 'Logged period'));
    await Promise.all((['ttl', 'nt', 'csv'] as const).map((f) => exportNow(merged.version, f)));
    logs.restore();
    const events = logs.json().filter((l) => l.type === 'event');
    const merge = events.find((e) => e.event === 'merge');
    expect(merge).toMatchObject({ app: 'data', datasetVersion: merged.version, sideEffects: 'done', entities: 2 });
    expect(events.find((e) => e.event === 'purge')).toMatchObject({ ok: true, reason: `merge of version ${merged.version}` });
    const exports = events.filter((e) => e.event === 'export' && e.state === 'done');
    expect(exports.map((e) => e.format).sort()).toEqual(['csv', 'nt', 'ttl']);
    for (const e of exports) expect(e).toMatchObject({ app: 'exports', datasetVersion: merged.version });
    // The admin request that made the merge is logged too.
    expect(logs.json().find((l) => l.type === 'request' && l.path === '/admin/load')).toMatchObject({ method: 'POST', status: 200 });
  });
});
