/**
 * Bags (`/bags/…`: user-defined, versioned sets of periods) and graphs (`/graphs/…`:
 * versioned JSON-LD documents, e.g. gazetteers of places, grouped by path prefix).
 * Reads come from D1; writes go through the DatasetCoordinator, which versions them.
 */
import type { Context, Hono } from 'hono';
import type { Env } from '../../env';
import {
  dumpOrdered,
  isObject,
  JsonSyntaxError,
  openDocument,
  parseOrdered,
  type OrderedJson,
  type OrderedObject,
} from '../../domain/ordered-json';
import { DatasetStore } from '../../storage/dataset-store';
import { database } from '../../storage/db';
import { bagUuids, blobPieces, currentGraphs, currentPeriods, findBag, findGraph, type GraphRow } from '../../storage/collection-store';
import { requirePermission } from '../auth';
import { datasetStream } from '../dataset-stream';
import { highlightJsonPage, highlightJsonText } from '../html-view';
import { chooseRepresentation, CONTENT_TYPES } from '../negotiation';
import {
  forwardedQuery,
  httpDate,
  jsonText,
  LONG_TIME,
  matchesIfNoneMatch,
  MEDIUM_TIME,
  notFound,
  notModified,
  redirect,
  setMaxAge,
  SHORT_TIME,
  versionParam,
} from '../responses';
import { HttpError, jsonError } from '../../shared/errors';
import { readBodyText } from '../../shared/request-body';
import { decodePathText } from '../../shared/paths';
import { coordinator, settled } from '../coordinator';
import { MAX_DOCUMENT_BYTES } from '../limits';
import { purgeGraph } from '../../cache/purge';
import { byteStream } from '../../shared/streams';

type C = Context<{ Bindings: Env }>;

const DEFAULT_ARK_BASE = 'http://n2t.net/ark:/99152/';


const encoder = new TextEncoder();

/** A refusal with the reference's `{"message": …}` body. */
function refuse(status: number, text: string): never {
  throw new HttpError(status, text, {}, { message: text });
}

function methodNotAllowed(allow: string): Response {
  return jsonError(405, `This resource answers only ${allow}.`, { Allow: allow });
}

