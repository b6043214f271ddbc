/**
 * `/d.json` and its variants served from the version's JSON document in R2, and from D1
 * while that document does not exist yet: the same bytes either way, ETag and 304, byte
 * ranges, HEAD, and `?version=N` unchanged after later merges. The export consumer is
 * driven directly with a message batch; the document of version 2 is claimed before its
 * merge, so nothing but this test writes it.
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import handler from '../../../workers/index';
import type { ExportJob } from '../../../workers/env';
import { exportKey } from '../../../workers/exports/enqueue';
import { partKey, partLayout } from '../../../workers/exports/part-objects';
import { R2StreamWriter } from '../../../workers/exports/r2-writer';
import { DOCUMENT_SOURCE } from '../../../workers/data/dataset-document';
import { noteHeadSeen } from '../../../workers/cache/generations';
import { claimExportJobs } from '../../../workers/storage/export-job-store';
import { database } from '../../../workers/storage/db';
import { ADMIN_TOKEN, get, headVersion, load, loadTestData } from './support';

const VARIANTS = ['/d.json', '/d.jsonld', '/dataset/', '/d.json?inline-context', '/d.jsonld?version=2', '/d.json?version=2&inline-context', '/d.json?version=1'];

async function deliver(body: ExportJob) {
  const batch = createMessageBatch<ExportJob>('periodo-exports-dev', [{ id: `m-${body.version}-${body.format}`, timestamp: new Date(), attempts: 1, body }]);
  const ctx = createExecutionContext();
  await handler.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

async function purgeAll(): Promise<void> {
  const r = await get('/admin/purge', { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: '{"all": true}' });
  expect(r.status).toBe(200);
  await r.body?.cancel();
}

async function bytes(r: Response): Promise<Uint8Array> {
  return new Uint8Array(await r.arrayBuffer());
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

const fromD1 = new Map<string, Uint8Array>();

beforeAll(async () => {
  await loadTestData();
  // Version 2's document is claimed (as if queued) before its merge: the merge queues its other exports only.
  expect(await claimExportJobs(database(env.DB), 2, ['json'])).toEqual(['json']);
  await load([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'version 2' }]);
  expect(await headVersion()).toBe(2);
  // The document of version 1 is written now (or already was, by the real queue), so ?version=1 reads R2 below.
  expect((await deliver({ version: 1, format: 'json' })).explicitAcks).toHaveLength(1);
});

describe('while the version has no JSON document in R2', () => {
  it('streams the dataset out of D1, whole, with its ETag', async () => {
    expect(await env.EXPORTS.head(exportKey(2, 'json'))).toBeNull();
    for (const path of VARIANTS.filter((p) => !p.includes('version=1'))) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get(DOCUMENT_SOURCE), path).toBe('d1');
      expect(r.headers.get('ETag')).toBe('W/"periodo-dataset-version-2"');
      const body = await bytes(r);
      const doc = JSON.parse(text(body)) as { authorities: Record<string, { editorialNote?: string }> };
      expect(doc.authorities.p0trgkv.editorialNote).toBe('version 2');
      fromD1.set(path, body);
    }
  });

  it('answers a byte range with the whole document (allowed by HTTP), and If-None-Match with 304', async () => {
    const ranged = await get('/d.json', { headers: { Range: 'bytes=0-9' } });
    expect(ranged.status).toBe(200);
    expect(ranged.headers.get('Accept-Ranges')).toBeNull();
    expect(await bytes(ranged)).toEqual(fromD1.get('/d.json'));
    const r = await get('/d.json?x=1', { headers: { 'If-None-Match': 'W/"periodo-dataset-version-2"' } });
    expect(r.status).toBe(304);
  });
});

describe('once the export consumer has written the document', () => {
  let total = 0;

  beforeAll(async () => {
    const result = await deliver({ version: 2, format: 'json' });
    expect(result.explicitAcks).toHaveLength(1);
    expect(await env.EXPORTS.head(exportKey(2, 'json'))).not.toBeNull();
    await purgeAll();
  });

  it('serves every variant from R2, byte for byte what D1 served', async () => {
    for (const path of VARIANTS) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get(DOCUMENT_SOURCE), path).toBe('r2');
      const body = await bytes(r);
      expect(Number(r.headers.get('Content-Length')), path).toBe(body.byteLength);
      if (fromD1.has(path)) expect(text(body), path).toBe(text(fromD1.get(path)!));
      else expect(JSON.parse(text(body)).authorities.p0trgkv.editorialNote, path).toBeUndefined();
    }
    total = fromD1.get('/d.json')!.byteLength;
  });

  it('answers If-None-Match with 304 and HEAD with the length and no body', async () => {
    const r = await get('/d.json?y=1', { headers: { 'If-None-Match': 'W/"periodo-dataset-version-2"' } });
    expect(r.status).toBe(304);
    const head = await get('/d.json?y=2', { method: 'HEAD' });
    expect(head.status).toBe(200);
    const whole = await bytes(await get('/d.json?y=2'));
    expect(head.headers.get('Content-Length')).toBe(String(whole.byteLength));
    expect(head.headers.get('Accept-Ranges')).toBe('bytes');
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers byte ranges across the request’s own parts and the stored map, and 416 beyond the end', async () => {
    const full = fromD1.get('/d.json')!;
    const head = text(full).indexOf('"authorities": ') + '"authorities": '.length;
    const cases: [string, number, number][] = [
      ['bytes=0-9', 0, 9],
      [`bytes=${head - 5}-${head + 20}`, head - 5, head + 20],
      ['bytes=-40', total - 40, total - 1],
      [`bytes=${total - 100}-`, total - 100, total - 1],
      [`bytes=${head + 3}-${head + 3}`, head + 3, head + 3],
      [`bytes=10-${total + 500}`, 10, total - 1],
    ];
    for (const [range, start, end] of cases) {
      const r = await get('/d.json', { headers: { Range: range } });
      expect(r.status, range).toBe(206);
      expect(r.headers.get('Content-Range'), range).toBe(`bytes ${start}-${end}/${total}`);
      expect(r.headers.get('X-Cache-Status'), range).toBe('BYPASS');
      expect(await bytes(r), range).toEqual(full.subarray(start, end + 1));
    }
    const beyond = await get('/d.json', { headers: { Range: `bytes=${total}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('Content-Range')).toBe(`bytes */${total}`);
    // Several ranges: the whole document.
    const several = await get('/d.json', { headers: { Range: 'bytes=0-1,5-6' } });
    expect(several.status).toBe(200);
    expect(await bytes(several)).toEqual(full);
  });

  it('reads the latest document from R2 alongside D1 with the head the edge cache read, and never serves an older one when a merge came between', async () => {
    // As if version 2 had been merged between the cache's head read (1) and the route's: the
    // cache is bypassed (Authorization) so the older head stays what the route is told.
    const request = new Request(`http://localhost/d.json`, { headers: { Authorization: 'Bearer not-a-token', 'Accept-Encoding': 'identity' } });
    noteHeadSeen(request, 1);
    const ctx = createExecutionContext();
    const r = await handler.fetch(request as Request<unknown, IncomingRequestCfProperties>, env, ctx);
    expect(r.status).toBe(200);
    expect(r.headers.get('ETag')).toBe('W/"periodo-dataset-version-2"');
    expect(r.headers.get(DOCUMENT_SOURCE)).toBe('r2');
    expect(text(await bytes(r))).toBe(text(fromD1.get('/d.json')!));
    await waitOnExecutionContext(ctx);
  });

  it('keeps ?version=2 byte-identical after later merges, and never serves it as the latest', async () => {
    const before = fromD1.get('/d.jsonld?version=2')!;
    await load([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'version 3' }]);
    await purgeAll();
    const old = await get('/d.jsonld?version=2');
    expect(old.headers.get(DOCUMENT_SOURCE)).toBe('r2');
    expect(text(await bytes(old))).toBe(text(before));
    const latest = await get('/d.json');
    expect(latest.headers.get('ETag')).toBe('W/"periodo-dataset-version-3"');
    const doc = JSON.parse(await latest.text()) as { authorities: Record<string, { editorialNote?: string }> };
    expect(doc.authorities.p0trgkv.editorialNote).toBe('version 3');
  });
});

