/**
 * A route's own first D1 read, made by the edge cache in the batch that reads its key's
 * generations (generations.ts `generationsWith`). A cold read then waits for one D1 round
 * trip before it can answer, not two, and the answer is of the very state its key names.
 * A small read (a few short rows) is made alongside the cache lookup, as the generation
 * read always was, so neither a HIT nor a MISS waits for the two in turn. A read that can
 * be large (an authority and all its periods) is made only once the lookup has found no
 * fresh entry, so a HIT does not pay for its rows.
 */
import type { Env } from '../env';
import type { BatchRead } from '../storage/db';

/** A read named by what it reads: the route takes the result only under the same name. */
export interface ReadAhead {
  key: string;
  read: BatchRead<unknown>;
  /** A few short rows: read even when the lookup may yet find a HIT. */
  small: boolean;
}

/** The read a route would make first for this URL, if the app has one to offer. */
export type ReadAheadOf = (url: URL, env: Env) => ReadAhead | null;

const results = new WeakMap<Request, { key: string; value: unknown }>();

export function noteReadAhead(request: Request, key: string, value: unknown): void {
  results.set(request, { key, value });
}

/** What was read ahead for this request under `key` (taken once), or undefined: read it yourself. */
export function takeReadAhead<T>(request: Request, key: string): { value: T } | undefined {
  const found = results.get(request);
  if (!found || found.key !== key) return undefined;
  results.delete(request);
  return { value: found.value as T };
}
