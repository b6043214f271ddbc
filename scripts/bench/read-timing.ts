/**
 * Timing cold reads of a running Worker the way the benchmarks report them: median wall
 * time per request (full body read) and workerd's CPU per request (its utime + stime from
 * /proc, over the whole loop: robust on a shared machine).
 *
 * The timed requests are made by a process of their own (`read-client.ts`), which holds
 * nothing but its client. Made from the benchmark's process, which holds the datasets it
 * built (219 MB of heap before the 1.8k rows of a three-size run), they met its garbage
 * collector: at 1.8k periods, a `/d.json` MISS took a median 22.0 ms from there and 15.6 ms
 * from a lean process, alternately on one Worker (docs/dataset-reads.md).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const TICK_MS = 10; // USER_HZ = 100 on Linux

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** CPU time (user + system) a process has used so far, in ms. */
export function cpuMs(pid: number | null): number {
  if (!pid) return NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

export interface ReadMeasure {
  /** The median of every timed read. */
  wallMs: number;
  cpuMs: number;
  bytes: number;
  status: string;
  /** Each timed read's wall time, in ms. */
  times: number[];
  /** The median of each client process's reads (`measureReads` with several runs). */
  runMedians: number[];
}

/**
 * What to time: `reads` requests to `url`, where `{i}` (if present) becomes the request's
 * number, so that each can be a MISS on a URL of its own.
 * `settle`: after each read, an untimed HEAD of the same URL, which waits for the read's
 * edge-cache entry to be written (workers/cache/middleware.ts `lookup`), so each cold read
 * meets an idle Worker instead of the previous read's background work.
 * `warmups`: unmeasured requests of the same kind first, on URLs of their own (numbered
 * -1, -2, …) and settled the same way: isolate warm-up, statement preparation and more.
 */
export interface ReadSpec {
  /** workerd's process, for its CPU time. */
  pid: number | null;
  reads: number;
  url: string;
  method?: string;
  headers?: Record<string, string>;
  settle?: boolean;
  warmups?: number;
}

/** Unmeasured requests when a spec names none. */
const DEFAULT_WARMUPS = 1;

/**
 * Node's own fetch is slow on its first large bodies: 30 reads of 1.2 MB from the Worker
 * took the benchmark process 1.0 s of its own CPU, and the first row timed was 30 ms a read
 * slower than the same row timed later. The client is warmed up once, on a local Node
 * server, so that no figure of the Worker's carries it.
 */
export async function warmUpClient(): Promise<void> {
  const bodies = [Buffer.alloc(1_200_000, 32), Buffer.alloc(8_000_000, 32)];
  const server = createServer((request, response) => {
    const body = bodies[Number(new URL(request.url ?? '/', 'http://x').searchParams.get('size'))];
    response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    for (let i = 0; i < 40; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/?size=${i % 8 === 7 ? 1 : 0}`, { headers: { 'Accept-Encoding': 'identity' } });
      await response.arrayBuffer();
    }
  } finally {
    server.close();
  }
}

/** Times `spec` from this process (`read-client.ts` calls it; others call `measureReads`). */
export async function measureReadsHere(spec: ReadSpec): Promise<ReadMeasure> {
  const url = (i: number) => spec.url.replace('{i}', String(i));
  const init = { method: spec.method ?? 'GET', headers: { 'Accept-Encoding': 'identity', ...spec.headers } };
  const settle = async (i: number) => {
    if (spec.settle) await (await fetch(url(i), { method: 'HEAD', headers: { 'Accept-Encoding': 'identity' } })).body?.cancel();
  };
  for (let i = 1; i <= (spec.warmups ?? DEFAULT_WARMUPS); i++) {
    await (await fetch(url(-i), init)).arrayBuffer();
    await settle(-i);
  }
  const times: number[] = [];
  let bytes = 0;
  let status = '';
  const cpuBefore = cpuMs(spec.pid);
  for (let i = 0; i < spec.reads; i++) {
    const start = performance.now();
    const response = await fetch(url(i), init);
    const body = await response.arrayBuffer();
    times.push(performance.now() - start);
    if (response.status >= 400) throw new Error(`${url(i)}: ${response.status}`);
    bytes = body.byteLength;
    await settle(i);
    status = `${response.status} ${response.headers.get('X-Cache-Status') ?? ''} ${response.headers.get('X-PeriodO-Document-Source') ?? ''}`.trim();
  }
  const wallMs = median(times);
  return { wallMs, cpuMs: (cpuMs(spec.pid) - cpuBefore) / spec.reads, bytes, status, times, runMedians: [wallMs] };
}

/** Issue 14's cold-read rows: every dataset URL, and the smallest and largest authority. */
export type ReadRow = 'dataset' | 'inline' | 'versioned' | 'authority' | 'largest';

/**
 * The rows' URLs on one server, each made a MISS of its own by a query the app ignores
 * (`{i}`: the read's number). Authorities by their ids without the `p0` prefix.
 */
export function coldReadUrls(origin: string, run: string | number, at: { version: number | string; smallest: string; largest: string }): Record<ReadRow, string> {
  const cold = `cold=${run}-{i}`;
  return {
    dataset: `${origin}/d.json?${cold}`,
    inline: `${origin}/d.jsonld?inline-context&${cold}`,
    versioned: `${origin}/d.json?version=${at.version}&${cold}`,
    authority: `${origin}/${at.smallest}.json?${cold}`,
    largest: `${origin}/${at.largest}.json?${cold}`,
  };
}

/** Authority ids (without `p0`) with their period counts, fewest periods first. */
export function authoritiesBySize(authorities: Record<string, { periods?: object }>, id: (key: string) => string): [string, number][] {
  return Object.entries(authorities)
    .map(([key, a]) => [id(key), Object.keys(a.periods ?? {}).length] as [string, number])
    .sort((a, b) => a[1] - b[1]);
}

const client = fileURLToPath(new URL('./read-client.ts', import.meta.url));

/** Unmeasured requests of each client process after the first: the server is warm, the new client's connection is not. */
export const LATER_WARMUPS = 5;

/**
 * Times `spec` from `runs` processes of their own, one after another, each with its client
 * warmed up first, and pools their reads. Locally, workerd has stretches of a second or more
 * in which every MISS of one kind is slower: on one Worker, the largest authority at 1.8k
 * took 13–16 ms a read in 2 client processes of 12 and 8–11 ms in the others, while its
 * HITs and `OPTIONS` were the same in all (docs/benchmark-runs.md). One process's median
 * lands wholly inside or outside such a stretch; the pooled one reports the usual read.
 * The first process makes `spec.warmups` unmeasured requests, later ones at most
 * LATER_WARMUPS, each on URLs of its own (`{i}` becomes `<run>.<i>`).
 * Asynchronously: a Worker on Miniflare needs this process's event loop while it answers.
 */
export async function measureReads(spec: ReadSpec, runs = 1): Promise<ReadMeasure> {
  const measures: ReadMeasure[] = [];
  for (let run = 0; run < runs; run++) {
    const own = run === 0 ? spec : { ...spec, warmups: Math.min(spec.warmups ?? DEFAULT_WARMUPS, LATER_WARMUPS), url: spec.url.replace('{i}', `${run}.{i}`) };
    const { stdout } = await promisify(execFile)(process.execPath, [client, JSON.stringify(own)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    measures.push(JSON.parse(stdout) as ReadMeasure);
  }
  const times = measures.flatMap((m) => m.times);
  const last = measures[measures.length - 1];
  return {
    wallMs: median(times),
    cpuMs: measures.reduce((sum, m) => sum + m.cpuMs, 0) / measures.length,
    bytes: last.bytes,
    status: last.status,
    times,
    runMedians: measures.map((m) => m.wallMs),
  };
}
