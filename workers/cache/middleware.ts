/**
 * The edge cache in front of the data app (what the reference's nginx proxy did): GET and
 * HEAD answers kept in `caches.default` under keys derived in keys.ts, following the
 * policies of policy.ts. Every data-app response carries `X-Cache-Status`:
 * HIT (served from the cache, including a 304 for a matching If-None-Match), MISS (built
 * by the app; stored if cacheable), EXPIRED (an entry was found past its edge lifetime and
 * was rebuilt), BYPASS (not cacheable: other methods, authenticated requests, byte ranges,
 * private routes).
 */
import { fairBytes, tick } from '../shared/fair-share';
import type { Context, MiddlewareHandler, Next } from 'hono';
import type { Env } from '../env';
import { versionParam } from '../data/responses';
import { currentGenerations, generationsWith, noteHeadSeen } from './generations';
import { noteReadAhead, type ReadAheadOf } from './read-ahead';
import { acceptKey, cacheKey, generationFor, type Generations } from './keys';
import { classify, edgeTtl, pathTag, scopedTags, type KeyMode } from './policy';
import { recordSeen, recordStored } from './registry';
import { replayOf } from './replay';
import { atMost, noteWriting, writeOf } from './pending-writes';
import { waitUntil } from '../shared/wait-until';

type C = Context<{ Bindings: Env }>;

export const CACHE_STATUS = 'X-Cache-Status';
/** The response's own Cache-Control, restored on a HIT (the stored one drives the edge). */
const CLIENT_CACHE_CONTROL = 'X-PeriodO-Cache-Client-Control';
/** When the entry's edge lifetime ends (ms since the epoch); past it the entry is EXPIRED. */
const EDGE_EXPIRES = 'X-PeriodO-Cache-Expires';
const NONE = '-';
/** Entries are stored gzipped (smaller, and served as they are to clients that accept gzip). */
const STORED_ENCODING = 'X-PeriodO-Cache-Encoding';
/** Up to this size the end of a MISS waits for its entry to be written. */
const WAIT_FOR_STORE_BYTES = 256 * 1024;
/** Headers of a stored entry that are the cache's own, never a client's. */
const STORAGE_HEADERS = [CLIENT_CACHE_CONTROL, EDGE_EXPIRES, STORED_ENCODING, 'Cache-Tag', 'CF-Cache-Status', 'Age', 'Date', 'Warning', 'Expires', CACHE_STATUS];

function defaultCache(): Cache | null {
  try {
    return typeof caches === 'undefined' ? null : caches.default;
  } catch {
    return null;
  }
}

function setHeader(c: C, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(name, value);
  }
}

function etagMatches(request: Request, etag: string | null): boolean {
  const header = request.headers.get('If-None-Match');
  if (!header || !etag) return false;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((part) => {
    const t = part.trim();
    return t === '*' || t.replace(/^W\//, '') === opaque;
  });
}

/** A stored entry as the client gets it: the app's own headers, no storage headers. */
function fromEntry(request: Request, entry: Response): Response {
  const headers = new Headers(entry.headers);
  const clientCacheControl = headers.get(CLIENT_CACHE_CONTROL);
  for (const h of STORAGE_HEADERS) headers.delete(h);
  headers.delete('Cache-Control');
  if (clientCacheControl && clientCacheControl !== NONE) headers.set('Cache-Control', clientCacheControl);
  if (etagMatches(request, headers.get('ETag'))) {
    void entry.body?.cancel();
    // As the app answers it: a bare 304 (the global middleware adds CORS, Date, version).
    return new Response(null, { status: 304 });
  }
  if (request.method === 'HEAD') {
    void entry.body?.cancel();
    return new Response(null, { status: entry.status, headers });
  }
  if (entry.headers.get(STORED_ENCODING) !== 'gzip' || !entry.body) return new Response(entry.body, { status: entry.status, headers });
  headers.append('Vary', 'Accept-Encoding');
  if (acceptsGzip(request)) {
    headers.set('Content-Encoding', 'gzip');
    // The stored bytes are already gzip: sent as they are, not encoded again.
    return new Response(entry.body, { status: entry.status, headers, encodeBody: 'manual' });
  }
  return new Response(entry.body.pipeThrough(new DecompressionStream('gzip')), { status: entry.status, headers });
}

/**
 * Whether the client itself accepts gzip. Cloudflare (and wrangler dev's proxy) may
 * replace the Accept-Encoding a Worker sees; the client's own header is then
 * `cf.clientAcceptEncoding` (locally "" when the client sent none).
 */
function acceptsGzip(request: Request): boolean {
  const clientHeader = (request.cf as { clientAcceptEncoding?: unknown } | undefined)?.clientAcceptEncoding;
  const header = typeof clientHeader === 'string' ? clientHeader : request.headers.get('Accept-Encoding');
  return (header ?? '').split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)/.exec(p)).find(Boolean);
    return (coding === 'gzip' || coding === '*') && (!q || Number(q[1]) > 0);
  });
}

function isFresh(entry: Response): boolean {
  const expires = Number(entry.headers.get(EDGE_EXPIRES));
  return Number.isFinite(expires) && expires > Date.now();
}

