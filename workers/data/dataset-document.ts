/**
 * The body of `/d.json`, `/d.jsonld`, `?inline-context` and `?version=N`: the request's own
 * head and tail (served context, `primaryTopicOf`) around the version's authorities map.
 * The map is written once per version into R2 by the export consumer (`exports/v<N>/
 * authorities.json`) and streamed from there, with a Content-Length and single byte ranges;
 * until it exists the map is streamed out of D1 page by page and its job is queued (once).
 * Both are the same bytes: the consumer writes the chunks the D1 stream yields.
 */
import type { Env } from '../env';
import { bytesAnswer, replayable } from '../cache/replay';
import { exportKey, requestExports } from '../exports/enqueue';
import { partBodies, partLayout, type Body, type LaterBody } from '../exports/part-objects';
import { batched, byteStream } from '../shared/streams';
import type { DatasetStore } from '../storage/dataset-store';
import { authoritiesMapChunks, datasetFrame, type DatasetRendering } from './dataset-stream';

const encoder = new TextEncoder();

/** A byte range of a representation `total` bytes long: inclusive `start`, `end`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * One range of a `Range: bytes=…` header, or `null` to ignore the header (absent, another
 * unit, several ranges, malformed — RFC 9110 lets a server answer those in full), or
 * `'unsatisfiable'` (416).
 */
export function parseRange(header: string | null, total: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, total - suffix), end: total - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? total - 1 : Math.min(Number(m[2]), total - 1);
  if (m[2] !== '' && Number(m[2]) < start) return null;
  if (start >= total) return 'unsatisfiable';
  return { start, end };
}

/** What an answer is made of: bytes, a body, or a part's body read when its turn comes. */
type Part = Uint8Array | Body | LaterBody;

/**
 * Writes the parts one after another into a stream of known length (so Content-Length is
 * sent). The R2 body is piped natively (`pipeTo` between two system streams: no JavaScript
 * per chunk), which halves the CPU of a 1.2 MB answer against a read/write loop. A part read
 * later is opened while the one before it is piped: never more than two open at once.
 */
function concatenated(parts: Part[], length: number): { readable: ReadableStream<Uint8Array>; sent: Promise<void> } {
  const { readable, writable } = new FixedLengthStream(length);
  const opened = new Map<number, Promise<Body>>();
  const open = (i: number): Promise<Body> | null => {
    const part = parts[i];
    if (typeof part !== 'function') return null;
    let body = opened.get(i);
    if (!body) {
      body = part();
      body.catch(() => undefined); // (awaited, or cancelled below)
      opened.set(i, body);
    }
    return body;
  };
  const sent = (async () => {
    try {
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        if (part instanceof Uint8Array) {
          if (!part.byteLength) continue;
          const writer = writable.getWriter();
          await writer.write(part);
          writer.releaseLock();
          continue;
        }
        const body = typeof part === 'function' ? await open(i)! : part;
        const next = parts.findIndex((p, j) => j > i && typeof p === 'function');
        if (next >= 0) open(next);
        await body.pipeTo(writable, { preventClose: true });
      }
      await writable.close();
    } catch (error) {
      for (const [i, part] of parts.entries()) {
        if (part instanceof ReadableStream) void part.cancel(error).catch(() => undefined);
        else void opened.get(i)?.then((body) => body.cancel(error)).catch(() => undefined);
      }
      await writable.abort(error).catch(() => undefined);
    }
  })();
  return { readable, sent };
}

export interface DocumentRequest {
  env: Env;
  store: DatasetStore;
  request: Request;
  rendering: DatasetRendering;
  /** Headers already decided (type, ETag, Last-Modified, disposition, cache policy). */
  headers: Headers;
  /** Keeps background work (queueing the map's job) alive after the answer. */
  waitUntil(promise: Promise<unknown>): void;
  /** The map's R2 object when the caller already asked for it (alongside its D1 reads). */
  object?: Promise<R2ObjectBody | null>;
}

export type DocumentSource = 'r2' | 'd1';
/** Which store the map of an answer came from (tests and benchmarks read it). */
export const DOCUMENT_SOURCE = 'X-PeriodO-Document-Source';

/**
 * A whole answer up to this size is read into memory, sent, and stored in the edge cache
 * from the same bytes. A larger one is piped from R2, and the cache's copy read again
 * afterwards; locally that second read held up the first answer's last bytes by ~20 ms at
 * 1.2 MB (docs/dataset-reads.md). 2 MiB: the 1.8k-period dataset, not the 10k one.
 */
const IN_MEMORY_BYTES = 2 * 1024 * 1024;

