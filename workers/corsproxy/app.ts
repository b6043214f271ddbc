import { Hono } from 'hono';
import type { Env } from '../env';
import { jsonError } from '../shared/errors';

/** The allow-listed CORS proxy (issue 6). Until then it refuses everything, clearly. */
export const corsProxyApp = new Hono<{ Bindings: Env }>();
corsProxyApp.all('*', () => jsonError(501, 'The CORS proxy is not implemented yet.'));