/** The request body as ordered JSON: 413 over the limit, 400 (with where and why) when not JSON. */
async function readDocument(request: Request, what: string): Promise<OrderedJson> {
  const text = await readBodyText(request, MAX_DOCUMENT_BYTES, what);
  try {
    return parseOrdered(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw new HttpError(400, 'Request data could not be parsed as JSON.', {}, { message: 'Request data could not be parsed as JSON.', detail: error.message, status: 400 });
  }
}


// ---------------------------------------------------------------------------------------
// Bags
// ---------------------------------------------------------------------------------------

/** Werkzeug's uuid converter: the 8-4-4-4-12 hex form, any case; served lowercase. */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function bagPath(url: URL): { uuid: string; suffix: 'json' | 'json.html' | null } | null {
  let key = url.pathname.slice('/bags/'.length);
  let suffix: 'json' | 'json.html' | null = null;
  if (key.endsWith('.json.html')) {
    suffix = 'json.html';
    key = key.slice(0, -'.json.html'.length);
  } else if (key.endsWith('.json')) {
    suffix = 'json';
    key = key.slice(0, -'.json'.length);
  }
  return UUID_RE.test(key) ? { uuid: key.toLowerCase(), suffix } : null;
}

async function bagList(c: C): Promise<Response> {
  const request = c.req.raw;
  const url = new URL(request.url);
  const representation = chooseRepresentation(url.pathname, request.headers.get('Accept'), ['json', 'html']);
  if (representation === 'html') {
    return redirect(request, `/bags.json.html${forwardedQuery(url)}`, 303, { Link: '<>; rel="alternate"; type="application/json"' });
  }
  const list = (await bagUuids(database(c.env.DB))).map((uuid) => `${url.origin}/bags/${uuid}`);
  if (representation === 'json.html') {
    const headers = new Headers({ 'Content-Type': CONTENT_TYPES['json.html'] });
    setMaxAge(headers, SHORT_TIME);
    return new Response(highlightJsonPage(list), { headers });
  }
  if (representation !== 'json') return notFound(request);
  return new Response(jsonText(list), { headers: { 'Content-Type': 'application/json' } });
}

/** Item ids of a bag document: a list of ids, or (as a bag's JSON-LD has it) an object keyed by id. */
function itemIds(items: OrderedJson | undefined): OrderedJson[] | null {
  if (Array.isArray(items)) return items;
  if (isObject(items)) return [...items.keys()];
  return null;
}

async function bagGet(c: C): Promise<Response> {
  const request = c.req.raw;
  const url = new URL(request.url);
  const path = bagPath(url);
  if (!path) return notFound(request);
  const requested = versionParam(url);
  const db = database(c.env.DB);
  const row = await findBag(db, path.uuid, requested);
  if (!row) return notFound(request);
  const tag = `bag-${path.uuid}-version-${row.version}`;
  if (matchesIfNoneMatch(request, tag)) return notModified();

  const headers = new Headers({ 'Last-Modified': httpDate(row.createdAt), ETag: `W/"${tag}"` });
  const representation = path.suffix ?? chooseRepresentation(url.pathname, request.headers.get('Accept'), ['json', 'html']);
  if (representation === 'html') {
    headers.set('Link', '<>; rel="alternate"; type="application/json"');
    setMaxAge(headers, requested === undefined ? 0 : LONG_TIME);
    return redirect(request, `${url.pathname}.json.html${forwardedQuery(url)}`, 303, headers);
  }

  const store = new DatasetStore(c.env.DB);
  const stored = await store.readBlob(row.blob);
  if (stored === null) throw new Error(`bag ${path.uuid} version ${row.version}: its document ${row.blob} is missing`);
  const bag = parseOrdered(stored) as OrderedObject;
  // Periods are shown as they are now (the reference does the same), each with its authority.
  const ids = (itemIds(bag.get('items')) ?? []).filter((id): id is string => typeof id === 'string');
  const { found } = await currentPeriods(db, ids);
  const items: OrderedObject = new Map();
  for (const id of ids) {
    const period = found.get(id);
    if (!period) {
      items.set(id, null);
      continue;
    }
    const value = parseOrdered(period.json) as OrderedObject;
    value.set('authority', period.authorityId);
    items.set(id, value);
  }
  bag.set('@id', `p0bags/${path.uuid}`);
  bag.set('creator', row.createdBy);
  bag.set('items', items);
  const text = `${dumpOrdered(bag)}\n`;

  if (representation === 'json.html') {
    headers.set('Content-Type', CONTENT_TYPES['json.html']);
    setMaxAge(headers, SHORT_TIME);
    return new Response(highlightJsonText(text), { headers });
  }
  headers.set('Content-Type', 'application/json');
  setMaxAge(headers, requested === undefined ? 0 : LONG_TIME);
  return new Response(text, { headers });
}

async function bagPut(c: C): Promise<Response> {
  const request = c.req.raw;
  const url = new URL(request.url);
  const path = bagPath(url);
  if (!path) return notFound(request);
  const identity = await requirePermission(request, c.env, 'create-bag');

  const doc = await readDocument(request, 'A bag');
  if (!isObject(doc)) return refuse(400, 'A bag must be a JSON object with a title and items.');
  const title = doc.get('title');
  if (title === undefined || title === null || title === '') return refuse(400, 'A bag must have a title');
  const ids = itemIds(doc.get('items'));
  if (ids === null || ids.length < 2) return refuse(400, 'A bag must have at least two items');
  for (const id of ids) {
    if (typeof id !== 'string') return refuse(400, `No resource with key: ${dumpOrdered(id)}`);
  }
  const { missingKey } = await currentPeriods(database(c.env.DB), ids as string[]);
  for (const id of ids as string[]) {
    const key = missingKey.get(id);
    if (key !== undefined) return refuse(400, `No resource with key: ${key}`);
  }

  // The bag's context: the dataset's context URL first, then the bag's own terms with the dataset's @base.
  const store = new DatasetStore(c.env.DB);
  const meta = await store.meta(await store.headVersion());
  const datasetContext = meta ? (JSON.parse(meta.json) as { '@context'?: { '@base'?: unknown } })['@context'] : undefined;
  const base = typeof datasetContext?.['@base'] === 'string' ? datasetContext['@base'] : DEFAULT_ARK_BASE;
  const contextUrl = c.env.CANONICAL === 'true' ? `${base}p0c` : `${url.origin}/c`;
  const bagContext = doc.has('@context') ? doc.get('@context')! : new Map();
  let contexts: OrderedJson[];
  if (Array.isArray(bagContext)) {
    contexts = [...bagContext];
    if (!contexts.includes(contextUrl)) contexts.unshift(contextUrl);
    const last = contexts[contexts.length - 1];
    if (isObject(last)) {
      const copy: OrderedObject = new Map(last);
      copy.set('@base', base);
      contexts[contexts.length - 1] = copy;
    } else {
      contexts.push(new Map([['@base', base]]));
    }
  } else if (isObject(bagContext)) {
    const own: OrderedObject = new Map(bagContext);
    own.set('@base', base);
    contexts = [contextUrl, own];
  } else {
    return refuse(400, "A bag's @context must be an object or a list.");
  }
  doc.set('@context', contexts);

  const result = settled(await coordinator(c.env).putBag({ uuid: path.uuid, userId: identity.user.id, document: openDocument(doc, 'wasRevisionOf') }));
  return new Response(null, { status: 201, headers: { Location: `${url.origin}/bags/${path.uuid}?version=${result.version}` } });
}

// ---------------------------------------------------------------------------------------
// Graphs
// ---------------------------------------------------------------------------------------

/** Path segments of a graph id: RFC 3986 path characters that need no escaping. */
const GRAPH_SEGMENT = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]+$/;

