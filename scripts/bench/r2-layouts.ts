/**
 * Why the JSON document is stored as plain objects (docs/dataset-reads.md): the same bytes
 * read from the local R2 as one plain object and as one multipart object, through a Worker
 * that only returns the object's body. Wall time (full body read) and workerd's CPU.
 *
 * `node scripts/bench/r2-layouts.ts [--mb 34] [--runs 5]`
 */
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { parseArgs } from 'node:util';
import { workerdProcesses } from '../lib/local-worker.ts';
import { cpuMs, median } from './read-timing.ts';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '34' }, runs: { type: 'string', default: '5' } } });
const size = Math.round(Number(values.mb) * 1024 * 1024);
const runs = Number(values.runs);

const script = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get('n'));
    if (url.pathname === '/put-plain') {
      const { readable, writable } = new FixedLengthStream(n);
      const writer = writable.getWriter();
      const chunk = new Uint8Array(1 << 20).fill(97);
      const written = (async () => { for (let i = 0; i < n; i += chunk.length) await writer.write(chunk.subarray(0, Math.min(chunk.length, n - i))); await writer.close(); })();
      await env.B.put('plain', readable);
      await written;
      return new Response('ok');
    }
    if (url.pathname === '/put-multipart') {
      const part = 8 << 20;
      const upload = await env.B.createMultipartUpload('multipart');
      const parts = [];
      for (let i = 0, k = 1; i < n; i += part, k++) parts.push(await upload.uploadPart(k, new Uint8Array(Math.min(part, n - i)).fill(97)));
      await upload.complete(parts);
      return new Response('ok');
    }
    const object = await env.B.get(url.pathname.slice(1));
    return new Response(object.body, { headers: { 'Content-Length': String(object.size) } });
  },
};`;

const before = new Set(workerdProcesses());
const mf = new Miniflare(convertV4MiniflareOptions({ workers: [{ name: 'r2-layouts', modules: true, script, compatibilityDate: '2026-10-15', r2Buckets: ['B'] }] } as Parameters<typeof convertV4MiniflareOptions>[0]));
try {
  const url = await mf.ready;
  const pid = workerdProcesses().find((p) => !before.has(p)) ?? null;
  for (const layout of ['plain', 'multipart']) await (await fetch(new URL(`/put-${layout}?n=${size}`, url))).text();
  const results: Record<string, { wall: number[]; cpu: number[] }> = { plain: { wall: [], cpu: [] }, multipart: { wall: [], cpu: [] } };
  for (let run = 0; run < runs; run++) {
    for (const layout of ['plain', 'multipart']) {
      const cpu = cpuMs(pid);
      const start = performance.now();
      const body = await (await fetch(new URL(`/${layout}`, url))).arrayBuffer();
      results[layout].wall.push(performance.now() - start);
      if (body.byteLength !== size) throw new Error(`${layout}: ${body.byteLength} bytes`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      results[layout].cpu.push(cpuMs(pid) - cpu);
    }
  }
  console.log(`\n${(size / 1e6).toFixed(1)} MB read from the local R2 (Miniflare), medians of ${runs}, the two layouts alternating\n`);
  console.log('| object | wall | workerd CPU |\n|---|---:|---:|');
  for (const layout of ['plain', 'multipart']) console.log(`| ${layout} | ${median(results[layout].wall).toFixed(0)} ms | ${median(results[layout].cpu).toFixed(0)} ms |`);
} finally {
  await mf.dispose();
}
