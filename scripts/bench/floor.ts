/**
 * The local platform's floor: what the same Miniflare/workerd costs a Worker that does
 * nothing but the I/O a read needs (one D1 query, a cache lookup, an R2 object), on this
 * machine, measured the way the storage benchmark measures this project's Worker (Node's
 * fetch over loopback, `Accept-Encoding: identity`, medians). Below these figures no
 * implementation can answer here, whatever it does.
 *
 * `node scripts/bench/floor.ts [--document BYTES] [--authority BYTES] [--reads N]`
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { median } from './read-timing.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A Worker with no logic of its own: each path is one kind of I/O and its answer. */
const WORKER = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const key = url.searchParams.get('key');
    switch (url.pathname) {
      case '/nothing':
        return new Response(null);
      case '/d1':
        return Response.json((await env.DB.prepare('SELECT max(id) AS v FROM t').all()).results);
      case '/d1-and-cache': {
        const [rows, entry] = await Promise.all([env.DB.prepare('SELECT max(id) AS v FROM t').all(), caches.default.match('http://floor/' + url.search)]);
        return Response.json({ rows: rows.results, hit: Boolean(entry) });
      }
      case '/r2': {
        const object = await env.R2.get(key);
        return new Response(object.body, { headers: { 'Content-Length': String(object.size) } });
      }
      case '/d1-with-r2': {
        const [, object] = await Promise.all([env.DB.prepare('SELECT max(id) AS v FROM t').all(), env.R2.get(key)]);
        return new Response(object.body, { headers: { 'Content-Length': String(object.size) } });
      }
      case '/d1-then-r2': {
        await env.DB.prepare('SELECT max(id) AS v FROM t').all();
        const object = await env.R2.get(key);
        return new Response(object.body, { headers: { 'Content-Length': String(object.size) } });
      }
      case '/setup': {
        await env.DB.prepare('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, text TEXT)').run();
        await env.DB.prepare('INSERT INTO t (text) VALUES (?)').bind('x').run();
        await env.R2.put(key, new Uint8Array(Number(url.searchParams.get('bytes'))).fill(32));
        return new Response('ok');
      }
      case '/write': {
        // One batch of text rows, 256 K characters each: what a merge stores as text.
        const total = Number(url.searchParams.get('chars'));
        const piece = 'x'.repeat(256 * 1024);
        const statements = [];
        for (let n = 0; n < total; n += piece.length) statements.push(env.DB.prepare('INSERT INTO t (text) VALUES (?)').bind(piece.slice(0, Math.min(piece.length, total - n))));
        await env.DB.batch(statements);
        return new Response('ok');
      }
    }
    return new Response('not found', { status: 404 });
  },
};
`;

async function timeIt(url: string, reads: number, init: RequestInit = {}): Promise<number> {
  const times: number[] = [];
  for (let i = -Math.min(20, reads); i < reads; i++) {
    const start = performance.now();
    const response = await fetch(url, { ...init, headers: { 'Accept-Encoding': 'identity' } });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    if (i >= 0) times.push(performance.now() - start);
  }
  return median(times);
}

export interface Floor {
  nothing: number;
  d1: number;
  d1AndCache: number;
  document: { bytes: number; r2: number; d1WithR2: number; d1ThenR2: number };
  authority: { bytes: number; r2: number; d1WithR2: number; d1ThenR2: number };
  /** One D1 batch writing this many characters of text, in ms. */
  write: { chars: number; ms: number };
}

export async function benchFloor(options: { documentBytes: number; authorityBytes: number; reads?: number; writeChars?: number }): Promise<Floor> {
  const reads = options.reads ?? 50;
  const writeChars = options.writeChars ?? 7_400_000;
  const compatibilityDate = /compatibility_date\s*=\s*"([^"]+)"/.exec(readFileSync(join(root, 'wrangler.toml'), 'utf8'))?.[1] ?? '2025-01-01';
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      workers: [{ name: 'floor', modules: true, script: WORKER, compatibilityDate, d1Databases: ['DB'], r2Buckets: ['R2'] }],
    } as Parameters<typeof convertV4MiniflareOptions>[0]),
  );
  const origin = (await mf.ready).origin;
  try {
    for (const [key, bytes] of [['document', options.documentBytes], ['authority', options.authorityBytes]] as const) {
      await (await fetch(`${origin}/setup?key=${key}&bytes=${bytes}`)).arrayBuffer();
    }
    const writes: number[] = [];
    for (let i = 0; i < 5; i++) writes.push(await timeIt(`${origin}/write?chars=${writeChars}`, 1));
    return {
      nothing: await timeIt(`${origin}/nothing`, reads),
      d1: await timeIt(`${origin}/d1`, reads),
      d1AndCache: await timeIt(`${origin}/d1-and-cache?x`, reads),
      document: {
        bytes: options.documentBytes,
        r2: await timeIt(`${origin}/r2?key=document`, reads),
        d1WithR2: await timeIt(`${origin}/d1-with-r2?key=document`, reads),
        d1ThenR2: await timeIt(`${origin}/d1-then-r2?key=document`, reads),
      },
      authority: {
        bytes: options.authorityBytes,
        r2: await timeIt(`${origin}/r2?key=authority`, reads),
        d1WithR2: await timeIt(`${origin}/d1-with-r2?key=authority`, reads),
        d1ThenR2: await timeIt(`${origin}/d1-then-r2?key=authority`, reads),
      },
      write: { chars: writeChars, ms: median(writes) },
    };
  } finally {
    await mf.dispose();
  }
}

const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
const size = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(0)} KB`);

