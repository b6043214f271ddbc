/**
 * `npm run load [-- --readers 200 --patches 50 --editors 5 --max-seconds 120 --max-requests 400000
 *                  --data FILE --extra-paths /search-index.json,/other]`
 *
 * The whole Worker on workerd (local D1, DO, Queues, R2, Cache API) on 127.0.0.1 and a free
 * port. After loading a dataset (the 1,791-period 2015 fixture by default), `--readers`
 * concurrent connections (autocannon) mix /d.json, entities, their HTML views, the history,
 * the patch list and any `--extra-paths`, while `--editors` editor users submit and merge
 * `--patches` patches at once. Bounded by `--max-seconds` and `--max-requests`.
 *
 * Then it checks what a publication citing PeriodO relies on: every patch is merged and in
 * the history, the versions they produced are consecutive, and the final dataset equals the
 * starting one with the patches applied in merge order (fast-json-patch, here in Node).
 * Exits 1 if any reader or writer got an error or any check fails.
 */
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import jsonpatch from 'fast-json-patch';
import { loadData } from '../periodo.ts';
import { startLocalWorker } from '../lib/local-worker.ts';
import { buildReadPaths, editorPatch, type Json } from './mix.ts';
import { percentile, printTable } from './report.ts';

const ADMIN = 'dev-admin-token';
const DEFAULT_DATA = fileURLToPath(new URL('../../test/fixtures/periodo-2015.json', import.meta.url));

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    readers: { type: 'string', default: '200' },
    patches: { type: 'string', default: '50' },
    editors: { type: 'string', default: '5' },
    'max-seconds': { type: 'string', default: '120' },
    'max-requests': { type: 'string', default: '400000' },
    data: { type: 'string', default: DEFAULT_DATA },
    'extra-paths': { type: 'string', default: '' },
  },
});
const READERS = Number(values.readers);
const PATCHES = Number(values.patches);
const EDITORS = Number(values.editors);
const MAX_SECONDS = Number(values['max-seconds']);
const MAX_REQUESTS = Number(values['max-requests']);
for (const [name, n] of Object.entries({ READERS, PATCHES, EDITORS, MAX_SECONDS, MAX_REQUESTS })) {
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name.toLowerCase().replace('_', '-')} takes a positive whole number`);
}
const EXTRA_PATHS = values['extra-paths']!.split(',').map((p) => p.trim()).filter(Boolean);

interface Editor {
  orcid: string;
  token: string;
  authorization: string;
}

/** A write that has not answered by then counts as failed (so the run stays bounded). */
const WRITE_TIMEOUT_MS = 120_000;
let writeDeadline = Infinity;
let merges = 0;

interface WriteRecord {
  patchRequestId: number;
  editor: number;
  submitMs: number;
  mergeMs: number;
}

const failures: string[] = [];
const fail = (message: string) => failures.push(message);

async function check(response: Response, expected: number, what: string): Promise<Response> {
  if (response.status !== expected) {
    throw new Error(`${what}: expected ${expected}, got ${response.status} ${(await response.text()).slice(0, 300)}`);
  }
  return response;
}

async function getJson(origin: string, path: string): Promise<Json> {
  const r = await check(await fetch(`${origin}${path}`, { headers: { Accept: 'application/json' } }), 200, `GET ${path}`);
  return (await r.json()) as Json;
}

function versionOfEtag(response: Response): number {
  const m = /version-(\d+)"$/.exec(response.headers.get('ETag') ?? '');
  if (!m) throw new Error(`no version in the ETag of ${response.url}: ${response.headers.get('ETag')}`);
  return Number(m[1]);
}

async function headVersion(origin: string): Promise<number> {
  const r = await fetch(`${origin}/d.json`, { method: 'HEAD' });
  await check(r, 200, 'HEAD /d.json');
  return versionOfEtag(r);
}

async function addEditors(origin: string, n: number): Promise<Editor[]> {
  const editors: Editor[] = [];
  for (let i = 0; i < n; i++) {
    const orcid = `0000-0000-0000-${String(100 + i).padStart(4, '0')}`;
    const token = `load-editor-${i}-token`;
    const r = await fetch(`${origin}/admin/users/${orcid}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `Load editor ${i}`, token, permissions: ['submit-patch', 'accept-patch'] }),
    });
    await check(r, 200, `adding editor ${orcid}`);
    editors.push({ orcid, token, authorization: `Bearer ${Buffer.from(token).toString('base64')}` });
  }
  return editors;
}

