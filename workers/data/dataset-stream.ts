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

/**
 * The served document around its authorities map: `head` runs up to and including
 * `"authorities": `, `tail` from just after the map to the final newline. Both depend on the
 * request (the served context, `primaryTopicOf`); the map is the same for every request
 * of a version, so it can be stored once (R2) and served between them. `map: false`: the
 * document has no authorities member and `head` is all of it.
 */
export interface DatasetFrame {
  head: string;
  tail: string;
  map: boolean;
}

export function datasetFrame(r: Omit<DatasetRendering, 'version'>): DatasetFrame {
  if (!r.meta) return { head: '{}\n', tail: '', map: false };
  const doc = JSON.parse(r.meta.json) as JsonObject;
  if (r.served && '@context' in doc) {
    doc['@context'] = servedContext(r.served, doc['@context'], { version: r.requestedVersion, inline: r.inlineContext ?? false });
  }
  const entries = Object.entries(doc);
  let text = '{';
  let head: string | null = null;
  entries.forEach(([k, v], i) => {
    text += `${i === 0 ? '' : ', '}${JSON.stringify(k)}: `;
    if (k === 'authorities' && head === null) {
      head = text;
      text = '';
    } else {
      text += pyJson(v);
    }
  });
  if (r.served && entries.length > 0) text += `, "primaryTopicOf": ${pyJson(primaryTopicOf(r.served))}`;
  text += '}\n';
  return head === null ? { head: text, tail: '', map: false } : { head, tail: text, map: true };
}

/** The authorities map of a version (`{"<id>": {…}, …}`), read from D1 page by page. */
export async function* authoritiesMapChunks(store: DatasetStore, version: number): AsyncGenerator<string> {
  yield '{';
  let first = true;
  for await (const a of store.authoritiesAt(version)) {
    yield `${first ? '' : ', '}${JSON.stringify(a.id)}: ${authorityText(a)}`;
    first = false;
  }
  yield '}';
}

async function* datasetChunks(store: DatasetStore, r: DatasetRendering): AsyncGenerator<string> {
  const frame = datasetFrame(r);
  yield frame.head;
  if (!frame.map) return;
  yield* authoritiesMapChunks(store, r.version);
  yield frame.tail;
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
