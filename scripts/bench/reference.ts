/**
 * This project beside the reference server (periodo/periodo-server) in one run on one
 * machine: the cold-read rows timed against a reference already running with the same
 * dataset (`--reference 1791=http://127.0.0.1:5001,…`), and the initial load timed
 * alternately with a load command the operator gives (`--reference-load 'COMMAND {file}'`).
 * Nothing of the reference is built, started or known here beyond its HTTP API.
 *
 * The reference caches nothing in-process, so every read is cold; its reads are neither
 * settled nor given a cache-busting key's meaning, but get the same query as ours so both
 * servers parse the same URLs.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startLocalWorker } from '../lib/local-worker.ts';
import { authoritiesBySize, coldReadUrls, measureReads, type ReadMeasure, type ReadRow } from './read-timing.ts';

/** CPython has no JIT to warm up; a few unmeasured reads open its connections and caches. */
export const REFERENCE_WARMUPS = 5;

export interface ReferenceReads {
  origin: string;
  reads: Record<ReadRow, ReadMeasure>;
}

/** `1791=http://127.0.0.1:5001,10000=http://…` → size → origin. */
export function parseReferenceOrigins(option: string | undefined): Map<number, string> {
  const origins = new Map<number, string>();
  for (const part of (option ?? '').split(',').filter(Boolean)) {
    const match = /^(\d+)=(https?:\/\/[^/\s]+)\/?$/.exec(part.trim());
    if (!match) throw new Error(`--reference: "${part}" is not SIZE=ORIGIN (e.g. 1791=http://127.0.0.1:5001)`);
    origins.set(Number(match[1]), match[2]);
  }
  return origins;
}

export async function benchReference(origin: string, expectedPeriods: number, reads: number, runs: number): Promise<ReferenceReads> {
  const response = await fetch(`${origin}/d.json`, { headers: { 'Accept-Encoding': 'identity' } });
  if (!response.ok) throw new Error(`--reference ${origin}: GET /d.json answered ${response.status}`);
  const version = response.headers.get('ETag')?.match(/version-(\d+)/)?.[1];
  const dataset = (await response.json()) as { authorities?: Record<string, { periods?: Record<string, unknown> }> };
  const sizes = authoritiesBySize(dataset.authorities ?? {}, (key) => key.replace(/^p0/, ''));
  const periods = sizes.reduce((n, [, p]) => n + p, 0);
  if (periods !== expectedPeriods) {
    throw new Error(`--reference ${origin} holds ${periods} periods, not the ${expectedPeriods} of this size: load the benchmark's dataset into it first`);
  }
  if (version === undefined) throw new Error(`--reference ${origin}: GET /d.json has no version in its ETag`);
  const urls = coldReadUrls(origin, Date.now(), { version, smallest: sizes[0][0], largest: sizes[sizes.length - 1][0] });
  const measured = {} as Record<ReadRow, ReadMeasure>;
  for (const row of Object.keys(urls) as ReadRow[]) measured[row] = await measureReads({ pid: null, reads, warmups: REFERENCE_WARMUPS, url: urls[row] }, runs);
  return { origin, reads: measured };
}

export interface LoadPairs {
  command: string;
  /** `npm run periodo -- load-data FILE` as an operator runs it: a process of its own. */
  oursMs: number[];
  /** The reference's load command, as given, `{file}` replaced by the dataset's file. */
  referenceMs: number[];
}

const cli = fileURLToPath(new URL('../periodo.ts', import.meta.url));

/**
 * The initial load as an operator runs it, alternately with the reference's load command:
 * each as a whole process (start, imports, parse, load), ours into a fresh started Worker.
 * Alternating keeps both on the same machine state; this machine's speed drifts by a
 * third within minutes. The command must start from an empty database each time.
 */
export async function compareLoads(file: string, command: string, pairs: number, adminToken: string): Promise<LoadPairs> {
  const run = promisify(execFile);
  const result: LoadPairs = { command, oursMs: [], referenceMs: [] };
  for (let i = 0; i < pairs; i++) {
    const worker = await startLocalWorker();
    try {
      // A started server, as the load row's: the Worker's first request is not the load's.
      await (await fetch(worker.url)).arrayBuffer();
      const start = performance.now();
      await run(process.execPath, [cli, 'load-data', file, '--url', worker.url.origin, '--admin-token', adminToken], { maxBuffer: 1 << 26 });
      result.oursMs.push(performance.now() - start);
    } finally {
      await worker.dispose();
    }
    const start = performance.now();
    await run('/bin/sh', ['-c', command.replaceAll('{file}', file)], { maxBuffer: 1 << 26 });
    result.referenceMs.push(performance.now() - start);
  }
  return result;
}
