import { Hono } from 'hono';
import type { Env } from '../env';
import { jsonError, renderError } from '../shared/errors';
import {
  PROXIED_METHODS,
  PolicyConfigError,
  checkOrigin,
  parseUpstream,
  policyFromEnv,
  rewriteRedirect,
  type ProxyPolicy,
} from './policy';

/**
 * The allow-listed CORS proxy: `https://corsproxy.<host>/<upstream URL>`.
 * The rules (who may call, which upstreams) live in ./policy.ts; this module is the HTTP
 * plumbing — preflight, header rewriting, redirects, streaming, body limit and timeout.
 */
export const corsProxyApp = new Hono<{ Bindings: Env }>();
corsProxyApp.onError((error, c) => renderError(error, c.req.raw));
corsProxyApp.all('*', (c) => handleProxyRequest(c.req.raw, c.env));

/** Connection-level headers that never cross a proxy (RFC 9110 §7.6.1), either way. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/**
 * Request headers never forwarded: the proxy's own Host, the caller's credentials (the
 * upstream lookups are all public; a PeriodO token must never leak to a third party), the
 * caller's Origin (the proxy, not the upstream, decides CORS) and the caller's address.
 */
const DROPPED_REQUEST_HEADERS = [
  ...HOP_BY_HOP,
  'host',
  'expect',
  'cookie',
  'cookie2',
  'authorization',
  'origin',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'cf-connecting-ipv6',
  'cf-ipcountry',
  'cf-ray',
  'cf-visitor',
  'cf-worker',
  'cf-ew-via',
  'cdn-loop',
];

/**
 * Response headers never returned: cookies, the upstream's own CORS answer (replaced by the
 * proxy's) and statements about the upstream's host that must not stick to the proxy's.
 */
const DROPPED_RESPONSE_HEADERS = [...HOP_BY_HOP, 'set-cookie', 'set-cookie2', 'alt-svc', 'strict-transport-security', 'clear-site-data'];

/** Headers a preflight may never approve: they are dropped before forwarding anyway. */
const UNAPPROVABLE_REQUEST_HEADERS = new Set(DROPPED_REQUEST_HEADERS);

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
const PREFLIGHT_MAX_AGE_SECONDS = 7200;

/** Adds `Origin` to a Vary header value (keeping `*` and whatever was there). */
function varyOn(headers: Headers, ...names: string[]): void {
  const current = (headers.get('vary') ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (current.includes('*')) return;
  const lower = current.map((v) => v.toLowerCase());
  for (const name of names) if (!lower.includes(name.toLowerCase())) current.push(name);
  headers.set('vary', current.join(', '));
}

/** CORS headers for a caller whose origin passed the allow-list. */
function corsHeaders(origin: string): Headers {
  const headers = new Headers({ 'Access-Control-Allow-Origin': origin });
  varyOn(headers, 'Origin');
  return headers;
}

function removeListedInConnection(headers: Headers): void {
  for (const name of (headers.get('connection') ?? '').split(',')) {
    const n = name.trim().toLowerCase();
    if (n) headers.delete(n);
  }
}

export async function handleProxyRequest(request: Request, env: Env): Promise<Response> {
  let policy: ProxyPolicy;
  try {
    policy = policyFromEnv(env);
  } catch (error) {
    if (!(error instanceof PolicyConfigError)) throw error;
    console.error(`corsproxy misconfigured: ${error.message}`);
    return jsonError(500, `The CORS proxy is misconfigured: ${error.message}`);
  }

  const origin = checkOrigin(request.headers.get('origin'), policy);
  if (!origin.ok) return jsonError(403, origin.message, { Vary: 'Origin' });
  const cors = corsHeaders(origin.value);

  const requestUrl = new URL(request.url);
  const upstream = parseUpstream(requestUrl.pathname.slice(1) + requestUrl.search, policy);
  if (!upstream.ok) return jsonError(403, upstream.message, cors);

  if (request.method === 'OPTIONS') return preflight(request, cors);
  if (!(PROXIED_METHODS as readonly string[]).includes(request.method)) {
    cors.set('Allow', [...PROXIED_METHODS, 'OPTIONS'].join(', '));
    return jsonError(405, `The CORS proxy does not forward ${request.method} requests.`, cors);
  }

  return forward(request, upstream.value, requestUrl.origin, origin.value, policy);
}

/** Answers a CORS preflight itself: the upstreams need not understand CORS at all. */
function preflight(request: Request, cors: Headers): Response {
  const headers = new Headers(cors);
  headers.set('Access-Control-Allow-Methods', PROXIED_METHODS.join(', '));
  const requested = (request.headers.get('access-control-request-headers') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => /^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(h) && !UNAPPROVABLE_REQUEST_HEADERS.has(h) && !h.startsWith('cf-'));
  if (requested.length) headers.set('Access-Control-Allow-Headers', requested.join(', '));
  headers.set('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
  varyOn(headers, 'Access-Control-Request-Method', 'Access-Control-Request-Headers');
  return new Response(null, { status: 204, headers });
}

/**
 * Passes a request body through unbuffered, counting bytes; past `limit` the stream fails
 * (so the upstream request is aborted) and `exceeded()` tells the caller why.
 */
function limitedBody(body: ReadableStream<Uint8Array>, limit: number): { stream: ReadableStream<Uint8Array>; exceeded: () => boolean } {
  let seen = 0;
  let over = false;
  const stream = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit) {
          over = true;
          controller.error(new Error(`request body larger than ${limit} bytes`));
        } else {
          controller.enqueue(chunk);
        }
      },
    }),
  );
  return { stream, exceeded: () => over };
}

