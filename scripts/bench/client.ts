/**
 * The web client benchmark (`npm run bench -- --only client`): for each dataset size, a
 * fresh local Worker loaded through load-data, then the production client build in
 * headless Chromium, each run in a new browser context (cold cache):
 *
 * - home usable: from navigation start until the search box answers (the index is loaded
 *   and the first result count is shown), timed in the page, and the bytes transferred;
 * - a period page: from navigation start until its heading shows, timed in the page, and
 *   the bytes transferred;
 * - keystroke → results: in the page, from an input event to the frame after the results
 *   for that text are shown, over ≥ 50 keystrokes (median and p95);
 * - page memory: the renderer's resident and private memory after garbage collection in the
 *   page and its search Worker, once the home is usable and after the keystrokes; then, after
 *   the keystrokes, once the page has been left alone for a minute (settledMemoryMb).
 *
 * The search index is built by the export queue when a version is merged (then kept in R2
 * and the edge cache); that build is timed by the consumer (`export_jobs.duration_ms`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadData } from '../periodo.ts';
import { startLocalWorker } from '../lib/local-worker.ts';
import { datasetFile } from './datasets.ts';
import { exportsSettled } from './settle.ts';
import { median } from './read-timing.ts';

const ADMIN = 'dev-admin-token';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DIST = fileURLToPath(new URL('../../workers/client/dist/', import.meta.url));

/** The reference client at 1.8k / 10k / 50k periods, measured in Chromium against this API (issue #10). */
const REFERENCE: Record<number, { firstRows: number; jsGz: number; dataGz: number; filter: number; periodHeading: number; memoryMb: number }> = {
  1800: { firstRows: 1470, jsGz: 0.92e6, dataGz: 0.12e6, filter: 354, periodHeading: 870, memoryMb: 285 },
  10000: { firstRows: 2610, jsGz: 0.92e6, dataGz: 0.65e6, filter: 365, periodHeading: 1090, memoryMb: 369 },
  50000: { firstRows: 8040, jsGz: 0.92e6, dataGz: 3.2e6, filter: 465, periodHeading: 2400, memoryMb: 616 },
};

/** Typed one character at a time; each prefix is one measured keystroke. */
const WORDS = ['bronze age', 'roman', 'neolithic', 'iron', 'medieval', 'egypt', 'classical', 'ming dynasty', 'paleolithic'];

export interface ClientRow {
  periods: number;
  /** The server-side alternative, per keystroke: a substring scan of the head's periods in D1's SQLite, and an API round trip. */
  scanMedian: number;
  roundTripMedian: number;
  indexBuildMs: number;
  indexBytes: number;
  indexGzBytes: number;
  homeMs: number;
  homeBytes: number;
  periodMs: number;
  periodBytes: number;
  keyMedian: number;
  keyP95: number;
  keystrokes: number;
  /** After GC, once the home is usable (`loaded`) and after its ≈ 73 measured keystrokes. */
  loadedMemoryMb: number;
  loadedPrivateMb: number;
  memoryMb: number;
  privateMb: number;
  /** After the keystrokes and a minute with the page left alone (settledMemoryMb). */
  settledMemoryMb: number;
  settledPrivateMb: number;
  /** The same measurements for about:blank: what any page costs in this Chromium. */
  blankMemoryMb: number;
  blankPrivateMb: number;
  /** The page's own JS heap after GC (the search Worker's is not visible to this measurement). */
  pageHeapMb: number;
  home: HomeBreakdown;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}

