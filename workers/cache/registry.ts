/**
 * What this isolate has stored in `caches.default`: the keys with their tags, and the
 * origins and Accept variants seen. The Cache API cannot list its entries, so the local
 * purger deletes what this index names (exact in `wrangler dev` and tests, where one
 * isolate serves every request) plus keys it derives from explicit URLs. Production
 * purges by tag through the zone API instead; this index is bounded and best-effort.
 */
const MAX_KEYS = 20_000;
const MAX_VARIANTS = 64;

const keys = new Map<string, string[]>();
const origins = new Set<string>();
const accepts = new Set<string | null>();

function remember<T>(set: Set<T>, value: T): void {
  if (set.has(value)) return;
  if (set.size >= MAX_VARIANTS) set.delete(set.values().next().value as T);
  set.add(value);
}

export function recordStored(key: string, tags: string[], origin: string, accept: string | null): void {
  keys.delete(key);
  keys.set(key, tags);
  if (keys.size > MAX_KEYS) keys.delete(keys.keys().next().value as string);
  remember(origins, origin);
  remember(accepts, accept);
}

export function recordSeen(origin: string, accept: string | null): void {
  remember(origins, origin);
  remember(accepts, accept);
}

/** Keys stored here that carry any of these tags (all keys when `tags` is null); forgets them. */
export function takeKeys(tags: string[] | null): string[] {
  const wanted = tags && new Set(tags);
  const out: string[] = [];
  for (const [key, keyTags] of keys) {
    if (!wanted || keyTags.some((t) => wanted.has(t))) out.push(key);
  }
  for (const key of out) keys.delete(key);
  return out;
}

export function seenOrigins(): string[] {
  return [...origins];
}

export function seenAccepts(): (string | null)[] {
  return [...accepts];
}
