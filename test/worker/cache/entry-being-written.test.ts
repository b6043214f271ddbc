/**
 * An entry stored after its answer (large or rebuildable answers: the dataset from R2, an
 * entity's bytes) is written in the background; a lookup of the same key in the meantime
 * waits for that write, so a reader who has read a MISS to the end gets a HIT next even
 * though the first reader never waited for the write.
 */
import { describe, expect, it } from 'vitest';
import { lookup, noteWriting } from '../../../workers/cache/middleware';

describe('a lookup of an entry being written', () => {
  it('waits for the write and finds the entry', async () => {
    const cache = caches.default;
    const key = 'http://localhost/.cache/test/-/v1/being-written';
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // The write starts only once the lookup has been made.
    noteWriting(key, gate.then(() => cache.put(key, new Response('stored', { headers: { 'Cache-Control': 'max-age=60' } }))));
    const found = lookup(cache, key);
    open();
    const entry = await found;
    expect(entry && (await entry.text())).toBe('stored');
  });

  it('does not wait for a failed write, and finds nothing', async () => {
    const key = 'http://localhost/.cache/test/-/v1/failed-write';
    noteWriting(key, Promise.reject(new Error('write failed')).catch(() => undefined));
    expect(await lookup(caches.default, key)).toBeUndefined();
  });
});