/** gzip size of the JS and CSS index.html loads at once (what the first page needs): its files, and the page itself, which holds the stylesheet. */
export function firstPageBundle(): { files: string[]; gzBytes: number } {
  const html = readFileSync(`${DIST}index.html`, 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  const gz = (bytes: Buffer) => gzipSync(bytes, { level: 9 }).length;
  return { files: ['index.html (inline CSS)', ...files], gzBytes: gz(Buffer.from(html)) + files.reduce((sum, f) => sum + gz(readFileSync(DIST + f)), 0) };
}

/** Bytes a page (and its search Worker) receives while `action` runs: encoded bodies and headers. */
async function transferred(page: Page, action: () => Promise<void>): Promise<number> {
  const sizes: Promise<number>[] = [];
  const listener = (request: import('playwright-core').Request) => {
    sizes.push(request.sizes().then((s) => s.responseBodySize + s.responseHeadersSize, () => 0));
  };
  page.on('requestfinished', listener);
  await action();
  page.off('requestfinished', listener);
  return (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
}

/** Where the home's time went, in ms from navigation start (the page's marks and resource timing). */
export interface HomeBreakdown {
  /** The app's JS has arrived. */
  appCode: number;
  /** The search index's bytes have arrived (the page's inline boot script requests them). */
  indexArrived: number;
  /** The search Worker's script started (the boot script starts it too). */
  workerStarted: number;
  /** The page has handed the index to the Worker. */
  indexHandedOver: number;
  /** In the Worker: decoding + JSON.parse, and building the search structures. */
  parseMs: number;
  buildMs: number;
  /** The Worker could answer. */
  ready: number;
}

async function breakdown(page: Page): Promise<HomeBreakdown> {
  return page.evaluate(() => {
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const end = (pattern: RegExp) => resources.find((r) => pattern.test(r.name))?.responseEnd ?? NaN;
    const mark = (name: string) => performance.getEntriesByName(name, 'mark')[0] as PerformanceMark | undefined;
    const ready = mark('periodo:index-ready');
    const detail = (ready?.detail ?? {}) as { parseMs?: number; buildMs?: number; startedAt?: number; receivedAt?: number };
    // The Worker reports times since the epoch: here they become the page's.
    const local = (epochMs: number | undefined) => (epochMs === undefined ? NaN : epochMs - performance.timeOrigin);
    return {
      appCode: end(/\/assets\/index-[^/]+\.js$/),
      indexArrived: end(/search-index\.json/),
      workerStarted: local(detail.startedAt),
      indexHandedOver: local(detail.receivedAt),
      parseMs: detail.parseMs ?? NaN,
      buildMs: detail.buildMs ?? NaN,
      ready: ready?.startTime ?? NaN,
    };
  });
}

/**
 * Records in the page when `selector` first matches (with `text`, when given): ms from
 * navigation start to the frame after it, as the keystroke latencies are taken. Timed in
 * the page rather than in Node: Playwright notices a change by polling, up to 500 ms apart.
 */
async function timeShown(page: Page, selector: string, text: string | null = null): Promise<void> {
  await page.addInitScript(
    ({ selector, text }) => {
      const shown = () => {
        const element = document.querySelector(selector);
        return element !== null && (text === null || element.textContent === text);
      };
      const observer = new MutationObserver(() => {
        if (!shown()) return;
        observer.disconnect();
        requestAnimationFrame(() => ((globalThis as unknown as { periodoShownAt?: number }).periodoShownAt = performance.now()));
      });
      observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    },
    { selector, text },
  );
}

async function shownAt(page: Page): Promise<number> {
  const handle = await page.waitForFunction(() => (globalThis as unknown as { periodoShownAt?: number }).periodoShownAt, null, { timeout: 120_000 });
  return (await handle.jsonValue()) as number;
}

async function homeUsable(browser: Browser, client: string): Promise<{ ms: number; bytes: number; page: Page; breakdown: HomeBreakdown }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await timeShown(page, '.result-count[data-results-for=""]');
  let ms = 0;
  const bytes = await transferred(page, async () => {
    await page.goto(client);
    ms = await shownAt(page);
  });
  return { ms, bytes, page, breakdown: await breakdown(page) };
}

/** Keystroke → results latencies measured inside the page. */
async function keystrokes(page: Page): Promise<number[]> {
  return page.evaluate(async (words) => {
    const input = document.querySelector<HTMLInputElement>('input[type="search"]')!;
    const status = document.querySelector<HTMLElement>('.result-count')!;
    const shown = (text: string) =>
      new Promise<void>((resolve) => {
        const done = () => requestAnimationFrame(() => resolve());
        if (status.dataset.resultsFor === text) return done();
        const observer = new MutationObserver(() => {
          if (status.dataset.resultsFor === text) {
            observer.disconnect();
            done();
          }
        });
        observer.observe(status, { attributes: true });
      });
    const times: number[] = [];
    for (const word of words) {
      for (let i = 1; i <= word.length; i++) {
        const text = word.slice(0, i);
        const start = performance.now();
        input.value = text;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await shown(text);
        times.push(performance.now() - start);
      }
      input.value = '';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await shown('');
    }
    return times;
  }, WORDS);
}

/**
 * The page's renderer process after garbage collection in the page and its search Worker:
 * resident memory (RSS, which counts the pages of Chromium's own code and data files that
 * every renderer maps and shares) and private memory (anonymous + shared-memory pages: what
 * Chrome's task manager calls the memory footprint), in MB.
 */
async function pageMemoryMb(browser: Browser, page: Page): Promise<{ rss: number; private: number; pid: number }> {
  await page.evaluate(() => (globalThis as unknown as { gc?: () => void }).gc?.());
  for (const worker of page.workers()) await worker.evaluate(() => (globalThis as unknown as { gc?: () => void }).gc?.());
  const cdp = await browser.newBrowserCDPSession();
  const info = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
  await cdp.detach();
  let out = { rss: 0, private: 0, pid: 0 };
  for (const p of info.processInfo.filter((x) => x.type === 'renderer')) {
    const m = processMemoryMb(p.id);
    // The page's renderer is the largest one.
    if (m && m.rss > out.rss) out = { ...m, pid: p.id };
  }
  return out;
}

/** A process's resident and private memory (MB), from /proc; null once it is gone. */
function processMemoryMb(pid: number): { rss: number; private: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
    return { rss: (kb('VmRSS') * 1024) / 1e6, private: ((kb('RssAnon') + kb('RssShmem')) * 1024) / 1e6 };
  } catch {
    return null;
  }
}

