import { Hono } from 'hono';
import type { Env } from '../env';
import { jsonError } from '../shared/errors';

/** Redirects from the legacy subdomain (issue 6). Until then it refuses everything, clearly. */
export const legacyApp = new Hono<{ Bindings: Env }>();
legacyApp.all('*', () => jsonError(501, 'Legacy-subdomain redirects are not implemented yet.'));
