/**
 * Signing in with ORCID and asking who you are.
 *
 * - `/register` starts an OAuth sign-in: it remembers a random single-use state bound to
 *   this browser (a cookie whose SHA-256 is stored with the state) and redirects to ORCID.
 * - `/registered` is where ORCID sends the browser back: the state must match the cookie,
 *   the authorization code is exchanged for the user's ORCID access token, the user is
 *   created or updated (the token is stored only as its SHA-256), and the client receives
 *   base64(token): as text in `cli` mode, otherwise posted to the window that opened the
 *   sign-in, at its origin only.
 * - `/identity` describes the holder of a bearer token.
 */
import type { Context, Hono } from 'hono';
import type { Env } from '../../env';
import { checkOrigin, policyFromEnv } from '../../corsproxy/policy';
import { sha256Hex } from '../../domain/hashing';
import { jsonError } from '../../shared/errors';
import { escapeHtml } from '../../shared/html';
import { consumeAuthState, createAuthState, type SignInParams } from '../../storage/auth-state-store';
import { database } from '../../storage/db';
import { hasOpenPatchRequest, PERMISSIONS, upsertUser, type Permission } from '../../storage/user-store';
import { requirePermission } from '../auth';
import { jsonifyResponse, redirect } from '../responses';

type C = Context<{ Bindings: Env }>;

/** How long a sign-in may take between `/register` and `/registered`. */
export const SIGN_IN_TTL_SECONDS = 600;
/** How long to wait for ORCID's token endpoint (headers and body). */
export const ORCID_TIMEOUT_MS = 10_000;
const DEFAULT_ORCID_BASE_URL = 'https://orcid.org';
const CALLBACK_PATH = '/registered';
/** A state names its own cookie, so sign-ins started in several windows can all finish. */
const COOKIE_PREFIX = 'periodo-signin-';
/** 32 random bytes in base64url: the shape of every state and cookie value this server makes. */
const RANDOM_TOKEN = /^[A-Za-z0-9_-]{43}$/;
const ORCID_ID = /^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/;
const NO_STORE = { 'Cache-Control': 'no-store' };

const UPDATE_SUBMISSIONS = 'can update submissions of proposed changes';
const DESCRIPTIONS: Record<Permission, string[]> = {
  'submit-patch': ['can submit proposed changes to the dataset'],
  'accept-patch': ['can accept and merge changes to the dataset'],
  'create-bag': ['can create and update bags of periods'],
  'create-graph': ['can create and update graphs of related triples'],
};

