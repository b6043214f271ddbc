/**
 * `npm run bench -- --reference SIZE=ORIGIN`: the cold reads timed against another PeriodO
 * server. A small local server stands in for the reference (it is outside this project):
 * the benchmark must read the same URLs from it, and refuse one that holds another dataset
 * rather than print a comparison of two different datasets.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchReference, parseReferenceOrigins, REFERENCE_WARMUPS } from '../../scripts/bench/reference.ts';

const dataset = {
  authorities: {
    p0small: { id: 'p0small', periods: { p0smallaa: { id: 'p0smallaa' } } },
    p0large: { id: 'p0large', periods: { p0largeaa: { id: 'p0largeaa' }, p0largebb: { id: 'p0largebb' } } },
  },
};

let server: Server;
let origin = '';
const paths: string[] = [];
const queries: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname === '/small.json') queries.push(url.search);
    paths.push(`${url.pathname}${url.searchParams.has('version') ? '?version' : ''}${url.searchParams.has('inline-context') ? '?inline-context' : ''}`);
    if (url.pathname === '/d.json' || url.pathname === '/d.jsonld' || url.pathname === '/small.json' || url.pathname === '/large.json') {
      response.writeHead(200, { 'Content-Type': 'application/json', ETag: 'W/"periodo-dataset-version-7"' });
      response.end(JSON.stringify(dataset));
      return;
    }
    response.writeHead(404);
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('--reference', () => {
  it('takes SIZE=ORIGIN pairs, and names a malformed one', () => {
    expect([...parseReferenceOrigins('1791=http://127.0.0.1:5001,10000=http://127.0.0.1:5002/')]).toEqual([
      [1791, 'http://127.0.0.1:5001'],
      [10000, 'http://127.0.0.1:5002'],
    ]);
    expect(parseReferenceOrigins(undefined).size).toBe(0);
    expect(() => parseReferenceOrigins('1791:http://127.0.0.1:5001')).toThrow(/"1791:http:\/\/127.0.0.1:5001" is not SIZE=ORIGIN/);
  });

  it("times the five cold-read URLs against the other server: the dataset, its versioned and inline forms, its smallest and largest authority", async () => {
    paths.length = 0;
    const result = await benchReference(origin, 3, 2, 1);
    expect(result.origin).toBe(origin);
    for (const row of ['dataset', 'inline', 'versioned', 'authority', 'largest'] as const) {
      expect(result.reads[row].status).toBe('200');
      expect(result.reads[row].wallMs).toBeGreaterThan(0);
    }
    // The first GET /d.json finds the dataset's size and version; then each row's URL in turn.
    expect([...new Set(paths)]).toEqual(['/d.json', '/d.jsonld?inline-context', '/d.json?version', '/small.json', '/large.json']);
    expect(paths.filter((p) => p === '/small.json')).toHaveLength(2 + REFERENCE_WARMUPS);
  });

  it('with several client processes, times each row in each of them on URLs of its own, and pools their reads', async () => {
    paths.length = 0;
    queries.length = 0;
    const result = await benchReference(origin, 3, 2, 2);
    const small = result.reads.authority;
    expect(small.times).toHaveLength(4);
    expect(small.runMedians).toHaveLength(2);
    expect(small.wallMs).toBe([...small.times].sort((a, b) => a - b).slice(1, 3).reduce((a, b) => a + b) / 2);
    expect(queries).toHaveLength(2 * (2 + REFERENCE_WARMUPS));
    // Every read a URL of its own: none would be a HIT on a server that caches.
    expect(new Set(queries).size).toBe(queries.length);
  });

  it('refuses a server that holds another dataset, saying what to do', async () => {
    await expect(benchReference(origin, 1791, 2, 1)).rejects.toThrow(`--reference ${origin} holds 3 periods, not the 1791 of this size: load the benchmark's dataset into it first`);
  });

  it('refuses a server that does not answer GET /d.json, with its status', async () => {
    const elsewhere = `${origin}/elsewhere`;
    await expect(benchReference(elsewhere, 3, 1, 1)).rejects.toThrow(`--reference ${elsewhere}: GET /d.json answered 404`);
  });
});
