/**
 * Admin endpoints behind the operator CLI. They exist only where ADMIN_TOKEN is set
 * (otherwise every path answers the ordinary 404) and refuse any other token, compared
 * in constant time.
 */
import { clearDocumentSpans } from '../storage/document-span-store';
import { Hono } from 'hono';
import type { Env } from '../env';
import { jsonError } from '../shared/errors';
import { checkBodyHeaders, readBodyJson } from '../shared/request-body';
import { coordinator, settled } from './coordinator';
import { MAX_ADMIN_JSON_BYTES, MAX_LOAD_BYTES } from './limits';
import { auditHistory, auditVersion } from '../storage/audit';
import { environmentState } from '../storage/environment-state';
import { requestExports } from '../exports/enqueue';
import { logEvent } from '../shared/request-log';
import { DatasetStore } from '../storage/dataset-store';
import { database } from '../storage/db';
import { INITIAL_DATA_LOADER } from '../storage/patch-store';
import { isPermission, publicUser, setPermissions, upsertUser, type Permission } from '../storage/user-store';
import { streamStoredDataset } from './dataset-stream';
import { notFound } from './responses';
import { purgeEverything, purgeUrls } from '../cache/purge';

export const LOADER_USER = INITIAL_DATA_LOADER;

function timingSafeEqual(a: string, b: string): boolean {
  const enc = new TextEncoder();
  const x = enc.encode(a);
  const y = enc.encode(b);
  // Compare equal-length buffers so the time does not depend on where they differ.
  const length = Math.max(x.length, y.length);
  let diff = x.length ^ y.length;
  for (let i = 0; i < length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

function readJson(request: Request): Promise<unknown> {
  return readBodyJson(request, MAX_ADMIN_JSON_BYTES, 'An admin request body');
}

function orcidUri(orcid: string): string | null {
  const m = /^(?:https?:\/\/orcid\.org\/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$/.exec(orcid.trim());
  return m ? `https://orcid.org/${m[1]}` : null;
}

function permissionList(value: unknown): Permission[] | string {
  if (!Array.isArray(value) || !value.every((p) => typeof p === 'string')) return 'permissions must be a list of strings';
  const bad = value.filter((p) => !isPermission(p));
  if (bad.length) return `unknown permission(s): ${bad.join(', ')} (known: submit-patch, create-bag, accept-patch, create-graph)`;
  return [...new Set(value as Permission[])];
}

export const adminApp = new Hono<{ Bindings: Env }>();

adminApp.use('*', async (c, next) => {
  const configured = c.env.ADMIN_TOKEN;
  if (!configured) return notFound(c.req.raw);
  const header = c.req.header('Authorization') ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : '';
  if (!timingSafeEqual(token, configured)) {
    return jsonError(401, 'The admin token is missing or wrong.', { 'WWW-Authenticate': 'Bearer realm="PeriodO admin"' });
  }
  await next();
});

/** A version as stored (inline context, no served decorations; default the head): the CLI diffs against it. */
adminApp.get('/dataset', async (c) => {
  const raw = c.req.query('version');
  if (raw === undefined) return streamStoredDataset(c.env);
  if (!/^\d+$/.test(raw)) return jsonError(400, 'version must be a whole number.');
  if (!(await new DatasetStore(c.env.DB).version(Number(raw)))) return jsonError(404, `There is no version ${raw}.`);
  return streamStoredDataset(c.env, Number(raw));
});

/**
 * Recomputes content hashes from the rows and compares them with the recorded ones:
 * `?all` every version (workers/storage/audit.ts auditHistory), else one (default the head).
 */
adminApp.get('/audit', async (c) => {
  const store = new DatasetStore(c.env.DB);
  if (c.req.query('all') !== undefined) {
    const report = await auditHistory(c.env.DB);
    logEvent('audit', { ok: report.ok, head: report.head, versionsChecked: report.versionsChecked, problems: report.problems.slice(0, 20) }, report.ok ? 'info' : 'error');
    return c.json(report, 200);
  }
  const raw = c.req.query('version');
  const version = raw === undefined ? await store.headVersion() : /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (Number.isNaN(version)) return jsonError(400, 'version must be a whole number.');
  const report = await auditVersion(store, version);
  if (!report) return jsonError(404, `There is no version ${version}.`);
  return c.json(report, 200);
});

/** What promotion needs to know of an environment: its schema, its head, and whether it holds anything. */
adminApp.get('/state', async (c) => c.json(await environmentState(c.env.DB), 200));

/** Every version's id and recorded content hash, oldest first: an import proves itself against them. */
adminApp.get('/versions', async (c) => {
  const { results } = await c.env.DB.prepare('SELECT id, content_hash AS contentHash, authority_count AS authorities, period_count AS periods FROM versions ORDER BY id').all();
  return c.json(results, 200);
});

/**
 * After data was imported below the Worker (wrangler d1 execute): the DatasetCoordinator
 * forgets what it held, every cached response goes, and the head version's exports are
 * queued again. Idempotent.
 */
adminApp.post('/rebuild', async (c) => {
  await c.env.COORDINATOR.getByName('dataset').resetMemory();
  // The stored documents may no longer match the rows: large authorities are read from D1 until the next version is exported.
  await clearDocumentSpans(database(c.env.DB));
  const purge = await purgeEverything(c.env);
  const head = await new DatasetStore(c.env.DB).headVersion();
  const exports = head > 0 ? await requestExports(c.env, head) : [];
  logEvent('rebuild', { datasetVersion: head, purge: purge.ok, exportsQueued: exports });
  return c.json({ head, purge, exportsQueued: exports }, 200);
});

/**
 * Submits and merges a patch as the initial data loader, in one transaction.
 * `?exports=later`: a load's patch before its last, whose version's exports are not queued.
 */
adminApp.post('/load', async (c) => {
  const exports = c.req.query('exports');
  if (exports !== undefined && exports !== 'later') return jsonError(400, 'exports takes only the value "later" (queue no exports for this version).');
  const toRead = checkBodyHeaders(c.req.raw, MAX_LOAD_BYTES, 'A patch loaded by the operator');
  const loaded = await coordinator(c.env).load(c.req.raw.body, toRead, LOADER_USER, { queueExports: exports !== 'later' });
  return c.json(settled(loaded), 200);
});

adminApp.put('/users/:orcid', async (c) => {
  const id = orcidUri(c.req.param('orcid'));
  if (!id) return jsonError(400, 'Not an ORCID iD: expected 0000-0000-0000-000X or https://orcid.org/0000-0000-0000-000X.');
  const body = (await readJson(c.req.raw)) as { name?: unknown; token?: unknown; permissions?: unknown; expiresIn?: unknown };
  if (typeof body !== 'object' || body === null) return jsonError(400, 'The request body must be a JSON object.');
  if (typeof body.name !== 'string' || !body.name.trim()) return jsonError(400, 'name is required.');
  if (typeof body.token !== 'string' || !body.token) return jsonError(400, 'token is required.');
  let permissions: Permission[] | undefined;
  if (body.permissions !== undefined && body.permissions !== null) {
    const p = permissionList(body.permissions);
    if (typeof p === 'string') return jsonError(400, p);
    permissions = p;
  }
  let expiresAt: number | undefined;
  if (body.expiresIn !== undefined && body.expiresIn !== null) {
    if (typeof body.expiresIn !== 'number' || !Number.isInteger(body.expiresIn)) return jsonError(400, 'expiresIn must be a whole number of seconds.');
    expiresAt = Math.floor(Date.now() / 1000) + body.expiresIn;
  }
  const row = await upsertUser(database(c.env.DB), { id, name: body.name.trim(), token: body.token, permissions, expiresAt });
  return c.json(publicUser(row), 200);
});

adminApp.put('/users/:orcid/permissions', async (c) => {
  const id = orcidUri(c.req.param('orcid'));
  if (!id) return jsonError(400, 'Not an ORCID iD: expected 0000-0000-0000-000X or https://orcid.org/0000-0000-0000-000X.');
  const body = (await readJson(c.req.raw)) as { permissions?: unknown };
  const p = permissionList(body?.permissions);
  if (typeof p === 'string') return jsonError(400, p);
  const row = await setPermissions(database(c.env.DB), id, p);
  if (!row) return jsonError(404, `No user ${id}: add it first with "users add".`);
  return c.json(publicUser(row), 200);
});

/** `purge --all` / `purge URL...`: drops cached responses (see workers/cache/purge.ts). */
adminApp.post('/purge', async (c) => {
  const body = (await readJson(c.req.raw)) as { all?: unknown; urls?: unknown };
  if (typeof body !== 'object' || body === null) return jsonError(400, 'The request body must be a JSON object: {"all": true} or {"urls": [...]}.');
  if (body.all === true) return c.json(await purgeEverything(c.env), 200);
  if (!Array.isArray(body.urls) || body.urls.length === 0 || !body.urls.every((u) => typeof u === 'string')) {
    return jsonError(400, 'Give {"all": true} or {"urls": [...]} with one or more URLs (absolute, or paths on this host).');
  }
  const urls: string[] = [];
  for (const u of body.urls as string[]) {
    try {
      urls.push(new URL(u, c.req.url).toString());
    } catch {
      return jsonError(400, `Not a URL: ${u}`);
    }
  }
  return c.json(await purgeUrls(c.env, urls), 200);
});

adminApp.all('*', (c) => notFound(c.req.raw));