export async function serveDatasetDocument(d: DocumentRequest): Promise<Response> {
  const frame = datasetFrame(d.rendering);
  const headers = new Headers(d.headers);
  headers.set('Accept-Ranges', 'bytes');
  const head = encoder.encode(frame.head);
  if (!frame.map) return finish(d, headers, [head], head.byteLength, null).response;
  const tail = encoder.encode(frame.tail);
  const key = exportKey(d.rendering.version, 'json');
  const rangeHeader = d.request.method === 'GET' ? d.request.headers.get('Range') : null;

  // A range, or a HEAD, needs the map's size before (or instead of) reading it; otherwise one read does.
  const headOnly = d.request.method === 'HEAD';
  let object: R2ObjectBody | R2Object | null;
  if (rangeHeader || headOnly) {
    void d.object?.then((o) => o?.body.cancel());
    object = await d.env.EXPORTS.head(key);
  } else {
    object = await (d.object ?? d.env.EXPORTS.get(key));
  }
  // From D1 while the document does not exist (or lost a part: logged, and answered all the same).
  const fromD1 = () => {
    headers.set(DOCUMENT_SOURCE, 'd1');
    headers.delete('Accept-Ranges');
    headers.delete('Content-Range');
    const body = byteStream(batched(frameAround(frame.head, authoritiesMapChunks(d.store, d.rendering.version), frame.tail)), 'dataset stream');
    return new Response(headOnly ? null : body, { status: 200, headers });
  };
  const queueDocument = (first?: Promise<void>) =>
    d.waitUntil(
      (first ?? Promise.resolve())
        .then(() => requestExports(d.env, d.rendering.version, ['json']))
        .catch((error: unknown) => console.error(`queueing the JSON document of version ${d.rendering.version} failed: ${String(error)}`)),
    );
  if (!object) {
    queueDocument();
    return fromD1();
  }
  const mapSize = partLayout(object).size;
  const total = head.byteLength + mapSize + tail.byteLength;
  const range = parseRange(rangeHeader, total);
  if (range === 'unsatisfiable') {
    headers.set('Content-Range', `bytes */${total}`);
    return new Response(null, { status: 416, headers });
  }
  /** The map's bodies covering [from, to), or null when a part is gone. */
  const mapParts = async (first: R2Object | R2ObjectBody | null, from: number, to: number) => {
    const bodies = first && (await partBodies(d.env.EXPORTS, key, first, from, to));
    if (!bodies) {
      // Written again whole: its job finds no document (a job that finds one leaves it be).
      console.error(`${key}: a part of the JSON document of version ${d.rendering.version} is missing; answering from D1 and writing it again`);
      queueDocument(d.env.EXPORTS.delete(key));
    }
    return bodies;
  };
  headers.set(DOCUMENT_SOURCE, 'r2');
  if (headOnly) return finish(d, headers, [], total, null).response;
  if (!range && 'body' in object && partLayout(object).parts === 1 && total <= IN_MEMORY_BYTES) {
    // Small enough to hold: the answer and the edge cache's copy come from one read.
    return bytesAnswer([head, new Uint8Array(await object.arrayBuffer()), tail], headers);
  }
  if (!range) {
    // A Range header ignored (several ranges, …): the whole map after all.
    const bodies = await mapParts('body' in object ? object : await d.env.EXPORTS.get(key), 0, mapSize);
    if (!bodies) return fromD1();
    const { response, sent } = finish(d, headers, [head, ...bodies, tail], total, null);
    // The edge cache may store a large answer from a second read, once this one is sent.
    return replayable(response, async () => {
      await sent;
      const again = await d.env.EXPORTS.get(key);
      const bodies = again && (await partBodies(d.env.EXPORTS, key, again, 0, mapSize));
      return bodies && finish(d, headers, [head, ...bodies, tail], total, null).response;
    });
  }

  // The parts of head, map and tail the range covers.
  const { start, end } = range;
  const mapStart = head.byteLength;
  const mapEnd = mapStart + mapSize; // exclusive
  const parts: Part[] = [];
  if (start < mapStart) parts.push(head.subarray(start, Math.min(end + 1, mapStart)));
  if (end >= mapStart && start < mapEnd) {
    const bodies = await mapParts(object, Math.max(start, mapStart) - mapStart, Math.min(end + 1, mapEnd) - mapStart);
    if (!bodies) return fromD1();
    parts.push(...bodies);
  }
  if (end >= mapEnd) parts.push(tail.subarray(Math.max(0, start - mapEnd), end + 1 - mapEnd));
  headers.set('Content-Range', `bytes ${start}-${end}/${total}`);
  return finish(d, headers, parts, end - start + 1, 206).response;
}

async function* frameAround(head: string, map: AsyncGenerator<string>, tail: string): AsyncGenerator<string> {
  yield head;
  yield* map;
  yield tail;
}

function finish(
  d: DocumentRequest,
  headers: Headers,
  parts: Part[],
  length: number,
  status: 206 | null,
): { response: Response; sent: Promise<void> } {
  const h = new Headers(headers);
  // Stated too, so it survives the edge cache's tee of the body.
  h.set('Content-Length', String(length));
  if (d.request.method === 'HEAD') {
    for (const p of parts) if (p instanceof ReadableStream) void p.cancel();
    return { response: new Response(null, { status: status ?? 200, headers: h }), sent: Promise.resolve() };
  }
  const { readable, sent } = concatenated(parts, length);
  return { response: new Response(readable, { status: status ?? 200, headers: h }), sent };
}