/** The dataset version a dataset or context response says it is (its ETag), if any. */
function datasetVersion(response: Response): number | null {
  const m = /^W\/"periodo-(?:dataset|context)-version-(\d+)"$/.exec(response.headers.get('ETag') ?? '');
  return m ? Number(m[1]) : null;
}

/**
 * Stores `response` under `key` while it streams to the client: the body is teed, and the
 * client's copy ends only once the entry is written, so a client that has read a MISS to
 * the end gets a HIT next. A failed write is logged; the client's answer is unaffected.
 */
function storedHeaders(response: Response, ttl: number, tags: string[]): Headers {
  const stored = new Headers(response.headers);
  for (const h of STORAGE_HEADERS) stored.delete(h);
  stored.set(CLIENT_CACHE_CONTROL, response.headers.get('Cache-Control') ?? NONE);
  // What the Cache API obeys: kept a little past the edge lifetime so expiry can be reported.
  stored.set('Cache-Control', `public, max-age=${ttl + Math.min(ttl, 3600)}`);
  stored.set(EDGE_EXPIRES, String(Date.now() + ttl * 1000));
  stored.set('Cache-Tag', tags.join(','));
  return stored;
}

/** `cache.match`, after the write of the same entry by this isolate, if one is under way. */
export async function lookup(cache: Cache, key: string): Promise<Response | undefined> {
  await writeOf(key);
  return cache.match(key);
}

/**
 * An answer the app can build again (replay.ts: the dataset from R2, an entity's bytes):
 * sent to the client untouched, and stored from a fresh copy (the replay starts once the
 * client's copy is sent), so a cold reader pays neither the tee nor the compression and
 * write of the entry. The copy gives the event loop a turn every few milliseconds
 * (fairBytes), so the answer's last bytes still on their way to the socket are not held
 * up behind it.
 */
function storeAfterwards(c: C, cache: Cache, key: string, response: Response, ttl: number, tags: string[], accept: string | null, replay: () => Promise<Response | null>): Response {
  const url = new URL(c.req.url);
  const write = async () => {
    // The answer's bytes first: its last ones may still wait for the socket.
    await tick();
    const fresh = await replay();
    if (!fresh?.body || fresh.status !== response.status) {
      void fresh?.body?.cancel();
      return;
    }
    const stored = storedHeaders(fresh, ttl, tags);
    stored.set(STORED_ENCODING, 'gzip');
    stored.delete('Content-Length');
    await cache.put(key, new Response(fresh.body.pipeThrough(fairBytes()).pipeThrough(new CompressionStream('gzip')), { status: fresh.status, headers: stored }));
    recordStored(key, tags, url.origin, accept);
  };
  waitUntil(c, noteWriting(key, write().catch((error: unknown) => console.error(`edge cache: storing ${c.req.url} failed: ${String(error)}`))));
  // A HIT of this entry is gzip-encoded for clients that accept it.
  let client = response;
  try {
    client.headers.append('Vary', 'Accept-Encoding');
  } catch {
    client = new Response(response.body, response);
    client.headers.append('Vary', 'Accept-Encoding');
  }
  return client;
}

function storeWhileStreaming(c: C, cache: Cache, key: string, response: Response, ttl: number, tags: string[], accept: string | null): Response {
  const stored = storedHeaders(response, ttl, tags);
  let clientBody: ReadableStream | null = null;
  let cacheBody: ReadableStream | null = null;
  if (response.body && !response.headers.has('Content-Encoding')) {
    [clientBody, cacheBody] = response.body.tee();
    cacheBody = cacheBody.pipeThrough(new CompressionStream('gzip'));
    stored.set(STORED_ENCODING, 'gzip');
    stored.delete('Content-Length');
  } else if (response.body) {
    [clientBody, cacheBody] = response.body.tee();
  }
  const url = new URL(c.req.url);
  const written = cache
    .put(key, new Response(cacheBody, { status: response.status, headers: stored }))
    .then(() => recordStored(key, tags, url.origin, accept))
    .catch((error: unknown) => console.error(`edge cache: storing ${c.req.url} failed: ${String(error)}`));
  waitUntil(c, written);
  // (atMost: a slow write must not hold the client's last bytes.)
  const settled = atMost(written);
  // Small answers end once stored, so the next request is a HIT; a large one (the dataset)
  // does not keep its reader waiting for the compression and write of its entry.
  let size = 0;
  const body =
    clientBody?.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          size += chunk.byteLength;
          controller.enqueue(chunk);
        },
        flush: () => (size <= WAIT_FOR_STORE_BYTES ? settled.then(() => undefined) : undefined),
      }),
    ) ?? null;
  const client = new Response(body, response);
  // A HIT of this entry is gzip-encoded for clients that accept it.
  if (stored.get(STORED_ENCODING) === 'gzip') client.headers.append('Vary', 'Accept-Encoding');
  return client;
}

/** Guarantees `X-Cache-Status` on every data-app response (BYPASS unless the cache said otherwise). */
export const cacheStatusHeader: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  await next();
  if (!c.res.headers.has(CACHE_STATUS)) setHeader(c, CACHE_STATUS, 'BYPASS');
};

