import type { Env } from '../env';

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

/**
 * The web client: files from Workers Static Assets (built by Vite from workers/client/),
 * `/config.json` with the data API's URL, and the single-page-app fallback (a path that
 * is not a file gets index.html, where the client's router takes over).
 */
export const clientApp = {
  async fetch(request: Request, env: Env, _ctx: ExecutionContext): Promise<Response> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return json({ code: 405, message: 'The client is read-only: use GET.' }, 405, { Allow: 'GET, HEAD' });
    }
    const url = new URL(request.url);
    if (url.pathname === '/config.json') return json({ dataUrl: dataUrlFor(request, env), environment: env.ENVIRONMENT });
    const asset = await env.ASSETS.fetch(request);
    if (asset.status === 200 || asset.status === 304) {
      return withCacheControl(asset, url.pathname.startsWith('/assets/') ? IMMUTABLE : REVALIDATE);
    }
    if (asset.status !== 404) return asset;
    // A missing hashed file is a real 404 (an old page asking for a replaced chunk), not the app.
    if (url.pathname.startsWith('/assets/')) return asset;
    const index = await env.ASSETS.fetch(new Request(new URL('/', request.url), { method: request.method, headers: request.headers }));
    return withCacheControl(index, REVALIDATE);
  },
};
