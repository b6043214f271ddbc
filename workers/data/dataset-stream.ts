/**
 * The dataset document, streamed out of D1 page by page: stored entity texts are
 * concatenated as they are, so neither the Worker nor D1 ever holds a whole version.
 */
import type { Env } from '../env';
import type { StoredAuthority, StoredMeta } from '../domain/merge';
import { pyJson } from '../domain/json-format';
import { DatasetStore } from '../storage/dataset-store';
import type { AuthoritySpan } from '../storage/document-span-store';
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

/**
 * The members an authority's own representation appends to its text in the map:
 * `authorityText(a, extra)` is `authorityText(a)` without its last `}`, then this.
 * Holds only for an authority whose stored members do not include an `extra` key
 * (`spannable`), and whose text has at least one member.
 */
export function authorityTextTail(extra: [string, unknown][]): string {
  return `${extra.map(([k, v]) => `, ${JSON.stringify(k)}: ${pyJson(v)}`).join('')}}`;
}

/** Members an authority's representation appends (routes/entities.ts): a stored one would move. */
const APPENDED_KEYS = ['"@context"', '"primaryTopicOf"'];

const NON_ASCII = /[^\x00-\x7f]/;

/** UTF-8 length of a string, without encoding it (the export job counts every authority's). */
export function utf8Length(text: string): number {
  // Mostly ASCII: the engine's scan finds where counting has to start, if anywhere.
  const first = NON_ASCII.exec(text);
  if (!first) return text.length;
  let n = text.length;
  for (let i = first.index; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: two UTF-16 units, four bytes.
      n += 2;
      i++;
    } else n += 2; // (a lone surrogate is written as U+FFFD, three bytes)
  }
  return n;
}

/**
 * The authorities map of a version (`{"<id>": {…}, …}`), read from D1 page by page.
 * `spans`: where each authority of at least `minBytes` ends up, for authorities whose own
 * representation is their text here plus `authorityTextTail` (the export job records them).
 */
export async function* authoritiesMapChunks(
  store: DatasetStore,
  version: number,
  spans?: { minBytes: number; found: AuthoritySpan[] },
): AsyncGenerator<string> {
  yield '{';
  let bytes = 1;
  let first = true;
  for await (const a of store.authoritiesAt(version)) {
    const key = `${first ? '' : ', '}${JSON.stringify(a.id)}: `;
    const text = authorityText(a);
    if (spans) {
      const offset = bytes + utf8Length(key);
      const length = utf8Length(text);
      if (length >= spans.minBytes && text.length > 2 && !APPENDED_KEYS.some((k) => a.json.includes(k))) {
        spans.found.push({ authorityId: a.id, offset, length });
      }
      bytes = offset + length;
    }
    yield key + text;
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
