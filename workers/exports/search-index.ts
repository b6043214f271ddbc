/**
 * The search index as an export: built from D1 (authorities page by page) into the text
 * `GET /search-index.json` serves, and kept in R2 under a key per index format and
 * version. The export queue builds it when a version is merged (job `search-index`); the
 * route falls back to asking the dataset coordinator to build it, so that concurrent first
 * requests for a version share one build.
 */
import { fairly } from '../shared/fair-share';
import type { Env } from '../env';
import { SearchIndexBuilder, SEARCH_INDEX_FORMAT } from '../domain/search-index';
import { DatasetStore } from '../storage/dataset-store';

/** Where a version's index lives in R2: immutable once written, one object per format and version. */
export function searchIndexKey(version: number): string {
  return `search-index/format-${SEARCH_INDEX_FORMAT}/v${version}.json`;
}

/** The index text of `version` (which must exist): the same bytes whoever builds it. */
export async function buildSearchIndexText(store: DatasetStore, version: number): Promise<string> {
  const row = await store.version(version);
  if (!row) throw new Error(`dataset version ${version} does not exist`);
  const builder = new SearchIndexBuilder(version, new Date(row.createdAt).toISOString());
  // A whole version's worth of JSON.parse: other requests get their turns (shared/fair-share.ts).
  for await (const a of fairly(store.authoritiesAt(version))) {
    builder.addAuthority(JSON.parse(a.json) as Record<string, unknown>, [...a.periods.values()].map((p) => JSON.parse(p.json) as Record<string, unknown>));
  }
  return JSON.stringify(builder.build());
}

/** Builds the index of `version` and puts it into R2 (a single put: the text is a few MB). */
export async function storeSearchIndex(env: Env, version: number): Promise<{ bytes: number; durationMs: number }> {
  const started = Date.now();
  const text = await buildSearchIndexText(new DatasetStore(env.DB), version);
  const bytes = await putSearchIndex(env, version, text);
  return { bytes, durationMs: Date.now() - started };
}

/** Puts an index text built for `version` into R2; returns its size in bytes. */
export async function putSearchIndex(env: Env, version: number, text: string): Promise<number> {
  const object = await env.EXPORTS.put(searchIndexKey(version), text, {
    httpMetadata: { contentType: 'application/json' },
    customMetadata: { version: String(version), format: 'search-index', generator: env.SERVER_VERSION },
  });
  return object?.size ?? new TextEncoder().encode(text).length;
}
