/**
 * The PeriodO data API (Hono). Reads come straight from D1; writes go through the
 * DatasetCoordinator. Every response carries the reference's CORS headers and
 * X-PeriodO-Server-Version.
 */
import { Hono } from 'hono';
import type { Env } from '../env';
import { cacheStatusHeader, edgeCache } from '../cache/middleware';
import { renderError } from '../shared/errors';
import { adminApp } from './admin';
import { notFound } from './responses';
import { registerCollectionRoutes } from './routes/collections';
import { registerDatasetRoutes, versionReadAhead } from './routes/dataset';
import { registerDescriptionRoutes } from './routes/description';
import { entityReadAhead, registerEntityRoutes } from './routes/entities';
import { registerHealthRoutes } from './routes/health';
import { registerIdentityRoutes } from './routes/identity';
import { registerProvenanceRoutes } from './routes/provenance';
import { registerRecordRoutes } from './routes/records';
import { registerPatchRoutes } from './routes/patches';
import { registerSearchIndexRoutes } from './routes/search-index';

export const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'If-Modified-Since, If-None-Match, Authorization, Content-Type',
  'Access-Control-Expose-Headers': 'Last-Modified, Location, Link, X-Total-Count, X-PeriodO-Server-Version, ETag',
  'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS',
};

export const dataApp = new Hono<{ Bindings: Env }>();

// The edge cache (workers/cache): X-Cache-Status on every response; GET/HEAD through caches.default.
dataApp.use('*', cacheStatusHeader);

dataApp.use('*', async (c, next) => {
  if (c.req.method === 'OPTIONS') {
    c.res = new Response(null, { status: 200, headers: { Allow: 'GET, HEAD, OPTIONS, PATCH, POST, PUT, DELETE' } });
  } else {
    await next();
  }
  // Add to the response as it is, so a known body length (R2 objects) survives; only
  // responses with immutable headers (fetched or cached ones) are copied first.
  let res = c.res;
  try {
    res.headers.set('X-PeriodO-Server-Version', c.env.SERVER_VERSION);
  } catch {
    res = new Response(c.res.body, c.res);
  }
  for (const [k, v] of Object.entries(CORS_HEADERS)) res.headers.set(k, v);
  res.headers.set('X-PeriodO-Server-Version', c.env.SERVER_VERSION);
  // The reference sends Date on every response (its tests check it); workerd does not add one.
  if (!res.headers.has('Date')) res.headers.set('Date', new Date().toUTCString());
  c.res = res;
});

// A cold dataset, context or entity read gets its first rows in the cache's generation read.
dataApp.use('*', edgeCache({ readAhead: (url, env) => versionReadAhead(url, env) ?? entityReadAhead(url, env) }));

dataApp.route('/admin', adminApp);
registerHealthRoutes(dataApp);
registerDescriptionRoutes(dataApp);
registerDatasetRoutes(dataApp);
registerRecordRoutes(dataApp);
registerPatchRoutes(dataApp);
registerProvenanceRoutes(dataApp);
registerIdentityRoutes(dataApp);
registerCollectionRoutes(dataApp);
registerSearchIndexRoutes(dataApp);
registerEntityRoutes(dataApp);

dataApp.notFound((c) => notFound(c.req.raw));

// Refusals are thrown as HttpError where the problem is found and rendered here.
dataApp.onError((error, c) => renderError(error, c.req.raw));
