import { Hono } from 'hono';
import type { Env } from '../env';
import { jsonError, renderError } from '../shared/errors';
import { legacyConfigFromEnv, legacyTarget } from './redirects';

/**
 * The legacy subdomain (`test.<host>`): published references still point at it. Every
 * request, whatever its method, is answered with a 301 to the URL's new home
 * (./redirects.ts decides where).
 */
export const legacyApp = new Hono<{ Bindings: Env }>();
legacyApp.onError((error, c) => renderError(error, c.req.raw));

/** How long browsers and caches may keep a redirect (they are permanent, but config may change). */
const REDIRECT_MAX_AGE_SECONDS = 86_400;

legacyApp.all('*', (c) => {
  let config;
  try {
    config = legacyConfigFromEnv(c.env);
  } catch (error) {
    console.error(`legacy misconfigured: ${String(error)}`);
    return jsonError(500, `The legacy-subdomain redirects are misconfigured: ${(error as Error).message}`);
  }
  const url = new URL(c.req.url);
  return new Response(null, {
    status: 301,
    headers: {
      Location: legacyTarget(url.pathname, url.search, config),
      'Cache-Control': `public, max-age=${REDIRECT_MAX_AGE_SECONDS}`,
    },
  });
});
