import type { Env } from '../env';
import { jsonError } from '../shared/errors';

/**
 * The web client: files from Workers Static Assets, with the single-page-app fallback
 * (any path that is not a file gets index.html, where the client's router takes over).
 */
export const clientApp = {
  async fetch(request: Request, env: Env, _ctx: ExecutionContext): Promise<Response> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return jsonError(405, 'The client is read-only: use GET.', { Allow: 'GET, HEAD' });
    }
    const asset = await env.ASSETS.fetch(request);
    if (asset.status !== 404) return asset;
    const index = new URL('/index.html', request.url);
    return env.ASSETS.fetch(new Request(index, { method: request.method, headers: request.headers }));
  },
};
