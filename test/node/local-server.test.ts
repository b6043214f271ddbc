/**
 * The local contract: `npm start` serves the whole system and seeds an empty database
 * with the demo dataset (unless PERIODO_SEED=none); the operator CLI loads data, manages
 * users and audits versions against it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeScratchDir, scratchDir } from '../../scripts/lib/scratch-dir.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'test', 'fixtures');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startServer(seed: 'demo' | 'none'): Promise<{ child: ChildProcess; origin: string; persist: string; output: () => string }> {
  const port = await freePort();
  const persist = scratchDir('periodo-start-');
  let output = '';
  const child = spawn(process.execPath, ['scripts/start.ts', '--port', String(port), '--persist-to', persist, '--ip', '127.0.0.1'], {
    cwd: root,
    env: { ...process.env, PERIODO_SEED: seed === 'none' ? 'none' : '', WRANGLER_SEND_METRICS: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 120_000;
  while (!output.includes('[periodo] ready') && !output.includes('PERIODO_SEED=none')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  while (!output.includes('[periodo] ready')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, origin: `http://127.0.0.1:${port}`, persist, output: () => output };
}

/** A GET with only the given headers (no Accept-Encoding unless given), the body as sent. */
function rawGet(origin: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, origin);
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function stop({ child, persist }: { child: ChildProcess; persist: string }): Promise<void> {
  await new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
  removeScratchDir(persist);
}

function cli(origin: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['scripts/periodo.ts', ...args, '--url', origin], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm start', () => {
  it('loads the demo dataset into an empty database', async () => {
    const server = await startServer('demo');
    const { origin } = server;
    try {
      const response = await fetch(`${origin}/d.json`);
      expect(response.status).toBe(200);
      const dataset = (await response.json()) as { authorities: Record<string, { periods: object }> };
      expect(Object.keys(dataset.authorities)).toEqual(['p0dm2x9', 'p0dm3xd']);
      expect(Object.keys(dataset.authorities.p0dm2x9.periods)).toHaveLength(3);
      // The client host is routed to the client app by the Host header (fetch cannot set Host).
      const client = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: new URL(origin).port, path: '/', headers: { Host: `client.localhost:${new URL(origin).port}` } }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end();
      });
      expect(client).toContain('<title>PeriodO</title>');

      // A client that does not list gzip (curl) gets the document, not gzip bytes, also from the cache.
      const first = await rawGet(origin, '/d.json');
      const second = await rawGet(origin, '/d.json');
      expect(second.headers['x-cache-status']).toBe('HIT');
      expect(second.headers['content-encoding']).toBeUndefined();
      expect(second.body.toString('utf8')).toBe(first.body.toString('utf8'));
      expect(JSON.parse(second.body.toString('utf8'))).toHaveProperty('authorities');

      // Browsers are sent to the client on this server's port, not wrangler.toml's 8787.
      const page = await rawGet(origin, '/dm2x9', { Accept: 'text/html' });
      expect(page.status).toBe(303);
      expect(page.headers.location).toMatch(new RegExp(`^http://client\\.localhost:${new URL(origin).port}/\\?page=authority-view`));
    } finally {
      await stop(server);
    }
  });
});

