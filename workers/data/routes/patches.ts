/**
 * Contributions: submitting patches (`PATCH` on the dataset), the patch request list and
 * pages, updating a patch, comments, and review (merge / reject). Every write goes
 * through the DatasetCoordinator.
 */
import type { Context, Hono } from 'hono';
import type { Env } from '../../env';
import { DatasetStore } from '../../storage/dataset-store';
import { database } from '../../storage/db';
import { mergeableNow, comments, firstComments, listPatchRequests, patchRequest, w3cdtf, type PatchRequestRow } from '../../storage/patch-request-store';
import { appliedPatch, parsePatch } from '../../domain/patch';
import { checkJsonLimits, JsonLimitError } from '../../domain/json-limits';
import { HttpError } from '../../shared/errors';
import { readBodyText } from '../../shared/request-body';
import { can, insufficientScope, optionalIdentity, requirePermission, type Identity } from '../auth';
import { coordinator, settled } from '../coordinator';
import { MAX_COMMENT_BYTES, MAX_COMMENT_DEPTH, MAX_PATCH_BYTES } from '../limits';
import { jsonifyResponse, jsonText, notFound, redirect, resourceFailure, wholeNumberParam } from '../responses';

type C = Context<{ Bindings: Env }>;

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

/** The request's patch text (413 over the limit), refused with 400 unless it is a JSON Patch. */
async function readPatchBody(c: C): Promise<string> {
  const text = await readBodyText(c.req.raw, MAX_PATCH_BYTES, 'A patch');
  parsePatch(text);
  return text;
}

async function submit(c: C): Promise<Response> {
  const identity = await requirePermission(c.req.raw, c.env, 'submit-patch');
  const body = await readPatchBody(c);
  const result = settled(await coordinator(c.env).submitPatch(body, identity.user.id));
  return new Response(null, { status: 202, headers: { Location: new URL(`/patches/${result.patchRequestId}/`, c.req.url).toString() } });
}

function parseBool(value: string | undefined): boolean | undefined | null {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (['true', '1', 'yes', 'on', 't', 'y'].includes(v)) return true;
  if (['false', '0', 'no', 'off', 'f', 'n'].includes(v)) return false;
  return null;
}

/** A whole-number query parameter (a negative one counts as 0); 422 for anything else. */
function countParam(url: URL, name: 'limit' | 'from', fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const negative = /^\s*-\d+\s*$/.test(raw);
  if (negative) return -1;
  return wholeNumberParam(url, name, name === 'limit' ? 'a number of patch requests' : 'the position of the first patch request') ?? fallback;
}

async function list(c: C): Promise<Response> {
  const url = new URL(c.req.url);
  const q = (k: string) => url.searchParams.get(k) ?? undefined;
  const sort = q('sort') ?? 'updated_at';
  const order = q('order') ?? 'desc';
  const open = parseBool(q('open'));
  const merged = parseBool(q('merged'));
  if (sort !== 'created_at' && sort !== 'updated_at') throw resourceFailure(422, 'sort must be created_at or updated_at.');
  if (order !== 'asc' && order !== 'desc') throw resourceFailure(422, 'order must be asc or desc.');
  if (open === null || merged === null) throw resourceFailure(422, 'open and merged must be true or false.');
  let limit = countParam(url, 'limit', 25);
  let offset = countParam(url, 'from', 0);
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
  const [rowComments, patchText, identity] = await Promise.all([comments(db, id), store.readBlob(row.originalPatchBlob), optionalIdentity(c.req.raw, c.env)]);
  let mergeable = false;
  if (row.open && patchText !== null) {
    try {
      mergeable = await mergeableNow(store, parsePatch(patchText));
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

function patchJson(text: string | null): Response {
  return new Response(text ?? '[]', { headers: { 'Content-Type': 'application/json' } });
}

async function patchText(c: C, id: number): Promise<Response> {
  const row = await patchRequest(database(c.env.DB), id);
  if (!row) return notFound(c.req.raw);
  const store = new DatasetStore(c.env.DB);
  // Merges before 30 November 2026 stored the applied patch; later ones rebuild it from the
  // submitted patch and the identifier map they recorded.
  if (row.merged && row.appliedPatchBlob) return patchJson(await store.readBlob(row.appliedPatchBlob));
  const submitted = await store.readBlob(row.originalPatchBlob);
  if (!row.merged || submitted === null) return patchJson(submitted);
  const recorded = JSON.parse(row.identifierMap ?? '{}') as Record<string, string>;
  return patchJson(JSON.stringify(appliedPatch(parsePatch(submitted), recorded)));
}

/**
 * As the reference: the creator of an *open* request may change its patch (its
 * UpdatePatchPermission covers only open requests they created). Here editors may too.
 */
function mayUpdate(identity: Identity, row: PatchRequestRow): boolean {
  return (row.createdBy === identity.user.id && row.open) || identity.permissions.includes('accept-patch');
}

async function updatePatch(c: C, id: number): Promise<Response> {
  const identity = await requirePermission(c.req.raw, c.env, 'submit-patch');
  const row = await patchRequest(database(c.env.DB), id);
  if (!row) return notFound(c.req.raw);
  if (!mayUpdate(identity, row)) throw insufficientScope();
  const body = await readPatchBody(c);
  settled(await coordinator(c.env).updatePatch(id, body, identity.user.id));
  return new Response(null, { status: 200 });
}

async function review(c: C, id: number, action: 'merge' | 'reject'): Promise<Response> {
  const identity = await requirePermission(c.req.raw, c.env, 'accept-patch');
  settled(action === 'merge' ? await coordinator(c.env).mergePatch(id, identity.user.id) : await coordinator(c.env).rejectPatch(id, identity.user.id));
  return new Response(null, { status: 204 });
}

function commentRefusal(message: string): HttpError {
  return new HttpError(400, message, {}, { message });
}

async function addMessage(c: C, id: number): Promise<Response> {
  const identity = await requirePermission(c.req.raw, c.env, 'submit-patch');
  const text = await readBodyText(c.req.raw, MAX_COMMENT_BYTES, 'A comment (its JSON request body)');
  let message: unknown;
  try {
    checkJsonLimits(text, MAX_COMMENT_DEPTH);
    message = (JSON.parse(text) as { message?: unknown })?.message;
  } catch (error) {
    if (error instanceof JsonLimitError) throw commentRefusal(`Request data is not accepted: ${error.message}`);
    throw commentRefusal('Request data could not be parsed as JSON.');
  }
  if (typeof message !== 'string' || !message.trim()) throw commentRefusal('No message present in request data.');
  settled(await coordinator(c.env).addComment(id, identity.user.id, message));
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
