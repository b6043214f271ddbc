/**
 * `GET /search-index.json[?version=N]`: the compact, columnar index of one dataset version
 * that the web client searches in a Web Worker (format: workers/domain/search-index.ts).
 * The export queue builds it into R2 when a version is merged (workers/exports/search-index.ts);
 * until it is there, the dataset coordinator builds it, once per version however many
 * requests ask together. The edge cache keeps the head for a day (keyed by the head
 * version) and `?version=N` for a year.
 */
import type { Context, Hono } from 'hono';
import type { Env } from '../../env';
import { buildSearchIndexText, putSearchIndex, searchIndexKey } from '../../exports/search-index';
import { DatasetStore } from '../../storage/dataset-store';
import { waitUntil } from '../../shared/wait-until';
import { httpDate, LONG_TIME, matchesIfNoneMatch, notModified, setMaxAge, SHORT_TIME, versionNotFound, versionParam } from '../responses';

type C = Context<{ Bindings: Env }>;

export const SEARCH_INDEX_PATH = '/search-index.json';

/** The stored index of `version`, built first (by the coordinator, coalesced) when it is not in R2 yet. */
async function storedIndex(env: Env, store: DatasetStore, version: number, waitUntil: (p: Promise<unknown>) => void): Promise<ReadableStream | string> {
  const stored = await env.EXPORTS.get(searchIndexKey(version));
  if (stored) return stored.body;
  try {
    await env.COORDINATOR.getByName('dataset').ensureSearchIndex(version);
    const built = await env.EXPORTS.get(searchIndexKey(version));
    if (built) return built.body;
  } catch (error) {
    // The coordinator was interrupted (reset, evicted): build here rather than fail the reader.
    console.error(`the coordinator's build of the search index of version ${version} failed:`, error);
  }
  const text = await buildSearchIndexText(store, version);
  waitUntil(putSearchIndex(env, version, text).catch((error) => console.error(`storing the search index of version ${version} failed:`, error)));
  return text;
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
  return new Response(await storedIndex(c.env, store, row.id, (p) => waitUntil(c, p)), { headers });
}

export function registerSearchIndexRoutes(app: Hono<{ Bindings: Env }>): void {
  app.get(SEARCH_INDEX_PATH, searchIndex);
}
