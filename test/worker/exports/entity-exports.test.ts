/**
 * Authorities and periods as Turtle, N-Triples, CSV and highlighted Turtle, converted in
 * the request: ports of the reference's test_authority_turtle and test_period_turtle, and
 * isomorphism with the graph jsonld.js reads from the JSON-LD served for the same entity.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ARK, get, getAccepting, H, has, load, loadTestData, location, NS, parseTurtle } from '../read-api/support';
import { bodyText, canonicalJsonLd, canonicalRdf, servedEntityJsonLd } from './support';
import addPeriod from '../../fixtures/server/test-patch-add-period.json';

const ENTITIES = ['trgkv', 'trgkvwbjd', 'trgkvkhrv', 'trgkv4kxb'];

beforeAll(async () => {
  await loadTestData();
});

describe('test_authority_turtle', () => {
  it('serves /trgkv.ttl', async () => {
    const r = await get('/trgkv.ttl');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/turtle');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=86400');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-authority-trgkv.ttl"');
    const g = parseTurtle(await r.text());
    expect(g.some((q) => q.predicate.value === `${NS.rdf}type` && q.object.value === `${NS.rdf}Bag`)).toBe(false);
    expect(has(g, `${ARK}p0trgkv`, `${NS.foaf}isPrimaryTopicOf`, `${H}/trgkv.ttl`)).toBe(true);
    expect(has(g, `${H}/trgkv.ttl`, `${NS.void}inDataset`, `${H}/d`)).toBe(true);
  });

  it('serves /trgkv.ttl.html for viewing', async () => {
    const r = await get('/trgkv.ttl.html');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=86400');
    expect(r.headers.get('Date')).toBeTruthy();
    expect(r.headers.get('Content-Disposition')).toBeNull();
    const html = await r.text();
    expect(html).toContain('highlighttable');
    expect(html).toContain('<a href="http://n2t.net/ark:/99152/p0trgkv">');
  });

  it('refuses a trailing slash', async () => {
    expect((await get('/trgkv.ttl/')).status).toBe(404);
  });

  it('redirects /trgkv to Turtle or N-Triples by Accept', async () => {
    const ttl = await getAccepting('/trgkv', 'text/turtle');
    expect(ttl.status).toBe(303);
    expect(location(ttl).pathname).toBe('/trgkv.ttl');
    const nt = await getAccepting('/trgkv?version=1', 'application/n-triples');
    expect(nt.status).toBe(303);
    expect(location(nt).toString()).toBe(`${H}/trgkv.nt?version=1`);
  });
});

describe('test_period_turtle', () => {
  it('serves /trgkvwbjd.ttl', async () => {
    const r = await get('/trgkvwbjd.ttl');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/turtle');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=86400');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-period-trgkvwbjd.ttl"');
    const g = parseTurtle(await r.text());
    expect(g.some((q) => q.predicate.value === `${NS.rdf}type` && q.object.value === `${NS.skos}ConceptScheme`)).toBe(false);
    expect(has(g, `${ARK}p0trgkvwbjd`, `${NS.foaf}isPrimaryTopicOf`, `${H}/trgkvwbjd.ttl`)).toBe(true);
    expect(has(g, `${H}/trgkvwbjd.ttl`, `${NS.void}inDataset`, `${H}/d`)).toBe(true);
    expect(has(g, `${ARK}p0trgkvwbjd`, `${NS.skos}inScheme`, `${ARK}p0trgkv`)).toBe(true);
  });

  it('serves /trgkvwbjd.ttl.html for viewing', async () => {
    const r = await get('/trgkvwbjd.ttl.html');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=86400');
    expect(r.headers.get('Content-Disposition')).toBeNull();
  });

  it('refuses a trailing slash', async () => {
    expect((await get('/trgkvwbjd.ttl/')).status).toBe(404);
  });
});

describe('every entity, in every RDF format', () => {
  it('is the graph jsonld.js reads from its served JSON-LD (isomorphic)', async () => {
    for (const id of ENTITIES) {
      for (const format of ['ttl', 'nt'] as const) {
        const r = await get(`/${id}.${format}`);
        expect(r.status, `${id}.${format}`).toBe(200);
        const expected = await canonicalJsonLd(await servedEntityJsonLd(`/${id}.jsonld`, `${H}/${id}.${format}`));
        expect(await canonicalRdf(await bodyText(r), format), `${id}.${format}`).toEqual(expected);
      }
    }
  });

  it('serves N-Triples with its own name and the Turtle cache policy', async () => {
    const r = await get('/trgkv.nt');
    expect(r.headers.get('Content-Type')).toBe('application/n-triples');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-authority-trgkv.nt"');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=86400');
    await r.body?.cancel();
  });
});

describe('CSV of one entity', () => {
  it('lists the periods of an authority, as the reference query reads its graph', async () => {
    const r = await get('/trgkv.csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/csv');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=604800');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-authority-trgkv.csv"');
    const lines = (await r.text()).split('\r\n');
    expect(lines[0]).toBe('period,label,spatial_coverage,start,stop,authority,source,publication_year,broader_periods,narrower_periods');
    expect(lines[1].startsWith(`${ARK}p0trgkvkhrv,Iron Age,Spain,-0799,-0549,${ARK}p0trgkv,"The Corinthian`)).toBe(true);
    expect(lines.filter(Boolean)).toHaveLength(4);
  });

  it('has one row for a period, without the source its authority holds', async () => {
    const r = await get('/trgkvwbjd.csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-period-trgkvwbjd.csv"');
    const lines = (await r.text()).split('\r\n');
    expect(lines[1]).toBe(`${ARK}p0trgkvwbjd,Archaic,Turkey,-0679,-0546,${ARK}p0trgkv,,,,`);
  });
});

describe('versions of an entity', () => {
  beforeAll(async () => {
    expect((await load(addPeriod)).version).toBe(2);
  });

  it('serves the version asked for, named after it', async () => {
    const r = await get('/trgkv.ttl?version=1');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-authority-trgkv-v1.ttl"');
    const text = await r.text();
    const expected = await canonicalJsonLd(await servedEntityJsonLd('/trgkv.jsonld?version=1', `${H}/trgkv.ttl?version=1`));
    expect(await canonicalRdf(text, 'ttl')).toEqual(expected);
    const latest = await (await get('/trgkv.ttl')).text();
    expect(parseTurtle(latest).length).toBeGreaterThan(parseTurtle(text).length);
  });

  it('redirects to the version of the last change, and 404s before the first', async () => {
    const r = await get('/trgkvwbjd.ttl?version=2');
    expect(r.status).toBe(301);
    expect(location(r).toString()).toBe(`${H}/trgkvwbjd.ttl?version=1`);
    expect((await get('/trgkv.csv?version=0')).status).toBe(404);
  });
});
