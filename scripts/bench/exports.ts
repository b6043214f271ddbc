/**
 * Export benchmark: the whole dataset to Turtle, N-Triples and CSV with the Worker's
 * converter (workers/exports/), each run in a child Node process whose V8 heap is capped
 * like a Worker isolate's (`--max-old-space-size=128`, and 4 MB semi-spaces so that the
 * young generation cannot add its default tens of MB on top), beside jsonld.js + n3 on the
 * same input (uncapped) and the reference's Apache Jena translator (figures measured on a
 * 2-vCPU machine). The converter and the child are bundled to plain JavaScript first
 * (esbuild), so the child's peak RSS is Node's own ~40 MB plus the conversion.
 *
 * For each size the seed is replicated (scripts/bench/datasets.ts), deskolemized as the
 * initial load leaves it, and written as the consumer reads it from D1: the dataset's own
 * members (meta.json), then one authority per line (authorities.ndjson). The jsonld.js
 * row reads the whole served document (dataset.jsonld: inline context, primaryTopicOf).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { loadSeed, periodCount, replicate } from './datasets.ts';
import { median } from './read-timing.ts';

const ASSIGNED = 'https://perio.do/.well-known/genid/assigned/';
/** The child's flags: a Worker-sized heap (old and young generations). */
const EDGE_FLAGS = ['--max-old-space-size=128', '--max-semi-space-size=4'];
const JSONLD_FLAGS = ['--max-old-space-size=8192'];

interface Bundle {
  child: string;
  converter: string;
}

/** The child and the converter as plain JavaScript, under node_modules/.cache (so `jsonld` and `n3` resolve). */
async function bundle(): Promise<Bundle> {
  const outdir = fileURLToPath(new URL('../../node_modules/.cache/periodo-bench-exports/', import.meta.url));
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: {
      'export-child': fileURLToPath(new URL('./export-child.ts', import.meta.url)),
      'dataset-export': fileURLToPath(new URL('../../workers/exports/dataset-export.ts', import.meta.url)),
    },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    external: ['jsonld', 'n3'],
    logLevel: 'error',
  });
  return { child: join(outdir, 'export-child.mjs'), converter: pathToFileURL(join(outdir, 'dataset-export.mjs')).href };
}

/** Apache Jena (the reference translator) and jsonld.js + n3, median wall time (ms) / peak RSS (bytes). */
const REFERENCE: Record<number, { jenaTtl: [number, number]; jenaCsv: [number, number]; jsonldTtl: [number, number] }> = {
  1800: { jenaTtl: [4000, 260e6], jenaCsv: [7000, 350e6], jsonldTtl: [1000, 130e6] },
  10000: { jenaTtl: [11000, 830e6], jenaCsv: [20000, 1.2e9], jsonldTtl: [3600, 250e6] },
  50000: { jenaTtl: [28000, 2.9e9], jenaCsv: [63000, 3.4e9], jsonldTtl: [19000, 1.1e9] },
};

function referenceFor(periods: number) {
  const key = Object.keys(REFERENCE)
    .map(Number)
    .sort((a, b) => Math.abs(a - periods) - Math.abs(b - periods))[0];
  return Math.abs(key - periods) / key < 0.2 ? REFERENCE[key] : undefined;
}

interface ChildResult {
  ms: number;
  bytes: number;
  maxRss: number;
  peakHeap: number;
  triples?: number;
}

function runChild(code: Bundle, impl: 'edge' | 'jsonld', format: 'ttl' | 'nt' | 'csv', dir: string): Promise<ChildResult> {
  const args = [...(impl === 'edge' ? EDGE_FLAGS : JSONLD_FLAGS), code.child, code.converter, impl, format, dir, join(dir, `out-${impl}.${format}`)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${impl} ${format} export failed (exit ${code}): ${err.slice(-2000)}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
    });
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const megabytes = (b: number) => (b >= 1e9 ? `${(b / 1e9).toFixed(1)} GB` : `${Math.round(b / 1e6)} MB`);