describe('the operator CLI against PERIODO_SEED=none', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer('none');
  });
  afterAll(async () => {
    if (server) await stop(server);
  });

  it('starts empty', async () => {
    expect(await (await fetch(`${server.origin}/d.json`)).text()).toBe('{}\n');
  });

  it('load-data yields version 1 with the permanent ids of the reference test data', async () => {
    const r = cli(server.origin, 'load-data', join(fixtures, 'server', 'test-data.json'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('merged as version 1 (4 created, 0 updated, 0 removed)');
    const dataset = (await (await fetch(`${server.origin}/d.json`)).json()) as { authorities: Record<string, { periods: object }> };
    expect(Object.keys(dataset.authorities)).toEqual(['p0trgkv']);
    expect(Object.keys(dataset.authorities.p0trgkv.periods).sort()).toEqual(['p0trgkv4kxb', 'p0trgkvkhrv', 'p0trgkvwbjd']);
    const again = cli(server.origin, 'load-data', join(fixtures, 'server', 'test-data.json'));
    expect(again.stdout).toContain('nothing to load');
  });

  it('load-data splits a large file into several merged patches', async () => {
    const r = cli(server.origin, 'load-data', join(fixtures, 'periodo-2015.json'), '--max-periods=400');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(4);
    expect(lines[0]).toMatch(/^patch 1\/\d+: merged as version 2/);
    const dataset = (await (await fetch(`${server.origin}/d.json`)).json()) as { authorities: Record<string, { periods: object }> };
    expect(Object.keys(dataset.authorities)).toHaveLength(71);
    expect(Object.values(dataset.authorities).reduce((n, a) => n + Object.keys(a.periods).length, 0)).toBe(1791);
    expect((await fetch(`${server.origin}/trgkv.json`)).status).toBe(410);
  });

  it('audit confirms every version matches its content hash, and --version N reports one', async () => {
    const r = cli(server.origin, 'audit');
    expect(r.status, r.stderr).toBe(0);
    const head = Number((await fetch(`${server.origin}/d.json`)).headers.get('ETag')?.match(/version-(\d+)/)?.[1]);
    expect(r.stdout.trim()).toMatch(new RegExp(`^ok: all ${head + 1} versions \\(0–${head}\\) match their recorded content hashes \\(\\d+ rows checked\\)$`));
    const one = cli(server.origin, 'audit', '--version', String(head));
    expect(one.status, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ ok: true, version: head, periods: 1791, authorities: 71 });
  });

  it('users add and users grant manage users whose tokens work as bearer tokens', async () => {
    const add = cli(server.origin, 'users', 'add', '--orcid', '0000-0002-1825-0097', '--name', 'Josiah Carberry', '--token', 'cli-token', '--permissions', 'submit-patch');
    expect(add.status, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ id: 'https://orcid.org/0000-0002-1825-0097', name: 'Josiah Carberry', permissions: ['submit-patch'] });
    expect(add.stdout).not.toContain('cli-token');
    const auth = { Authorization: `Bearer ${Buffer.from('cli-token').toString('base64')}` };
    const patch = JSON.stringify([{ op: 'add', path: '/authorities/p047fhm/editorialNote', value: 'via the CLI user' }]);
    const submitted = await fetch(`${server.origin}/d/`, { method: 'PATCH', headers: auth, body: patch });
    expect(submitted.status).toBe(202);
    const location = submitted.headers.get('Location')!;
    expect((await fetch(`${location}merge`, { method: 'POST', headers: auth })).status).toBe(403);

    const grant = cli(server.origin, 'users', 'grant', '0000-0002-1825-0097', 'submit-patch', 'accept-patch');
    expect(grant.status, grant.stderr).toBe(0);
    expect(JSON.parse(grant.stdout).permissions).toEqual(['submit-patch', 'accept-patch']);
    expect((await fetch(`${location}merge`, { method: 'POST', headers: auth })).status).toBe(204);

    const expired = cli(server.origin, 'users', 'add', '--orcid=0000-0002-1825-0097', '--name=Josiah Carberry', '--token=cli-token', '--expires-in=-3600');
    expect(expired.status, expired.stderr).toBe(0);
    const refused = await fetch(`${server.origin}/d/`, { method: 'PATCH', headers: auth, body: patch });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('WWW-Authenticate')).toContain('The access token expired');
  });

  it('refuses bad commands and arguments with a message and a non-zero exit', () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['users', 'add', '--orcid', '0000-0002-1825-0097'], /needs --orcid, --name and --token/],
      [['users', 'grant', '0000-0002-1825-0097', 'be-king'], /unknown permission\(s\): be-king/],
      [['users', 'add', '--orcid', 'nope', '--name', 'x', '--token', 'y'], /Not an ORCID iD/],
      [['users', 'add', '--orcid=0000-0002-1825-0097', '--name=x', '--token=y', '--expires-in=soon'], /whole number of seconds/],
      [['load-data', join(root, 'package.json')], /not a PeriodO dataset: it has no "authorities" object/],
      [['load-data', '/no/such/file.json'], /cannot read/],
      [['audit', '--admin-token', 'wrong'], /401 The admin token is missing or wrong/],
    ];
    for (const [args, message] of cases) {
      const r = cli(server.origin, ...args);
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    const unreachable = spawnSync(process.execPath, ['scripts/periodo.ts', 'audit', '--url', 'http://127.0.0.1:9'], { cwd: root, encoding: 'utf8' });
    expect(unreachable.status).not.toBe(0);
    expect(unreachable.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});
