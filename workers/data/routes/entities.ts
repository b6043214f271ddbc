/**
 * Authorities (`/trgkv…`) and periods (`/trgkvwbjd…`): the abstract URI answers 303 by
 * Accept, the representations serve the entity at the head or at `?version=N`.
 */
import type { Context, Hono } from 'hono';
import type { Env } from '../../env';
import { isValidIdentifier, PREFIX } from '../../domain/identifiers';
import { DatasetStore, type AuthorityAtHead, type EntityWithMeta } from '../../storage/dataset-store';
import type { DocumentSpanRow } from '../../storage/document-span-store';
import type { StoredMeta } from '../../domain/merge';
import { exportKey } from '../../exports/enqueue';
import { partKey } from '../../exports/part-objects';
import { DOCUMENT_SOURCE } from '../dataset-document';
import { takeReadAhead, type ReadAhead } from '../../cache/read-ahead';
import { authorityText, authorityTextTail } from '../dataset-stream';
import { renderedDocument } from '../../exports/serve';
import { highlightJsonText } from '../html-view';
import { CONTENT_TYPES, entityMimetype, type Representation } from '../negotiation';
import { clientPage, primaryTopicOf, served, servedContext, type JsonObject, type Served } from '../representation';
import { forwardedQuery, gone, notFound, redirect, setMaxAge, SHORT_TIME, versionParam } from '../responses';
import { pyJson } from '../../domain/json-format';
import { bytesAnswer } from '../../cache/replay';

type C = Context<{ Bindings: Env }>;

const encoder = new TextEncoder();

const ENTITY_PATH = /^\/([^/.]{5}|[^/.]{9})(?:\.(json|jsonld|ttl|csv|nt|json\.html|jsonld\.html|ttl\.html))?$/;

function kindOf(raw: string): 'authority' | 'period' {
  return raw.length === 5 ? 'authority' : 'period';
}

function abstractEntity(c: C, raw: string): Response {
  const request = c.req.raw;
  if (!isValidIdentifier(PREFIX + raw, false)) return notFound(request);
  const s = served(request, c.env);
  const mimetype = entityMimetype(request.headers.get('Accept'));
  if (mimetype === null) {
    const location =
      kindOf(raw) === 'authority'
        ? clientPage(s, { page: 'authority-view', authorityID: PREFIX + raw })
        : clientPage(s, { page: 'period-view', authorityID: PREFIX + raw.slice(0, 5), periodID: PREFIX + raw });
    return redirect(request, location, 303);
  }
  return redirect(request, `/${raw}.${mimetype}${forwardedQuery(s.url)}`, 303);
}

async function entityRepresentation(c: C, raw: string, representation: Representation): Promise<Response> {
  const request = c.req.raw;
  const s = served(request, c.env);
  const id = PREFIX + raw;
  const kind = kindOf(raw);
  const requested = versionParam(s.url);
  const store = new DatasetStore(c.env.DB);

  if (requested !== undefined) {
    const last = await store.lastUpdate(kind, id, requested);
    if (last === null) return notFound(request);
    if (last !== requested) return redirect(request, `${s.url.pathname}?version=${last}`, 301);
  }
  // At the head, the edge cache may have read it already, with its key's generation.
  let read: EntityWithMeta | undefined;
  if (requested === undefined && kind === 'authority' && (representation === 'json' || representation === 'jsonld')) {
    const atHead = takeReadAhead<AuthorityAtHead>(request, authorityAtHeadKey(id));
    if (atHead?.value.span) {
      const fromDocument = await authorityFromDocument(c, raw, representation, atHead.value.span, extraMembers(s, atHead.value.meta, representation));
      if (fromDocument) return fromDocument;
    } else if (atHead) {
      read = atHead.value;
    }
  } else if (requested === undefined) {
    read = takeReadAhead<EntityWithMeta>(request, entityReadKey(id))?.value;
  }
  const { meta, entity } = read ?? (await store.entityWithMeta(kind, id, requested));
  if (!entity) {
    const known = await store.identifier(id);
    return known && known.kind === kind ? gone(id) : notFound(request);
  }
  const extra = extraMembers(s, meta, representation);

  let text: string;
  if ('periods' in entity) {
    text = authorityText(entity, extra);
  } else {
    const period = JSON.parse(entity.json) as JsonObject;
    period.authority = entity.authorityId;
    for (const [k, v] of extra) {
      delete period[k];
      period[k] = v;
    }
    text = pyJson(period);
  }

  const headers = new Headers({ 'Content-Type': CONTENT_TYPES[representation] });
  if (representation === 'json.html' || representation === 'jsonld.html') {
    setMaxAge(headers, SHORT_TIME);
    return new Response(highlightJsonText(text), { headers });
  }
  headers.set('Content-Disposition', disposition(kind, raw, representation, requested));
  if (isRdf(representation)) return renderedDocument(JSON.parse(text) as JsonObject, representation, headers);
  // The edge cache stores a large authority from these bytes after the answer, not from a tee of it.
  return bytesAnswer([encoder.encode(`${text}\n`)], headers);
}

