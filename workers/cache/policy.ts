/**
 * What the edge cache may keep, under which key and for how long.
 *
 * Every cacheable data-app URL is one of:
 *
 * - latest    resources whose answer follows stored state. Their key includes a generation
 *             read from D1 on each request: the head version for everything derived from
 *             the dataset (dataset, context, history, VoID, identifier map, entities, the
 *             index), the graphs generation (graphs and their containers), or both (the
 *             graphs root, which embeds the dataset). A change makes every older entry
 *             unreachable at once, in every data centre, whether or not a purge reaches it.
 * - immutable `?version=N` on a route that honours it (dataset, context, entities) with
 *             N ≤ head: that answer never changes, so it is kept a year without a D1 read.
 * - static    answers that depend on the URL and the deployment only (vocabulary,
 *             stylesheet, the proxy's redirects, the JSON index).
 *
 * Requests to everything else (patches, feed, bags, identity, admin, export, sign-in) bypass
 * the cache: they change without a new dataset version, or depend on the caller.
 *
 * A response may vary only on its URL and on `acceptBest(Accept)` (the reference's
 * negotiation reads nothing else); both are part of every key. A route that starts reading
 * another request header must be listed here as uncacheable or have that header keyed.
 */
import { PREFIX } from '../domain/identifiers';
import { LONG_TIME, SHORT_TIME } from '../data/responses';

export type KeyMode = 'latest' | 'immutable' | 'static';
/** What a latest key includes: the head version, the graphs generation, the newest comment. */
export type Generation = 'head' | 'graphs' | 'comments';

export interface CachePolicy {
  mode: Exclude<KeyMode, 'immutable'>;
  /** For latest resources: the generations their key includes. */
  keyedBy: Generation[];
  /** `?version=N` names an immutable version of this resource (checked against the head). */
  versioned: boolean;
  /** Resource tags (without the environment prefix): what a purge names. */
  tags: string[];
}

/** Statuses worth keeping: the answers, permanent redirects and "not found / gone". */
const CACHEABLE_STATUSES = new Set([200, 301, 303, 308, 404, 410]);

const NEVER = [/^\/admin(\/|$)/, /^\/\.well-known\/health$/, /^\/identity(\.json)?$/, /^\/register(ed)?$/, /^\/export\.sql$/, /^\/patches(\/|\.json|$)/, /^\/feed\.xml$/, /^\/bags(\/|\.json|$)/, /^\/client-packages(\/|$)/];

const STATIC_PATHS = new Set([
  '/v',
  '/v.ttl',
  '/v.ttl.html',
  '/vocabulary.ttl',
  '/vocabulary.ttl.html',
  '/highlight-style.css',
  '/index.json',
  '/index.json.html',
  '/d',
  '/d.ttl',
  '/d.csv',
  '/d.nt',
  '/dataset',
  '/identifier-map',
  '/h.ttl',
]);

const FAMILIES: [string, Set<string>, boolean, Generation[]?][] = [
  ['dataset', new Set(['/d/', '/dataset/', '/d.json', '/d.jsonld', '/dataset.json', '/dataset.jsonld', '/dataset.ttl', '/dataset.csv', '/dataset.nt']), true],
  ['context', new Set(['/c', '/context', '/c.json', '/context.json', '/c.json.html', '/context.json.html']), true],
  // Comments on merged changes are part of the history but make no new version.
  ['history', new Set(['/h', '/h.nt', '/history.nt']), false, ['head', 'comments']],
  [
    'void',
    new Set(['/', '/index.ttl', '/index.ttl.html', '/.well-known/void', '/.well-known/void.ttl', '/.wellknown/void', '/.wellknown/void.ttl', '/.well-known/void.ttl.html', '/.wellknown/void.ttl.html']),
    false,
  ],
  ['identifier-map', new Set(['/identifier-map/', '/identifier-map.json']), false],
  // The web client's search index (workers/data/routes/search-index.ts).
  ['search-index', new Set(['/search-index.json']), true],
];

const ENTITY_PATH = /^\/([^/.]{5}|[^/.]{9})(?:\.(?:json|jsonld|ttl|csv|nt|json\.html|jsonld\.html|ttl\.html))?$/;