/** The floor as a table, beside what issue 14 asks at 1.8k periods. */
export function floorTable(f: Floor): string {
  return [
    'The local platform\'s floor — a Worker with no logic, on the same Miniflare, timed the same way (medians): no implementation can answer faster here',
    '',
    '| a Worker that only… | wall | what it bounds (issue 14, 1,791 periods) |',
    '|---|---:|---|',
    `| answers | ${ms(f.nothing)} | every request |`,
    `| reads one D1 row | ${ms(f.d1)} | a latest read must read the head (else it could be stale): any cold entity read (goal ≤ 8.6 ms) |`,
    `| reads one D1 row and looks up the cache, at once | ${ms(f.d1AndCache)} | a cold read through the edge cache, before it reads anything for its answer |`,
    `| returns a ${size(f.authority.bytes)} R2 object | ${ms(f.authority.r2)} | the largest authority (goal ≤ 10 ms), were it kept whole in R2 |`,
    `| reads one D1 row while it reads that object | ${ms(f.authority.d1WithR2)} | the same, latest, the head guessed and checked |`,
    `| reads one D1 row, then returns that object | ${ms(f.authority.d1ThenR2)} | the same, latest |`,
    `| returns a ${size(f.document.bytes)} R2 object | ${ms(f.document.r2)} | \`/d.json\` (goal ≤ 11.8 ms, ½ of the reference's 23.5 ms) |`,
    `| reads one D1 row while it reads that object | ${ms(f.document.d1WithR2)} | the same, latest, the head guessed and checked |`,
    `| reads one D1 row, then returns that object | ${ms(f.document.d1ThenR2)} | the same, latest |`,
    `| writes ${(f.write.chars / 1e6).toFixed(0)} M characters of text in one D1 batch | ${ms(f.write.ms)} | what a 5,000-period patch stores (its rows and the patch as submitted): the initial load |`,
  ].join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { document: { type: 'string', default: '1207617' }, authority: { type: 'string', default: '347643' }, reads: { type: 'string', default: '50' } } });
  benchFloor({ documentBytes: Number(values.document), authorityBytes: Number(values.authority), reads: Number(values.reads) })
    .then((f) => console.log(floorTable(f)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
