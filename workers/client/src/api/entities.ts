/** One entity request per page: an authority (with its periods) from the data API. */
import { ApiError, entityPath, getJson, shortId } from './client';
import type { Authority } from './types';

const cache = new Map<string, Promise<Authority>>();
/** The authorities that have arrived, for a page to render with at once (no loading frame). */
const arrived = new Map<string, Authority>();

/** After a merge: the next page reads authorities afresh. */
export function forgetAuthorities(): void {
  cache.clear();
  arrived.clear();
}

/** The authority if it has already arrived (a page opened again, or the first page's request started early). */
export function loadedAuthority(authorityID: string): Authority | undefined {
  return arrived.get(shortId(authorityID));
}

export function loadAuthority(authorityID: string): Promise<Authority> {
  const id = shortId(authorityID);
  if (!/^p0[0-9a-z]{5}$/.test(id)) return Promise.reject(new ApiError(`“${authorityID}” is not an authority identifier.`, 400, false));
  let found = cache.get(id);
  if (!found) {
    found = getJson<Authority>(entityPath(id, 'json')).then((r) => {
      if (cache.get(id) === found) arrived.set(id, r.body);
      return r.body;
    });
    cache.set(id, found);
    found.catch(() => cache.delete(id));
  }
  return found;
}
