/**
 * Where the time of a cold read goes: the same request through paths that each leave one
 * step out, timed by wall clock (median) and by the CPU time workerd spends per request
 * (its utime + stime from /proc, over the whole loop: robust on a shared machine).
 *
 * `node scripts/bench/profile-reads.ts [--periods 1791] [--reads 30] [--data FILE]`
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { loadData } from '../periodo.ts';
import { startLocalWorker } from '../lib/local-worker.ts';
import { datasetFile, defaultSeedPath } from './datasets.ts';

const ADMIN = 'dev-admin-token';
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
  wallMs: number;
  cpuMs: number;
  bytes: number;
  status: string;
}

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

/**
 * `reads` requests made by `url(i)` one after another: median wall time (full body read)
 * and workerd's CPU per request, background work included.
 * `settle`: after each timed read, an untimed HEAD of the same URL, which waits for the
 * read's edge-cache entry to be written (workers/cache/middleware.ts `lookup`), so each cold
 * read meets an idle Worker instead of the previous read's background compression.
 * `warmups`: unmeasured requests of the same kind first, on URLs of their own (settled the
 * same way): isolate warm-up, first D1 statement preparation, and more (see run.ts).
 */
export async function measureReads(pid: number | null, reads: number, url: (i: number) => string, init: RequestInit = {}, settle = false, warmups = 1): Promise<ReadMeasure> {
  const times: number[] = [];
  let bytes = 0;
  let status = '';
  for (let i = 1; i <= warmups; i++) {
    await (await fetch(url(-i), { ...init, headers: { 'Accept-Encoding': 'identity', ...(init.headers as Record<string, string>) } })).arrayBuffer();
    if (settle) await (await fetch(url(-i), { method: 'HEAD', headers: { 'Accept-Encoding': 'identity' } })).body?.cancel();
  }
  const cpuBefore = cpuMs(pid);
  for (let i = 0; i < reads; i++) {
    const start = performance.now();
    const response = await fetch(url(i), { ...init, headers: { 'Accept-Encoding': 'identity', ...(init.headers as Record<string, string>) } });
    const body = await response.arrayBuffer();
    times.push(performance.now() - start);
    if (response.status >= 400) throw new Error(`${url(i)}: ${response.status}`);
    bytes = body.byteLength;
    if (settle) await (await fetch(url(i), { method: 'HEAD', headers: { 'Accept-Encoding': 'identity' } })).body?.cancel();
    status = `${response.status} ${response.headers.get('X-Cache-Status') ?? ''} ${response.headers.get('X-PeriodO-Document-Source') ?? ''}`.trim();
  }
  return { wallMs: median(times), cpuMs: (cpuMs(pid) - cpuBefore) / reads, bytes, status };
}

async function main() {
  const { values } = parseArgs({
    options: {
      periods: { type: 'string', default: '1791' },
      reads: { type: 'string', default: '30' },
      data: { type: 'string' },
      // For a build without JSON documents in R2 (comparing with an older commit): wait this long for its exports instead.
      'settle-ms': { type: 'string' },
    },
  });
  const reads = Number(values.reads);
  const { periods, file, dataset } = await datasetFile(values.data ?? defaultSeedPath(), Number(values.periods));
  await warmUpClient();
  const worker = await startLocalWorker();
  const origin = worker.url.origin;
  const pid = worker.workerdPid;
  try {
    const quiet = console.log;
    console.log = () => {};
    await loadData({ url: origin, adminToken: ADMIN }, file, 5000).finally(() => (console.log = quiet));
    if (values['settle-ms']) await new Promise((resolve) => setTimeout(resolve, Number(values['settle-ms'])));
    for (; !values['settle-ms']; ) {
      const r = await fetch(`${origin}/d.json?probe=${Date.now()}`, { headers: { Range: 'bytes=0-0' } });
      await r.arrayBuffer();
      if (r.status === 206) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const sizes = Object.entries(dataset.authorities as Record<string, { periods: object }>).map(([k, a]) => [k.replace(/^.*\/assigned\//, '').slice(2), Object.keys(a.periods).length] as const);
    sizes.sort((a, b) => a[1] - b[1]);
    const smallest = sizes[0][0];
    const largest = sizes[sizes.length - 1][0];
    const t = Date.now();
    const rows: [string, ReadMeasure][] = [
      ['control: OPTIONS /d.json (no I/O)', await measureReads(pid, reads, () => `${origin}/d.json`, { method: 'OPTIONS' })],
      ['context /c (D1 batch, tiny body) MISS', await measureReads(pid, reads, (i) => `${origin}/c?p=${t}-${i}`, {}, true)],
      ['/d.json MISS (R2, stored in the edge cache)', await measureReads(pid, reads, (i) => `${origin}/d.json?p=${t}-${i}`, {}, true)],
      ['/d.json from R2, cache bypassed (Range: bytes=0-)', await measureReads(pid, reads, (i) => `${origin}/d.json?q=${t}-${i}`, { headers: { Range: 'bytes=0-' } })],
      ['/d.json HIT', await measureReads(pid, reads, () => `${origin}/d.json?p=${t}-0`)],
      ['stored dataset from D1 (admin, no cache)', await measureReads(pid, Math.ceil(reads / 3), () => `${origin}/admin/dataset`, { headers: { Authorization: `Bearer ${ADMIN}` } })],
      [`authority ${smallest} (${sizes[0][1]} periods) MISS`, await measureReads(pid, reads, (i) => `${origin}/${smallest}.json?p=${t}-${i}`, {}, true)],
      [`authority ${smallest}, cache bypassed (Range header)`, await measureReads(pid, reads, (i) => `${origin}/${smallest}.json?q=${t}-${i}`, { headers: { Range: 'bytes=0-' } })],
      [`authority ${largest} (${sizes[sizes.length - 1][1]} periods) MISS`, await measureReads(pid, reads, (i) => `${origin}/${largest}.json?p=${t}-${i}`, {}, true)],
      [`authority ${largest}, cache bypassed (Range header)`, await measureReads(pid, reads, (i) => `${origin}/${largest}.json?q=${t}-${i}`, { headers: { Range: 'bytes=0-' } })],
    ];
    console.log(`\n${periods.toLocaleString('en')} periods, ${reads} reads each (wall: median; CPU: workerd's per request)\n`);
    console.log('| request | answer | bytes | wall | workerd CPU |');
    console.log('|---|---|---:|---:|---:|');
    for (const [name, m] of rows) console.log(`| ${name} | ${m.status} | ${m.bytes.toLocaleString('en')} | ${m.wallMs.toFixed(1)} ms | ${m.cpuMs.toFixed(1)} ms |`);
  } finally {
    await worker.dispose();
  }
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