// ---------------------------------------------------------------------------------------
// Small pure helpers (exported for tests)

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function randomToken(): string {
  return base64(crypto.getRandomValues(new Uint8Array(32))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const ORIGIN_SHAPE = /^https?:\/\/(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/**
 * The serialised origin of an http(s) origin or of its root URL (`https://client.perio.do`,
 * `http://localhost:3000/`), lower-cased and without a default port; `null` for anything
 * else: other schemes, paths, queries, fragments, credentials, or host names outside
 * letters, digits, hyphens and dots (IDNs in their xn-- form) and bracketed IPv6.
 */
export function normaliseOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') return null;
  return ORIGIN_SHAPE.test(url.origin) ? url.origin : null;
}

/**
 * JSON text that is also inert inside an HTML `<script>` element: `<`, `>`, `&` and the
 * JavaScript line terminators U+2028/U+2029 are written as `\u` escapes, so no value can
 * close the element, open a comment or break the statement.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}


function cookieName(state: string): string {
  return COOKIE_PREFIX + state.slice(0, 16);
}

function readCookie(request: Request, name: string): string | null {
  for (const part of (request.headers.get('Cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** HttpOnly, SameSite=Lax (sent on ORCID's top-level redirect back), Secure over https. */
function setCookie(request: Request, name: string, value: string, maxAge: number): string {
  const secure = new URL(request.url).protocol === 'https:' ? '; Secure' : '';
  return `${name}=${value}; Path=${CALLBACK_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`;
}

/** Printable, bounded text from ORCID for a message (it is JSON-encoded when sent). */
function snippet(value: unknown): string {
  return String(value)
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .slice(0, 200);
}

// ---------------------------------------------------------------------------------------
// Configuration

interface OrcidConfig {
  clientId: string;
  clientSecret: string;
  /** No trailing slash. */
  baseUrl: string;
}

function orcidConfig(env: Env): OrcidConfig | null {
  if (!env.ORCID_CLIENT_ID || !env.ORCID_CLIENT_SECRET) return null;
  let base: URL;
  try {
    base = new URL(env.ORCID_BASE_URL || DEFAULT_ORCID_BASE_URL);
  } catch {
    return null;
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') return null;
  return { clientId: env.ORCID_CLIENT_ID, clientSecret: env.ORCID_CLIENT_SECRET, baseUrl: base.toString().replace(/\/+$/, '') };
}

function notConfigured(): Response {
  return jsonError(
    503,
    'Sign-in with ORCID is not configured on this server: its operator must set the ORCID_CLIENT_ID and ORCID_CLIENT_SECRET secrets (and ORCID_BASE_URL, if set, must be a URL).',
    NO_STORE,
  );
}

// ---------------------------------------------------------------------------------------
// /register

async function register(c: C): Promise<Response> {
  const config = orcidConfig(c.env);
  if (!config) return notConfigured();
  const request = c.req.raw;
  const url = new URL(request.url);

  // As the reference: `cli` (any value) wins over `origin`.
  const cli = url.searchParams.has('cli');
  let origin: string | null = null;
  if (!cli && url.searchParams.has('origin')) {
    origin = normaliseOrigin(url.searchParams.get('origin') ?? '');
    if (origin === null) {
      return jsonError(
        400,
        'origin must be the http(s) origin of the PeriodO client that opens the sign-in window, such as https://client.perio.do or http://localhost:3000.',
        NO_STORE,
      );
    }
    // The token goes to this origin: only where the PeriodO web client runs (the origins
    // its CORS proxy serves), never to any site that opens the sign-in window.
    if (!checkOrigin(origin, policyFromEnv(c.env)).ok) {
      return jsonError(403, `Sign-in tokens are only handed to the PeriodO web client; origin ${origin} is not one of its origins.`, NO_STORE);
    }
  }
  const query = cli ? '?cli=True' : origin !== null ? `?${new URLSearchParams({ origin })}` : '';
  const redirectUri = `${url.origin}${CALLBACK_PATH}${query}`;

  const state = randomToken();
  const cookie = randomToken();
  const params: SignInParams = { cli, origin, redirectUri };
  await createAuthState(database(c.env.DB), {
    state,
    cookieHash: await sha256Hex(cookie),
    params,
    expiresAt: Math.floor(Date.now() / 1000) + SIGN_IN_TTL_SECONDS,
  });

  const authorize = new URL(`${config.baseUrl}/oauth/authorize`);
  authorize.search = new URLSearchParams({
    client_id: config.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: '/authenticate',
    state,
  }).toString();
  return redirect(request, authorize.toString(), 302, {
    ...NO_STORE,
    'Set-Cookie': setCookie(request, cookieName(state), cookie, SIGN_IN_TTL_SECONDS),
  });
}

// ---------------------------------------------------------------------------------------
// /registered

interface Credentials {
  orcid: string;
  name: string;
  accessToken: string;
  expiresIn: number;
}

/** Exchanges the authorization code at ORCID's token endpoint: the credentials, or why not. */
async function exchangeCode(config: OrcidConfig, code: string, redirectUri: string): Promise<Credentials | { failure: string }> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${config.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: config.clientId,
        client_secret: config.clientSecret,
        code,
        grant_type: 'authorization_code',
        redirect_uri: redirectUri,
      }).toString(),
      // The client secret is in the body: never let a redirect carry it elsewhere.
      redirect: 'manual',
      signal: AbortSignal.timeout(ORCID_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
    console.error(`ORCID token request failed: ${timedOut ? 'timed out' : String(error)}`);
    return {
      failure: timedOut
        ? `ORCID did not answer within ${ORCID_TIMEOUT_MS / 1000} seconds; nothing was changed. Try signing in again later.`
        : 'ORCID could not be reached; nothing was changed. Try signing in again later.',
    };
  }

  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Reported below.
  }
  const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;

  if (response.status !== 200) {
    const reason =
      fields && typeof fields.error === 'string'
        ? `: ${snippet(fields.error)}${typeof fields.error_description === 'string' ? ` (${snippet(fields.error_description)})` : ''}`
        : '';
    console.error(`ORCID token request answered HTTP ${response.status}${reason}`);
    return { failure: `ORCID refused the sign-in (HTTP ${response.status}${reason}); nothing was changed. Start again from /register.` };
  }
  if (
    !fields ||
    typeof fields.access_token !== 'string' ||
    fields.access_token === '' ||
    typeof fields.orcid !== 'string' ||
    !ORCID_ID.test(fields.orcid) ||
    typeof fields.expires_in !== 'number' ||
    !Number.isFinite(fields.expires_in)
  ) {
    console.error('ORCID token request answered 200 without a usable access_token, orcid and expires_in');
    return { failure: 'ORCID answered the sign-in with credentials this server cannot read; nothing was changed. Try again later.' };
  }
  // A user who keeps their name private has none: the ORCID iD stands in (as the reference).
  const name = typeof fields.name === 'string' && fields.name.trim() !== '' ? fields.name.trim() : fields.orcid;
  return { orcid: fields.orcid, name, accessToken: fields.access_token, expiresIn: Math.trunc(fields.expires_in) };
}

