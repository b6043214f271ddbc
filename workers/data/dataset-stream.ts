/**
 * The dataset document, streamed out of D1 page by page: stored entity texts are
 * concatenated as they are, so neither the Worker nor D1 ever holds a whole version.
 */
import type { Env } from '../env';
import type { StoredAuthority, StoredMeta } from '../domain/merge';
import { pyJson } from '../domain/json-format';
import { DatasetStore } from '../storage/dataset-store';
import { batched, byteStream } from '../shared/streams';
import { primaryTopicOf, servedContext, type JsonObject, type Served } from './representation';

/** One authority's JSON text with its periods in place, plus members appended at the end. */
export function authorityText(a: StoredAuthority, extra: [string, unknown][] = []): string {
  const shell = JSON.parse(a.json) as JsonObject;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(shell)) {
    if (extra.some(([e]) => e === k)) continue;
    parts.push(`${JSON.stringify(k)}: ${k === 'periods' ? periodsText(a) : pyJson(v)}`);
  }
  for (const [k, v] of extra) parts.push(`${JSON.stringify(k)}: ${pyJson(v)}`);
  return `{${parts.join(', ')}}`;
}

function periodsText(a: StoredAuthority): string {
  const periods = [...a.periods.values()].sort((x, y) => x.position - y.position);
  return `{${periods.map((p) => `${JSON.stringify(p.id)}: ${p.json}`).join(', ')}}`;
}

export interface DatasetRendering {
  version: number;
  meta: StoredMeta | null;
  /** Absent: the stored document (inline context, nothing added). */
  served?: Served;
  inlineContext?: boolean;
  /** The `?version=` the client asked for, echoed in the context URL. */
  requestedVersion?: number;
}

async function* datasetChunks(store: DatasetStore, r: DatasetRendering): AsyncGenerator<string> {
  if (!r.meta) {
    yield '{}\n';
    return;
  }
  const doc = JSON.parse(r.meta.json) as JsonObject;
  if (r.served && '@context' in doc) {
    doc['@context'] = servedContext(r.served, doc['@context'], { version: r.requestedVersion, inline: r.inlineContext ?? false });
  }
  const entries = Object.entries(doc);
  yield '{';
  let first = true;
  for (const [k, v] of entries) {
    yield `${first ? '' : ', '}${JSON.stringify(k)}: `;
    first = false;
    if (k !== 'authorities') {
      yield pyJson(v);
      continue;
    }
    yield '{';
    let firstAuthority = true;
    for await (const a of store.authoritiesAt(r.version)) {
      yield `${firstAuthority ? '' : ', '}${JSON.stringify(a.id)}: ${authorityText(a)}`;
      firstAuthority = false;
    }
    yield '}';
  }
  if (r.served && entries.length > 0) yield `${first ? '' : ', '}"primaryTopicOf": ${pyJson(primaryTopicOf(r.served))}`;
  yield '}\n';
}

/** A byte stream of the dataset, pulled as the client reads (back-pressure bounds memory). */
export function datasetStream(store: DatasetStore, r: DatasetRendering): ReadableStream<Uint8Array> {
  return byteStream(batched(datasetChunks(store, r)), 'dataset stream');
}

/** A version (default: the head) exactly as stored: what the operator CLI diffs a load file against. */
export async function streamStoredDataset(env: Env, at?: number): Promise<Response> {
  const store = new DatasetStore(env.DB);
  const version = at ?? (await store.headVersion());
  const meta = await store.meta(version);
  return new Response(datasetStream(store, { version, meta }), {
    headers: { 'Content-Type': 'application/json', 'X-PeriodO-Dataset-Version': String(version) },
  });
}
