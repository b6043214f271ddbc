/**
 * Whole-dataset exports through the real Worker: merges queue the jobs, the queue consumer
 * (the Worker's queue handler, given each batch by the test as the queue would) streams
 * each version into R2, requests serve the files — or queue them and answer 503 until the
 * job has run. Turtle and N-Triples
 * are checked to be the very graph jsonld.js reads from the JSON-LD the API serves
 * (RDFC-1.0 canonical forms), the CSV against the reference's test (test_dataset_csv)
 * with the columns of periods-as-csv.rq.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ARK, get, getAccepting, H, has, load, loadTestData, location, NS, parseTurtle } from '../read-api/support';
import {
  bodyText,
  canonicalJsonLd,
  canonicalRdf,
  deliver,
  EXPORT_QUEUE,
  exportNow,
  exportObject,
  forgetExport,
  jobRow,
  servedDatasetJsonLd,
  type Format,
} from './support';
import addPeriod from '../../fixtures/server/test-patch-add-period.json';

const FORMATS: Format[] = ['ttl', 'nt', 'csv'];

/** The reference's expected CSV row for the test data, in the columns of periods-as-csv.rq. */
const FIRST_ROW = [
  'http://n2t.net/ark:/99152/p0trgkvkhrv',
  'Iron Age',
  'Spain',
  '-0799',
  '-0549',
  'http://n2t.net/ark:/99152/p0trgkv',
  'The Corinthian, Attic, and Lakonian pottery from Sardis | Schaeffer, Judith Snyder, 1937- | Greenewalt, Crawford H. (Crawford Hallock), 1937-2012. | Ramage, Nancy H., 1942-',
  '1997',
  'http://n2t.net/ark:/99152/p0trgkv4kxb',
  '',
];

