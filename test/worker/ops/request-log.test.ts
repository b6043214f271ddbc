/**
 * Request logs: one JSON line per request through the real Worker entry, with the request
 * id echoed as X-Request-Id, and event lines for merges, purges and exports — never a
 * token, an Authorization header or a secret query value.
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import handler from '../../../workers/index';
import { ADMIN_TOKEN, H, loadTestData } from '../read-api/support';
import { addPeriodPatch } from '../cache/support';
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

/**
 * A request through the Worker entry, its body read, and its background work (where the
 * log line is written, after the answer) waited for, as workerd does before it ends.
 */
async function served(path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request(path.startsWith('http') ? path : `${H}${path}`, { redirect: 'manual', ...init });
  const response = await handler.fetch(request as Request<unknown, IncomingRequestCfProperties>, env, ctx);
  await response.clone().arrayBuffer();
  await waitOnExecutionContext(ctx);
  return response;
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
    const first = await served('/d.json');
    const again = await served('/d.json');
    const client = await served('http://client.localhost/');
    logs.restore();
    // (Lines of earlier requests, written after their answers, may land here too: match by id.)
    const requests = logs.json().filter((l) => l.type === 'request');
    const own = [first, again, client].map((r) => requests.filter((l) => l.requestId === r.headers.get('X-Request-Id')));
    for (const lines of own) expect(lines).toHaveLength(1);
    const [miss, hit, page] = own.map((lines) => lines[0]);
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
    const response = await served('/index.json', { headers: { 'CF-Ray': '8e3f2a1b4c5d6e7f-LHR' } });
    logs.restore();
    expect(response.headers.get('X-Request-Id')).toBe('8e3f2a1b4c5d6e7f-LHR');
    expect(logs.json().find((l) => l.type === 'request')).toMatchObject({ requestId: '8e3f2a1b4c5d6e7f-LHR', path: '/index.json' });
  });

  it('never write a token, an Authorization header or a secret query value', async () => {
    const logs = capture();
    const secret = 'sekrit-bearer-0123456789';
    const r1 = await served('/identity.json', { headers: { Authorization: `Bearer ${btoa(secret)}` } });
    const r2 = await served(`/registered?code=${secret}&state=${secret}-state&foo=bar`);
    await served('/admin/audit', { headers: { Authorization: `Bearer ${secret}` } });
    await served(`/d.json?access_token=${secret}`);
    logs.restore();
    const all = logs.lines.join('\n');
    expect(all).not.toContain(secret);
    expect(all).not.toContain(btoa(secret));
    expect(all).not.toMatch(/authorization/i);
    const requests = logs.json().filter((l) => l.type === 'request');
    expect(requests.map((l) => l.path)).toEqual(['/identity.json', '/registered?code=REDACTED&state=REDACTED&foo=bar', '/admin/audit', '/d.json?access_token=REDACTED']);
    expect(requests.map((l) => l.status)).toEqual([r1.status, r2.status, 401, 200]);
  });

  it('are written after the answer is handed back, never before it', async () => {
    const logs = capture();
    const ctx = createExecutionContext();
    const response = await handler.fetch(new Request(`${H}/index.json?after-answer`) as Request<unknown, IncomingRequestCfProperties>, env, ctx);
    const before = logs.json().filter((l) => l.type === 'request');
    await response.arrayBuffer();
    await waitOnExecutionContext(ctx);
    logs.restore();
    expect(before).toEqual([]);
    const after = logs.json().filter((l) => l.type === 'request');
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ path: '/index.json?after-answer', status: 200, requestId: response.headers.get('X-Request-Id') });
  });
});

describe('event lines', () => {
  it('log a merge, its purge and its exports with the version they concern', async () => {
    const logs = capture();
    const loaded = await served('/admin/load', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify(addPeriodPatch(authority, 'Logged period')),
    });
    expect(loaded.status).toBe(200);
    const merged = (await loaded.json()) as { version: number };
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
