/**
 * Cache keys. A key is a URL on the request's own origin:
 *
 *   <origin>/.cache/<server version>/<accept>/<generation><path>?<query>
 *
 * - server version: a deploy that changes SERVER_VERSION never reads an older deploy's entries;
 * - accept: `acceptBest(Accept)` (the only thing negotiation reads), `-` without Accept;
 * - generation: `v<head>`, `g<graphs generation>` or both (latest), `i` (immutable
 *   `?version=N`), `s` (static);
 * - then the request's path and query exactly as sent.
 *
 * Each variable part is percent-encoded and contains no `/`, so two different requests
 * never share a key. Keys are never fetched: they only name entries of `caches.default`.
 */
import { acceptBest } from '../data/negotiation';

export interface KeyParts {
  serverVersion: string;
  accept: string | null;
  generation: string;
}

export const KEY_PREFIX = '/.cache/';

/** Current values of the generations a latest key includes. */
export interface Generations {
  head?: number;
  graphs?: string;
  comments?: number;
}

export function generationFor(mode: 'latest' | 'immutable' | 'static', current: Generations): string {
  if (mode === 'immutable') return 'i';
  if (mode === 'static') return 's';
  const parts: string[] = [];
  if (current.head !== undefined) parts.push(`v${current.head}`);
  if (current.graphs !== undefined) parts.push(`g${current.graphs}`);
  if (current.comments !== undefined) parts.push(`c${current.comments}`);
  return parts.join('') || 'l';
}

export function acceptKey(header: string | null): string | null {
  return acceptBest(header);
}

export function cacheKey(url: URL, parts: KeyParts): string {
  const accept = parts.accept === null ? '-' : encodeURIComponent(parts.accept);
  return `${url.origin}${KEY_PREFIX}${encodeURIComponent(parts.serverVersion)}/${accept}/${parts.generation}${url.pathname}${url.search}`;
}

/** Accept variants purges enumerate besides those seen: every type the routes negotiate on. */
export const COMMON_ACCEPTS: (string | null)[] = [
  null,
  '*/*',
  'application/json',
  'application/ld+json',
  'text/turtle',
  'text/csv',
  'application/n-triples',
  'text/html',
  'application/json+html',
  'application/ld+json+html',
  'text/turtle+html',
];