/** How long the page is left alone before its settled memory is read. */
const SETTLE_MS = 60_000;

/**
 * The renderer's memory once it has settled with the page left alone. After a burst of work
 * Chromium keeps memory that gc() does not give back and its own timers do: compositor tiles
 * beyond the view after ≈ 5 s idle; V8's committed but unused heap pages (the page's and the
 * search Worker's, ≈ 30 MB at 50k) when its memory reducer runs, 25–30 s after the last
 * activity here (memory-infra dumps before and after). Read from /proc SETTLE_MS after GC,
 * without touching the page.
 */
async function settledMemoryMb(pid: number): Promise<{ rss: number; private: number }> {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const m = processMemoryMb(pid);
  if (!m) throw new Error(`renderer ${pid} is gone`);
  return m;
}

/** The page's JS heap in use after GC (CDP Performance metrics), in MB. */
async function pageHeapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Performance.enable');
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN) / 1e6;
  } finally {
    await cdp.detach();
  }
}

async function periodPage(browser: Browser, url: string, label: string): Promise<{ ms: number; bytes: number }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await timeShown(page, 'h1', label);
  let ms = 0;
  const bytes = await transferred(page, async () => {
    await page.goto(url);
    ms = await shownAt(page);
  });
  await context.close();
  return { ms, bytes };
}

/**
 * What a server-side search API would cost per keystroke at least: the substring scan it
 * would run (timed on the local D1 database file, the same SQLite engine) and one round
 * trip to the data API for a small cached answer. Real networks add their latency on top.
 */
function scanTimes(persistDir: string): number[] {
  const db = new DatabaseSync(d1File(persistDir), { readOnly: true });
  try {
    const query = db.prepare('SELECT id FROM periods WHERE valid_to IS NULL AND json LIKE ? LIMIT 100000');
    const times: number[] = [];
    for (const word of WORDS) {
      for (let i = 1; i <= word.length; i++) {
        const start = performance.now();
        query.all(`%${word.slice(0, i)}%`);
        times.push(performance.now() - start);
      }
    }
    return times;
  } finally {
    db.close();
  }
}