/** The page that hands name and token to the window that opened the sign-in, at `origin` only. */
async function signedInPage(name: string, token: string, origin: string, headers: Headers): Promise<Response> {
  const script = `\nif (window.opener) {\n  window.opener.postMessage({ name: ${scriptJson(name)}, token: ${scriptJson(token)} }, ${scriptJson(origin)});\n}\n`;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(script)));
  const html =
    `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Signed in to PeriodO</title>\n` +
    `<script>${script}</script>\n</head>\n<body>\n` +
    `<p>Signed in to PeriodO as ${escapeHtml(name)}. You can close this window.</p>\n</body>\n</html>\n`;
  headers.set('Content-Type', 'text/html; charset=utf-8');
  // Only this exact script may run, whatever the page holds.
  headers.set(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'sha256-${base64(digest)}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  );
  headers.set('X-Content-Type-Options', 'nosniff');
  return new Response(html, { status: 200, headers });
}

async function registered(c: C): Promise<Response> {
  const config = orcidConfig(c.env);
  if (!config) return notConfigured();
  const request = c.req.raw;
  const url = new URL(request.url);
  const headers = new Headers({ ...NO_STORE, 'Referrer-Policy': 'no-referrer' });
  const refuse = (status: number, message: string) => jsonError(status, message, headers);

  const state = url.searchParams.get('state');
  if (!state) return refuse(403, 'This sign-in has no state: start it again from /register.');
  const unknown = 'This sign-in is unknown, was started in another browser, or has already been completed: start it again from /register.';
  if (!RANDOM_TOKEN.test(state)) return refuse(403, unknown);
  const name = cookieName(state);
  const cookie = readCookie(request, name);
  if (!cookie) return refuse(403, 'This sign-in was not started in this browser (its cookie is missing or expired): start it again from /register.');
  // From here on the cookie has served its purpose.
  headers.append('Set-Cookie', setCookie(request, name, '', 0));

  const db = database(c.env.DB);
  const taken = RANDOM_TOKEN.test(cookie) ? await consumeAuthState(db, state, await sha256Hex(cookie)) : null;
  if (!taken) return refuse(403, unknown);
  const now = Math.floor(Date.now() / 1000);
  if (taken.expiresAt <= now) {
    return refuse(403, `This sign-in expired (it must be completed within ${SIGN_IN_TTL_SECONDS / 60} minutes): start it again from /register.`);
  }

  const orcidError = url.searchParams.get('error');
  if (orcidError !== null) return refuse(403, `ORCID did not authorize the sign-in (${snippet(orcidError)}).`);
  const code = url.searchParams.get('code');
  if (!code) return refuse(400, 'ORCID sent no authorization code: start the sign-in again from /register.');

  // Where the token may go is decided before anything is written.
  let target: string | null = null;
  if (!taken.params.cli) {
    target = taken.params.origin ?? clientOrigin(c.env);
    if (target === null) return refuse(500, 'This server is misconfigured: CLIENT_URL is not an http(s) URL.');
  }

  const credentials = await exchangeCode(config, code, taken.params.redirectUri);
  if ('failure' in credentials) return refuse(502, credentials.failure);

  const user = await upsertUser(db, {
    id: `https://orcid.org/${credentials.orcid}`,
    name: credentials.name,
    token: credentials.accessToken,
    expiresAt: now + credentials.expiresIn,
  });
  const b64token = base64(new TextEncoder().encode(credentials.accessToken));

  if (target === null) {
    headers.set('Content-Type', 'text/plain');
    return new Response(`Your token is: ${b64token}`, { status: 200, headers });
  }
  return signedInPage(user.name, b64token, target, headers);
}

function clientOrigin(env: Env): string | null {
  try {
    return normaliseOrigin(new URL(env.CLIENT_URL).origin);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------
// /identity

async function identity(c: C): Promise<Response> {
  const found = await requirePermission(c.req.raw, c.env, 'submit-patch');
  const descriptions = new Set<string>();
  for (const permission of PERMISSIONS) {
    if (found.permissions.includes(permission)) for (const d of DESCRIPTIONS[permission]) descriptions.add(d);
  }
  // As the reference: listed exactly when the person has an open patch request of their own
  // (its update permission covers only those), whatever else they may do.
  if (await hasOpenPatchRequest(database(c.env.DB), found.user.id)) {
    descriptions.add(UPDATE_SUBMISSIONS);
  }
  return jsonifyResponse({ id: found.user.id, name: found.user.name, permissions: [...descriptions] }, 200, NO_STORE);
}

export function registerIdentityRoutes(app: Hono<{ Bindings: Env }>): void {
  app.get('/register', register);
  app.get(CALLBACK_PATH, registered);
  app.get('/identity', identity);
  app.get('/identity.json', identity);
}
