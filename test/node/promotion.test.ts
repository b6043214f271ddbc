/**
 * Promotion between environments: export one local environment (its own state folder)
 * with `periodo export`, import it into a second, empty one with `periodo import`, and
 * compare what readers get from both. Also the refusals: a non-empty target, another
 * schema, a truncated or altered file. Two real local Workers (workerd, local D1/R2/Queues).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeScratchDir, scratchDir } from '../../scripts/lib/scratch-dir.ts';
import { startLocalWorker, type LocalWorker } from '../../scripts/lib/local-worker.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ADMIN = { Authorization: 'Bearer dev-admin-token' };
const USER_TOKEN = 'promotion-user-token';
const userAuth = { Authorization: `Bearer ${Buffer.from(USER_TOKEN).toString('base64')}` };

/** Runs the CLI in a child process; asynchronously, as the Workers are served from this process. */
function cli(worker: LocalWorker, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/periodo.ts', ...args, '--url', worker.url.toString()], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr, output: `${stdout}\n${stderr}` }));
  });
}

/** A body as another environment would serve it: its own origin (plain or URL-encoded) replaced. */
async function body(worker: LocalWorker, path: string, init: RequestInit = {}): Promise<string> {
  const response = await fetch(new URL(path, worker.url), init);
  expect(response.status, `${path} on ${worker.url}`).toBe(200);
  const origin = worker.url.origin;
  return (await response.text()).split(origin).join('{origin}').split(encodeURIComponent(origin)).join('{origin}');
}

let source: LocalWorker;
let target: LocalWorker;
let file = '';
const dir = scratchDir('periodo-promotion-');

beforeAll(async () => {
  [source, target] = await Promise.all([startLocalWorker(), startLocalWorker()]);
  // Three versions of the 2015 dataset (loaded in parts), a user's open patch request with a comment.
  const load = await cli(source, 'load-data', join(root, 'test/fixtures/periodo-2015.json'), '--max-periods', '700');
  expect(load.status, load.output).toBe(0);
  const user = await cli(source, 'users', 'add', '--orcid', '0000-0002-1825-0097', '--name', 'Josiah Carberry', '--token', USER_TOKEN);
  expect(user.status, user.output).toBe(0);
  const dataset = (await (await fetch(new URL('d.json', source.url))).json()) as { authorities: Record<string, { id: string; source: unknown }> };
  const authority = Object.keys(dataset.authorities)[0];
  const patch = [{ op: 'add', path: `/authorities/${authority}/note`, value: 'A note added for promotion' }];
  const submitted = await fetch(new URL('d.jsonld', source.url), { method: 'PATCH', headers: { ...userAuth, 'Content-Type': 'application/json' }, body: JSON.stringify(patch) });
  expect(submitted.status, await submitted.clone().text()).toBe(202);
  const comment = await fetch(new URL(`${new URL(submitted.headers.get('Location')!).pathname}messages`, source.url), {
    method: 'POST',
    headers: { ...userAuth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: 'Please promote me too.' }),
  });
  expect(comment.status, await comment.clone().text()).toBe(200);
  file = join(dir, 'source.periodo.sql');
}, 600_000);

afterAll(async () => {
  await Promise.all([source?.dispose(), target?.dispose()]);
  removeScratchDir(dir);
});

describe('export → import between two local environments', () => {
  it('exports the source environment with wrangler d1 export, users and tokens left out', async () => {
    const r = await cli(source, 'export', file, '--local', '--persist-to', source.persistDir);
    expect(r.status, r.output).toBe(0);
    expect(r.stdout).toMatch(/wrote .*: versions 0–3, \d+ rows, \d+ bytes/);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^-- periodo-export \{"format":1,"schema":"0005_blob_encoding.sql"/);
    expect(text).toMatch(/INSERT INTO "patch_request_comments"/);
    expect(text).not.toMatch(/INSERT INTO "(users|auth_states|export_jobs)"/);
    expect(text).not.toContain('Josiah Carberry');
  });

  it('imports into an empty environment, rebuilds it and proves it equals the source', async () => {
    const r = await cli(target, 'import', file, '--local', '--persist-to', target.persistDir);
    expect(r.status, r.output).toBe(0);
    expect(r.stdout).toContain('ok   content hash of every version: 4 versions match');
    expect(r.stdout).toContain('ok   audit of every version');
    expect(r.stdout).toMatch(/ok {3}GET \/admin\/dataset\?version=3: same body as the source/);
    expect(r.stdout).toMatch(/imported and verified: \d+ checks passed/);

    // What readers get is the same, version by version.
    for (const path of ['d.json', 'd.json?version=1', 'd.json?version=2', 'patches.json?limit=250', 'patches/4/', 'history.nt?full', 'identifier-map.json']) {
      expect(await body(target, path), path).toBe(await body(source, path));
    }
    // Users do not move: the feed names a contributor by ORCID iD until they sign in on the target.
    const orcid = 'https://orcid.org/0000-0002-1825-0097';
    expect(await body(target, 'feed.xml')).toBe((await body(source, 'feed.xml')).replaceAll('Josiah Carberry', orcid));
    expect(await body(target, 'feed.xml')).toContain(`<title>${orcid} commented on change #4</title>`);
    // The exports are rebuilt on the target, not copied.
    const ttl = await fetch(new URL('dataset.ttl', target.url));
    expect([200, 503]).toContain(ttl.status);
    // No user moved: the source's token means nothing on the target.
    expect((await fetch(new URL('identity.json', source.url), { headers: userAuth })).status).toBe(200);
    expect((await fetch(new URL('identity.json', target.url), { headers: userAuth })).status).toBe(401);
    // New work continues on the target from the imported head.
    const load = await cli(target, 'load-data', join(root, 'scripts/seed/demo-dataset.json'));
    expect(load.status, load.output).toBe(0);
    expect(load.stdout).toContain('merged as version 4');
    const audit = await cli(target, 'audit');
    expect(audit.status, audit.output).toBe(0);
  });

  it('refuses a target that is not empty', async () => {
    const r = await cli(target, 'import', file, '--local', '--persist-to', target.persistDir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^periodo: the target is not empty \(version 4; versions 5, .*\): an import only goes into a freshly migrated database/);
  });

  it('refuses a truncated or altered file before touching the target', async () => {
    const text = readFileSync(file, 'utf8');
    const cut = join(dir, 'cut.sql');
    writeFileSync(cut, text.slice(0, Math.floor(text.length / 2)));
    let r = await cli(target, 'import', cut, '--local', '--persist-to', target.persistDir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is truncated: its end marker is missing/);

    const altered = join(dir, 'altered.sql');
    writeFileSync(altered, text.replace('Please promote me too.', 'Please promote me two.'));
    r = await cli(target, 'import', altered, '--local', '--persist-to', target.persistDir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is damaged: its rows do not match the checksum/);

    const notExport = join(dir, 'other.sql');
    writeFileSync(notExport, 'INSERT INTO "versions" VALUES (1);\n');
    r = await cli(target, 'import', notExport, '--local', '--persist-to', target.persistDir);
    expect(r.stderr).toMatch(/is not a PeriodO export/);
  });

  it('refuses an export of another schema', async () => {
    const other = join(dir, 'old-schema.sql');
    writeFileSync(other, readFileSync(file, 'utf8').replace('"schema":"0005_blob_encoding.sql"', '"schema":"0004_document_spans.sql"'));
    const r = await cli(target, 'import', other, '--local', '--persist-to', target.persistDir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/schema mismatch: .* comes from schema 0004_document_spans.sql, the target is at 0005_blob_encoding.sql/);
  });
});
