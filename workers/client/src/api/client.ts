/**
 * Requests to the data API. Failures are classified so pages can say what went wrong
 * (unreachable, slow, an error status) and retry; nothing here downloads the dataset.
 */
import { dataUrl } from '../config';
import { shortId } from './names';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    /** Worth retrying: the API is down, slow or answered 5xx. */
    readonly transient: boolean,
  ) {
    super(message);
  }
}

/** After this long a request is reported as slow (it continues). */
export const SLOW_MS = 4000;

export async function apiUrl(path: string): Promise<string> {
  return new URL(path.replace(/^\//, ''), await dataUrl()).href;
}

export async function getJson<T>(path: string, init: RequestInit = {}): Promise<{ body: T; response: Response }> {
  const url = await apiUrl(path);
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { Accept: 'application/json', ...(init.headers ?? {}) } });
  } catch {
    throw new ApiError(`The PeriodO data API (${new URL(url).host}) could not be reached.`, null, true);
  }
  if (!response.ok) {
    let message = `The data API answered ${response.status}.`;
    try {
      const body = (await response.json()) as { message?: string };
      if (body.message) message = `${message} ${body.message}`;
    } catch {
      /* not JSON */
    }
    throw new ApiError(message, response.status, response.status >= 500 || response.status === 429);
  }
  return { body: (await response.json()) as T, response };
}

export { shortId };

export const ARK_BASE = 'http://n2t.net/ark:/99152/';

export function arkOf(id: string): string {
  return ARK_BASE + shortId(id);
}

/** Data API paths of an entity's representations. */
export function entityPath(id: string, suffix: 'json' | 'jsonld' | 'ttl' | 'csv' | 'nt'): string {
  return `${shortId(id).slice(2)}.${suffix}`;
}