/** The local D1 database file of a local Worker. */
function d1File(persistDir: string): string {
  const dir = join(persistDir, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  return join(dir, readdirSync(dir).find((f) => f.endsWith('.sqlite') && statSync(join(dir, f)).size > 0)!);
}

/** Waits for the export queue's build of the head version's search index; returns how long the build took. */
async function searchIndexBuilt(persistDir: string, timeoutMs = 300_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const db = new DatabaseSync(d1File(persistDir), { readOnly: true });
    try {
      const row = db
        .prepare(`SELECT duration_ms FROM export_jobs WHERE format = 'search-index' AND state = 'done' AND version = (SELECT MAX(id) FROM versions)`)
        .get() as { duration_ms: number } | undefined;
      if (row) return row.duration_ms;
    } finally {
      db.close();
    }
    if (Date.now() > deadline) throw new Error(`the search index was not built within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function roundTrips(origin: string, path: string, n = 30): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await (await fetch(origin + path)).arrayBuffer();
    times.push(performance.now() - start);
  }
  return times;
}

async function benchSize(seedPath: string, size: number, runs: number): Promise<ClientRow> {
  const { file, periods } = await datasetFile(seedPath, size);
  const worker = await startLocalWorker();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--js-flags=--expose-gc'],
  });
  try {
    const origin = worker.url.origin;
    const quiet = console.log;
    console.log = () => undefined;
    try {
      await loadData({ url: origin, adminToken: ADMIN }, file, 5000);
    } finally {
      console.log = quiet;
    }
    await exportsSettled(origin);
    const indexBuildMs = await searchIndexBuilt(worker.persistDir);
    const port = worker.url.port;
    const client = `http://client.localhost:${port}/`;
    const indexText = await (await fetch(`${origin}/search-index.json`)).text();
    const index = JSON.parse(indexText) as { periods: { id: string[]; label: string[]; authority: number[] }; authorities: { id: string[] } };
    const at = Math.floor(index.periods.id.length / 2);
    const label = index.periods.label[at];
    const periodUrl = `${client}?page=period-view&authorityID=${index.authorities.id[index.periods.authority[at]]}&periodID=${index.periods.id[at]}`;

    const scanMedian = median(scanTimes(worker.persistDir));
    const roundTripMedian = median(await roundTrips(origin, `/${index.authorities.id[0].slice(2)}.json`));

    const blank = await (await browser.newContext()).newPage();
    await blank.goto('about:blank');
    const blankMemory = await pageMemoryMb(browser, blank);
    await blank.context().close();

    const home: { ms: number; bytes: number }[] = [];
    const breakdowns: HomeBreakdown[] = [];
    const heaps: number[] = [];
    const period: { ms: number; bytes: number }[] = [];
    const keys: number[] = [];
    const memory: { rss: number; private: number }[] = [];
    const loadedMemory: { rss: number; private: number }[] = [];
    const settled: { rss: number; private: number }[] = [];
    for (let run = 0; run < runs; run++) {
      const h = await homeUsable(browser, client);
      home.push({ ms: h.ms, bytes: h.bytes });
      breakdowns.push(h.breakdown);
      loadedMemory.push(await pageMemoryMb(browser, h.page));
      keys.push(...(await keystrokes(h.page)));
      const typed = await pageMemoryMb(browser, h.page);
      memory.push(typed);
      settled.push(await settledMemoryMb(typed.pid));
      heaps.push(await pageHeapMb(h.page));
      await h.page.context().close();
      period.push(await periodPage(browser, periodUrl, label));
    }
    return {
      periods,
      scanMedian,
      roundTripMedian,
      indexBuildMs,
      indexBytes: Buffer.byteLength(indexText),
      indexGzBytes: gzipSync(indexText).length,
      homeMs: median(home.map((h) => h.ms)),
      homeBytes: median(home.map((h) => h.bytes)),
      periodMs: median(period.map((p) => p.ms)),
      periodBytes: median(period.map((p) => p.bytes)),
      keyMedian: median(keys),
      keyP95: quantile(keys, 0.95),
      keystrokes: keys.length,
      loadedMemoryMb: median(loadedMemory.map((m) => m.rss)),
      loadedPrivateMb: median(loadedMemory.map((m) => m.private)),
      memoryMb: median(memory.map((m) => m.rss)),
      privateMb: median(memory.map((m) => m.private)),
      settledMemoryMb: median(settled.map((m) => m.rss)),
      settledPrivateMb: median(settled.map((m) => m.private)),
      blankMemoryMb: blankMemory.rss,
      blankPrivateMb: blankMemory.private,
      pageHeapMb: median(heaps),
      home: Object.fromEntries(Object.keys(breakdowns[0]).map((k) => [k, median(breakdowns.map((b) => b[k as keyof HomeBreakdown]))])) as unknown as HomeBreakdown,
    };
  } finally {
    await browser.close();
    await worker.dispose();
  }
}

const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
const fmtBytes = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(0)} KB`);

export async function benchClient(options: { sizes: number[]; seedPath: string; runs?: number }): Promise<string> {
  const runs = options.runs ?? 3;
  const rows: ClientRow[] = [];
  for (const size of options.sizes) {
    process.stderr.write(`benchmarking the client at ~${size} periods…\n`);
    rows.push(await benchSize(options.seedPath, size, runs));
  }
  const bundle = firstPageBundle();
  const out: string[] = [];
  out.push(
    `Web client — Chromium ${CHROMIUM}, production build, new context per run (cold cache), medians of ${runs} runs; keystrokes over all runs; the reference client (periodo-client 5.0.20 against this API) in brackets`,
  );
  out.push('');
  out.push(`First page JS + CSS: ${fmtBytes(bundle.gzBytes)} gzipped (${bundle.files.join(', ')}; goal ≤ 100 KB; reference ${fmtBytes(0.92e6)} of JS)`);
  out.push('');
  out.push(
    '| periods | search index (JSON / gzip) | index built at merge (export queue) | home usable | home bytes | period page heading | period page bytes | keystroke → results median / p95 (n) | home memory after GC, loaded → after the keystrokes: renderer RSS (about:blank) | private (about:blank) | after the keystrokes, left alone for 60 s: private / RSS | JS heap of the page |',
  );
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const ref = REFERENCE[[1800, 10000, 50000].reduce((a, b) => (Math.abs(b - r.periods) < Math.abs(a - r.periods) ? b : a))];
    out.push(
      `| ${r.periods.toLocaleString('en')} | ${fmtBytes(r.indexBytes)} / ${fmtBytes(r.indexGzBytes)} | ${fmtMs(r.indexBuildMs)} | ${fmtMs(r.homeMs)} (${fmtMs(ref.firstRows)}) | ${fmtBytes(r.homeBytes)} (${fmtBytes(ref.jsGz + ref.dataGz)}) | ${fmtMs(r.periodMs)} (${fmtMs(ref.periodHeading)}) | ${fmtBytes(r.periodBytes)} | ${fmtMs(r.keyMedian)} / ${fmtMs(r.keyP95)} (${r.keystrokes}) (filter ${fmtMs(ref.filter)}) | ${r.loadedMemoryMb.toFixed(0)} → ${r.memoryMb.toFixed(0)} MB (${r.blankMemoryMb.toFixed(0)} MB) (reference ${ref.memoryMb} MB) | ${r.loadedPrivateMb.toFixed(0)} → ${r.privateMb.toFixed(0)} MB (${r.blankPrivateMb.toFixed(0)} MB) | ${r.settledPrivateMb.toFixed(0)} / ${r.settledMemoryMb.toFixed(0)} MB | ${r.pageHeapMb.toFixed(1)} MB |`,
    );
  }
  out.push('');
  out.push("Where the home's time goes (medians, ms from navigation start; parse and build are durations in the search Worker):");
  out.push('');
  out.push('| periods | app JS arrived | index bytes arrived | search Worker started | index handed to the Worker | Worker: decode + JSON.parse | Worker: build | Worker ready | home usable |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const h = r.home;
    out.push(
      `| ${r.periods.toLocaleString('en')} | ${fmtMs(h.appCode)} | ${fmtMs(h.indexArrived)} | ${fmtMs(h.workerStarted)} | ${fmtMs(h.indexHandedOver)} | ${fmtMs(h.parseMs)} | ${fmtMs(h.buildMs)} | ${fmtMs(h.ready)} | ${fmtMs(r.homeMs)} |`,
    );
  }
  out.push('');
  out.push('The alternative, a server-side search API, per keystroke (lower bound: before any network latency or rendering):');
  out.push('');
  out.push('| periods | substring scan of the head in SQLite (median) | data API round trip, small cached answer (median) | Web Worker index: keystroke → results on screen (median) |');
  out.push('|---:|---:|---:|---:|');
  for (const r of rows) out.push(`| ${r.periods.toLocaleString('en')} | ${fmtMs(r.scanMedian)} | ${fmtMs(r.roundTripMedian)} | ${fmtMs(r.keyMedian)} |`);
  const large = rows.find((r) => Math.abs(r.periods - 50000) < 5000);
  if (large) {
    out.push('');
    out.push(
      `Goals at 50k: home usable ${fmtMs(large.homeMs)} (≤ 1.5 s), keystroke → results median ${fmtMs(large.keyMedian)} (≤ 50 ms), period page ${fmtBytes(large.periodBytes)} (≤ 300 KB) with its heading at ${fmtMs(large.periodMs)} (≤ 0.3 s), page memory ${large.loadedMemoryMb.toFixed(0)} MB of RSS loaded, ${large.memoryMb.toFixed(0)} MB after the keystrokes; ${large.loadedPrivateMb.toFixed(0)} MB and ${large.privateMb.toFixed(0)} MB private, ${large.settledPrivateMb.toFixed(0)} MB after 60 s left alone (≤ ${(616 / 5).toFixed(0)} MB, 1/5 of the reference's; about:blank alone: ${large.blankMemoryMb.toFixed(0)} MB of RSS, ${large.blankPrivateMb.toFixed(0)} MB private).`,
    );
  }
  return out.join('\n');
}
