/**
 * Where the time of a cold read goes: the same request through paths that each leave one
 * step out, timed by wall clock (median) and by the CPU time workerd spends per request
 * (its utime + stime from /proc, over the whole loop: robust on a shared machine).
 *
 * `node scripts/bench/profile-reads.ts [--periods 1791] [--reads 30] [--data FILE]`
 */
import { parseArgs } from 'node:util';
import { loadData } from '../periodo.ts';
import { startLocalWorker } from '../lib/local-worker.ts';
import { datasetFile, defaultSeedPath } from './datasets.ts';
import { measureReads, type ReadMeasure } from './read-timing.ts';

const ADMIN = 'dev-admin-token';

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
      ['control: OPTIONS /d.json (no I/O)', await measureReads({ pid, reads, url: `${origin}/d.json`, method: 'OPTIONS' })],
      ['context /c (D1 batch, tiny body) MISS', await measureReads({ pid, reads, url: `${origin}/c?p=${t}-{i}`, settle: true })],
      ['/d.json MISS (R2, stored in the edge cache)', await measureReads({ pid, reads, url: `${origin}/d.json?p=${t}-{i}`, settle: true })],
      ['/d.json from R2, cache bypassed (Range: bytes=0-)', await measureReads({ pid, reads, url: `${origin}/d.json?q=${t}-{i}`, headers: { Range: 'bytes=0-' } })],
      ['/d.json HIT', await measureReads({ pid, reads, url: `${origin}/d.json?p=${t}-0` })],
      ['stored dataset from D1 (admin, no cache)', await measureReads({ pid, reads: Math.ceil(reads / 3), url: `${origin}/admin/dataset`, headers: { Authorization: `Bearer ${ADMIN}` } })],
      [`authority ${smallest} (${sizes[0][1]} periods) MISS`, await measureReads({ pid, reads, url: `${origin}/${smallest}.json?p=${t}-{i}`, settle: true })],
      [`authority ${smallest}, cache bypassed (Range header)`, await measureReads({ pid, reads, url: `${origin}/${smallest}.json?q=${t}-{i}`, headers: { Range: 'bytes=0-' } })],
      [`authority ${largest} (${sizes[sizes.length - 1][1]} periods) MISS`, await measureReads({ pid, reads, url: `${origin}/${largest}.json?p=${t}-{i}`, settle: true })],
      [`authority ${largest}, cache bypassed (Range header)`, await measureReads({ pid, reads, url: `${origin}/${largest}.json?q=${t}-{i}`, headers: { Range: 'bytes=0-' } })],
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
