/**
 * One export conversion in its own Node process, for scripts/bench/exports.ts:
 *
 *   node --max-old-space-size=128 --max-semi-space-size=4 export-child.mjs \
 *     CONVERTER_MODULE edge|jsonld ttl|nt|csv INPUT_DIR OUTPUT_FILE
 *
 * (bundled by scripts/bench/exports.ts, like CONVERTER_MODULE: workers/exports/
 * dataset-export.ts as plain JavaScript, so Node spends nothing on TypeScript).
 *
 * `edge`: the Worker's converter (workers/exports/), fed the way the queue consumer feeds
 * it from D1 — the dataset's stored members, then one authority at a time (here one line
 * of INPUT_DIR/authorities.ndjson each) — writing to OUTPUT_FILE as it goes.
 * `jsonld`: jsonld.js `toRDF` on the whole served JSON-LD document, then n3's Writer.
 *
 * Prints one JSON line: the conversion's wall time (reading the input included, Node's
 * start-up not), output bytes, peak RSS (VmHWM of the child itself, Node's own
 * ~45 MB included) and the largest V8 heap the process committed, sampled every 5 ms and
 * at every write.
 */
import { closeSync, createReadStream, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

type ExportFormat = 'ttl' | 'nt' | 'csv';
type Sink = { write(text: string): void };
/** What this script uses of workers/exports/dataset-export.ts. */
interface DatasetExport {
  exportDataset(format: ExportFormat, meta: string | null, authorities: AsyncIterable<Record<string, unknown>>, sink: Sink): Promise<{ authorities: number; periods: number; rows?: number }>;
  datasetTrailer(format: ExportFormat, meta: string | null, primaryTopicOf: Record<string, unknown>): string;
}
const [converterModule, impl, format, dir, outPath] = process.argv.slice(2) as [string, 'edge' | 'jsonld', ExportFormat, string, string];
const { exportDataset, datasetTrailer } = (await import(converterModule)) as DatasetExport;

let bytes = 0;
let peakHeap = 0;
/** The V8 heap the process has committed (used or not): what a Worker isolate's limit counts. */
const sampleHeap = () => void (peakHeap = Math.max(peakHeap, process.memoryUsage().heapTotal));
const sampler = setInterval(sampleHeap, 5);
const fd = openSync(outPath, 'w');
const sink = {
  write(text: string): void {
    const buffer = Buffer.from(text, 'utf8');
    writeSync(fd, buffer);
    bytes += buffer.length;
    sampleHeap();
  },
};

async function* authorities(): AsyncGenerator<Record<string, unknown>> {
  const lines = createInterface({ input: createReadStream(join(dir, 'authorities.ndjson'), { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) if (line) yield JSON.parse(line) as Record<string, unknown>;
}

async function edge(): Promise<Record<string, unknown>> {
  const meta = readFileSync(join(dir, 'meta.json'), 'utf8');
  const summary = await exportDataset(format, meta, authorities(), sink);
  const primaryTopicOf = JSON.parse(readFileSync(join(dir, 'primary-topic-of.json'), 'utf8')) as Record<string, unknown>;
  sink.write(datasetTrailer(format, meta, primaryTopicOf));
  return { authorities: summary.authorities, periods: summary.periods, rows: summary.rows };
}

async function viaJsonld(): Promise<Record<string, unknown>> {
  const { default: jsonld } = await import('jsonld');
  const { Writer } = await import('n3');
  const doc = JSON.parse(readFileSync(join(dir, 'dataset.jsonld'), 'utf8')) as Record<string, unknown>;
  const context = doc['@context'] as Record<string, unknown>;
  const prefixes: Record<string, string> = {};
  for (const [k, v] of Object.entries(context)) if (typeof v === 'string' && /[/#]$/.test(v) && !k.startsWith('@')) prefixes[k] = v;
  const quads = (await jsonld.toRDF(doc as never)) as unknown as Parameters<InstanceType<typeof Writer>['addQuad']>[0][];
  const writer = new Writer({ format: format === 'nt' ? 'N-Triples' : 'Turtle', prefixes });
  for (const q of quads) writer.addQuad(q);
  const text = await new Promise<string>((resolve, reject) => writer.end((error, result: string) => (error ? reject(error) : resolve(result))));
  sink.write(text);
  return { triples: quads.length };
}

const started = performance.now();
const details = impl === 'edge' ? await edge() : await viaJsonld();
const ms = performance.now() - started;
sampleHeap();
clearInterval(sampler);
closeSync(fd);
// VmHWM is this process's own peak: getrusage's maxRSS survives exec, so a child spawned by
// a large parent would report the parent's peak instead.
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
const maxRss = hwm ? Number(hwm[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
process.stdout.write(`${JSON.stringify({ ms, bytes, maxRss, peakHeap, ...details })}\n`);
