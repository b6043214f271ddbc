/**
 * Issue 14: a cold read's first rows come in the edge cache's generation read (one D1 round
 * trip before the answer, not two), and a HIT reads nothing more than the generation.
 * D1 is the real one, counted on its way through (d1-round-trips.ts).
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataApp } from '../../../workers/data/app';
import { runExportJob } from '../../../workers/exports/consumer';
import { H, loadTestData } from '../read-api/support';
import { countedD1 } from '../support/d1-round-trips';
import { cacheStatus } from './support';

const d1 = countedD1(env.DB);
/** The head generation's query, as drizzle writes it. */
const HEAD_READ = /^select max\("id"\) from "versions"$/;

interface Read {
  response: Response;
  body: string;
  /** The D1 round trips made before the answer was handed back, each as its statements' SQL. */
  before: string[][];
}

async function read(path: string, init: RequestInit = {}): Promise<Read> {
  const ctx = createExecutionContext();
  d1.trips.length = 0;
  const response = await dataApp.fetch(new Request(`${H}${path}`, init), { ...env, DB: d1.database }, ctx);
  const before = [...d1.trips];
  const body = await response.text();
  await waitOnExecutionContext(ctx);
  return { response, body, before };
}

let n = 0;
/** A URL no earlier request has cached (the app ignores the query; the cache key includes it). */
const cold = (path: string) => `${path}${path.includes('?') ? '&' : '?'}cold=${++n}`;

beforeAll(async () => {
  const { version } = await loadTestData();
  // The head's JSON document, which dataset reads are answered from: made here, not left to
  // the queue's run of the same job (it starts once the load's answer is out).
  await runExportJob(env, { version, format: 'json' });
});

describe('a cold read', () => {
  it.each(['/trgkv.json', '/trgkvwbjd.jsonld', '/trgkv.ttl', '/d.json', '/dataset.jsonld?inline-context', '/c'])(
    '%s makes one D1 round trip before it answers, and answers as the app does without the cache',
    async (path) => {
      const url = cold(path);
      const miss = await read(url);
      expect(cacheStatus(miss.response)).toBe('MISS');
      expect(miss.response.status).toBe(200);
      expect(miss.before, JSON.stringify(miss.before)).toHaveLength(1);
      // The generation (the head) and the route's own rows, in that one batch.
      expect(miss.before[0].length).toBeGreaterThan(1);
      expect(miss.before[0][0]).toMatch(HEAD_READ);
      // A range request bypasses the cache, so the route reads D1 itself.
      const bypassed = await read(url, { headers: { Range: 'bytes=0-' } });
      expect(cacheStatus(bypassed.response)).toBe('BYPASS');
      expect(bypassed.before.length).toBeGreaterThan(0);
      expect(bypassed.before[0][0]).not.toMatch(HEAD_READ);
      expect(miss.body).toBe(bypassed.body);
    },
  );

  it('of ?version=N reads that version in the batch that checks it is not newer than the head', async () => {
    const miss = await read(cold('/d.json?version=1'));
    expect(cacheStatus(miss.response)).toBe('MISS');
    expect(miss.response.headers.get('ETag')).toBe('W/"periodo-dataset-version-1"');
    expect(miss.before).toHaveLength(1);
    const unknown = await read(cold('/d.json?version=99'));
    expect(unknown.response.status).toBe(404);
    expect(unknown.before).toHaveLength(1);
  });

  it('of an entity that does not exist still answers 404', async () => {
    const miss = await read(cold('/trgkz.json'));
    expect(miss.response.status).toBe(404);
    expect(cacheStatus(miss.response)).toBe('MISS');
  });
});

describe('a HIT', () => {
  it('of an authority reads the generation and none of its rows', async () => {
    const url = cold('/trgkv.json');
    await read(url);
    const hit = await read(url);
    expect(cacheStatus(hit.response)).toBe('HIT');
    expect(hit.before).toEqual([[expect.stringMatching(HEAD_READ)]]);
  });

  it('of the dataset or a period makes one D1 round trip (their few rows go with the generation)', async () => {
    for (const path of ['/d.json', '/trgkvwbjd.json']) {
      const url = cold(path);
      await read(url);
      const hit = await read(url);
      expect(cacheStatus(hit.response), path).toBe('HIT');
      expect(hit.before, path).toHaveLength(1);
      expect(hit.before[0][0], path).toMatch(HEAD_READ);
    }
  });
});
