/**
 * Bearer authentication as the reference server does it: clients send
 * `Authorization: Bearer base64(ORCID access token)`; the token's SHA-256 finds the user.
 * Refusals carry the reference's exact `WWW-Authenticate` values.
 */
import type { Env } from '../env';
import { database } from '../storage/db';
import { HttpError } from '../shared/errors';
import { userByToken, type Permission, type UserRow } from '../storage/user-store';

export interface Identity {
  user: UserRow;
  permissions: Permission[];
}

const REALM = 'Bearer realm="PeriodO"';

function invalidToken(description: string): HttpError {
  return new HttpError(401, description, {
    'WWW-Authenticate': `${REALM}, error="invalid_token", error_description="${description}", error_uri="http://tools.ietf.org/html/rfc6750#section-6.2.2"`,
  });
}

export function unauthenticated(): HttpError {
  return new HttpError(401, 'This requires authentication: send Authorization: Bearer <token>.', { 'WWW-Authenticate': REALM });
}

/** The reference's 403 (Flask-Principal's PermissionDenied), with its exact WWW-Authenticate. */
export function insufficientScope(): HttpError {
  const description = 'The access token does not provide sufficient privileges';
  return new HttpError(403, description, {
    'WWW-Authenticate': `${REALM}, error="insufficient_scope", error_description="${description}", error_uri="http://tools.ietf.org/html/rfc6750#section-6.2.3"`,
  });
}

const BEARER = /^Bearer ([\w\-.~+/]+=*)$/;

function decodeBase64(text: string): string | null {
  try {
    const bytes = Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * The identity behind a request's bearer token; `null` when the request carries no
 * Authorization header at all. A malformed, unknown or expired token throws its 401.
 */
export async function identify(request: Request, env: Env): Promise<Identity | null> {
  const header = request.headers.get('Authorization');
  if (!header || !header.startsWith('Bearer ')) return null;
  const m = BEARER.exec(header);
  if (!m) throw invalidToken('The access token is malformed');
  // The reference looked the well-formed text up as it came: text that is not base64 of
  // any token is simply a token no user holds ("invalid"), as its tests expect.
  const token = decodeBase64(m[1]);
  const user = token ? await userByToken(database(env.DB), token) : undefined;
  if (!user) throw invalidToken('The access token is invalid');
  if (user.tokenExpiresAt !== null && user.tokenExpiresAt <= Math.floor(Date.now() / 1000)) {
    throw invalidToken('The access token expired');
  }
  return { user, permissions: JSON.parse(user.permissions) as Permission[] };
}

/** The identity, or null for a missing or unusable token (where signing in only adds to an answer). */
export async function optionalIdentity(request: Request, env: Env): Promise<Identity | null> {
  try {
    return await identify(request, env);
  } catch (error) {
    if (error instanceof HttpError) return null;
    throw error;
  }
}

/** The identity of a request that needs `permission`; throws the 401/403 to answer otherwise. */
export async function requirePermission(request: Request, env: Env, permission: Permission): Promise<Identity> {
  const identity = await identify(request, env);
  if (identity === null) throw unauthenticated();
  if (!identity.permissions.includes(permission)) throw insufficientScope();
  return identity;
}

export function can(identity: Identity | null, permission: Permission): identity is Identity {
  return identity !== null && identity.permissions.includes(permission);
}
