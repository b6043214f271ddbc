/**
 * A large authority read out of the head version's JSON document in R2 (its bytes there,
 * located by the document's export job in `document_spans`), and from D1 whenever that
 * cannot be done: before the head's document exists, when the document is gone, after a
 * rebuild. Every answer is compared byte for byte with the one built from D1 rows, which a
 * `Range` request always gets (it bypasses the edge cache and its read-ahead).
 * The real 2015 dataset: 71 authorities, 3 of them over 128 KiB, with non-ASCII text.
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import periodo2015 from '../../fixtures/periodo-2015.json';
import handler from '../../../workers/index';
import type { ExportJob } from '../../../workers/env';
import { datasetPatches } from '../../../scripts/lib/load-patches';
import { exportKey } from '../../../workers/exports/enqueue';
import { partLayout } from '../../../workers/exports/part-objects';
import { R2StreamWriter } from '../../../workers/exports/r2-writer';
import { DOCUMENT_SOURCE } from '../../../workers/data/dataset-document';
import { authoritiesMapChunks, authorityText, utf8Length } from '../../../workers/data/dataset-stream';
import { DatasetStore } from '../../../workers/storage/dataset-store';
import { claimExportJobs } from '../../../workers/storage/export-job-store';
import { database, runRead } from '../../../workers/storage/db';
import { recordDocumentSpans, spanRows, SPAN_MIN_BYTES, type AuthoritySpan } from '../../../workers/storage/document-span-store';
import { ADMIN_TOKEN, ASSIGNED, get, headVersion, load } from './support';

type Json = Record<string, unknown>;
const data = periodo2015 as unknown as { authorities: Record<string, { id: string; periods: Record<string, unknown> }> };
const ids = Object.values(data.authorities).map((a) => a.id.slice(ASSIGNED.length));
const LARGEST = 'p086kj9';
const SMALL = ids.find((id) => Object.keys(data.authorities[`${ASSIGNED}${id}`].periods).length === 1)!;

let patchCount = 0;
let cold = 0;
/** How many authorities the export job located. */
let locatedCount = 0;

async function deliver(body: ExportJob) {
  const batch = createMessageBatch<ExportJob>('periodo-exports-dev', [{ id: `m-${body.version}-${body.format}-${Date.now()}`, timestamp: new Date(), attempts: 1, body }]);
  const ctx = createExecutionContext();
  await handler.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

async function spans(): Promise<{ version: number; authority_id: string; part: number }[]> {
  return (await env.DB.prepare('SELECT version, authority_id, part FROM document_spans ORDER BY authority_id').all<{ version: number; authority_id: string; part: number }>()).results;
}

/** A cold read through the edge cache (a query the app ignores makes a new key). */
async function coldRead(path: string, init: RequestInit = {}): Promise<{ body: Uint8Array; source: string | null; response: Response }> {
  const response = await get(`${path}?cold=${++cold}`, init);
  expect(response.status, path).toBe(200);
  return { body: new Uint8Array(await response.arrayBuffer()), source: response.headers.get(DOCUMENT_SOURCE), response };
}

/** The answer built from D1 rows: a Range request bypasses the edge cache and its read-ahead. */
async function fromRows(path: string): Promise<Uint8Array> {
  const response = await get(`${path}?cold=${++cold}`, { headers: { Range: 'bytes=0-' } });
  expect(response.status, path).toBe(200);
  expect(response.headers.get(DOCUMENT_SOURCE)).toBeNull();
  return new Uint8Array(await response.arrayBuffer());
}

/** The same answer once the URL's query is set aside (`primaryTopicOf` names the URL as requested). */
function withoutQuery(body: Uint8Array): string {
  return new TextDecoder().decode(body).replace(/\?cold=\d+/g, '');
}

beforeAll(async () => {
  const patches = datasetPatches({}, periodo2015 as unknown as Json, { maxPeriods: 800, maxBytes: 1e9 });
  patchCount = patches.length;
  // Only this test writes the JSON documents of these versions.
  for (let v = 1; v <= patchCount + 1; v++) expect(await claimExportJobs(database(env.DB), v, ['json'])).toEqual(['json']);
  for (const [i, patch] of patches.entries()) expect((await load(patch)).version).toBe(i + 1);
}, 180_000);

describe('UTF-8 lengths, counted without encoding', () => {
  it('equal the encoded length of any string, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => utf8Length(s) === new TextEncoder().encode(s).byteLength),
      { numRuns: 2000 },
    );
    expect(utf8Length('Néolithique 𓂀 \ud800x \udc00')).toBe(new TextEncoder().encode('Néolithique 𓂀 \ud800x \udc00').byteLength);
  });
});

