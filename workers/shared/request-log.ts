/**
 * Structured logs: one JSON line per request, and event lines (merge, purge, export,
 * alert, audit) with the same fields. Workers Logs (`[observability]` in wrangler.toml)
 * indexes each line's JSON fields. Headers are never logged and secret-looking query
 * parameters are redacted, so tokens and Authorization values cannot reach a log line.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { tick } from './fair-share';

export interface RequestContext {
  app: string;
  requestId: string;
  method?: string;
  path?: string;
}

const current = new AsyncLocalStorage<RequestContext>();

/** Query parameters whose values are never written to a log (case-insensitive, by substring). */
const SECRET_PARAMS = ['token', 'code', 'state', 'secret', 'password', 'key', 'auth', 'signature', 'session'];

/** The request's path and query with secret-looking parameter values replaced by `REDACTED`. */
export function loggablePath(url: string | URL): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  if (!u.search) return u.pathname;
  const parts = u.search
    .slice(1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        /* keep the raw name */
      }
      const secret = SECRET_PARAMS.some((s) => decoded.toLowerCase().includes(s));
      return secret && eq >= 0 ? `${name}=REDACTED` : pair;
    });
  return `${u.pathname}?${parts.join('&')}`;
}

/** `CF-Ray` where Cloudflare set one; else a well-formed incoming `X-Request-Id`; else a new UUID. */
export function requestIdFor(request: Request): string {
  const ray = request.headers.get('CF-Ray');
  if (ray && /^[\w-]{1,64}$/.test(ray)) return ray;
  const given = request.headers.get('X-Request-Id');
  if (given && /^[\w.-]{1,64}$/.test(given)) return given;
  return crypto.randomUUID();
}

/** The dataset version a response is about: its header, its dataset/context ETag, or `?version=`. */
function datasetVersionOf(url: URL, response: Response | null): number | null {
  const header = response?.headers.get('X-PeriodO-Dataset-Version');
  if (header && /^\d+$/.test(header)) return Number(header);
  const etag = /periodo-(?:dataset|context)-version-(\d+)/.exec(response?.headers.get('ETag') ?? '');
  if (etag) return Number(etag[1]);
  const asked = url.searchParams.get('version');
  return asked && /^\d+$/.test(asked) ? Number(asked) : null;
}

function write(level: 'info' | 'error', line: Record<string, unknown>): void {
  const text = JSON.stringify(line);
  if (level === 'error') console.error(text);
  else console.log(text);
}

/**
 * Logs an event (`merge`, `purge`, `export`, `alert`, `audit`…) with the fields of the
 * request it happens in, if any.
 */
export function logEvent(event: string, fields: Record<string, unknown> = {}, level: 'info' | 'error' = 'info'): void {
  const ctx = current.getStore();
  write(level, { type: 'event', event, time: new Date().toISOString(), app: ctx?.app ?? null, requestId: ctx?.requestId ?? null, ...fields });
}

/** Runs `fn` with an event context outside any request (queue batch, cron run). */
export function withLogContext<T>(context: RequestContext, fn: () => T): T {
  return current.run(context, fn);
}

/**
 * Serves a request through `handle`, echoes its id as `X-Request-Id` and writes its log
 * line once the response headers are ready (a streamed body's time is not included).
 *
 * The line is written after the answer is handed back (`defer`, the request's waitUntil,
 * then a timer turn): under `wrangler dev` each console line costs the request ~10 ms
 * (it crosses the inspector to wrangler), and nowhere should a reader wait for a log.
 * Without `defer` (no execution context) it is written at once.
 */
export async function withRequestLog(
  app: string,
  request: Request,
  handle: () => Promise<Response>,
  defer?: (promise: Promise<unknown>) => void,
): Promise<Response> {
  const requestId = requestIdFor(request);
  const url = new URL(request.url);
  const path = loggablePath(url);
  const started = Date.now();
  const line = (response: Response | null, status: number) => ({
    type: 'request',
    time: new Date(started).toISOString(),
    app,
    method: request.method,
    path,
    status,
    durationMs: Date.now() - started,
    cache: response?.headers.get('X-Cache-Status') ?? null,
    datasetVersion: datasetVersionOf(url, response),
    requestId,
  });
  let response: Response;
  try {
    response = await current.run({ app, requestId, method: request.method, path }, handle);
  } catch (error) {
    write('error', { ...line(null, 500), error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    throw error;
  }
  try {
    response.headers.set('X-Request-Id', requestId);
  } catch {
    // Fetched and cached responses have immutable headers: copy them first.
    response = new Response(response.body, response);
    response.headers.set('X-Request-Id', requestId);
  }
  const level = response.status >= 500 ? 'error' : 'info';
  const done = line(response, response.status);
  if (!defer) write(level, done);
  else defer(tick().then(() => write(level, done)));
  return response;
}