/** The tag of one path: a URL purge names it, whatever the query and the Accept variant. */
export function pathTag(pathname: string): string {
  // Cache-Tag is a comma-separated list of at most 1,024 characters per tag.
  return `path:${pathname.replace(/,/g, '%2C')}`.slice(0, 1000);
}

/** `/graphs/places/us-states.json` → `places/us-states`; the root → ''. */
export function graphIdOf(pathname: string): string | null {
  if (pathname === '/graphs/' || pathname === '/graphs.json' || pathname === '/graphs') return '';
  if (!pathname.startsWith('/graphs/')) return null;
  let id = pathname.slice('/graphs/'.length);
  if (id.endsWith('.json')) id = id.slice(0, -'.json'.length);
  return id.replace(/\/+$/, '');
}

/** `places/us-states` → [`places/us-states`, `places`]: the graph and each prefix container. */
export function graphPrefixes(id: string): string[] {
  const parts = id.replace(/^\/+|\/+$/g, '').split('/').filter(Boolean);
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('/'));
}

/** The cache policy of a GET/HEAD URL, or null when it must bypass the cache. */
export function classify(url: URL): CachePolicy | null {
  const path = url.pathname;
  if (NEVER.some((re) => re.test(path))) return null;
  const tags = [pathTag(path)];
  if (STATIC_PATHS.has(path)) return { mode: 'static', keyedBy: [], versioned: false, tags: [...tags, 'static'] };
  for (const [family, paths, versioned, keyedBy = ['head'] as Generation[]] of FAMILIES) {
    if (paths.has(path)) return { mode: 'latest', keyedBy, versioned: versioned && url.searchParams.has('version'), tags: [...tags, 'latest', family] };
  }
  const graph = graphIdOf(path);
  if (graph !== null) {
    // The root container also holds the latest dataset: keyed by the head as well.
    if (graph === '') return { mode: 'latest', keyedBy: ['head', 'graphs'], versioned: false, tags: [...tags, 'graphs', 'graphs-root'] };
    return { mode: 'latest', keyedBy: ['graphs'], versioned: false, tags: [...tags, 'graphs', `graph:${graph}`] };
  }
  const entity = ENTITY_PATH.exec(path);
  if (entity) {
    return { mode: 'latest', keyedBy: ['head'], versioned: url.searchParams.has('version'), tags: [...tags, 'latest', 'entities', `entity:${PREFIX}${entity[1]}`] };
  }
  return { mode: 'latest', keyedBy: ['head'], versioned: false, tags: [...tags, 'latest', 'other'] };
}

/** `Cache-Control` directives, lower-cased, with their values. */
export function cacheControl(value: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (value ?? '').split(',')) {
    const [k, v = ''] = part.trim().split('=');
    if (k) out.set(k.toLowerCase(), v.trim().replace(/^"|"$/g, ''));
  }
  return out;
}

/**
 * How long the edge may keep a response (seconds), or null if it must not be stored.
 * The reference's policies decide: `X-Accel-Expires` (the server-only edge lifetime), else
 * a positive `max-age`; without either, a default, since keys already make old versions
 * unreachable (a day for latest and static answers, a year for immutable versions).
 */
export function edgeTtl(response: Response, mode: KeyMode): number | null {
  if (!CACHEABLE_STATUSES.has(response.status)) return null;
  if (response.headers.has('Set-Cookie')) return null;
  const cc = cacheControl(response.headers.get('Cache-Control'));
  if (cc.has('no-store') || cc.has('private') || cc.has('no-cache')) return null;
  const accel = response.headers.get('X-Accel-Expires');
  let ttl: number;
  if (accel !== null && /^\d+$/.test(accel.trim())) {
    ttl = Number(accel.trim());
    if (ttl === 0) return null;
  } else {
    const maxAge = Number(cc.get('s-maxage') ?? cc.get('max-age') ?? NaN);
    ttl = Number.isFinite(maxAge) && maxAge > 0 ? maxAge : SHORT_TIME;
  }
  if (mode === 'immutable') ttl = LONG_TIME;
  return ttl;
}

/** Tags as stored in `Cache-Tag` and purged: scoped to the environment (zones may be shared). */
export function scopedTags(environment: string, tags: string[]): string[] {
  return [...new Set(tags)].map((t) => `periodo:${environment}:${t}`);
}
