/**
 * Contributions: submitting patches (`PATCH` on the dataset), the patch request list and
 * pages, updating a patch, comments, and review (merge / reject). Every write goes
 * through the DatasetCoordinator.
 */
import type { Context, Hono } from 'hono';
import type { Env } from '../../env';
import type { CoordinatorError } from '../../../durable-objects/dataset-coordinator';
import { DatasetStore } from '../../storage/dataset-store';
import { database } from '../../storage/db';
import { checkAgainstHead, comments, firstComments, listPatchRequests, patchRequest, w3cdtf, type PatchRequestRow } from '../../storage/patch-request-store';
import { parsePatch, InvalidPatchError } from '../../domain/patch';
import { coordinatorCall } from '../coordinator';
import { can, identify, requirePermission, type Identity } from '../auth';
import { jsonifyResponse, jsonText, notFound, redirect, resourceError } from '../responses';

type C = Context<{ Bindings: Env }>;

function refusal(result: CoordinatorError): Response {
  return resourceError(result.error.status, result.error.message);
}

function isRefusal(result: object): result is CoordinatorError {
  return 'error' in result;
}

/** The dataset URL the reference gives patch requests: `<origin>/dataset/?version=N`. */
function datasetUrl(origin: string, version: number): string {
  return `${origin}/dataset/?version=${version}`;
}

function summary(origin: string, row: PatchRequestRow, firstComment: string | null) {
  return {
    created_by: row.createdBy,
    created_at: w3cdtf(row.createdAt),
    updated_by: row.updatedBy,
    updated_at: w3cdtf(row.updatedAt),
    created_from: datasetUrl(origin, row.createdFromVersion),
    applied_to: row.appliedToVersion === null ? null : datasetUrl(origin, row.appliedToVersion),
    identifier_map: row.identifierMap ? JSON.parse(row.identifierMap) : null,
    open: row.open,
    merged: row.merged,
    first_comment: firstComment,
    url: `${origin}/patches/${row.id}/`,
    text: `${origin}/patches/${row.id}/patch.jsonpatch`,
  };
}

async function readPatchBody(c: C): Promise<string | Response> {
  const text = await c.req.text();
  try {
    parsePatch(text);
  } catch (error) {
    if (error instanceof InvalidPatchError) return resourceError(400, error.message);
    throw error;
  }
  return text;
}

async function submit(c: C): Promise<Response> {
  const identity = await requirePermission(c.req.raw, c.env, 'submit-patch');
  if (identity instanceof Response) return identity;
  const body = await readPatchBody(c);
  if (body instanceof Response) return body;
  const result = await coordinatorCall(c.env, 'submission', (d) => d.submitPatch(body, identity.user.id));
  if (isRefusal(result)) return refusal(result);
  return new Response(null, { status: 202, headers: { Location: new URL(`/patches/${result.patchRequestId}/`, c.req.url).toString() } });
}

function parseBool(value: string | undefined): boolean | undefined | null {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (['true', '1', 'yes', 'on', 't', 'y'].includes(v)) return true;
  if (['false', '0', 'no', 'off', 'f', 'n'].includes(v)) return false;
  return null;
}

function parseIntParam(value: string | undefined, fallback: number): number | null {
  if (value === undefined) return fallback;
  return /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : null;
}

async function list(c: C): Promise<Response> {
  const url = new URL(c.req.url);
  const q = (k: string) => url.searchParams.get(k) ?? undefined;
  const sort = q('sort') ?? 'updated_at';
  const order = q('order') ?? 'desc';
  const open = parseBool(q('open'));
  const merged = parseBool(q('merged'));
  let limit = parseIntParam(q('limit'), 25);
  let offset = parseIntParam(q('from'), 0);
  if (sort !== 'created_at' && sort !== 'updated_at') return resourceError(422, 'sort must be created_at or updated_at.');
  if (order !== 'asc' && order !== 'desc') return resourceError(422, 'order must be asc or desc.');
  if (open === null || merged === null) return resourceError(422, 'open and merged must be true or false.');
  if (limit === null || offset === null) return resourceError(422, 'limit and from must be whole numbers.');
  if (limit < 0) limit = 25;
  if (limit > 250) limit = 250;
  if (offset < 0) offset = 0;

  const db = database(c.env.DB);
  const { rows, total } = await listPatchRequests(db, { open, merged, sort, order, limit, offset });
  const page = rows.slice(0, limit);
  const firsts = await firstComments(db, page.map((r) => r.id));
  const body = page.map((r) => summary(url.origin, r, firsts.get(r.id) ?? null));

  const links: string[] = [];
  const base = `${url.origin}/patches/`;
  const params = () => {
    const p = new URLSearchParams();
    for (const [k, v] of url.searchParams) if (!p.has(k)) p.set(k, v);
    return p;
  };
  if (offset > 0) {
    const p = params();
    const from = offset - limit;
    if (from <= 0) p.delete('from');
    else p.set('from', String(from));
    const qs = p.toString();
    links.push(`<${base}${qs ? `?${qs}` : ''}>; rel="prev"`);
  }
  if (rows.length > limit) {
    const p = params();
    p.set('from', String(offset + limit));
    links.push(`<${base}?${p.toString()}>; rel="next"`);
  }
  const headers = new Headers({
    'Content-Type': 'application/json',
    'Content-Disposition': 'attachment; filename="periodo-patches.json"',
    'X-Total-Count': String(total),
  });
  if (links.length) headers.set('Link', links.join(', '));
  return new Response(jsonText(body), { headers });
}