/** Writes the inputs of one dataset size; returns its figures. */
function prepare(seed: Record<string, unknown>, size: number, dir: string): { periods: number; jsonBytes: number } {
  const dataset = JSON.parse(JSON.stringify(replicate(seed, size)).split(ASSIGNED).join('')) as Record<string, unknown>;
  const { authorities, ...members } = dataset as { authorities: Record<string, unknown> } & Record<string, unknown>;
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ ...members, authorities: {} }));
  writeFileSync(join(dir, 'authorities.ndjson'), Object.values(authorities).map((a) => JSON.stringify(a)).join('\n'));
  const primaryTopicOf = { id: 'http://localhost:8787/dataset.ttl', inDataset: { id: 'http://localhost:8787/d', changes: 'http://localhost:8787/h#changes' } };
  writeFileSync(join(dir, 'primary-topic-of.json'), JSON.stringify(primaryTopicOf));
  const served = JSON.stringify({ ...dataset, primaryTopicOf });
  writeFileSync(join(dir, 'dataset.jsonld'), served);
  return { periods: periodCount(dataset), jsonBytes: Buffer.byteLength(served) };
}

export async function benchExports(options: { sizes: number[]; seedPath: string; runs?: number; log?: (line: string) => void }): Promise<string> {
  const runs = Math.max(3, options.runs ?? 3);
  const log = options.log ?? ((line: string) => console.error(line));
  const seed = loadSeed(options.seedPath);
  const code = await bundle();
  const lines = [
    '| periods (JSON) | triples | conversion | median wall time | peak RSS | peak V8 heap (committed) | reference: median wall time / peak RSS |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const size of options.sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'periodo-bench-exports-'));
    try {
      const { periods, jsonBytes } = prepare(seed, size, dir);
      log(`exports: ${periods} periods (${megabytes(jsonBytes)})`);
      const measure = async (impl: 'edge' | 'jsonld', format: 'ttl' | 'nt' | 'csv') => {
        const results: ChildResult[] = [];
        for (let i = 0; i < runs; i++) {
          const r = await runChild(code, impl, format, dir);
          log(`  ${impl} ${format} run ${i + 1}: ${seconds(r.ms)}, RSS ${megabytes(r.maxRss)}, heap ${megabytes(r.peakHeap)}`);
          results.push(r);
        }
        return { ms: median(results.map((r) => r.ms)), rss: Math.max(...results.map((r) => r.maxRss)), heap: Math.max(...results.map((r) => r.peakHeap)), triples: results[0].triples };
      };
      const ttl = await measure('edge', 'ttl');
      const nt = await measure('edge', 'nt');
      const csv = await measure('edge', 'csv');
      const viaJsonld = await measure('jsonld', 'ttl');
      const ref = referenceFor(periods);
      const label = `${periods.toLocaleString('en')} (${megabytes(jsonBytes)})`;
      const triples = viaJsonld.triples?.toLocaleString('en') ?? '';
      const refText = (r?: [number, number]) => (r ? `${seconds(r[0])} / ${megabytes(r[1])}` : '–');
      lines.push(`| ${label} | ${triples} | **edge → Turtle** (Worker-sized heap) | **${seconds(ttl.ms)}** | **${megabytes(ttl.rss)}** | ${megabytes(ttl.heap)} | Jena → Turtle: ${refText(ref?.jenaTtl)} |`);
      lines.push(`| | | **edge → CSV** (Worker-sized heap) | **${seconds(csv.ms)}** | **${megabytes(csv.rss)}** | ${megabytes(csv.heap)} | Jena → CSV: ${refText(ref?.jenaCsv)} |`);
      lines.push(`| | | edge → N-Triples (Worker-sized heap) | ${seconds(nt.ms)} | ${megabytes(nt.rss)} | ${megabytes(nt.heap)} | – |`);
      lines.push(`| | | jsonld.js + n3 → Turtle (this machine) | ${seconds(viaJsonld.ms)} | ${megabytes(viaJsonld.rss)} | ${megabytes(viaJsonld.heap)} | jsonld.js + n3 → Turtle: ${refText(ref?.jsonldTtl)} |`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return lines.join('\n');
}

// `node scripts/bench/exports.ts [--sizes 1791,10000,50000] [--data FILE] [--runs N]`: this benchmark alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { parseArgs } = await import('node:util');
  const { defaultSeedPath } = await import('./datasets.ts');
  const { values } = parseArgs({ options: { sizes: { type: 'string' }, data: { type: 'string' }, runs: { type: 'string' } } });
  const sizes = (values.sizes ?? '1791,10000,50000').split(',').map(Number);
  console.log(await benchExports({ sizes, seedPath: values.data ?? defaultSeedPath(), runs: values.runs ? Number(values.runs) : undefined }));
}
