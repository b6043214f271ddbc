/**
 * An entry stored after its answer (large or rebuildable answers: the dataset from R2, an
 * entity's bytes) is written in the background; a lookup of the same key in the meantime
 * waits for that write, so a reader who has read a MISS to the end gets a HIT next even
 * though the first reader never waited for the write. A purge waits for such writes too.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { purgeEverything } from '../../../workers/cache/purge';
import { recordStored } from '../../../workers/cache/registry';
import { lookup } from '../../../workers/cache/middleware';
import { noteWriting } from '../../../workers/cache/pending-writes';

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

describe('a purge while an entry is being written', () => {
  it('waits for the write, so the entry does not land after the purge', async () => {
    const cache = caches.default;
    const key = 'http://localhost/.cache/test/-/v1/purged-while-written';
    // A slow write (the copy of a large answer): it lands well after the purge begins.
    const written = noteWriting(
      key,
      scheduler.wait(200).then(async () => {
        await cache.put(key, new Response('stored', { headers: { 'Cache-Control': 'max-age=60' } }));
        recordStored(key, ['periodo:test:all'], 'http://localhost', null);
      }),
    );
    expect((await purgeEverything(env)).ok).toBe(true);
    await written;
    expect(await cache.match(key)).toBeUndefined();
  });
});