/** The generations this isolate read last, per family: a guess, always checked against D1. */
const lastSeen = new Map<string, Generations>();

/**
 * The edge cache. `readAhead`: the app's first D1 read for a URL, made in the same batch as
 * the generation read: beside the lookup when it is small, once the lookup found no fresh
 * entry when it may be large (read-ahead.ts).
 */
export function edgeCache(options: { readAhead?: ReadAheadOf } = {}): MiddlewareHandler<{ Bindings: Env }> {
  return (c, next) => cached(c, next, options.readAhead);
}

async function cached(c: C, next: Next, readAheadOf: ReadAheadOf | undefined): Promise<void> {
  const request = c.req.raw;
  const method = request.method;
  const url = new URL(request.url);
  // Byte ranges are answered by the app (from R2), never from or into a whole stored entry.
  const policy = (method === 'GET' || method === 'HEAD') && !request.headers.has('Authorization') && !request.headers.has('Range') ? classify(url) : null;
  const cache = policy ? defaultCache() : null;
  if (!policy || !cache) {
    await next();
    setHeader(c, CACHE_STATUS, 'BYPASS');
    return;
  }

  const accept = acceptKey(request.headers.get('Accept'));
  recordSeen(url.origin, accept);
  const keyFor = (generation: string) => cacheKey(url, { serverVersion: c.env.SERVER_VERSION, accept, generation });
  const ahead = readAheadOf?.(url, c.env) ?? null;
  // The generations, and the route's own read when there is no fresh entry to serve.
  const readGenerations = async (entry: Response | undefined): Promise<Generations> => {
    if (!ahead || (entry && isFresh(entry))) return currentGenerations(c.env, policy.keyedBy);
    const [generations, value] = await generationsWith(c.env, policy.keyedBy, ahead.read);
    noteReadAhead(request, ahead.key, value);
    return generations;
  };

  let mode: KeyMode = policy.mode;
  let current: Generations = {};
  let key: string;
  let entry: Response | undefined;
  // A malformed ?version= is the app's to refuse (422); here it is simply not a version.
  let requested: number | undefined;
  try {
    requested = policy.versioned ? versionParam(url) : undefined;
  } catch {
    requested = undefined;
  }
  if (typeof requested === 'number') {
    // An immutable version needs no D1 read when it is already cached.
    mode = 'immutable';
    key = keyFor(generationFor(mode, current));
    entry = await lookup(cache, key);
    if (!entry) {
      current = await readGenerations(undefined);
      if (requested > (current.head ?? 0)) {
        // Not a version yet: answered (404) under the head, like any latest resource.
        mode = policy.mode;
        key = keyFor(generationFor(mode, current));
        entry = await lookup(cache, key);
      }
    }
  } else {
    // Look up the key of the generations this isolate saw last while D1 says what they are
    // now: when nothing changed (the usual case) the lookup is already done. A large read
    // ahead waits for that lookup: a HIT must not pay for the route's rows.
    const family = policy.keyedBy.join(',');
    const guess = lastSeen.get(family);
    const guessKey = guess ? keyFor(generationFor(mode, guess)) : null;
    let now: Generations;
    let guessed: Response | undefined;
    if (ahead && !ahead.small && guessKey) {
      guessed = await lookup(cache, guessKey);
      now = await readGenerations(guessed);
    } else {
      [now, guessed] = await Promise.all([readGenerations(undefined), guessKey ? lookup(cache, guessKey) : undefined]);
    }
    current = now;
    lastSeen.set(family, now);
    if (now.head !== undefined) noteHeadSeen(request, now.head);
    key = keyFor(generationFor(mode, current));
    if (key === guessKey) {
      entry = guessed;
    } else {
      void guessed?.body?.cancel();
      entry = await lookup(cache, key);
    }
  }

  let status: 'MISS' | 'EXPIRED' = 'MISS';
  if (entry) {
    if (isFresh(entry)) {
      c.res = fromEntry(request, entry);
      setHeader(c, CACHE_STATUS, 'HIT');
      return;
    }
    void entry.body?.cancel();
    status = 'EXPIRED';
  }

  await next();
  const response = c.res;
  const ttl = method === 'GET' ? edgeTtl(response, mode) : null;
  // A merge between the head read and the app's own read: do not file a newer version under an older key.
  const served = datasetVersion(response);
  const raced = mode === 'latest' && current.head !== undefined && served !== null && served !== current.head;
  if (ttl !== null && !raced) {
    // An immutable version never goes stale: no family tag, so no merge purge reaches it.
    const tags = scopedTags(c.env.ENVIRONMENT, ['all', ...(mode === 'immutable' ? [pathTag(url.pathname), 'versioned'] : policy.tags)]);
    const replay = replayOf(response);
    if (replay) {
      c.res = storeAfterwards(c, cache, key, response, ttl, tags, accept, replay);
    } else {
      c.res = storeWhileStreaming(c, cache, key, response, ttl, tags, accept);
    }
  }
  setHeader(c, CACHE_STATUS, status);
}
