/**
 * Large answers the app can build again — the dataset document streamed from its R2 object,
 * an authority of several hundred periods — reach a cold reader untouched (not teed into the
 * cache entry) and are stored in the edge cache afterwards from a fresh copy: once the
 * request's background work is done, the same URL is a HIT with the same bytes and headers.
 * The 2015 dataset (1.2 MB of JSON; its largest authority 348 KB) is loaded; the export
 * consumer is driven directly for the JSON document.
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import periodo2015 from '../../fixtures/periodo-2015.json';
import handler from '../../../workers/index';
import type { ExportJob } from '../../../workers/env';
import { datasetPatches } from '../../../scripts/lib/load-patches';
import { DOCUMENT_SOURCE } from '../../../workers/data/dataset-document';
import { exportKey } from '../../../workers/exports/enqueue';
import { get, H, headVersion, load } from '../read-api/support';
import { stableHeaders } from './support';

type Json = Record<string, unknown>;

async function fetchWithContext(path: string): Promise<{ response: Response; body: Uint8Array; ctx: ExecutionContext }> {
  const ctx = createExecutionContext();
  const response = await handler.fetch(new Request(`${H}${path}`) as Request<unknown, IncomingRequestCfProperties>, env, ctx);
  const body = new Uint8Array(await response.arrayBuffer());
  return { response, body, ctx };
}

let largest = '';

beforeAll(async () => {
  const [patch, ...rest] = datasetPatches({}, periodo2015 as unknown as Json, { maxPeriods: 5000, maxBytes: 1e9 });
  expect(rest).toHaveLength(0);
  await load(patch);
  const version = await headVersion();
  const batch = createMessageBatch<ExportJob>('periodo-exports-dev', [{ id: 'json', timestamp: new Date(), attempts: 1, body: { version, format: 'json' } }]);
  const ctx = createExecutionContext();
  await handler.queue(batch, env, ctx);
  await expect(getQueueResult(batch, ctx)).resolves.toMatchObject({ explicitAcks: ['json'] });
  const authorities = Object.values((periodo2015 as unknown as { authorities: Record<string, { id: string; periods: object }> }).authorities);
  authorities.sort((a, b) => Object.keys(b.periods).length - Object.keys(a.periods).length);
  largest = authorities[0].id.replace(/^.*\/assigned\/p0/, '');
}, 180_000);

describe('a large answer', () => {
  it('of the dataset is sent from R2 on a MISS and stored once the request is done', async () => {
    const miss = await fetchWithContext('/d.json');
    expect(miss.response.headers.get('X-Cache-Status')).toBe('MISS');
    expect(miss.response.headers.get(DOCUMENT_SOURCE)).toBe('r2');
    expect(miss.body.byteLength).toBeGreaterThan(1_000_000);
    expect(Number(miss.response.headers.get('Content-Length'))).toBe(miss.body.byteLength);
    await waitOnExecutionContext(miss.ctx);
    const hit = await get('/d.json');
    const body = new Uint8Array(await hit.arrayBuffer());
    expect(hit.headers.get('X-Cache-Status')).toBe('HIT');
    expect(body).toEqual(miss.body);
    const { 'content-length': _length, ...missHeaders } = stableHeaders(miss.response);
    const { 'content-length': _hitLength, ...hitHeaders } = stableHeaders(hit);
    expect(hitHeaders).toEqual(missHeaders);
  });

  it('of the dataset is a HIT without any read of its R2 document (deleted, the same bytes come back)', async () => {
    const miss = await fetchWithContext('/d.json?hit-reads-nothing');
    expect(miss.response.headers.get(DOCUMENT_SOURCE)).toBe('r2');
    await waitOnExecutionContext(miss.ctx);
    const key = exportKey(await headVersion(), 'json');
    const saved = await env.EXPORTS.get(key);
    const savedBytes = await saved!.arrayBuffer();
    await env.EXPORTS.delete(key);
    try {
      const hit = await get('/d.json?hit-reads-nothing');
      expect(hit.headers.get('X-Cache-Status')).toBe('HIT');
      expect(new Uint8Array(await hit.arrayBuffer())).toEqual(miss.body);
    } finally {
      await env.EXPORTS.put(key, savedBytes);
    }
  });

  it('of an authority of 500+ periods is stored from its bytes once the request is done', async () => {
    const miss = await fetchWithContext(`/${largest}.json`);
    expect(miss.response.headers.get('X-Cache-Status')).toBe('MISS');
    expect(miss.body.byteLength).toBeGreaterThan(256 * 1024);
    expect(Object.keys((JSON.parse(new TextDecoder().decode(miss.body)) as { periods: object }).periods).length).toBeGreaterThan(500);
    await waitOnExecutionContext(miss.ctx);
    const hit = await get(`/${largest}.json`);
    expect(hit.headers.get('X-Cache-Status')).toBe('HIT');
    expect(new Uint8Array(await hit.arrayBuffer())).toEqual(miss.body);
  });
});
