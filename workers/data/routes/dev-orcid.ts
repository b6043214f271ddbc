/**
 * A stand-in for ORCID's OAuth endpoints, so that sign-in runs offline in local development
 * (`npm start`, the browser tests). It is switched on only by `DEV_SIGN_IN = "fake-orcid"`,
 * which only wrangler.toml's development vars set, and it refuses to work in any other
 * `ENVIRONMENT` or when real ORCID credentials are configured.
 *
 * `/register` then sends the browser to `/dev/orcid/oauth/authorize` on the data host, a
 * page that offers two people — a contributor and an editor — and "deny". The code it
 * hands back to `/registered` names the person; `/registered` exchanges it here (in the
 * same Worker, no network) for a fresh random access token, exactly as with ORCID.
 */
import type { Hono } from 'hono';
import type { Env } from '../../env';
import { jsonError } from '../../shared/errors';
import { notFound } from '../responses';
import { database } from '../../storage/db';
import { DEFAULT_PERMISSIONS, PERMISSIONS, upsertUser, type Permission } from '../../storage/user-store';

export const FAKE_ORCID_PATH = '/dev/orcid';
export const FAKE_CLIENT_ID = 'APP-LOCAL-DEVELOPMENT';

export interface Persona {
  orcid: string;
  name: string;
  permissions: Permission[];
  description: string;
}

export const PERSONAS: Record<'contributor' | 'editor', Persona> = {
  contributor: {
    orcid: '0000-0000-0000-0001',
    name: 'Dev Contributor',
    permissions: [...DEFAULT_PERMISSIONS],
    description: 'may propose changes',
  },
  editor: {
    orcid: '0000-0000-0000-0002',
    name: 'Dev Editor',
    permissions: [...PERMISSIONS],
    description: 'may propose, review, merge and reject changes',
  },
};

/** Is the fake ORCID in use? Only in development, only when asked for, never beside real credentials. */
export function fakeOrcidEnabled(env: Env): boolean {
  return env.DEV_SIGN_IN === 'fake-orcid' && env.ENVIRONMENT === 'development' && !env.ORCID_CLIENT_ID && !env.ORCID_CLIENT_SECRET;
}

const NO_STORE = { 'Cache-Control': 'no-store' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Only this data host's own `/registered` may receive a code: the page is no open redirect. */
function callbackOf(requestUrl: string, redirectUri: string | null): URL | null {
  if (!redirectUri) return null;
  try {
    const target = new URL(redirectUri);
    return target.origin === new URL(requestUrl).origin && target.pathname === '/registered' ? target : null;
  } catch {
    return null;
  }
}

function authorizePage(state: string, redirectUri: string): Response {
  const hidden = `<input type="hidden" name="state" value="${escapeHtml(state)}"><input type="hidden" name="redirect_uri" value="${escapeHtml(redirectUri)}">`;
  const choices = Object.entries(PERSONAS)
    .map(
      ([key, p]) =>
        `<li><button type="submit" name="persona" value="${key}">Sign in as ${escapeHtml(p.name)}</button> — ${escapeHtml(p.description)} (ORCID ${p.orcid})</li>`,
    )
    .join('\n');
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Local sign-in (fake ORCID)</title></head>
<body>
<main>
<h1>Local sign-in</h1>
<p>This development server signs people in without ORCID. Choose who to be:</p>
<form method="post">${hidden}
<ul>
${choices}
</ul>
<p><button type="submit" name="persona" value="deny">Deny</button></p>
</form>
</main>
</body>
</html>
`;
  return new Response(html, {
    headers: {
      ...NO_STORE,
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    },
  });
}

async function authorize(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (request.method === 'GET') {
    const state = url.searchParams.get('state');
    const callback = callbackOf(request.url, url.searchParams.get('redirect_uri'));
    if (!state || !callback || url.searchParams.get('client_id') !== FAKE_CLIENT_ID) {
      return jsonError(400, 'Start signing in from /register: this page needs the client_id, redirect_uri and state that /register sends.', NO_STORE);
    }
    return authorizePage(state, callback.toString());
  }
  const form = await request.formData();
  const state = form.get('state');
  const callback = callbackOf(request.url, typeof form.get('redirect_uri') === 'string' ? (form.get('redirect_uri') as string) : null);
  const persona = form.get('persona');
  if (typeof state !== 'string' || !callback || typeof persona !== 'string' || !(persona in PERSONAS || persona === 'deny')) {
    return jsonError(400, 'Choose a person to sign in as (or deny) on the sign-in page.', NO_STORE);
  }
  if (persona === 'deny') callback.searchParams.set('error', 'access_denied');
  else callback.searchParams.set('code', `${persona}.${randomHex(8)}`);
  callback.searchParams.set('state', state);
  return new Response(null, { status: 302, headers: { ...NO_STORE, Location: callback.toString() } });
}

/**
 * ORCID's token endpoint for a code from the page above: the person's permissions are set
 * to their persona's (so "editor" can merge from the first sign-in), and a new random
 * access token is answered, which `/registered` then stores as it would ORCID's.
 */
async function token(request: Request, env: Env): Promise<Response> {
  const form = new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer()));
  const persona = /^(contributor|editor)\.[0-9a-f]{16}$/.exec(form.get('code') ?? '')?.[1] as keyof typeof PERSONAS | undefined;
  if (form.get('client_id') !== FAKE_CLIENT_ID || !persona) {
    return Response.json({ error: 'invalid_grant', error_description: 'Unknown code.' }, { status: 400 });
  }
  const who = PERSONAS[persona];
  await upsertUser(database(env.DB), { id: `https://orcid.org/${who.orcid}`, name: who.name, permissions: who.permissions });
  // ORCID's tokens last about 20 years.
  return Response.json({ access_token: randomHex(16), token_type: 'bearer', expires_in: 631138518, scope: '/authenticate', name: who.name, orcid: who.orcid });
}

/** The fake's token endpoint called in-process, in place of `fetch` to ORCID. */
export function fakeOrcidFetch(env: Env): typeof fetch {
  return async (input, init) => token(new Request(input, init), env);
}

export function registerFakeOrcidRoutes(app: Hono<{ Bindings: Env }>): void {
  // Switched off, these paths are ordinary unknown paths.
  const guarded = (handler: (request: Request, env: Env) => Promise<Response>) => async (c: { req: { raw: Request }; env: Env }) => {
    if (!fakeOrcidEnabled(c.env)) return notFound(c.req.raw);
    return handler(c.req.raw, c.env);
  };
  app.get(`${FAKE_ORCID_PATH}/oauth/authorize`, guarded(authorize));
  app.post(`${FAKE_ORCID_PATH}/oauth/authorize`, guarded(authorize));
  app.post(`${FAKE_ORCID_PATH}/oauth/token`, guarded(token));
}