/** One editor: submit, then merge, each of its patches in turn (editors run at once). */
async function editorRun(origin: string, editor: Editor, index: number, patches: unknown[][], out: WriteRecord[]): Promise<void> {
  for (const patch of patches) {
    let t = performance.now();
    if (Date.now() > writeDeadline) throw new Error(`editor ${index}: stopped at the ${MAX_SECONDS} s bound with ${patches.length - out.length} patches left`);
    const submitted = await fetch(`${origin}/d/`, {
      method: 'PATCH',
      headers: { Authorization: editor.authorization, 'Content-Type': 'application/json' },
      body: JSON.stringify(patch),
      signal: AbortSignal.timeout(WRITE_TIMEOUT_MS),
    });
    await check(submitted, 202, `editor ${index}: submitting a patch`);
    const submitMs = performance.now() - t;
    const location = submitted.headers.get('Location')!;
    const patchRequestId = Number(/\/patches\/(\d+)\/$/.exec(location)?.[1]);
    t = performance.now();
    const merged = await fetch(`${location}merge`, { method: 'POST', headers: { Authorization: editor.authorization }, signal: AbortSignal.timeout(WRITE_TIMEOUT_MS) });
    await check(merged, 204, `editor ${index}: merging patch request ${patchRequestId}`);
    out.push({ patchRequestId, editor: index, submitMs, mergeMs: performance.now() - t });
    merges++;
    if (merges % 10 === 0) console.log(`${merges} patches merged`);
  }
}

/** The readers: autocannon on the mix until `until` settles (or the bounds are hit). */
function runReaders(origin: string, paths: string[], until: Promise<unknown>) {
  const statuses = new Map<number, number>();
  let resolveDone!: (r: autocannon.Result) => void;
  let rejectDone!: (e: unknown) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const instance = autocannon(
    {
      url: origin,
      connections: READERS,
      duration: MAX_SECONDS,
      amount: MAX_REQUESTS,
      // A reader waits as long as a browser would before giving up.
      timeout: 60,
      headers: { 'Accept-Encoding': 'gzip' },
      // Every request picks its path at random, so each path gets its share at every moment.
      requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: paths[Math.floor(Math.random() * paths.length)] }) }],
    },
    (error, result) => (error ? rejectDone(error) : resolveDone(result)),
  );
  instance.on('response', (_client: unknown, statusCode: number) => statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1));
  void until.finally(() => instance.stop());
  return { done, statuses };
}

/**
 * The dataset without the members a representation derives from its own URL (`@context`
 * names `/c?version=N`, `primaryTopicOf` the document's URL): what patches change.
 */
function content(doc: Json): Json {
  const { '@context': _context, primaryTopicOf: _topic, ...rest } = doc;
  return rest;
}

/** `<origin/h#change-N> prov:generated <origin/d?version=V>` for every merged patch N. */
function generatedVersions(historyNt: string): Map<number, number> {
  const out = new Map<number, number>();
  const re = /<[^>]*\/h#change-(\d+)> <http:\/\/www\.w3\.org\/ns\/prov#generated> <[^>]*\/d\?version=(\d+)>/g;
  for (const m of historyNt.matchAll(re)) out.set(Number(m[1]), Number(m[2]));
  return out;
}

