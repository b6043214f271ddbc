/**
 * Entries this isolate is writing after their answers, by key. A lookup of such a key waits
 * for its write, so a reader who has read a MISS to the end gets a HIT next (as with an
 * entry written before its answer ends) without the first reader waiting for the write.
 * A purge waits for them all first, so none lands after it.
 */
import { within } from '../shared/deadline';

export const STORE_WAIT_MS = 5000;

const writing = new Map<string, Promise<void>>();

/** Records that the entry under `key` is being written until `write` settles. */
export function noteWriting(key: string, write: Promise<void>): Promise<void> {
  const settled = write.finally(() => {
    if (writing.get(key) === settled) writing.delete(key);
  });
  writing.set(key, settled);
  return settled;
}

/** Never more than STORE_WAIT_MS: a slow write must not hold a reader or a purge either. */
export function atMost(work: Promise<unknown>): Promise<unknown> {
  return within(work, STORE_WAIT_MS, undefined);
}

/** Settles when the write of `key` under way in this isolate (if any) has. */
export async function writeOf(key: string): Promise<void> {
  const pending = writing.get(key);
  if (pending) await atMost(pending);
}

/** Settles when every write under way in this isolate has. */
export async function allWrites(): Promise<void> {
  if (writing.size) await atMost(Promise.allSettled([...writing.values()]));
}
