/** One entity request per page: an authority (with its periods) from the data API. */
import { ApiError, entityPath, getJson, shortId } from './client';
import type { Authority } from './types';

const cache = new Map<string, Promise<Authority>>();

/** After a merge: the next page reads authorities afresh. */
export function forgetAuthorities(): void {
  cache.clear();
}

export function loadAuthority(authorityID: string): Promise<Authority> {
  const id = shortId(authorityID);
  if (!/^p0[0-9a-z]{5}$/.test(id)) return Promise.reject(new ApiError(`“${authorityID}” is not an authority identifier.`, 400, false));
  let found = cache.get(id);
  if (!found) {
    found = getJson<Authority>(entityPath(id, 'json')).then((r) => r.body);
    cache.set(id, found);
    found.catch(() => cache.delete(id));
  }
  return found;
}