/** The graph id (or prefix) of a `/graphs/…` path: decoded, one `.json` suffix removed. */
function graphKey(url: URL): string | null {
  let key = decodePathText(url.pathname.slice('/graphs/'.length));
  if (key === null) return null;
  if (key.endsWith('.json')) key = key.slice(0, -'.json'.length);
  return key;
}

function validGraphId(id: string): boolean {
  return id.split('/').every((s) => GRAPH_SEGMENT.test(s) && s !== '.' && s !== '..');
}

function containerHead(url: string): string {
  return `{"@context": {"@version": 1.1, "graphs": {"@id": ${JSON.stringify(url)}, "@container": ["@graph", "@id"]}}, "graphs": {`;
}

async function* graphEntries(db: ReturnType<typeof database>, origin: string, rows: GraphRow[]): AsyncGenerator<string> {
  let first = true;
  for (const row of rows) {
    yield `${first ? '' : ', '}${JSON.stringify(`${origin}/graphs/${row.id}`)}: `;
    first = false;
    if (row.blob) yield* blobPieces(db, row.blob);
    else yield 'null';
  }
}

/** Drops the final newline of a byte stream (the dataset's text ends with one). */
async function* withoutFinalNewline(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  let held = false;
  for await (const chunk of stream) {
    if (held) yield encoder.encode('\n');
    held = chunk.length > 0 && chunk[chunk.length - 1] === 0x0a;
    const body = held ? chunk.subarray(0, chunk.length - 1) : chunk;
    if (body.length) yield body;
  }
}

function containerResponse(body: AsyncGenerator<string | Uint8Array>, filename: string, headers = new Headers()): Response {
  headers.set('Content-Type', 'application/json');
  headers.set('Content-Disposition', `attachment; filename="${filename}.json"`);
  setMaxAge(headers, MEDIUM_TIME);
  return new Response(byteStream(body), { headers });
}

/** `/graphs/`: every graph (latest, not deleted) and, last, the dataset as stored at its head. */
async function graphList(c: C): Promise<Response> {
  const url = new URL(c.req.url);
  const db = database(c.env.DB);
  const store = new DatasetStore(c.env.DB);
  const rows = await currentGraphs(db);
  const version = await store.headVersion();
  const meta = await store.meta(version);
  async function* body(): AsyncGenerator<string | Uint8Array> {
    yield containerHead(`${url.origin}/graphs/`);
    yield* graphEntries(db, url.origin, rows);
    yield `${rows.length ? ', ' : ''}${JSON.stringify(`${url.origin}/d/`)}: `;
    yield* withoutFinalNewline(datasetStream(store, { version, meta }));
    yield '}}\n';
  }
  return containerResponse(body(), 'periodo-graphs');
}

