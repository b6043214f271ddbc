/** One entity request per page: an authority (with its periods) from the data API. */
import { ApiError, entityPath, getJson, shortId } from './client';
import type { Authority } from './types';

/** Each authority's request, and its answer once it has arrived (for a page to render with at once). */
const cache = new Map<string, { request: Promise<Authority>; arrived?: Authority }>();

/** After a merge: the next page reads authorities afresh. */
export function forgetAuthorities(): void {
  cache.clear();
}

/** The authority if it has already arrived (a page opened again, or the first page's request started early). */
export function loadedAuthority(authorityID: string): Authority | undefined {
  return cache.get(shortId(authorityID))?.arrived;
}

export function loadAuthority(authorityID: string): Promise<Authority> {
  const id = shortId(authorityID);
  if (!/^p0[0-9a-z]{5}$/.test(id)) return Promise.reject(new ApiError(`“${authorityID}” is not an authority identifier.`, 400, false));
  let entry = cache.get(id);
  if (!entry) {
    const request = getJson<Authority>(entityPath(id, 'json')).then((r) => r.body);
    const made = { request } as { request: Promise<Authority>; arrived?: Authority };
    entry = made;
    cache.set(id, made);
    // (Forgotten meanwhile, by a merge: nothing to record.)
    request.then(
      (authority) => void (made.arrived = authority),
      () => cache.get(id) === made && cache.delete(id),
    );
  }
  return entry.request;
}