/** RFC 4180 fields of one CSV text (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

beforeAll(async () => {
  await loadTestData();
});

describe('a merge queues the exports of the version it creates', () => {
  it('queues Turtle, N-Triples and CSV of version 1 without any request asking, and the consumer writes them to R2', async () => {
    for (const format of FORMATS) {
      expect(await jobRow(1, format), format).toMatchObject({ state: 'queued', enqueued: 1, attempts: 0 });
      expect(await exportObject(1, format), format).toBeNull();
    }
    // The batch the merge sent, as the queue delivers it.
    const result = await deliver(EXPORT_QUEUE, FORMATS.map((format) => ({ version: 1, format, trigger: 'merge' as const })));
    expect(result.explicitAcks).toHaveLength(3);
    expect(result.retryMessages).toEqual([]);
    for (const format of FORMATS) {
      const object = (await exportObject(1, format))!;
      expect(object, format).not.toBeNull();
      expect(object.size, format).toBeGreaterThan(0);
      expect(object.customMetadata).toMatchObject({ version: '1', format });
      const job = await jobRow(1, format);
      expect(job, format).toMatchObject({ state: 'done', enqueued: 1, bytes: object.size });
    }
  });
});

describe('GET /dataset.ttl (test_dataset_turtle)', () => {
  it('serves the export with the reference headers', async () => {
    await exportNow(1, 'ttl');
    const r = await get('/dataset.ttl');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/turtle');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=86400');
    expect(r.headers.get('X-Accel-Expires')).toBe('86400');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-dataset.ttl"');
    expect(r.headers.get('ETag')).toBe('W/"periodo-dataset-version-1"');
    expect(r.headers.get('Last-Modified')).toMatch(/GMT$/);
    const g = parseTurtle(await r.text());
    expect(has(g, `${ARK}p0d/#authorities`, `${NS.foaf}isPrimaryTopicOf`, `${H}/dataset.ttl`)).toBe(true);
    expect(has(g, `${H}/dataset.ttl`, `${NS.void}inDataset`, `${H}/d`)).toBe(true);
    expect(has(g, `${H}/d`, `${NS.dcterms}provenance`, `${H}/h#changes`)).toBe(true);
    expect(has(g, `${ARK}p0trgkvwbjd`, `${NS.skos}inScheme`, `${ARK}p0trgkv`)).toBe(true);
  });

  it('is the graph jsonld.js reads from the served JSON-LD (isomorphic)', async () => {
    const text = await (await get('/dataset.ttl')).text();
    expect(await canonicalRdf(text, 'ttl')).toEqual(await canonicalJsonLd(await servedDatasetJsonLd('', `${H}/dataset.ttl`)));
  });

  it('answers 304 to its ETag', async () => {
    const r = await get('/dataset.ttl', { headers: { 'If-None-Match': 'W/"periodo-dataset-version-1"' } });
    expect(r.status).toBe(304);
  });

  it('moves /d.ttl, /d.csv and /d.nt permanently to /dataset.*', async () => {
    for (const format of FORMATS) {
      const r = await get(`/d.${format}?version=1`);
      expect(r.status).toBe(301);
      expect(location(r).toString()).toBe(`${H}/dataset.${format}?version=1`);
    }
  });

  it('serves Turtle at /d/ to Accept: text/turtle, naming /d/ as the page', async () => {
    const r = await getAccepting('/d/', 'text/turtle');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/turtle');
    const text = await r.text();
    expect(has(parseTurtle(text), `${ARK}p0d/#authorities`, `${NS.foaf}isPrimaryTopicOf`, `${H}/d/`)).toBe(true);
    expect(await canonicalRdf(text, 'ttl')).toEqual(await canonicalJsonLd(await servedDatasetJsonLd('', `${H}/d/`)));
  });

  it('refuses a trailing slash', async () => {
    expect((await get('/dataset.ttl/')).status).toBe(404);
  });
});

describe('GET /dataset.nt', () => {
  it('serves N-Triples, the same graph as the JSON-LD', async () => {
    await exportNow(1, 'nt');
    const r = await getAccepting('/d/', 'application/n-triples');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('application/n-triples');
    const text = await bodyText(r);
    expect(await canonicalRdf(text, 'nt')).toEqual(await canonicalJsonLd(await servedDatasetJsonLd('', `${H}/d/`)));
    const file = await get('/dataset.nt');
    expect(file.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-dataset.nt"');
    expect(file.headers.get('Cache-Control')).toBe('public, max-age=86400');
    await file.body?.cancel();
  });
});

describe('GET /dataset.csv (test_dataset_csv)', () => {
  it('serves the reference columns and first row', async () => {
    await exportNow(1, 'csv');
    const r = await get('/dataset.csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/csv');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=604800');
    expect(r.headers.get('X-Accel-Expires')).toBe('86400');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-dataset.csv"');
    const text = await r.text();
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(['period', 'label', 'spatial_coverage', 'start', 'stop', 'authority', 'source', 'publication_year', 'broader_periods', 'narrower_periods']);
    expect(rows[1]).toEqual(FIRST_ROW);
    expect(rows).toHaveLength(4);
    const herakleid = rows.find((row) => row[0] === `${ARK}p0trgkv4kxb`)!;
    expect(herakleid[9]).toBe(`${ARK}p0trgkvkhrv`);
  });
});

describe('versions', () => {
  let v2: number;
  beforeAll(async () => {
    v2 = (await load(addPeriod)).version;
    expect(v2).toBe(2);
  });

  it('queues the exports of the new version too', async () => {
    for (const format of FORMATS) {
      expect(await jobRow(v2, format), format).toMatchObject({ state: 'queued', enqueued: 1 });
      const object = await exportNow(v2, format, 'merge');
      expect(object.customMetadata?.version).toBe(String(v2));
    }
  });

  it('serves an older version from its own export, with the versioned name and cache policy', async () => {
    const r = await get('/dataset.ttl?version=1');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-dataset-v1.ttl"');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=86400');
    expect(r.headers.get('X-Accel-Expires')).toBeNull();
    expect(r.headers.get('ETag')).toBe('W/"periodo-dataset-version-1"');
    const text = await r.text();
    expect(await canonicalRdf(text, 'ttl')).toEqual(await canonicalJsonLd(await servedDatasetJsonLd('version=1', `${H}/dataset.ttl?version=1`)));
    const latest = await (await get('/dataset.ttl')).text();
    expect(await canonicalRdf(latest, 'ttl')).toEqual(await canonicalJsonLd(await servedDatasetJsonLd('', `${H}/dataset.ttl`)));
    expect(latest).not.toEqual(text);
  });

  it('answers 404 for a version that does not exist', async () => {
    expect((await get('/dataset.ttl?version=99')).status).toBe(404);
    expect((await get('/dataset.csv?version=abc')).status).toBe(422);
  });
});

describe('a request racing the export job', () => {
  it('answers 503 with Retry-After (queueing the job once), then the file', async () => {
    await exportNow(1, 'nt');
    // A URL not requested before in this file: an earlier answer would come from the edge cache.
    await forgetExport(1, 'nt');
    const racing = await Promise.all([get('/dataset.nt?version=1'), get('/dataset.nt?version=1'), get('/dataset.nt?version=1')]);
    for (const r of racing) {
      expect(r.status).toBe(503);
      expect(r.headers.get('Retry-After')).toBe('30');
      expect(r.headers.get('Content-Type')).toBe('application/json');
      expect(r.headers.get('Cache-Control')).toBe('no-store');
      const body = (await r.json()) as { message: string };
      expect(body.message).toMatch(/N-Triples export of version 1 .*being generated/);
    }
    expect(await jobRow(1, 'nt')).toMatchObject({ state: 'queued', enqueued: 1 });
    // Until the job has run, requests keep answering 503 (and queue nothing more).
    const meanwhile = await get('/dataset.nt?version=1');
    expect(meanwhile.status).toBe(503);
    await meanwhile.body?.cancel();
    expect((await jobRow(1, 'nt'))!.enqueued).toBe(1);
    // The one message the requests queued, delivered.
    await exportNow(1, 'nt', 'request');
    const served = await get('/dataset.nt?version=1');
    expect(served.status).toBe(200);
    const text = await bodyText(served);
    expect(await canonicalRdf(text, 'nt')).toEqual(await canonicalJsonLd(await servedDatasetJsonLd('version=1', `${H}/dataset.nt?version=1`)));
    expect((await jobRow(1, 'nt'))!.state).toBe('done');
  });

  it('queues an export no merge asked for (version 0, the empty dataset)', async () => {
    expect(await exportObject(0, 'csv')).toBeNull();
    const first = await get('/dataset.csv?version=0');
    expect(first.status).toBe(503);
    await first.body?.cancel();
    expect(await jobRow(0, 'csv')).toMatchObject({ state: 'queued', enqueued: 1 });
    await exportNow(0, 'csv');
    const r = await get('/dataset.csv?version=0');
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('period,label,spatial_coverage,start,stop,authority,source,publication_year,broader_periods,narrower_periods\r\n');
  });
});