describe('a document stored as several objects (larger than one part: above 8 MiB)', () => {
  let partBytes = 0;
  let mapStart = 0;
  let full: Uint8Array = new Uint8Array();

  beforeAll(async () => {
    // Version 2's document rewritten as the consumer writes a large one, with small parts.
    const key = exportKey(2, 'json');
    const map = new Uint8Array(await (await env.EXPORTS.get(key))!.arrayBuffer());
    partBytes = Math.ceil(map.length / 8.5);
    const writer = new R2StreamWriter(env.EXPORTS, key, { partBytes, layout: 'objects', httpMetadata: { contentType: 'application/json' } });
    await writer.write(new TextDecoder().decode(map));
    expect(partLayout(await writer.finish())).toEqual({ parts: 9, partBytes, size: map.length });
    await purgeAll();
    full = fromD1.get('/d.jsonld?version=2')!;
    mapStart = text(full).indexOf('"authorities": ') + '"authorities": '.length;
  });

  it('serves the version byte for byte as before, with its length', async () => {
    for (const path of ['/d.jsonld?version=2', '/d.json?version=2&inline-context']) {
      const r = await get(path);
      expect(r.headers.get(DOCUMENT_SOURCE), path).toBe('r2');
      const body = await bytes(r);
      expect(Number(r.headers.get('Content-Length')), path).toBe(body.byteLength);
      expect(text(body), path).toBe(text(fromD1.get(path)!));
    }
    // (Its own URL is in the document: a HEAD of another URL, then a GET of it.)
    const head = await get('/d.jsonld?version=2&h', { method: 'HEAD' });
    expect(head.headers.get('X-Cache-Status')).toBe('MISS');
    expect(head.headers.get('Content-Length')).toBe(String((await bytes(await get('/d.jsonld?version=2&h'))).byteLength));
  });

  it('reads a part only once the one before it is being sent: never more than two open at once', async () => {
    // The R2 binding itself, with each part's body counted from its read to its last byte.
    let open = 0;
    let most = 0;
    const reads: string[] = [];
    const counted = new Proxy(env.EXPORTS, {
      get(target, name) {
        if (name !== 'get') {
          const value = Reflect.get(target, name) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return async (key: string, options?: R2GetOptions) => {
          const object = await target.get(key, options);
          if (!object || !key.includes('.part-')) return object;
          reads.push(key);
          most = Math.max(most, ++open);
          const body = object.body.pipeThrough(new TransformStream({ flush: () => void open-- }));
          return { body } as R2ObjectBody;
        };
      },
    });
    // (Authorization: past the edge cache, so the route itself answers.)
    const request = new Request('http://localhost/d.jsonld?version=2', { headers: { Authorization: 'Bearer not-a-token', 'Accept-Encoding': 'identity' } });
    const ctx = createExecutionContext();
    const r = await handler.fetch(request as Request<unknown, IncomingRequestCfProperties>, { ...env, EXPORTS: counted }, ctx);
    expect(r.headers.get(DOCUMENT_SOURCE)).toBe('r2');
    expect(text(await bytes(r))).toBe(text(full));
    await waitOnExecutionContext(ctx);
    expect(reads).toEqual(Array.from({ length: 8 }, (_, i) => partKey(exportKey(2, 'json'), i + 2)));
    expect(most).toBeLessThanOrEqual(2);
  });

  it('answers byte ranges that cross the parts’ boundaries', async () => {
    const total = full.byteLength;
    const boundary = (n: number) => mapStart + n * partBytes;
    const cases: [number, number][] = [
      [boundary(1) - 2, boundary(1) + 2],
      [boundary(1), boundary(2) - 1],
      [mapStart - 3, boundary(3) + 10],
      [boundary(2) + 5, total - 1],
      [boundary(3) - 1, boundary(3) - 1],
    ];
    for (const [start, end] of cases) {
      const r = await get('/d.jsonld?version=2', { headers: { Range: `bytes=${start}-${end}` } });
      expect(r.status, `${start}-${end}`).toBe(206);
      expect(r.headers.get('Content-Range')).toBe(`bytes ${start}-${end}/${total}`);
      expect(await bytes(r), `${start}-${end}`).toEqual(full.subarray(start, end + 1));
    }
  });

  it('answers from D1, whole and the same, when a part has gone missing, and has the document written again', async () => {
    const key = exportKey(2, 'json');
    await env.EXPORTS.delete(partKey(key, 3));
    await purgeAll();
    const ranged = await get('/d.jsonld?version=2', { headers: { Range: `bytes=${mapStart}-${mapStart + 3 * partBytes}` } });
    expect(ranged.status).toBe(200);
    expect(text(await bytes(ranged))).toBe(text(full));
    const r = await get('/d.jsonld?version=2');
    expect(r.status).toBe(200);
    expect(r.headers.get(DOCUMENT_SOURCE)).toBe('d1');
    expect(text(await bytes(r))).toBe(text(full));
    // The broken document is gone and its job queued (this file delivers jobs itself): written again, it is served.
    await vi.waitFor(async () => expect(await env.EXPORTS.head(key)).toBeNull());
    expect((await deliver({ version: 2, format: 'json' })).explicitAcks).toHaveLength(1);
    await purgeAll();
    const again = await get('/d.jsonld?version=2');
    expect(again.headers.get(DOCUMENT_SOURCE)).toBe('r2');
    expect(text(await bytes(again))).toBe(text(full));
  });
});