function tooLarge(limit: number, cors: Headers): Response {
  return jsonError(413, `Request bodies sent through the CORS proxy are limited to ${limit / (1024 * 1024)} MB.`, cors);
}

async function forward(request: Request, upstream: URL, proxyOrigin: string, origin: string, policy: ProxyPolicy): Promise<Response> {
  const cors = corsHeaders(origin);

  const headers = new Headers(request.headers);
  removeListedInConnection(headers);
  for (const name of DROPPED_REQUEST_HEADERS) headers.delete(name);
  for (const [name] of [...headers]) if (name.startsWith('cf-')) headers.delete(name);
  headers.set('Host', upstream.host);

  // Body: refused up front when its declared length is too big; otherwise streamed, and
  // counted on the way when no length was declared (chunked uploads).
  let body: ReadableStream<Uint8Array> | null = null;
  let bodyExceeded = () => false;
  if (request.method !== 'GET' && request.method !== 'HEAD' && request.body) {
    const declared = request.headers.get('content-length');
    if (declared !== null) {
      if (!/^\d+$/.test(declared)) return jsonError(400, 'The Content-Length header is not a number.', cors);
      if (Number(declared) > policy.maxBodyBytes) {
        await request.body.cancel().catch(() => {});
        return tooLarge(policy.maxBodyBytes, cors);
      }
      body = request.body;
    } else {
      const limited = limitedBody(request.body, policy.maxBodyBytes);
      body = limited.stream;
      bodyExceeded = limited.exceeded;
    }
  }

  // Timeout: the time to the upstream's response headers. The body then streams at
  // whatever pace the upstream and the caller keep.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('The upstream did not answer in time.', 'TimeoutError'));
  }, policy.timeoutMs);

  let response: Response;
  try {
    const upstreamRequest = new Request(upstream.href, {
      method: request.method,
      headers,
      body,
      redirect: 'manual',
      signal: controller.signal,
    });
    response = await fetch(upstreamRequest, { redirect: 'manual' });
  } catch (error) {
    if (bodyExceeded()) return tooLarge(policy.maxBodyBytes, cors);
    if (timedOut) {
      return jsonError(504, `${upstream.host} did not answer within ${policy.timeoutMs / 1000} seconds.`, cors);
    }
    console.warn(`corsproxy: ${upstream.host} unreachable: ${String(error)}`);
    return jsonError(502, `Could not reach ${upstream.host}.`, cors);
  } finally {
    clearTimeout(timer);
  }

  const out = new Headers(response.headers);
  removeListedInConnection(out);
  for (const name of DROPPED_RESPONSE_HEADERS) out.delete(name);
  for (const [name] of [...out]) if (name.startsWith('access-control-')) out.delete(name);
  out.set('Access-Control-Allow-Origin', origin);
  varyOn(out, 'Origin');
  // The proxy's origin must never render upstream content as a page of its own.
  out.set('X-Content-Type-Options', 'nosniff');
  out.set('Content-Security-Policy', "default-src 'none'; sandbox");

  const location = response.headers.get('location');
  if (location !== null) {
    const target = rewriteRedirect(location, upstream, proxyOrigin, policy);
    if (target.ok) {
      out.set('Location', target.value);
    } else if (REDIRECT_STATUSES.has(response.status)) {
      // A redirect the proxy may not follow: say so rather than pass the caller elsewhere.
      await response.body?.cancel().catch(() => {});
      return jsonError(502, target.message, cors);
    } else {
      // A Location on anything else (201, 300…) is informational: it is dropped, not passed on.
      out.delete('Location');
    }
  }

  const passBody = request.method !== 'HEAD' && !NULL_BODY_STATUSES.has(response.status);
  if (!passBody) await response.body?.cancel().catch(() => {});
  return new Response(passBody ? response.body : null, { status: response.status, statusText: response.statusText, headers: out });
}
