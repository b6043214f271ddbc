/** Response building blocks shared by the data API's routes. */
import { pyJson } from '../domain/json-format';
import { HttpError } from '../shared/errors';
import { decodePathText } from '../shared/paths';
import { escapeHtml } from '../shared/html';
import { highlightJsonPage } from './html-view';
import { acceptBest } from './negotiation';

/** The reference's cache lifetimes, in seconds. */
export const LONG_TIME = 31_557_600;
export const MEDIUM_TIME = 604_800;
export const SHORT_TIME = 86_400;

/**
 * The reference's `set_max_age`: never overwrites a header already set. "Server only"
 * policies keep clients revalidating (`max-age=0`) and give the edge cache its lifetime
 * through `X-Accel-Expires`, the hint the edge cache honours.
 */
export function setMaxAge(headers: Headers, seconds: number, serverOnly = false): void {
  if (serverOnly) {
    if (!headers.has('X-Accel-Expires')) headers.set('X-Accel-Expires', String(seconds));
    if (!headers.has('Cache-Control')) headers.set('Cache-Control', 'public, max-age=0');
  } else if (!headers.has('Cache-Control')) {
    headers.set('Cache-Control', `public, max-age=${seconds}`);
  }
}

export function httpDate(iso: string): string {
  return new Date(iso).toUTCString();
}

/** Python json.dumps text plus newline: the reference's body for resources. */
export function jsonText(value: unknown): string {
  return `${pyJson(value)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Flask `jsonify` text: compact, keys sorted, trailing newline (errors, patch requests). */
export function jsonifyText(value: unknown): string {
  return `${JSON.stringify(sortKeys(value))}\n`;
}

export function jsonifyResponse(value: unknown, status = 200, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  h.set('Content-Type', 'application/json');
  return new Response(jsonifyText(value), { status, headers: h });
}

/** `{"message": …, "status": …}` as the reference's resource errors read. */
export function resourceError(status: number, message: string, headers: HeadersInit = {}): Response {
  return jsonifyResponse({ message, status }, status, headers);
}

export function versionNotFound(): Response {
  return resourceError(404, 'Could not find given version.');
}

/** A 4xx in the reference's resource error shape, `{"message": …, "status": …}`, to throw. */
export function resourceFailure(status: number, message: string, headers: Record<string, string> = {}): HttpError {
  return new HttpError(status, message, headers, { message, status });
}

/** The reference's 404: JSON when asked for JSON, otherwise the highlighted JSON page. */
export function notFound(request: Request): Response {
  const path = new URL(request.url).pathname.slice(1);
  const sanitized = (decodePathText(path) ?? path).replace(/[^./a-zA-Z0-9]/g, '');
  const message = {
    code: 404,
    status: 'Not Found',
    message: `${sanitized} is not a valid PeriodO identifier. Perhaps you followed a broken link?`,
  };
  if (acceptBest(request.headers.get('Accept')) === 'application/json') {
    return new Response(pyJson(message), { status: 404, headers: { 'Content-Type': 'application/json' } });
  }
  return new Response(highlightJsonPage(message), { status: 404, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}

export function gone(id: string): Response {
  return new Response(
    `<!doctype html>\n<html lang=en>\n<title>410 Gone</title>\n<h1>Gone</h1>\n<p>${id} was removed from the PeriodO dataset. Earlier versions remain available with ?version=N.</p>\n`,
    { status: 410, headers: { 'Content-Type': 'text/html; charset=utf-8' } },
  );
}

export function redirect(request: Request, location: string, status: 301 | 302 | 303 | 307 | 308, headers: HeadersInit = {}): Response {
  const absolute = new URL(location, request.url).toString();
  const h = new Headers(headers);
  h.set('Location', absolute);
  h.set('Content-Type', 'text/html; charset=utf-8');
  const escaped = escapeHtml(absolute);
  return new Response(
    `<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href="${escaped}">${escaped}</a>. If not, click the link.\n`,
    { status, headers: h },
  );
}

/** Werkzeug's weak If-None-Match test: `*` or any listed tag with the same opaque value. */
export function matchesIfNoneMatch(request: Request, tag: string): boolean {
  const header = request.headers.get('If-None-Match');
  if (!header) return false;
  return header.split(',').some((part) => {
    const t = part.trim();
    return t === '*' || t.replace(/^W\//, '') === `"${tag}"`;
  });
}

export function notModified(): Response {
  return new Response(null, { status: 304 });
}

/** Query arguments as the reference forwards them: first value of each key, `key=` for flags. */
export function forwardedQuery(url: URL): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const [k, v] of url.searchParams) {
    if (seen.has(k)) continue;
    seen.add(k);
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/**
 * A whole-number query parameter, or undefined when absent; anything else (a sign, a
 * fraction, a number too large to be a row number) is refused with 422.
 */
export function wholeNumberParam(url: URL, name: string, what: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  const text = raw.trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw resourceFailure(422, `${name} must be ${what}, a whole number from 0 to ${Number.MAX_SAFE_INTEGER} (got "${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}").`);
  }
  return value;
}

/** `?version=N`: undefined when absent; 422 when not a whole number. */
export function versionParam(url: URL): number | undefined {
  return wholeNumberParam(url, 'version', 'the number of a version');
}
