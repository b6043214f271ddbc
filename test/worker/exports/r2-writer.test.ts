/**
 * The R2 streaming writer against workerd's R2: fixed-size parts of a multipart upload,
 * the object visible only once completed, nothing left behind when aborted.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { MIN_PART_BYTES, R2StreamWriter } from '../../../workers/exports/r2-writer';
import { partBodies, partKey, partLayout } from '../../../workers/exports/part-objects';

/** Text of `bytes` UTF-8 bytes or a little more, with multi-byte characters straddling part boundaries. */
function chunks(totalBytes: number): string[] {
  const out: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < totalBytes; i++) {
    const chunk = `${i}: Çatalhöyük — 新石器時代 🏺 ${'x'.repeat(i % 97)}\n`.repeat(300);
    out.push(chunk);
    bytes += new TextEncoder().encode(chunk).length;
  }
  return out;
}

async function sha256(data: ArrayBuffer | Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest('SHA-256', data))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

describe('R2StreamWriter', () => {
  it('writes output larger than a part as fixed-size parts, visible only when complete', async () => {
    const key = 'test/multipart.txt';
    const writer = new R2StreamWriter(env.EXPORTS, key, { partBytes: MIN_PART_BYTES, httpMetadata: { contentType: 'text/plain' } });
    const text = chunks(2.5 * MIN_PART_BYTES);
    for (const chunk of text.slice(0, text.length - 1)) await writer.write(chunk);
    expect(writer.partsUploaded).toBe(2);
    expect(await env.EXPORTS.head(key), 'not visible before completion').toBeNull();
    await writer.write(text[text.length - 1]);
    const object = await writer.finish();
    const expected = new TextEncoder().encode(text.join(''));
    expect(object.size).toBe(expected.length);
    expect(writer.bytes).toBe(expected.length);
    const stored = await env.EXPORTS.get(key);
    expect(stored!.httpMetadata?.contentType).toBe('text/plain');
    expect(await sha256(await stored!.arrayBuffer())).toBe(await sha256(expected));
  });

  it('uses a single put for output smaller than a part', async () => {
    const key = 'test/small.txt';
    const writer = new R2StreamWriter(env.EXPORTS, key);
    await writer.write('héllo ');
    await writer.write('wörld\n');
    const object = await writer.finish();
    expect(writer.partsUploaded).toBe(0);
    expect(writer.uploadId).toBeNull();
    expect(object.size).toBe(new TextEncoder().encode('héllo wörld\n').length);
    expect(await (await env.EXPORTS.get(key))!.text()).toBe('héllo wörld\n');
  });

  it('leaves nothing behind when aborted after uploading parts', async () => {
    const key = 'test/aborted.txt';
    const writer = new R2StreamWriter(env.EXPORTS, key, { partBytes: MIN_PART_BYTES });
    for (const chunk of chunks(1.2 * MIN_PART_BYTES)) await writer.write(chunk);
    expect(writer.partsUploaded).toBe(1);
    const uploadId = writer.uploadId!;
    await writer.abort();
    expect(await env.EXPORTS.head(key)).toBeNull();
    // The upload is gone: its parts can no longer be made into an object.
    const resumed = env.EXPORTS.resumeMultipartUpload(key, uploadId);
    await expect(resumed.complete([])).rejects.toThrow();
    expect(await env.EXPORTS.head(key)).toBeNull();
    await expect(writer.write('more')).rejects.toThrow(/after finish or abort/);
  });

  it('refuses parts smaller than R2 accepts', () => {
    expect(() => new R2StreamWriter(env.EXPORTS, 'test/x', { partBytes: 1024 })).toThrow(RangeError);
  });

  describe('with each part its own object', () => {
    const PART = 64 * 1024;

    async function joined(bodies: (ReadableStream<Uint8Array> | (() => Promise<ReadableStream<Uint8Array>>))[]): Promise<Uint8Array> {
      const out: Uint8Array[] = [];
      for (const body of bodies) out.push(new Uint8Array(await new Response(typeof body === 'function' ? await body() : body).arrayBuffer()));
      const all = new Uint8Array(out.reduce((n, b) => n + b.length, 0));
      let at = 0;
      for (const b of out) all.set(b, (at += b.length) - b.length);
      return all;
    }

    it('stores parts 2… first and the first part last, naming the others, so the export is visible only when whole', async () => {
      const key = 'test/objects.json';
      const writer = new R2StreamWriter(env.EXPORTS, key, { partBytes: PART, layout: 'objects', httpMetadata: { contentType: 'application/json' } });
      const text = chunks(3.5 * PART);
      for (const chunk of text.slice(0, text.length - 1)) await writer.write(chunk);
      expect(writer.partsUploaded).toBeGreaterThanOrEqual(3);
      expect(await env.EXPORTS.head(partKey(key, 2)), 'part 2 stored as it filled').not.toBeNull();
      expect(await env.EXPORTS.head(key), 'not visible before the end').toBeNull();
      await writer.write(text[text.length - 1]);
      const first = await writer.finish();
      const expected = new TextEncoder().encode(text.join(''));
      expect(partLayout(first)).toEqual({ parts: 4, partBytes: PART, size: expected.length });
      expect(first.size).toBe(PART);
      expect(first.httpMetadata?.contentType).toBe('application/json');
      const stored = (await env.EXPORTS.get(key))!;
      expect(await sha256(await joined((await partBodies(env.EXPORTS, key, stored, 0, expected.length))!))).toBe(await sha256(expected));
      // Any span, across part boundaries, from the object's head (no body) or its body.
      for (const [from, to] of [[0, 10], [PART - 3, PART + 3], [PART, 2 * PART], [PART + 1, 3 * PART + 7], [expected.length - 5, expected.length], [0, expected.length]]) {
        const head = (await env.EXPORTS.head(key))!;
        expect(await joined((await partBodies(env.EXPORTS, key, head, from, to))!), `${from}-${to}`).toEqual(expected.subarray(from, to));
      }
      // A part gone: the reader is told, not handed a shorter export.
      await env.EXPORTS.delete(partKey(key, 3));
      expect(await partBodies(env.EXPORTS, key, (await env.EXPORTS.head(key))!, 0, expected.length)).toBeNull();
      expect(await joined((await partBodies(env.EXPORTS, key, (await env.EXPORTS.head(key))!, 0, PART))!)).toEqual(expected.subarray(0, PART));
    });

    it('is one plain object when the output fits in a part', async () => {
      const key = 'test/objects-small.json';
      const writer = new R2StreamWriter(env.EXPORTS, key, { partBytes: PART, layout: 'objects' });
      await writer.write('{"a": "é"}');
      const object = await writer.finish();
      expect(writer.partsUploaded).toBe(0);
      expect(partLayout(object)).toEqual({ parts: 1, partBytes: object.size, size: object.size });
      expect(await env.EXPORTS.head(partKey(key, 2))).toBeNull();
      expect(await (await env.EXPORTS.get(key))!.text()).toBe('{"a": "é"}');
    });

    it('leaves no part behind when aborted', async () => {
      const key = 'test/objects-aborted.json';
      const writer = new R2StreamWriter(env.EXPORTS, key, { partBytes: PART, layout: 'objects' });
      for (const chunk of chunks(3.2 * PART)) await writer.write(chunk);
      expect(await env.EXPORTS.head(partKey(key, 3))).not.toBeNull();
      await writer.abort();
      expect(await env.EXPORTS.head(key)).toBeNull();
      const left = await env.EXPORTS.list({ prefix: key });
      expect(left.objects.map((o) => o.key)).toEqual([]);
    });
  });
});