describe('spans in a document stored in parts', () => {
  it('are located in their part; one across two parts is left to D1', () => {
    const found: AuthoritySpan[] = [
      { authorityId: 'a', offset: 1, length: 90 },
      { authorityId: 'b', offset: 93, length: 20 }, // 93..112 crosses 100
      { authorityId: 'c', offset: 115, length: 85 }, // ends at 199, the last byte of part 2
    ];
    expect(spanRows(7, found, 100)).toEqual([
      { version: 7, authorityId: 'a', part: 1, offset: 1, length: 90 },
      { version: 7, authorityId: 'c', part: 2, offset: 15, length: 85 },
    ]);
  });
});

describe('before the head has a JSON document', () => {
  it('reads every authority from D1', async () => {
    expect(await env.EXPORTS.head(exportKey(patchCount, 'json'))).toBeNull();
    expect(await spans()).toEqual([]);
    const { source, body } = await coldRead(`/${LARGEST.slice(2)}.json`);
    expect(source).toBeNull();
    expect(withoutQuery(body)).toBe(withoutQuery(await fromRows(`/${LARGEST.slice(2)}.json`)));
  });
});

describe('once the export job has written the head document', () => {
  beforeAll(async () => {
    expect((await deliver({ version: patchCount, format: 'json' })).explicitAcks).toHaveLength(1);
  });

  it('locates each authority of at least SPAN_MIN_BYTES (128 KiB), and only those', async () => {
    const located = await spans();
    const store = new DatasetStore(env.DB);
    const large: string[] = [];
    for await (const a of store.authoritiesAt(patchCount)) {
      if (new TextEncoder().encode(authorityText(a)).byteLength >= SPAN_MIN_BYTES) large.push(a.id);
    }
    expect(large).toHaveLength(3);
    expect(located.map((s) => s.authority_id)).toEqual(large.sort());
    locatedCount = large.length;
    expect(located.every((s) => s.version === patchCount && s.part === 1)).toBe(true);
  });

  it('serves the large ones from R2, byte for byte the answer from D1, as JSON and JSON-LD', async () => {
    for (const id of ids) {
      for (const suffix of ['json', 'jsonld']) {
        const path = `/${id.slice(2)}.${suffix}`;
        const { body, source, response } = await coldRead(path);
        const large = (await spans()).some((s) => s.authority_id === id);
        expect(source, path).toBe(large ? 'r2' : null);
        expect(response.headers.get('Content-Length'), path).toBe(String(body.byteLength));
        expect(response.headers.get('Content-Type'), path).toBe(suffix === 'json' ? 'application/json' : 'application/ld+json');
        expect(response.headers.get('Content-Disposition'), path).toBe(`attachment; filename="periodo-authority-${id.slice(2)}.${suffix}"`);
        expect(withoutQuery(body), path).toBe(withoutQuery(await fromRows(path)));
      }
    }
  });

  it("reads a located authority's span in the head's batch, and not its rows; a small one's rows", async () => {
    const store = new DatasetStore(env.DB);
    const raw = async (id: string) => runRead(store.db, { queries: store.authorityAtHeadRead(id).queries, decode: (results) => results as unknown[][] });
    const [, largeSpan, largeAuthority, largePeriods] = await raw(LARGEST);
    expect(largeSpan).toHaveLength(1);
    expect(largeAuthority).toEqual([]);
    expect(largePeriods).toEqual([]);
    const [, smallSpan, smallAuthority, smallPeriods] = await raw(SMALL);
    expect(smallSpan).toEqual([]);
    expect(smallAuthority).toHaveLength(1);
    expect(smallPeriods).toHaveLength(1);
  });

  it('is stored in the edge cache with the same bytes (a HIT after the MISS)', async () => {
    const path = `/${LARGEST.slice(2)}.json?again`;
    const first = await get(path);
    expect(first.headers.get('X-Cache-Status')).toBe('MISS');
    const missed = await first.text();
    let hit: Response | undefined;
    for (let i = 0; i < 50 && hit?.headers.get('X-Cache-Status') !== 'HIT'; i++) {
      await hit?.body?.cancel();
      // The entry is written after the answer: a HEAD waits for an entry being written.
      await (await get(path, { method: 'HEAD' })).body?.cancel();
      hit = await get(path);
    }
    expect(hit!.headers.get('X-Cache-Status')).toBe('HIT');
    expect(await hit!.text()).toBe(missed);
  });

  it('answers HEAD with the length of the body it would send', async () => {
    const path = `/${LARGEST.slice(2)}.json`;
    const head = await get(`${path}?cold=head`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.arrayBuffer()).toHaveProperty('byteLength', 0);
    const full = await get(`${path}?cold=head`, { headers: { Range: 'bytes=0-' } });
    expect(head.headers.get('Content-Length')).toBe(String((await full.arrayBuffer()).byteLength));
  });

  it('reads from D1 when the document is gone from R2, and from R2 again once it is written again', async () => {
    const path = `/${LARGEST.slice(2)}.json`;
    await env.EXPORTS.delete(exportKey(patchCount, 'json'));
    const gone = await coldRead(path);
    expect(gone.source).toBeNull();
    expect(withoutQuery(gone.body)).toBe(withoutQuery(await fromRows(path)));
    expect((await deliver({ version: patchCount, format: 'json' })).explicitAcks).toHaveLength(1);
    const back = await coldRead(path);
    expect(back.source).toBe('r2');
    expect(withoutQuery(back.body)).toBe(withoutQuery(gone.body));
  });
});

