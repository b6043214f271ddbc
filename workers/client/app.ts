import type { Env } from '../env';
import { jsonError } from '../shared/errors';
import { escapeHtml } from '../shared/html';
import { backendFromQuery } from './src/backend-id';
import { pageHeading, shellHtml, type PageHeading } from './page-shell';

/** Vite writes content-hashed files under /assets/: they never change, so a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html and other unhashed files: always revalidated, so a deploy shows at once. */
const REVALIDATE = 'public, max-age=0, must-revalidate';

function json(body: unknown, status = 200, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache', ...extra } });
}

/**
 * The data API's URL for this client. In development the whole system runs on one local
 * port chosen at start, so DATA_URL's port follows the request's.
 */
export function dataUrlFor(request: Request, env: Env): string {
  const data = new URL(env.DATA_URL);
  if (env.ENVIRONMENT === 'development') {
    const port = new URL(request.url).port;
    data.port = port;
  }
  return data.toString();
}

function withCacheControl(response: Response, value: string): Response {
  const out = new Response(response.body, response);
  out.headers.set('Cache-Control', value);
  return out;
}

/** The data request a page makes first: a period or authority page's entity, or the home's search index. */
export interface FirstDataRequest {
  kind: 'entity' | 'search-index';
  url: string;
}

/**
 * The data request the page at `url` makes first, which the browser can start while it is
 * still fetching the app's code. Null for other pages.
 */
export function firstDataRequest(url: URL, dataUrl: string): FirstDataRequest | null {
  const p = url.searchParams;
  const data = backendFromQuery(url.search) ?? dataUrl;
  const page = p.get('page') ?? 'backend-home';
  if (page === 'period-view' || page === 'authority-view') {
    const id = /(p0[0-9a-z]{5})$/.exec(p.get('authorityID') ?? '')?.[1];
    return id ? { kind: 'entity', url: new URL(`${id.slice(2)}.json`, data).href } : null;
  }
  return page === 'backend-home' ? { kind: 'search-index', url: new URL('search-index.json', data).href } : null;
}

/**
 * The app's page with the data API's URL in `<meta name="periodo-data-url">`, so the
 * client needs no /config.json round trip before its first data request, and that first
 * request started before the app's code arrives: a preload (the same mode and credentials
 * as the app's `fetch`, so the app's request is answered by it) of a period or authority
 * page's entity or of the home's search index. The home also names its index in
 * `<meta name="periodo-search-index">` for the page's inline boot script, which takes the
 * request over and starts the search Worker (vite.config.ts). A period or authority page
 * also gets its heading (`heading`, see page-shell.ts).
 */
function appPage(page: Response, dataUrl: string, first: FirstDataRequest | null = null, heading: Promise<PageHeading | null> | null = null): Response {
  const out = withCacheControl(page, REVALIDATE);
  if (page.status !== 200 || !(page.headers.get('Content-Type') ?? '').startsWith('text/html')) return out;
  // The page now varies with the environment (and locally the port): the asset's ETag no longer names it.
  out.headers.delete('ETag');
  const rewritten = new HTMLRewriter()
    .on('head', {
      element(head) {
        // All before the boot script, which reads the index's URL as the page is parsed: the
        // preload lets the browser's preload scanner start the request sooner still, and the
        // boot script's fetch is answered by it.
        if (first) head.prepend(`<link rel="preload" as="fetch" crossorigin="anonymous" href="${escapeHtml(first.url)}">`, { html: true });
        if (first?.kind === 'search-index') head.prepend(`<meta name="periodo-search-index" content="${escapeHtml(first.url)}">`, { html: true });
        head.prepend(`<meta name="periodo-data-url" content="${escapeHtml(dataUrl)}">`, { html: true });
      },
    })
    .transform(out);
  return heading ? withShell(rewritten, heading) : rewritten;
}

const APP_OPEN = '<div id="app">';

/**
 * The page sent in two parts: up to the app's element at once, so the browser fetches the
 * stylesheet, the code and the entity, then the page's heading in place of the boot line once
 * it is read (at most SHELL_WAIT_MS later).
 */
function withShell(page: Response, heading: Promise<PageHeading | null>): Response {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const headers = new Headers(page.headers);
  headers.delete('Content-Length');
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  const send = async () => {
    const html = await page.text();
    const open = html.indexOf(APP_OPEN);
    const close = html.indexOf('</div>', open);
    if (open < 0 || close < 0) {
      await writer.write(encoder.encode(html));
      return;
    }
    const inner = open + APP_OPEN.length;
    void writer.write(encoder.encode(html.slice(0, inner)));
    const h = await heading;
    await writer.write(encoder.encode((h ? shellHtml(h) : html.slice(inner, close)) + html.slice(close)));
  };
  void send().then(
    () => writer.close(),
    (e: unknown) => writer.abort(e),
  );
  return new Response(readable, { status: page.status, headers });
}

/**
 * The web client: files from Workers Static Assets (built by Vite from workers/client/),
 * `/config.json` with the data API's URL, and the single-page-app fallback (a path that
 * is not a file gets index.html, where the client's router takes over).
 */
export const clientApp = {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return jsonError(405, 'The client is read-only: use GET.', { Allow: 'GET, HEAD' });
    }
    const url = new URL(request.url);
    if (url.pathname === '/config.json') return json({ dataUrl: dataUrlFor(request, env), environment: env.ENVIRONMENT });
    const hashed = url.pathname.startsWith('/assets/');
    const isPage = url.pathname === '/' || url.pathname === '/index.html';
    const data = dataUrlFor(request, env);
    const first = firstDataRequest(url, data);
    // A period or authority page is sent with its heading (pageHeading), read while the page's
    // file is; not for another data API (`?backendID=`), whose entity this Worker cannot read.
    const heading = () => (first?.kind === 'entity' && backendFromQuery(url.search) === null ? pageHeading(url, first.url, env, ctx) : null);
    // The page itself is always fetched whole (it is rewritten); hashed files may answer 304.
    const early = isPage && request.method === 'GET' ? heading() : null;
    const asset = await env.ASSETS.fetch(hashed ? request : new Request(request.url, { method: request.method }));
    if (asset.status === 200 || asset.status === 304) {
      if (hashed) return withCacheControl(asset, IMMUTABLE);
      return appPage(asset, data, isPage ? first : null, early);
    }
    if (asset.status !== 404) return asset;
    // A missing hashed file is a real 404 (an old page asking for a replaced chunk), not the app.
    if (url.pathname.startsWith('/assets/')) return asset;
    const late = request.method === 'GET' ? heading() : null;
    const index = await env.ASSETS.fetch(new Request(new URL('/', request.url), { method: request.method }));
    return appPage(index, data, first, late);
  },
};
