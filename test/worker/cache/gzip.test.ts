/**
 * Entries are stored gzipped: a client that accepts gzip gets the stored bytes with
 * Content-Encoding: gzip, any other client the same document decoded.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import handler from '../../../workers/index';
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { loadTestData } from '../read-api/support';

/** Straight into the Worker's handler, so the encoded bytes are seen as they are sent. */
async function fetchRaw(path: string, headers: Record<string, string> = {}, cf?: Record<string, unknown>): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await handler.fetch(new Request(`http://localhost${path}`, { headers, cf }) as Request<unknown, IncomingRequestCfProperties>, env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

beforeAll(async () => {
  await loadTestData();
});

describe('gzip from the cache', () => {
  it('serves the stored gzip to clients that accept it, and the plain document to others', async () => {
    const miss = await fetchRaw('/d.json', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(miss.headers.get('X-Cache-Status')).toBe('MISS');
    expect(miss.headers.get('Content-Encoding')).toBeNull();
    expect(miss.headers.get('Vary')).toContain('Accept-Encoding');
    const plain = await miss.text();

    const hit = await fetchRaw('/d.json', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(hit.headers.get('X-Cache-Status')).toBe('HIT');
    expect(hit.headers.get('Content-Encoding')).toBe('gzip');
    const bytes = new Uint8Array(await hit.arrayBuffer());
    // The gzip magic number: what the client receives is compressed, and smaller.
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(bytes.length).toBeLessThan(plain.length / 2);
    const decoded = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
    expect(decoded).toBe(plain);

    for (const acceptEncoding of [undefined, 'identity', 'gzip;q=0, br']) {
      const other = await fetchRaw('/d.json', acceptEncoding ? { 'Accept-Encoding': acceptEncoding } : {});
      expect(other.headers.get('X-Cache-Status'), String(acceptEncoding)).toBe('HIT');
      expect(other.headers.get('Content-Encoding'), String(acceptEncoding)).toBeNull();
      expect(await other.text(), String(acceptEncoding)).toBe(plain);
    }
  });

  it('follows the client’s own Accept-Encoding where the edge (or wrangler dev) replaced the header', async () => {
    // Cloudflare and wrangler dev's proxy hand the Worker "Accept-Encoding: gzip" whatever the
    // client sent, and keep the client's header in cf.clientAcceptEncoding ("" for none).
    const plain = await (await fetchRaw('/trgkv.json', { 'Accept-Encoding': 'identity' })).text();
    const curl = await fetchRaw('/trgkv.json', { 'Accept-Encoding': 'gzip' }, { clientAcceptEncoding: '' });
    expect(curl.headers.get('X-Cache-Status')).toBe('HIT');
    expect(curl.headers.get('Content-Encoding')).toBeNull();
    expect(await curl.text()).toBe(plain);
    const browser = await fetchRaw('/trgkv.json', { 'Accept-Encoding': 'gzip' }, { clientAcceptEncoding: 'gzip, deflate, br' });
    expect(browser.headers.get('Content-Encoding')).toBe('gzip');
    await browser.body?.cancel();
  });
});
