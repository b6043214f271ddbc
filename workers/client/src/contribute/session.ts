/**
 * Who is signed in. "Sign in with ORCID" opens the data API's `/register` in a popup; its
 * last page posts `{ name, token }` to this window, which accepts it from the data API's
 * origin only. The token (base64 of the ORCID access token, what the API expects as a
 * bearer token) is kept in localStorage per data API, so a reload keeps the person signed
 * in; `/identity` says what they may do. Any 401 from the API signs them out with a message.
 */
import { computed, signal } from '@preact/signals';
import { ApiError, apiUrl } from '../api/client';
import { dataUrl } from '../config';

export interface Identity {
  id: string;
  name: string;
  permissions: string[];
}

export interface Session {
  token: string;
  name: string;
}

export const MAY_SUBMIT = 'can submit proposed changes to the dataset';
export const MAY_MERGE = 'can accept and merge changes to the dataset';

export const session = signal<Session | null>(null);
export const identity = signal<Identity | null>(null);
/** A message for the person about their sign-in (why they were signed out, why sign-in failed). */
export const sessionNotice = signal<string | null>(null);
export const signingIn = signal(false);

export const isEditor = computed(() => identity.value?.permissions.includes(MAY_MERGE) ?? false);

const storageKey = async () => `periodo-session ${await dataUrl()}`;

function readStored(text: string | null): Session | null {
  try {
    const value = JSON.parse(text ?? 'null') as Partial<Session> | null;
    return value && typeof value.token === 'string' && typeof value.name === 'string' ? { token: value.token, name: value.name } : null;
  } catch {
    return null;
  }
}

async function store(value: Session | null): Promise<void> {
  const key = await storageKey();
  if (value) localStorage.setItem(key, JSON.stringify(value));
  else localStorage.removeItem(key);
  session.value = value;
}

/** Forgets the token. With a reason (an expired token), the reason is shown. */
export async function signOut(reason: string | null = null): Promise<void> {
  await store(null);
  identity.value = null;
  sessionNotice.value = reason;
}

export const EXPIRED = 'Your sign-in has expired or was revoked, so you have been signed out. Sign in again to continue; your draft changes are kept.';

/** A request to the data API as the signed-in person; a 401 signs them out. */
export async function authorizedFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const current = session.value;
  const headers = new Headers(init.headers);
  if (current) headers.set('Authorization', `Bearer ${current.token}`);
  let response: Response;
  const url = path.startsWith('http') ? path : await apiUrl(path);
  try {
    response = await fetch(url, { ...init, headers });
  } catch {
    throw new ApiError(`The PeriodO data API (${new URL(url).host}) could not be reached.`, null, true);
  }
  if (response.status === 401 && current) {
    await signOut(EXPIRED);
    throw new ApiError(EXPIRED, 401, false);
  }
  return response;
}

/** Reads a JSON error body's message into an ApiError. */
export async function failure(response: Response, what: string): Promise<ApiError> {
  let detail = '';
  try {
    const body = (await response.json()) as { message?: unknown };
    if (typeof body.message === 'string') detail = ` ${body.message}`;
  } catch {
    /* not JSON */
  }
  return new ApiError(`${what} failed (${response.status}).${detail}`, response.status, response.status >= 500);
}

export async function loadIdentity(): Promise<void> {
  if (!session.value) return;
  const response = await authorizedFetch('identity', { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    // 403: a signed-in person without the right to propose changes.
    identity.value = null;
    sessionNotice.value = (await failure(response, 'Reading who you are')).message;
    return;
  }
  identity.value = (await response.json()) as Identity;
}

/** Restores a stored sign-in (checking it with /identity). */
export async function restoreSession(): Promise<void> {
  session.value = readStored(localStorage.getItem(await storageKey()));
  if (session.value) await loadIdentity().catch(() => undefined);
}

let listening: ((event: MessageEvent) => void) | null = null;

/** Opens the data API's sign-in window; resolves once the token has arrived (or the window closed). */
export async function signIn(): Promise<void> {
  const api = await dataUrl();
  const dataOrigin = new URL(api).origin;
  const register = `${api}register?${new URLSearchParams({ origin: location.origin })}`;
  sessionNotice.value = null;
  const popup = window.open(register, 'periodo-sign-in', 'popup,width=600,height=720');
  if (!popup) {
    sessionNotice.value = 'The sign-in window was blocked. Allow pop-ups for this site and try again.';
    return;
  }
  signingIn.value = true;
  if (listening) window.removeEventListener('message', listening);
  await new Promise<void>((resolve) => {
    const closed = setInterval(() => {
      if (popup.closed) finish();
    }, 500);
    const finish = () => {
      clearInterval(closed);
      if (listening) window.removeEventListener('message', listening);
      listening = null;
      signingIn.value = false;
      resolve();
    };
    listening = (event: MessageEvent) => {
      // Only the data API's own sign-in page may hand over a token.
      if (event.origin !== dataOrigin || event.source !== popup) return;
      const data = event.data as { name?: unknown; token?: unknown };
      if (typeof data?.token !== 'string' || typeof data.name !== 'string') return;
      void store({ token: data.token, name: data.name })
        .then(loadIdentity)
        .finally(() => {
          popup.close();
          finish();
        });
    };
    window.addEventListener('message', listening);
  });
}