function isRdf(representation: Representation): representation is 'ttl' | 'ttl.html' | 'csv' | 'nt' {
  return representation === 'ttl' || representation === 'ttl.html' || representation === 'csv' || representation === 'nt';
}

/** What an entity's representation adds to its stored members, last: `@context` and `primaryTopicOf`. */
function extraMembers(s: Served, meta: StoredMeta | null, representation: Representation): [string, unknown][] {
  const storedContext = meta ? (JSON.parse(meta.json) as JsonObject)['@context'] : undefined;
  const extra: [string, unknown][] = [];
  if (storedContext !== undefined) {
    // RDF is read from the JSON-LD this URL serves, with its context inline (the reference's translator got it so).
    extra.push(['@context', isRdf(representation) ? storedContext : servedContext(s, storedContext, { version: s.url.searchParams.get('version') ?? undefined, inline: false })]);
  }
  extra.push(['primaryTopicOf', primaryTopicOf(s)]);
  return extra;
}

function disposition(kind: 'authority' | 'period', raw: string, representation: Representation, requested: number | undefined): string {
  const name = `periodo-${kind}-${raw}${requested === undefined ? '' : `-v${requested}`}`;
  return `attachment; filename="${name}.${representation}"`;
}

/**
 * A large authority at the head, out of the head's JSON document in R2: its bytes there
 * (without the closing brace), then the members this URL adds. Byte for byte what its rows
 * give (`authorityText`). Null when the document is gone or does not hold those bytes: read it from D1.
 */
async function authorityFromDocument(c: C, raw: string, representation: 'json' | 'jsonld', span: DocumentSpanRow, extra: [string, unknown][]): Promise<Response | null> {
  const key = exportKey(span.version, 'json');
  const name = span.part === 1 ? key : partKey(key, span.part);
  let text: Uint8Array;
  try {
    // Read whole (at most a few hundred KB): the edge cache then stores it from these bytes, not from a second read.
    const object = await c.env.EXPORTS.get(name, { range: { offset: span.offset, length: span.length - 1 } });
    if (!object) return null;
    text = new Uint8Array(await object.arrayBuffer());
  } catch (error) {
    console.error(`${name}: reading authority ${raw} at bytes ${span.offset}+${span.length - 1} failed (${String(error)}); answering from D1`);
    return null;
  }
  if (text.byteLength !== span.length - 1) {
    console.error(`${name}: authority ${raw} should be ${span.length - 1} bytes at ${span.offset}, the object gave ${text.byteLength}; answering from D1`);
    return null;
  }
  const headers = new Headers({
    'Content-Type': CONTENT_TYPES[representation],
    'Content-Disposition': disposition('authority', raw, representation, undefined),
    [DOCUMENT_SOURCE]: 'r2',
  });
  return bytesAnswer([text, encoder.encode(`${authorityTextTail(extra)}\n`)], headers);
}

function entityReadKey(id: string): string {
  return `entity:${id}`;
}

function authorityAtHeadKey(id: string): string {
  return `authority-at-head:${id}`;
}

/** The first read of an entity's representation at the head: the entity and the meta (read-ahead.ts). */
export function entityReadAhead(url: URL, env: Env): ReadAhead | null {
  const m = ENTITY_PATH.exec(url.pathname);
  if (!m || !m[2] || url.searchParams.has('version')) return null;
  const id = PREFIX + m[1];
  const kind = kindOf(m[1]);
  const store = new DatasetStore(env.DB);
  // Its rows only when it is not located in the head's document; after the lookup, so a HIT never pays for them.
  if (kind === 'authority' && (m[2] === 'json' || m[2] === 'jsonld')) return { key: authorityAtHeadKey(id), read: store.authorityAtHeadRead(id), small: false };
  // A period is one row; an authority brings all its periods.
  return { key: entityReadKey(id), read: store.entityWithMetaRead(kind, id), small: kind === 'period' };
}

/** Registered last: any 5- or 9-character path segment not claimed by another route. */
export function registerEntityRoutes(app: Hono<{ Bindings: Env }>): void {
  app.get('*', async (c, next) => {
    const m = ENTITY_PATH.exec(new URL(c.req.url).pathname);
    if (!m) return next();
    const [, raw, suffix] = m;
    if (!suffix) return abstractEntity(c, raw);
    return entityRepresentation(c, raw, suffix as Representation);
  });
}
