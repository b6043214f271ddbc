/**
 * Edge-cache benchmark: `GET /d.json` served from the cache (HIT) against built from D1
 * (MISS), on a fresh local Worker (workerd, local D1 and Cache API) loaded with a dataset of
 * about `periods` periods, measured with autocannon over loopback.
 *
 * - HIT: `/d.json`, cached beforehand. Each request still reads the head version from D1
 *   (the key includes it): that is the price of never serving a stale latest document.
 * - HIT without the D1 read: `/d.json?version=N` (immutable versions skip it).
 * - MISS: `/d.json?miss=<n>`, a fresh cache-busting query per request (the key includes the
 *   query), so each request builds the document, streams it out and stores it: a real miss.
 *
 * `node scripts/bench/cache.ts [--periods 10000] [--data FILE] [--runs 3] [--seconds 5]`
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadData } from '../periodo.ts';
import { startLocalWorker } from '../lib/local-worker.ts';
import { datasetFile, defaultSeedPath } from './datasets.ts';
import { exportsSettled } from './settle.ts';
import { median } from './read-timing.ts';

const ADMIN = 'dev-admin-token';

interface Measure {
  rps: number;
  medianMs: number;
  requests: number;
}

/** One bounded autocannon run (loopback only, `seconds` long). */
async function run(url: string, options: { seconds: number; connections: number; bust?: boolean }): Promise<Measure> {
  let n = 0;
  const base = new URL(url);
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    timeout: 60,
    // As browsers, curl --compressed and HTTP libraries ask: HITs are sent as stored (gzip).
    headers: { 'accept-encoding': 'gzip' },
    requests: options.bust
      ? [{ setupRequest: (request) => ({ ...request, path: `${base.pathname}?miss=${Date.now()}-${n++}` }) }]
      : undefined,
  });
  const completed = result['2xx'] + result.non2xx;
  if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: completed / result.duration, medianMs: result.latency.p50, requests: completed };
}

async function status(url: string): Promise<string | null> {
  const response = await fetch(url);
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.headers.get('X-Cache-Status');
}

function fmt(m: { rps: number; medianMs: number }): string {
  const ms = m.medianMs >= 100 ? m.medianMs.toFixed(0) : m.medianMs.toFixed(1);
  return `${m.rps >= 100 ? m.rps.toFixed(0) : m.rps.toFixed(1)} req/s, median ${ms} ms`;
}

/**
 * Loads about `periods` periods replicated from `seedPath` into a fresh local Worker and
 * returns a markdown table: HIT vs MISS throughput and median latency of GET /d.json.
 */
export async function benchCache(options: { periods: number; seedPath: string; runs?: number; seconds?: number; connections?: number }): Promise<string> {
  const runs = options.runs ?? 3;
  const seconds = options.seconds ?? 5;
  const connections = options.connections ?? 4;
  const { periods, file, text } = await datasetFile(options.seedPath, options.periods);

  const worker = await startLocalWorker();
  const origin = worker.url.origin;
  try {
    const quiet = console.log;
    console.log = () => {};
    try {
      await loadData({ url: origin, adminToken: ADMIN }, file, 5000);
    } finally {
      console.log = quiet;
    }
    // Locally the load's export jobs share workerd's thread: measured beside them, the first
    // runs were slower by up to a third, at random.
    await exportsSettled(origin);
    const head = Number((await (await fetch(`${origin}/d.json`)).headers.get('ETag'))?.match(/version-(\d+)/)?.[1]);
    const latest = `${origin}/d.json`;
    const versioned = `${origin}/d.json?version=${head}`;
    // Warm both entries and check what each run measures.
    await status(latest);
    await status(versioned);
    if ((await status(latest)) !== 'HIT' || (await status(versioned)) !== 'HIT') throw new Error('the warmed entries are not served from the cache');
    if ((await status(`${origin}/d.json?miss=check`)) !== 'MISS') throw new Error('a cache-busting query is not a MISS');

    const hits: Measure[] = [];
    const immutable: Measure[] = [];
    const misses: Measure[] = [];
    for (let i = 0; i < runs; i++) {
      hits.push(await run(latest, { seconds, connections }));
      immutable.push(await run(versioned, { seconds, connections }));
      misses.push(await run(latest, { seconds, connections, bust: true }));
    }
    const summary = (ms: Measure[]) => ({ rps: median(ms.map((m) => m.rps)), medianMs: median(ms.map((m) => m.medianMs)) });
    const hit = summary(hits);
    const hitImmutable = summary(immutable);
    const miss = summary(misses);
    const lines = [
      `Edge cache — GET /d.json on ${periods.toLocaleString('en')} periods (${(text.length / 1e6).toFixed(1)} MB of JSON), local workerd, autocannon over loopback, ${connections} connections, ${runs} runs of ${seconds} s each (medians)`,
      '',
      '| periods | HIT `/d.json` (head read from D1) | HIT `/d.json?version=N` (no D1 read) | MISS (cache-busting query: build + store) | HIT / MISS throughput |',
      '|---:|---:|---:|---:|---:|',
      `| ${periods.toLocaleString('en')} | ${fmt(hit)} | ${fmt(hitImmutable)} | ${fmt(miss)} | ${(hit.rps / miss.rps).toFixed(0)}× |`,
      '',
      `Reading the head version from D1 on each HIT (what keeps latest documents from ever being stale) costs ${(hit.medianMs - hitImmutable.medianMs).toFixed(1)} ms of median latency and ${(100 * (1 - hit.rps / hitImmutable.rps)).toFixed(0)}% of HIT throughput here. Goal: HIT ≥ 20× MISS throughput; measured ${(hit.rps / miss.rps).toFixed(1)}×.`,
    ];
    return lines.join('\n');
  } finally {
    await worker.dispose();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      periods: { type: 'string', default: '10000' },
      data: { type: 'string' },
      runs: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '5' },
      connections: { type: 'string', default: '4' },
    },
  });
  benchCache({
    periods: Number(values.periods),
    seedPath: values.data ?? defaultSeedPath(),
    runs: Number(values.runs),
    seconds: Number(values.seconds),
    connections: Number(values.connections),
  })
    .then((table) => console.log(table))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