async function one(c: C, id: number): Promise<Response> {
  const db = database(c.env.DB);
  const row = await patchRequest(db, id);
  if (!row) return notFound(c.req.raw);
  const origin = new URL(c.req.url).origin;
  const store = new DatasetStore(c.env.DB);
  const [rowComments, patchText, identity] = await Promise.all([comments(db, id), store.readBlob(row.originalPatchBlob), identify(c.req.raw, c.env)]);
  let mergeable = false;
  if (row.open && patchText !== null) {
    try {
      mergeable = (await checkAgainstHead(store, parsePatch(patchText))).applies;
    } catch {
      mergeable = false;
    }
  }
  const body = {
    ...summary(origin, row, rowComments[0]?.message ?? null),
    mergeable,
    comments: rowComments.map((cm) => ({ author: cm.author, message: cm.message, posted_at: w3cdtf(cm.postedAt) })),
  };
  const headers: Record<string, string> = {};
  if (can(identity, 'accept-patch')) headers.Link = `</patches/${id}/merge>;rel="merge"`;
  return jsonifyResponse(body, 200, headers);
}

async function patchText(c: C, id: number): Promise<Response> {
  const row = await patchRequest(database(c.env.DB), id);
  if (!row) return notFound(c.req.raw);
  const text = await new DatasetStore(c.env.DB).readBlob(row.merged && row.appliedPatchBlob ? row.appliedPatchBlob : row.originalPatchBlob);
  return new Response(text ?? '[]', { headers: { 'Content-Type': 'application/json' } });
}

/** Its creator may change an open patch, and so may anyone who can merge it. */
function mayUpdate(identity: Identity, row: PatchRequestRow): boolean {
  return row.createdBy === identity.user.id || identity.permissions.includes('accept-patch');
}

async function updatePatch(c: C, id: number): Promise<Response> {
  const identity = await requirePermission(c.req.raw, c.env, 'submit-patch');
  if (identity instanceof Response) return identity;
  const row = await patchRequest(database(c.env.DB), id);
  if (!row) return notFound(c.req.raw);
  if (!mayUpdate(identity, row)) return resourceError(403, 'Only the submitter of a patch or an editor may change it.');
  const body = await readPatchBody(c);
  if (body instanceof Response) return body;
  const result = await coordinatorCall(c.env, 'patch update', (d) => d.updatePatch(id, body, identity.user.id));
  if (isRefusal(result)) return refusal(result);
  return new Response(null, { status: 200 });
}

async function review(c: C, id: number, action: 'merge' | 'reject'): Promise<Response> {
  const identity = await requirePermission(c.req.raw, c.env, 'accept-patch');
  if (identity instanceof Response) return identity;
  const result = await coordinatorCall(c.env, action, (d) => (action === 'merge' ? d.mergePatch(id, identity.user.id) : d.rejectPatch(id, identity.user.id)));
  if (isRefusal(result)) return jsonifyResponse({ message: result.error.message }, result.error.status);
  return new Response(null, { status: 204 });
}

async function addMessage(c: C, id: number): Promise<Response> {
  const identity = await requirePermission(c.req.raw, c.env, 'submit-patch');
  if (identity instanceof Response) return identity;
  let message: unknown;
  try {
    message = (JSON.parse(await c.req.text()) as { message?: unknown })?.message;
  } catch {
    return jsonifyResponse({ message: 'Request data could not be parsed as JSON.' }, 400);
  }
  if (typeof message !== 'string' || !message.trim()) return jsonifyResponse({ message: 'No message present in request data.' }, 400);
  const result = await coordinatorCall(c.env, 'comment', (d) => d.addComment(id, identity.user.id, message));
  if (isRefusal(result)) return jsonifyResponse({ message: result.error.message }, result.error.status);
  return new Response(null, { status: 200, headers: { Location: new URL(`/patches/${id}/`, c.req.url).toString() } });
}

/** `PATCH` is accepted on every path the reference registers the dataset resource on. */
export const DATASET_PATCH_PATHS = [
  '/d/',
  '/dataset/',
  ...['json', 'jsonld', 'ttl', 'csv'].flatMap((s) => [`/d.${s}`, `/dataset.${s}`]),
];

export function registerPatchRoutes(app: Hono<{ Bindings: Env }>): void {
  for (const path of DATASET_PATCH_PATHS) app.patch(path, submit);
  app.get('/patches', (c) => redirect(c.req.raw, `/patches/${new URL(c.req.url).search}`, 308));
  app.get('/patches/', list);
  app.get('/patches.json', list);

  const withId = (handler: (c: C, id: number) => Promise<Response>) => (c: C) => {
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id < 1) return notFound(c.req.raw);
    return handler(c, id);
  };
  app.get('/patches/:id{[0-9]+}', (c) => redirect(c.req.raw, `/patches/${c.req.param('id')}/`, 308));
  app.get('/patches/:id{[0-9]+}/', withId(one));
  app.get('/patches/:id{[0-9]+}.json', withId(one));
  app.get('/patches/:id{[0-9]+}/patch.jsonpatch', withId(patchText));
  app.get('/patches/:id{[0-9]+}/patch.json', withId(patchText));
  app.put('/patches/:id{[0-9]+}/patch.jsonpatch', withId(updatePatch));
  app.put('/patches/:id{[0-9]+}/patch.json', withId(updatePatch));
  app.post('/patches/:id{[0-9]+}/merge', withId((c, id) => review(c, id, 'merge')));
  app.post('/patches/:id{[0-9]+}/reject', withId((c, id) => review(c, id, 'reject')));
  app.post('/patches/:id{[0-9]+}/messages', withId(addMessage));
}