async function main(): Promise<void> {
  console.log(`Starting the Worker on 127.0.0.1 …`);
  const worker = await startLocalWorker();
  const origin = worker.url.origin;
  try {
    console.log(`Loading ${values.data} …`);
    await loadData({ url: origin, adminToken: ADMIN }, values.data!, 5000);
    const editors = await addEditors(origin, EDITORS);
    const start = await headVersion(origin);
    const startDoc = await getJson(origin, `/d.json?version=${start}`);
    const authorities = startDoc.authorities as Record<string, Json>;
    const periodCount = Object.values(authorities).reduce((n, a) => n + Object.keys((a.periods as Json) ?? {}).length, 0);
    const paths = [...buildReadPaths(startDoc, start), ...EXTRA_PATHS];

    // Warm-up: every path answers 200 before the load, so an error later is the load's.
    for (const p of paths) {
      const r = await fetch(`${origin}${p}`);
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`GET ${p} answers ${r.status} before any load`);
    }

    const plan = Array.from({ length: PATCHES }, (_, i) => ({ i, editor: i % EDITORS }));
    const byEditor = editors.map((_, e) => plan.filter((p) => p.editor === e).map((p) => editorPatch(startDoc, e, p.i)));
    console.log(
      `Version ${start}: ${Object.keys(authorities).length} authorities, ${periodCount} periods. ` +
        `${READERS} readers over ${paths.length} paths while ${EDITORS} editors submit and merge ${PATCHES} patches …`,
    );

    const began = performance.now();
    writeDeadline = Date.now() + MAX_SECONDS * 1000;
    // Each editor stops at its first failure; the others go on, and what was merged is checked.
    const writes = Promise.all(
      editors.map((editor, e) => {
        const done: WriteRecord[] = [];
        return editorRun(origin, editor, e, byEditor[e], done).then(
          () => done,
          (error: Error) => {
            fail(`writes: ${error.message}`);
            return done;
          },
        );
      }),
    ).then((r) => r.flat());
    const readers = runReaders(origin, paths, writes);
    const records = await writes;
    const writeSeconds = (performance.now() - began) / 1000;
    const result = await readers.done;

    // --- the checks ---
    // autocannon's `errors` include its timeouts.
    const readErrors = result.errors + result.non2xx;
    if (readErrors) fail(`readers: ${result.errors} errors (${result.timeouts} of them timeouts), ${result.non2xx} non-2xx answers (${JSON.stringify(Object.fromEntries(readers.statuses))})`);
    if (records.length !== PATCHES) fail(`only ${records.length} of ${PATCHES} patches were merged`);
    // Every merge that answered 204 is checked below, whatever else failed.
    const head = await headVersion(origin);
    if (head !== start + records.length) fail(`head is version ${head}, expected ${start + records.length}`);

    const resulted = new Map<number, number>();
    for (const r of records) {
      const page = await getJson(origin, `/patches/${r.patchRequestId}/`);
      if (page.merged !== true || page.open !== false) fail(`patch request ${r.patchRequestId} is not merged: ${JSON.stringify(page).slice(0, 200)}`);
      const appliedTo = Number(new URL(String(page.applied_to)).searchParams.get('version'));
      resulted.set(r.patchRequestId, appliedTo + 1);
    }
    const versions = [...resulted.values()].sort((a, b) => a - b);
    const consecutive = versions.every((v, k) => v === start + 1 + k);
    if (!consecutive) fail(`the merged versions are not consecutive from ${start + 1}: ${versions.join(',')}`);

    const history = await (await check(await fetch(`${origin}/h.nt`), 200, 'GET /h.nt')).text();
    const generated = generatedVersions(history);
    for (const [id, v] of resulted) {
      if (generated.get(id) !== v) fail(`the history says patch request ${id} generated version ${generated.get(id)}, its page says ${v}`);
    }

    // The final dataset is the starting one with the applied patches, in merge order.
    const order = [...resulted].sort((a, b) => a[1] - b[1]).map(([id]) => id);
    let expected = structuredClone(startDoc);
    for (const id of order) {
      const applied = (await (await check(await fetch(`${origin}/patches/${id}/patch.jsonpatch`), 200, `patch ${id}`)).json()) as jsonpatch.Operation[];
      expected = jsonpatch.applyPatch(expected, applied, true, true).newDocument;
    }
    const finalDoc = await getJson(origin, '/d.json');
    const equal = isDeepStrictEqual(content(expected), content(finalDoc));
    if (!equal && process.env.LOAD_DEBUG) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync('/tmp/load-expected.json', JSON.stringify(expected, null, 1));
      writeFileSync('/tmp/load-final.json', JSON.stringify(finalDoc, null, 1));
    }
    if (!equal) fail('the final dataset differs from the starting one with the merged patches applied in merge order');
    // And each version in between is still served as it was.
    const middle = start + Math.ceil(records.length / 2);
    const middleDoc = await getJson(origin, `/d.json?version=${middle}`);
    let replay = structuredClone(startDoc);
    for (const id of order.slice(0, middle - start)) {
      const applied = (await (await fetch(`${origin}/patches/${id}/patch.jsonpatch`)).json()) as jsonpatch.Operation[];
      replay = jsonpatch.applyPatch(replay, applied, true, true).newDocument;
    }
    if (!isDeepStrictEqual(content(replay), content(middleDoc))) fail(`version ${middle} differs from the starting one with the first ${middle - start} patches applied`);

    printTable({
      periods: periodCount,
      readers: READERS,
      paths: paths.length,
      seconds: result.duration,
      requests: result.requests.total,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      readErrors,
      patches: records.length,
      editors: EDITORS,
      writeSeconds,
      submitP50: percentile(records.map((r) => r.submitMs), 50),
      submitP99: percentile(records.map((r) => r.submitMs), 99),
      mergeP50: percentile(records.map((r) => r.mergeMs), 50),
      mergeP99: percentile(records.map((r) => r.mergeMs), 99),
      versions: `${start + 1}…${head}${consecutive ? ' consecutive' : ' NOT consecutive'}`,
      finalEqual: equal,
      statuses: Object.fromEntries(readers.statuses),
    });
  } finally {
    await worker.dispose();
  }
  if (failures.length) {
    console.error(`\nFAILED:\n- ${failures.join('\n- ')}`);
    process.exit(1);
  }
  console.log('\nAll checks passed.');
}

await main();