describe('a span the document does not match', () => {
  it('is answered from D1, whole and right, not with the bytes it points at', async () => {
    const path = `/${LARGEST.slice(2)}.json`;
    const size = (await env.EXPORTS.head(exportKey(patchCount, 'json')))!.size;
    const row = await env.DB.prepare('SELECT offset, length FROM document_spans WHERE authority_id = ?').bind(LARGEST).first<{ offset: number; length: number }>();
    try {
      for (const [offset, length] of [[size - 100, row!.length], [size + 10, row!.length]]) {
        await env.DB.prepare('UPDATE document_spans SET offset = ?, length = ? WHERE authority_id = ?').bind(offset, length, LARGEST).run();
        const { body, source } = await coldRead(path);
        expect(source, `offset ${offset}`).toBeNull();
        expect(withoutQuery(body)).toBe(withoutQuery(await fromRows(path)));
      }
    } finally {
      await env.DB.prepare('UPDATE document_spans SET offset = ?, length = ? WHERE authority_id = ?').bind(row!.offset, row!.length, LARGEST).run();
    }
    expect((await coldRead(path)).source).toBe('r2');
  });
});

describe('a document stored in several parts', () => {
  it('serves an authority from the part that holds it, the same bytes', async () => {
    // The head's document written again in parts of 128 KiB, as the export job writes one of
    // over 8 MiB, with authorities of 16 KiB and more located (the route reads any span recorded).
    const store = new DatasetStore(env.DB);
    const key = exportKey(patchCount, 'json');
    await env.EXPORTS.delete(key);
    const found: AuthoritySpan[] = [];
    const writer = new R2StreamWriter(env.EXPORTS, key, { layout: 'objects', partBytes: 128 * 1024, httpMetadata: { contentType: 'application/json' } });
    for await (const text of authoritiesMapChunks(store, patchCount, { minBytes: 16 * 1024, found })) await writer.write(text);
    const object = await writer.finish();
    expect(partLayout(object).parts).toBeGreaterThan(5);
    const rows = spanRows(patchCount, found, partLayout(object).partBytes);
    expect(rows.some((r) => r.part > 1)).toBe(true);
    // The largest (393 KB) spans several parts: it is left to D1.
    expect(rows.some((r) => r.authorityId === LARGEST)).toBe(false);
    await recordDocumentSpans(database(env.DB), patchCount, rows);
    for (const id of found.map((s) => s.authorityId)) {
      const path = `/${id.slice(2)}.json`;
      const { body, source } = await coldRead(path);
      expect(source, path).toBe(rows.some((r) => r.authorityId === id) ? 'r2' : null);
      expect(withoutQuery(body), path).toBe(withoutQuery(await fromRows(path)));
    }
    // Back to the document the export job writes.
    await env.EXPORTS.delete(key);
    expect((await deliver({ version: patchCount, format: 'json' })).explicitAcks).toHaveLength(1);
  });
});

