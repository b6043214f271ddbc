/**
 * The web client's search index as an export: the queue builds it into R2 when a version
 * is merged, `GET /search-index.json` serves those bytes, and a version whose index is not
 * there yet is built on request — once, however many requests ask at the same time.
 */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatasetCoordinator } from '../../../durable-objects/dataset-coordinator';
import { SEARCH_INDEX_FORMAT, type SearchIndex } from '../../../workers/domain/search-index';
import { searchIndexKey } from '../../../workers/exports/search-index';
import { get, load, loadTestData } from '../read-api/support';
import { deliver, EXPORT_QUEUE, jobRow } from './support';

/** How many indexes the coordinator has built (its fallback for requests that came first). */
function coordinatorBuilds(): Promise<number> {
  return runInDurableObject(env.COORDINATOR.getByName('dataset'), (instance: DatasetCoordinator) => instance.searchIndexBuildCount);
}

async function stored(version: number): Promise<string | null> {
  return (await env.EXPORTS.get(searchIndexKey(version)))?.text() ?? null;
}

async function mergeNote(note: string): Promise<number> {
  return (await load([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: note }])).version;
}

describe('the search index export', () => {
  beforeAll(async () => {
    await loadTestData();
  });

  it('is queued by a merge and built by the consumer into R2, which the route then serves as stored', async () => {
    expect(await jobRow(1, 'search-index')).toMatchObject({ state: 'queued' });
    expect(await stored(1)).toBeNull();
    const builds = await coordinatorBuilds();

    const result = await deliver(EXPORT_QUEUE, [{ version: 1, format: 'search-index', trigger: 'merge' }]);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(1);
    const text = await stored(1);
    expect(text).not.toBeNull();
    const object = await env.EXPORTS.head(searchIndexKey(1));
    expect(object?.httpMetadata?.contentType).toBe('application/json');
    expect(await jobRow(1, 'search-index')).toMatchObject({ state: 'done', bytes: object!.size });
    const index = JSON.parse(text!) as SearchIndex;
    expect(index.format).toBe(SEARCH_INDEX_FORMAT);
    expect(index.version).toBe(1);
    expect([...index.periods.id].sort()).toEqual(['p0trgkv4kxb', 'p0trgkvkhrv', 'p0trgkvwbjd']);

    const r = await get('/search-index.json?version=1');
    expect(r.status).toBe(200);
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=31557600');
    expect(await r.text()).toBe(text);
    const again = await get('/search-index.json?version=1');
    expect(again.headers.get('X-Cache-Status')).toBe('HIT');
    expect(await again.text()).toBe(text);
    // Served, not rebuilt.
    expect(await coordinatorBuilds()).toBe(builds);
  });

  it('built on request when the queue has not got to it, byte for byte what the consumer builds', async () => {
    const version = await mergeNote('built on request');
    const builds = await coordinatorBuilds();
    const r = await get(`/search-index.json?version=${version}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=31557600');
    const onDemand = await r.text();
    expect(await coordinatorBuilds()).toBe(builds + 1);
    expect(await stored(version)).toBe(onDemand);

    // The consumer, given the job after all, finds it done; built afresh, it writes the same bytes.
    await env.EXPORTS.delete(searchIndexKey(version));
    const result = await deliver(EXPORT_QUEUE, [{ version, format: 'search-index', trigger: 'request' }]);
    expect(result.retryMessages).toEqual([]);
    expect(await stored(version)).toBe(onDemand);
    expect((JSON.parse(onDemand) as SearchIndex).version).toBe(version);
  });

  it('concurrent first requests for a version share one build', async () => {
    const version = await mergeNote('asked for three times at once');
    const builds = await coordinatorBuilds();
    const answers = await Promise.all([
      get(`/search-index.json?version=${version}`),
      get(`/search-index.json?version=${version}`),
      get('/search-index.json'),
    ]);
    const texts = await Promise.all(answers.map((a) => a.text()));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(new Set(texts).size).toBe(1);
    expect((JSON.parse(texts[0]) as SearchIndex).version).toBe(version);
    expect(await coordinatorBuilds()).toBe(builds + 1);
    expect(await stored(version)).toBe(texts[0]);
    expect(answers[2].headers.get('Cache-Control')).toBe('public, max-age=0');
  });

  it('a merge job for a version already superseded is skipped, and a request still gets its index', async () => {
    const old = await mergeNote('superseded');
    await mergeNote('newer');
    const result = await deliver(EXPORT_QUEUE, [{ version: old, format: 'search-index', trigger: 'merge' }]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await stored(old)).toBeNull();
    expect(await jobRow(old, 'search-index')).toBeNull();
    const r = await get(`/search-index.json?version=${old}`);
    expect(r.status).toBe(200);
    expect((JSON.parse(await r.text()) as SearchIndex).version).toBe(old);
  });
});
