/**
 * `periodo monitor` from any machine: one line per check, exit 1 on a failure, and with
 * `--state FILE` one alert per incident and one on recovery. The watched environment, the
 * alert webhook and the heartbeat are a small local server (the outside world).
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { removeScratchDir, scratchDir } from '../../scripts/lib/scratch-dir.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
let server: Server;
let origin = '';
let healthy = true;
const alerts: Record<string, unknown>[] = [];
let heartbeats = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/hook' && req.method === 'POST') {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        alerts.push(JSON.parse(body));
        res.end('ok');
      });
      return;
    }
    if (url === '/ping') {
      heartbeats++;
      return res.end('OK');
    }
    if (url === '/data/.well-known/health') {
      res.writeHead(healthy ? 200 : 503, { 'Content-Type': 'application/json' });
      return res.end(
        JSON.stringify({
          status: healthy ? 'ok' : 'failing',
          checks: { d1: { ok: true }, durableObject: { ok: true }, r2: { ok: true }, queue: healthy ? { ok: true } : { ok: false, error: '2 export job(s) queued over 15 minutes ago were never delivered' } },
          exports: { version: 5, missing: [], overdue: false },
          deadLetteredExports: 0,
          lastMerge: { version: 5, exportsDone: true, overdue: false },
        }),
      );
    }
    if (url === '/data/index.json') return res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    if (url === '/client/') return res.end('<!doctype html>');
    if (url === '/proxy/') return res.writeHead(403).end();
    if (url === '/legacy/') return res.writeHead(301, { Location: 'https://data.perio.do/' }).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function monitor(state: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const args = ['scripts/periodo.ts', 'monitor', '--url', `${origin}/data/`, '--client', `${origin}/client/`, '--corsproxy', `${origin}/proxy/`, '--legacy', `${origin}/legacy/`];
  args.push('--webhook', `${origin}/hook`, '--heartbeat', `${origin}/ping`, '--state', state);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('periodo monitor', () => {
  it('prints every check, exits 1 while failing, alerts once per incident and once on recovery', async () => {
    const stateDir = scratchDir('periodo-monitor-');
    onTestFinished(() => removeScratchDir(stateDir));
    const state = join(stateDir, 'state.json');
    let r = await monitor(state);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'ok data',
      'ok data.d1',
      'ok data.durableObject',
      'ok data.r2',
      'ok data.queue',
      'ok exports',
      'ok dead-letters',
      'ok last-merge',
      'ok data.index',
      'ok client',
      'ok corsproxy',
      'ok legacy',
    ]);

    healthy = false;
    r = await monitor(state);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL data\.queue .*2 export job\(s\) queued over 15 minutes ago were never delivered$/m);
    expect(r.stdout).toContain('alert sent: PeriodO development: 2 check(s) failing since');
    expect(r.stderr).toContain('periodo: 2 check(s) failing on development');
    r = await monitor(state);
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain('alert sent');

    healthy = true;
    r = await monitor(state);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('recovery sent: PeriodO');
    r = await monitor(state);
    expect(r.status).toBe(0);

    expect(alerts.map((a) => a.kind)).toEqual(['incident', 'recovery']);
    expect(alerts[0]).toMatchObject({ failing: [{ check: 'data' }, { check: 'data.queue' }] });
    expect(heartbeats).toBe(5);
  });
});
