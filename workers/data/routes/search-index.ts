/**
 * `GET /search-index.json[?version=N]`: the compact, columnar index of one dataset version
 * that the web client searches in a Web Worker (format: workers/domain/search-index.ts).
 * Built from D1 on the first request for a version and kept in R2 (`search-index/v<N>.json`)
 * so later builds are reads; the edge cache keeps the head for a day (keyed by the head
 * version) and `?version=N` for a year.
 */
import type { Context, Hono } from 'hono';
import type { Env } from '../../env';
import { SearchIndexBuilder, SEARCH_INDEX_FORMAT } from '../../domain/search-index';
import { DatasetStore } from '../../storage/dataset-store';
import { httpDate, LONG_TIME, matchesIfNoneMatch, notModified, setMaxAge, SHORT_TIME, versionNotFound, versionParam } from '../responses';

type C = Context<{ Bindings: Env }>;

export const SEARCH_INDEX_PATH = '/search-index.json';

function r2Key(version: number): string {
  return `search-index/format-${SEARCH_INDEX_FORMAT}/v${version}.json`;
}

/** The index text of `version`, built from D1 (reading authorities page by page). */
export async function buildSearchIndexText(store: DatasetStore, version: number, created: string): Promise<string> {
  const builder = new SearchIndexBuilder(version, created);
  for await (const a of store.authoritiesAt(version)) {
    builder.addAuthority(JSON.parse(a.json) as Record<string, unknown>, [...a.periods.values()].map((p) => JSON.parse(p.json) as Record<string, unknown>));
  }
  return JSON.stringify(builder.build());
}

async function searchIndex(c: C): Promise<Response> {
  const url = new URL(c.req.url);
  const requested = versionParam(url);
  const store = new DatasetStore(c.env.DB);
  const row = requested === undefined ? await store.headVersionRow() : await store.version(requested);
  if (!row) return versionNotFound();
  const tag = `periodo-search-index-version-${row.id}`;
  if (matchesIfNoneMatch(c.req.raw, tag)) return notModified();

  const headers = new Headers({ 'Content-Type': 'application/json', 'Last-Modified': httpDate(row.createdAt), ETag: `W/"${tag}"` });
  if (requested === undefined) setMaxAge(headers, SHORT_TIME, true);
  else setMaxAge(headers, LONG_TIME);

  const stored = await c.env.EXPORTS.get(r2Key(row.id));
  if (stored) return new Response(stored.body, { headers });
  const text = await buildSearchIndexText(store, row.id, new Date(row.createdAt).toISOString());
  const put = c.env.EXPORTS.put(r2Key(row.id), text, { httpMetadata: { contentType: 'application/json' } }).catch((error) => {
    console.error(`storing the search index of version ${row.id} failed:`, error);
  });
  try {
    c.executionCtx.waitUntil(put);
  } catch {
    await put;
  }
  return new Response(text, { headers });
}

export function registerSearchIndexRoutes(app: Hono<{ Bindings: Env }>): void {
  app.get(SEARCH_INDEX_PATH, searchIndex);
}