async function graphGet(c: C): Promise<Response> {
  const request = c.req.raw;
  const url = new URL(request.url);
  const key = graphKey(url);
  if (key === null) return notFound(request);
  if (key === '') return graphList(c);
  const db = database(c.env.DB);
  const filename = `periodo-graph-${key.replace(/\//g, '-')}`;

  // A path with graphs below it is their container (whatever ?version says).
  const prefix = key.endsWith('/') ? key.slice(0, -1) : key;
  const group = prefix ? await currentGraphs(db, prefix) : [];
  if (group.length) {
    async function* body(): AsyncGenerator<string> {
      yield containerHead(`${url.origin}/graphs/${prefix}/`);
      yield* graphEntries(db, url.origin, group);
      yield '}}\n';
    }
    return containerResponse(body(), filename);
  }

  const requested = versionParam(url);
  const row = await findGraph(db, key, requested);
  if (!row || !row.blob) return notFound(request);
  const tag = `graph-${key}-version-${row.version}`;
  if (matchesIfNoneMatch(request, tag)) return notModified();
  const graphUrl = `${url.origin}/graphs/${key}${requested === undefined ? '' : `?version=${requested}`}`;
  const headers = new Headers({ 'Last-Modified': httpDate(row.createdAt), ETag: `W/"${tag}"` });
  if (requested !== undefined) setMaxAge(headers, LONG_TIME);
  const blob = row.blob;
  async function* body(): AsyncGenerator<string> {
    yield `${containerHead(graphUrl)}${JSON.stringify(graphUrl)}: `;
    yield* blobPieces(db, blob);
    yield '}}\n';
  }
  return containerResponse(body(), requested === undefined ? filename : `${filename}-v${requested}`, headers);
}

async function graphPut(c: C): Promise<Response> {
  const request = c.req.raw;
  const url = new URL(request.url);
  const id = graphKey(url);
  if (!id) return notFound(request);
  const identity = await requirePermission(request, c.env, 'create-graph');
  if (id.endsWith('/')) return refuse(400, 'graph uri path cannot end in /');
  if (!validGraphId(id)) {
    return refuse(400, "A graph path is made of segments separated by '/', each of letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @ only.");
  }
  const doc = await readDocument(request, 'A graph');
  if (!isObject(doc)) return refuse(400, 'A graph must be a JSON object.');
  const document = openDocument(doc, 'wasRevisionOf');
  const result = settled(await coordinator(c.env).putGraph({ id, userId: identity.user.id, origin: url.origin, document }));
  // The graph, its containers and /graphs/ (awaited: the writer's next read sees the change). Never throws.
  await purgeGraph(c.env, id, { origin: url.origin });
  return new Response(null, { status: 201, headers: { Location: `${url.origin}/graphs/${id}?version=${result.version}` } });
}

async function graphDelete(c: C): Promise<Response> {
  const request = c.req.raw;
  const id = graphKey(new URL(request.url));
  if (!id) return notFound(request);
  await requirePermission(request, c.env, 'create-graph');
  const result = settled(await coordinator(c.env).deleteGraph(id));
  if (!result.deleted) return notFound(request);
  await purgeGraph(c.env, id, { origin: new URL(request.url).origin });
  return new Response(null, { status: 204 });
}

/** Registered before the entity routes (which claim any 5- or 9-character path). */
export function registerCollectionRoutes(app: Hono<{ Bindings: Env }>): void {
  app.get('/bags', (c) => redirect(c.req.raw, `/bags/${new URL(c.req.url).search}`, 308));
  for (const path of ['/bags/', '/bags.json', '/bags.json.html']) {
    app.get(path, bagList);
    app.all(path, () => methodNotAllowed('GET, HEAD, OPTIONS'));
  }
  app.get('/bags/:key', bagGet);
  app.put('/bags/:key', bagPut);
  app.all('/bags/:key', () => methodNotAllowed('GET, HEAD, OPTIONS, PUT'));

  app.get('/graphs', (c) => redirect(c.req.raw, `/graphs/${new URL(c.req.url).search}`, 308));
  app.get('/graphs/', graphList);
  app.get('/graphs.json', graphList);
  app.all('/graphs/', () => methodNotAllowed('GET, HEAD, OPTIONS'));
  app.all('/graphs.json', () => methodNotAllowed('GET, HEAD, OPTIONS'));
  app.get('/graphs/*', graphGet);
  app.put('/graphs/*', graphPut);
  app.delete('/graphs/*', graphDelete);
  app.all('/graphs/*', () => methodNotAllowed('DELETE, GET, HEAD, OPTIONS, PUT'));
}
