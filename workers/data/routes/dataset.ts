/** The dataset (`/d`, `/d/`, `/d.json`, `/dataset/…`) and its context (`/c`, `/context…`). */
import type { Context, Hono } from 'hono';
import type { Env } from '../../env';
import { DatasetStore } from '../../storage/dataset-store';
import { datasetStream } from '../dataset-stream';
import { highlightJsonPage } from '../html-view';
import { chooseRepresentation, CONTENT_TYPES } from '../negotiation';
import { served } from '../representation';
import { notYetExported } from '../exports-pending';
import {
  badVersion,
  forwardedQuery,
  httpDate,
  jsonText,
  LONG_TIME,
  matchesIfNoneMatch,
  notFound,
  notModified,
  redirect,
  setMaxAge,
  SHORT_TIME,
  versionNotFound,
  versionParam,
} from '../responses';

type C = Context<{ Bindings: Env }>;

async function dataset(c: C): Promise<Response> {
  const request = c.req.raw;
  const url = new URL(request.url);
  const requested = versionParam(url);
  if (requested === null) return badVersion(url.searchParams.get('version') ?? '');
  const store = new DatasetStore(c.env.DB);
  const row = requested === undefined ? await store.headVersionRow() : await store.version(requested);
  if (!row) return versionNotFound();
  const tag = `periodo-dataset-version-${row.id}`;
  if (matchesIfNoneMatch(request, tag)) return notModified();

  const representation = chooseRepresentation(url.pathname, request.headers.get('Accept'), ['json', 'jsonld', 'ttl', 'csv']);
  const headers = new Headers({ 'Last-Modified': httpDate(row.createdAt), ETag: `W/"${tag}"` });
  if (representation !== 'json' && representation !== 'jsonld') {
    return notYetExported(representation);
  }
  headers.set('Content-Type', CONTENT_TYPES[representation]);
  headers.set('Content-Disposition', `attachment; filename="periodo-dataset${requested === undefined ? '' : `-v${requested}`}.${representation}"`);
  if (requested === undefined) setMaxAge(headers, SHORT_TIME, true);
  else setMaxAge(headers, LONG_TIME);
  const meta = await store.meta(row.id);
  const body = datasetStream(store, {
    version: row.id,
    meta,
    served: served(request, c.env),
    inlineContext: url.searchParams.has('inline-context'),
    requestedVersion: requested,
  });
  return new Response(body, { headers });
}

async function context(c: C): Promise<Response> {
  const request = c.req.raw;
  const url = new URL(request.url);
  const requested = versionParam(url);
  if (requested === null) return badVersion(url.searchParams.get('version') ?? '');
  const store = new DatasetStore(c.env.DB);
  const row = requested === undefined ? await store.headVersionRow() : await store.version(requested);
  if (!row) return versionNotFound();
  const tag = `periodo-context-version-${row.id}`;
  if (matchesIfNoneMatch(request, tag)) return notModified();
  const meta = await store.meta(row.id);
  const stored = meta ? (JSON.parse(meta.json) as Record<string, unknown>)['@context'] : undefined;
  if (stored === undefined) {
    return new Response(JSON.stringify({ code: 404, message: `Version ${row.id} of the dataset has no context.` }), {
      status: 404,
      headers: { 'Content-Type': 'application/json' },
    });
  }
  const headers = new Headers({ 'Last-Modified': httpDate(row.createdAt), ETag: `W/"${tag}"` });
  const representation = chooseRepresentation(url.pathname, request.headers.get('Accept'), ['json', 'html']);
  if (representation === 'html') {
    if (requested === undefined) setMaxAge(headers, 0);
    else setMaxAge(headers, LONG_TIME);
    headers.set('Link', '<>; rel="alternate"; type="application/json"');
    return redirect(request, `${url.pathname.replace(/\/$/, '')}.json.html${forwardedQuery(url)}`, 303, headers);
  }
  if (representation === 'json.html') {
    setMaxAge(headers, SHORT_TIME);
    headers.set('Content-Type', CONTENT_TYPES['json.html']);
    return new Response(highlightJsonPage({ '@context': stored }), { headers });
  }
  if (representation !== 'json') return notFound(request);
  if (requested === undefined) setMaxAge(headers, 0);
  else setMaxAge(headers, LONG_TIME);
  headers.set('Content-Type', 'application/json');
  return new Response(jsonText({ '@context': stored }), { headers });
}

export function registerDatasetRoutes(app: Hono<{ Bindings: Env }>): void {
  app.get('/d', (c) => redirect(c.req.raw, `/d/${forwardedQuery(new URL(c.req.url))}`, 303));
  app.get('/dataset', (c) => redirect(c.req.raw, `/dataset/${new URL(c.req.url).search}`, 308));
  // The reference's caching proxy answered these two itself.
  app.get('/d.ttl', (c) => redirect(c.req.raw, `/dataset.ttl${new URL(c.req.url).search}`, 301));
  app.get('/d.csv', (c) => redirect(c.req.raw, `/dataset.csv${new URL(c.req.url).search}`, 301));
  for (const path of ['/d/', '/dataset/', '/d.json', '/d.jsonld', '/dataset.json', '/dataset.jsonld', '/dataset.ttl', '/dataset.csv']) {
    app.get(path, dataset);
  }
  for (const path of ['/c', '/context', '/c.json', '/context.json', '/c.json.html', '/context.json.html']) {
    app.get(path, context);
  }
}