describe('after a merge that changes a large authority', () => {
  let head = 0;
  beforeAll(async () => {
    head = (await load([{ op: 'add', path: `/authorities/${LARGEST}/editorialNote`, value: 'Noté après la fusion' }])).version;
    expect(head).toBe(patchCount + 1);
  });

  it('reads it from D1, changed, until the new head has its document: never the old bytes', async () => {
    const { body, source } = await coldRead(`/${LARGEST.slice(2)}.json`);
    expect(source).toBeNull();
    expect((JSON.parse(new TextDecoder().decode(body)) as Json).editorialNote).toBe('Noté après la fusion');
    // Another large authority, unchanged, is not read from the older head's document either.
    const other = (await spans()).find((s) => s.authority_id !== LARGEST)!.authority_id;
    expect((await coldRead(`/${other.slice(2)}.json`)).source).toBeNull();
  });

  it("reads it from the new head's document once written, and keeps only the new head's spans", async () => {
    expect((await deliver({ version: head, format: 'json' })).explicitAcks).toHaveLength(1);
    const located = await spans();
    expect(located.length).toBe(locatedCount);
    expect(located.every((s) => s.version === head)).toBe(true);
    const path = `/${LARGEST.slice(2)}.json`;
    const { body, source } = await coldRead(path);
    expect(source).toBe('r2');
    expect((JSON.parse(new TextDecoder().decode(body)) as Json).editorialNote).toBe('Noté après la fusion');
    expect(withoutQuery(body)).toBe(withoutQuery(await fromRows(path)));
  });

  it('records nothing for an older version whose export ends later', async () => {
    await env.EXPORTS.delete(exportKey(head - 1, 'json'));
    expect((await deliver({ version: head - 1, format: 'json' })).explicitAcks).toHaveLength(1);
    expect(await env.EXPORTS.head(exportKey(head - 1, 'json'))).not.toBeNull();
    expect((await spans()).every((s) => s.version === head)).toBe(true);
  });

  it('forgets every span on a rebuild (after an import the documents may not match), and reads from D1', async () => {
    const r = await get('/admin/rebuild', { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(r.status).toBe(200);
    await r.body?.cancel();
    expect(await spans()).toEqual([]);
    const { source } = await coldRead(`/${LARGEST.slice(2)}.json`);
    expect(source).toBeNull();
    expect(await headVersion()).toBe(head);
  });
});
