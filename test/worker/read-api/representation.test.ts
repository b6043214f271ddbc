/**
 * Port of the reference server's test/test_representation.py (spec §14.1), against the
 * reference's test data loaded as version 1. The host is http://localhost instead of
 * http://localhost.localdomain:5000. Storage is per file and tests run in order: the
 * reference's tests that first merge a patch request (test_add_contributors_to_dataset_description,
 * test_h_nt, test_history_nt) are at the end, so everything before them sees version 1.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import replaceValues1 from '../../fixtures/server/test-patch-replace-values-1.json';
import {
  ADMIN_TOKEN,
  ARK,
  ARK_CONTEXT,
  BROWSER_ACCEPT,
  follow,
  get,
  getAccepting,
  H,
  has,
  json,
  loadTestData,
  location,
  NS,
  objects,
  parseTurtle,
  subjects,
  type LoadResult,
} from './support';

const P0D = `${ARK}p0d`;

let initialLoad: LoadResult;

beforeAll(async () => {
  initialLoad = await loadTestData();
});

describe('initial data load (test_patch.py test_initial_data_load_patch)', () => {
  it('creates exactly the four entities of the test data and updates none', () => {
    expect([...initialLoad.created].sort()).toEqual(['p0trgkv', 'p0trgkv4kxb', 'p0trgkvkhrv', 'p0trgkvwbjd']);
    expect(initialLoad.updated).toEqual([]);
    expect(initialLoad.removed).toEqual([]);
  });
});

describe('test_context', () => {
  it('serves the context as JSON with only an @context member', async () => {
    const r = await get('/c');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('application/json');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=0');
    expect(Object.keys(await json(r))).toEqual(['@context']);
  });

  it('sends browsers to the highlighted context', async () => {
    const { response, url } = await follow('/c', { headers: { Accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(url).toBe(`${H}/c.json.html`);
    expect(response.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
  });

  it('keeps the version when sending browsers to the highlighted context', async () => {
    const { response, url } = await follow('/c?version=1', { headers: { Accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(url).toBe(`${H}/c.json.html?version=1`);
  });
});

describe('test_vocab', () => {
  it('redirects /v to the highlighted vocabulary, or to Turtle when asked', async () => {
    const html = await get('/v');
    expect(html.status).toBe(303);
    expect(location(html).pathname).toBe('/v.ttl.html');
    const turtle = await getAccepting('/v', 'text/turtle');
    expect(turtle.status).toBe(303);
    expect(location(turtle).pathname).toBe('/v.ttl');
  });
});

async function voidGraph() {
  const r = await get('/.well-known/void');
  expect(r.status).toBe(200);
  return parseTurtle(await r.text());
}

describe('test_dataset_description', () => {
  it('sends browsers from / to the highlighted index', async () => {
    const r = await getAccepting('/', 'text/html');
    expect(r.status).toBe(303);
    expect(location(r).pathname).toBe('/index.json.html');
  });

  it('serves the same VoID Turtle at / (Accept text/turtle) and at every VoID path', async () => {
    const root = await getAccepting('/', 'text/turtle');
    expect(root.status).toBe(200);
    expect(root.headers.get('Content-Type')).toBe('text/turtle');
    const ttl = await root.text();
    expect(ttl.length).toBeGreaterThan(0);
    for (const path of ['/.well-known/void', '/.wellknown/void', '/.well-known/void.ttl']) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('Content-Type'), path).toBe('text/turtle');
      expect(await r.text(), path).toBe(ttl);
    }
  });

  it('serves the highlighted VoID', async () => {
    const r = await get('/.well-known/void.ttl.html');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
  });

  it('sends browsers to the hyphen-less highlighted VoID path', async () => {
    const { response, url } = await follow('/.well-known/void', { headers: { Accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(url).toBe(`${H}/.wellknown/void.ttl.html`);
  });

  it('describes the dataset: provenance, description title, class partitions', async () => {
    const ttl = await (await getAccepting('/', 'text/turtle')).text();
    const g = parseTurtle(ttl);
    expect(has(g, P0D, `${NS.dcterms}provenance`, `${H}/h#changes`)).toBe(true);
    const descriptions = subjects(g, `${NS.rdf}type`, `${NS.void}DatasetDescription`);
    expect(descriptions).toEqual([`${ARK}p0`]);
    expect(objects(g, descriptions[0], `${NS.dcterms}title`)).toEqual(['"Description of the PeriodO Period Gazetteer"@en']);

    // ?d void:classPartition ?p . ?p void:class ?class . ?p void:entities ?count
    const counts = new Map<string, number>();
    for (const part of g.filter((q) => q.predicate.value === `${NS.void}classPartition`)) {
      const classes = g.filter((q) => q.subject.equals(part.object) && q.predicate.value === `${NS.void}class`);
      const entities = g.filter((q) => q.subject.equals(part.object) && q.predicate.value === `${NS.void}entities`);
      for (const c of classes) for (const e of entities) counts.set(c.object.value, Number(e.object.value));
    }
    expect(counts.get(`${NS.skos}Concept`)).toBe(3);
    expect(counts.get(`${NS.skos}ConceptScheme`)).toBe(1);
  });
});

describe('test_dataset_description_linksets', () => {
  it('counts the links to Wikidata and WorldCat', async () => {
    const g = await voidGraph();
    // ?linkset a void:Linkset; void:subset p0d; void:subjectsTarget p0d; void:linkPredicate ?predicate;
    //          void:objectsTarget ?dataset; void:triples ?triples
    const linksets = subjects(g, `${NS.rdf}type`, `${NS.void}Linkset`).filter(
      (l) => has(g, l, `${NS.void}subset`, P0D) && has(g, l, `${NS.void}subjectsTarget`, P0D),
    );
    const triples = (dataset: string, predicate: string): number[] =>
      linksets
        .filter((l) => has(g, l, `${NS.void}linkPredicate`, predicate) && has(g, l, `${NS.void}objectsTarget`, dataset))
        .flatMap((l) => g.filter((q) => q.subject.value === l && q.predicate.value === `${NS.void}triples`).map((q) => Number(q.object.value)));
    expect(triples('http://www.wikidata.org/entity/Q2013', `${NS.dcterms}spatial`)).toEqual([3]);
    expect(triples('http://purl.oclc.org/dataset/WorldCat', `${NS.dcterms}isPartOf`)).toEqual([1]);
  });
});

describe('test_add_contributors_to_dataset_description', () => {
  it('credits no contributor for the initial data load', async () => {
    const ttl = await (await getAccepting('/', 'text/turtle')).text();
    const g = parseTurtle(ttl);
    expect(objects(g, P0D, `${NS.dcterms}contributor`)).toEqual([]);
    expect(has(g, P0D, `${NS.dcterms}contributor`, 'https://orcid.org/1234-5678-9101-112X')).toBe(false);
  });

  // 'credits the submitter of a merged patch' merges version 2, so it is at the end of the file.
});

describe('test_dataset', () => {
  it('redirects /d to /d/', async () => {
    const r = await get('/d');
    expect(r.status).toBe(303);
    expect(location(r).pathname).toBe('/d/');
  });
});

describe('test_dataset_data_even_if_html_accepted', () => {
  it('answers JSON to browsers', async () => {
    const r = await getAccepting('/d/', 'text/html');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('application/json');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=0');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-dataset.json"');
  });
});

describe('test_dataset_data', () => {
  it('serves /d/ as JSON with the abbreviated context', async () => {
    const r = await get('/d/');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('application/json');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=0');
    expect((await json(r))['@context']).toEqual(ARK_CONTEXT);
  });

  it('serves /d.json as an attachment with a Date', async () => {
    const r = await get('/d.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('application/json');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-dataset.json"');
    expect(r.headers.get('Date')).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  });

  it('serves /d.jsonld as JSON-LD', async () => {
    const r = await get('/d.jsonld');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('application/ld+json');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-dataset.jsonld"');
  });

  it('negotiates JSON-LD on /d/', async () => {
    const r = await getAccepting('/d/', 'application/ld+json');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('application/ld+json');
  });

  it('lets the suffix win over a browser Accept header', async () => {
    const j = await getAccepting('/d.json', BROWSER_ACCEPT);
    expect(j.status).toBe(200);
    expect(j.headers.get('Content-Type')).toBe('application/json');
    const ld = await getAccepting('/d.jsonld', BROWSER_ACCEPT);
    expect(ld.status).toBe(200);
    expect(ld.headers.get('Content-Type')).toBe('application/ld+json');
  });

  it('links the dataset document to the dataset and its history (JSON shape of the graph assertions)', async () => {
    const data = await json(await getAccepting('/d/', 'application/ld+json'));
    const context = (await json(await get('/c')))['@context'] as Record<string, { '@id': string; '@type'?: string }>;
    expect(data.id).toBe('p0d/#authorities');
    expect(data.type).toBe('rdf:Bag');
    // (p0d/#authorities foaf:isPrimaryTopicOf <H d/>), (<H d/> void:inDataset <H d>), (<H d> dcterms:provenance <H h#changes>)
    expect(data.primaryTopicOf).toEqual({ id: `${H}/d/`, inDataset: { id: `${H}/d`, changes: `${H}/h#changes` } });
    expect(Object.keys(data).at(-1)).toBe('primaryTopicOf');
    expect(context.primaryTopicOf).toEqual({ '@id': 'foaf:isPrimaryTopicOf', '@type': '@id' });
    expect(context.inDataset).toEqual({ '@id': 'void:inDataset', '@type': '@id' });
    expect(context.changes).toEqual({ '@id': 'dcterms:provenance', '@type': '@id' });
  });
});

describe('test_inline_context', () => {
  it('inlines the full context on request', async () => {
    const r = await get('/d.json?inline-context');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('application/json');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-dataset.json"');
    const context = (await json(r))['@context'] as Record<string, unknown>;
    expect(Array.isArray(context)).toBe(false);
    expect(context['@base']).toBe(ARK);
    expect(context).toEqual((await json(await get('/c')))['@context']);
    expect(Object.keys(context)).not.toContain('__inline');
    expect(Object.keys(context)).not.toContain('__version');
  });
});

describe('test_if_none_match', () => {
  it('tags the dataset by version and answers 304 to a matching If-None-Match', async () => {
    const r = await get('/d/');
    expect(r.status).toBe(200);
    expect(r.headers.get('ETag')).toBe('W/"periodo-dataset-version-1"');
    const again = await get('/d/', { headers: { 'If-None-Match': 'W/"periodo-dataset-version-1"' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await get('/d/', { headers: { 'If-None-Match': 'W/"periodo-dataset-version-0"' } });
    expect(other.status).toBe(200);
  });
});

const BACKEND = `web-${H}/`;

describe('test_authority', () => {
  const clientQuery = new URLSearchParams({ page: 'authority-view', backendID: BACKEND, authorityID: 'p0trgkv' }).toString();

  it('sends clients without a data Accept header to the client page', async () => {
    expect(clientQuery).toBe('page=authority-view&backendID=web-http%3A%2F%2Flocalhost%2F&authorityID=p0trgkv');
    for (const accept of [undefined, 'text/html']) {
      const r = await get('/trgkv', accept ? { headers: { Accept: accept } } : {});
      expect(r.status, String(accept)).toBe(303);
      const to = location(r);
      expect(to.pathname).toBe('/');
      expect(to.search).toBe(`?${clientQuery}`);
    }
  });

  it('redirects to the representation the Accept header names', async () => {
    for (const [accept, path] of [
      ['application/json', '/trgkv.json'],
      ['application/ld+json', '/trgkv.jsonld'],
      ['text/turtle', '/trgkv.ttl'],
    ]) {
      const r = await getAccepting('/trgkv', accept);
      expect(r.status, accept).toBe(303);
      expect(location(r).pathname, accept).toBe(path);
    }
  });

  it('has no trailing-slash form', async () => {
    expect((await get('/trgkv/')).status).toBe(404);
  });
});

describe('test_authority_json', () => {
  it('serves the authority as JSON', async () => {
    const r = await get('/trgkv.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('application/json');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-authority-trgkv.json"');
    const body = await json(r);
    expect(body['@context']).toEqual(ARK_CONTEXT);
    expect(body.id).toBe('p0trgkv');
    expect(Object.keys(body.periods as object).sort()).toEqual(['p0trgkv4kxb', 'p0trgkvkhrv', 'p0trgkvwbjd']);
    // Periods inside an authority carry no `authority` member; only a top-level period does.
    for (const p of Object.values(body.periods as Record<string, Record<string, unknown>>)) expect(p).not.toHaveProperty('authority');
  });

  it('serves the authority as JSON-LD (JSON shape of the graph assertions)', async () => {
    const r = await get('/trgkv.jsonld');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('application/ld+json');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-authority-trgkv.jsonld"');
    const body = await json(r);
    // No (_ rdf:type rdf:Bag): the authority is not the dataset.
    expect(body.type).toBe('Authority');
    expect(body).not.toHaveProperty('authorities');
    // (p0trgkv foaf:isPrimaryTopicOf <H trgkv.jsonld>), (<H trgkv.jsonld> void:inDataset <H d>)
    expect(body.primaryTopicOf).toEqual({ id: `${H}/trgkv.jsonld`, inDataset: { id: `${H}/d`, changes: `${H}/h#changes` } });
    expect(Object.keys(body).slice(-2)).toEqual(['@context', 'primaryTopicOf']);
  });

  it('has no trailing-slash forms', async () => {
    expect((await get('/trgkv.json/')).status).toBe(404);
    expect((await get('/trgkv.jsonld/')).status).toBe(404);
  });

  it('serves the highlighted JSON for viewing, not as an attachment', async () => {
    for (const path of ['/trgkv.json.html', '/trgkv.jsonld.html']) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('Content-Type'), path).toBe('text/html; charset=utf-8');
      expect(r.headers.get('Cache-Control'), path).toBe('public, max-age=86400');
      expect(r.headers.get('Content-Disposition'), path).toBeNull();
      expect(await r.text(), path).toContain('p0trgkv');
    }
  });
});

describe('test_authority_turtle', () => {
  it('serves /trgkv.ttl as Turtle', async () => {
    const r = await get('/trgkv.ttl');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/turtle');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=86400');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-authority-trgkv.ttl"');
    const g = parseTurtle(await r.text());
    // No (_ rdf:type rdf:Bag): the authority is not the dataset.
    expect(has(g, null, `${NS.rdf}type`, `${NS.rdf}Bag`)).toBe(false);
    expect(has(g, `${ARK}p0trgkv`, `${NS.foaf}isPrimaryTopicOf`, `${H}/trgkv.ttl`)).toBe(true);
    expect(has(g, `${H}/trgkv.ttl`, `${NS.void}inDataset`, `${H}/d`)).toBe(true);
  });

  it('serves /trgkv.ttl.html for viewing, not as an attachment', async () => {
    const r = await get('/trgkv.ttl.html');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=86400');
    expect(r.headers.get('Date')).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(r.headers.get('Content-Disposition')).toBeNull();
    expect(await r.text()).toContain('p0trgkv');
  });

  it('has no trailing-slash form', async () => {
    expect((await get('/trgkv.ttl/')).status).toBe(404);
  });
});

describe('test_period', () => {
  const clientQuery = new URLSearchParams({ page: 'period-view', backendID: BACKEND, authorityID: 'p0trgkv', periodID: 'p0trgkvwbjd' }).toString();

  it('sends clients without a data Accept header to the client page', async () => {
    for (const accept of [undefined, 'text/html']) {
      const r = await get('/trgkvwbjd', accept ? { headers: { Accept: accept } } : {});
      expect(r.status, String(accept)).toBe(303);
      const to = location(r);
      expect(to.pathname).toBe('/');
      expect(to.search).toBe(`?${clientQuery}`);
    }
  });

  it('redirects to the representation the Accept header names', async () => {
    for (const [accept, path] of [
      ['application/json', '/trgkvwbjd.json'],
      ['application/ld+json', '/trgkvwbjd.jsonld'],
      ['text/turtle', '/trgkvwbjd.ttl'],
    ]) {
      const r = await getAccepting('/trgkvwbjd', accept);
      expect(r.status, accept).toBe(303);
      expect(location(r).pathname, accept).toBe(path);
    }
  });

  it('has no trailing-slash form', async () => {
    expect((await get('/trgkvwbjd/')).status).toBe(404);
  });
});

describe('test_period_json', () => {
  it('serves the period as JSON', async () => {
    const r = await get('/trgkvwbjd.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('application/json');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-period-trgkvwbjd.json"');
    const body = await json(r);
    expect(body['@context']).toEqual(ARK_CONTEXT);
    expect(body.label).toBe('Archaic');
  });

  it('serves the period as JSON-LD (JSON shape of the graph assertions)', async () => {
    const r = await get('/trgkvwbjd.jsonld');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('application/ld+json');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-period-trgkvwbjd.jsonld"');
    const body = await json(r);
    // No skos:ConceptScheme: the period is not its authority.
    expect(body.type).toBe('Period');
    expect(body).not.toHaveProperty('periods');
    expect(body.id).toBe('p0trgkvwbjd');
    // (p0trgkvwbjd foaf:isPrimaryTopicOf <H trgkvwbjd.jsonld>), (<H trgkvwbjd.jsonld> void:inDataset <H d>)
    expect(body.primaryTopicOf).toEqual({ id: `${H}/trgkvwbjd.jsonld`, inDataset: { id: `${H}/d`, changes: `${H}/h#changes` } });
    // (p0trgkvwbjd skos:inScheme p0trgkv)
    expect(body.authority).toBe('p0trgkv');
    expect(Object.keys(body).slice(-3)).toEqual(['authority', '@context', 'primaryTopicOf']);
  });

  it('has no trailing-slash forms', async () => {
    expect((await get('/trgkvwbjd.json/')).status).toBe(404);
    expect((await get('/trgkvwbjd.jsonld/')).status).toBe(404);
  });

  it('serves the highlighted JSON for viewing, not as an attachment', async () => {
    for (const path of ['/trgkvwbjd.json.html', '/trgkvwbjd.jsonld.html']) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('Content-Type'), path).toBe('text/html; charset=utf-8');
      expect(r.headers.get('Cache-Control'), path).toBe('public, max-age=86400');
      expect(r.headers.get('Content-Disposition'), path).toBeNull();
      expect(await r.text(), path).toContain('Archaic');
    }
  });
});

describe('test_period_turtle', () => {
  it('serves /trgkvwbjd.ttl as Turtle', async () => {
    const r = await get('/trgkvwbjd.ttl');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/turtle');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=86400');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-period-trgkvwbjd.ttl"');
    const g = parseTurtle(await r.text());
    // No skos:ConceptScheme: the period is not its authority.
    expect(has(g, null, `${NS.rdf}type`, `${NS.skos}ConceptScheme`)).toBe(false);
    expect(has(g, `${ARK}p0trgkvwbjd`, `${NS.foaf}isPrimaryTopicOf`, `${H}/trgkvwbjd.ttl`)).toBe(true);
    expect(has(g, `${H}/trgkvwbjd.ttl`, `${NS.void}inDataset`, `${H}/d`)).toBe(true);
    expect(has(g, `${ARK}p0trgkvwbjd`, `${NS.skos}inScheme`, `${ARK}p0trgkv`)).toBe(true);
  });

  it('serves /trgkvwbjd.ttl.html for viewing, not as an attachment', async () => {
    const r = await get('/trgkvwbjd.ttl.html');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=86400');
    expect(r.headers.get('Content-Disposition')).toBeNull();
    expect(await r.text()).toContain('p0trgkvwbjd');
  });

  it('has no trailing-slash form', async () => {
    expect((await get('/trgkvwbjd.ttl/')).status).toBe(404);
  });
});

/**
 * A whole-dataset export: the queue consumer writes it to R2 after the merge, and until it
 * is there the route answers 503 with Retry-After (never cached), so poll until it is served.
 */
async function exported(path: string, timeoutMs = 60_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await get(path);
    if (r.status !== 503) return r;
    expect(r.headers.get('Retry-After'), path).toBe('30');
    expect(r.headers.get('Cache-Control'), path).toBe('no-store');
    await r.body?.cancel();
    if (Date.now() > deadline) throw new Error(`timed out waiting for the export at ${path}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The reference's test_d_turtle / test_dataset_turtle assertions on a dataset Turtle response naming `page`. */
async function expectDatasetTurtle(r: Response, page: string) {
  expect(r.status).toBe(200);
  expect(r.headers.get('Content-Type')).toBe('text/turtle');
  expect(r.headers.get('Cache-Control')).toBe('public, max-age=86400');
  expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-dataset.ttl"');
  const g = parseTurtle(await r.text());
  expect(has(g, `${ARK}p0d/#authorities`, `${NS.foaf}isPrimaryTopicOf`, page)).toBe(true);
  expect(has(g, page, `${NS.void}inDataset`, `${H}/d`)).toBe(true);
  expect(has(g, `${H}/d`, `${NS.dcterms}provenance`, `${H}/h#changes`)).toBe(true);
}

describe('test_d_turtle and test_dataset_turtle', () => {
  // A deliberate difference (docs/edge-cache.md, docs/exports.md): /d.ttl is not a second
  // copy of the export but a permanent redirect to it, so its graph names <H dataset.ttl>.
  it('moves /d.ttl permanently to /dataset.ttl, which serves Turtle with filename periodo-dataset.ttl', async () => {
    const r = await get('/d.ttl');
    expect(r.status).toBe(301);
    expect(location(r).toString()).toBe(`${H}/dataset.ttl`);
    await expectDatasetTurtle(await exported(location(r).pathname), `${H}/dataset.ttl`);
  });

  it('serves /dataset.ttl as Turtle with filename periodo-dataset.ttl', async () => {
    await expectDatasetTurtle(await exported('/dataset.ttl'), `${H}/dataset.ttl`);
  });

  it('has no trailing-slash forms', async () => {
    expect((await get('/d.ttl/')).status).toBe(404);
    expect((await get('/dataset.ttl/')).status).toBe(404);
  });
});

describe('test_dataset_csv', () => {
  it('serves /dataset.csv with the reference header row and first row (and moves /d.csv there)', async () => {
    const moved = await get('/d.csv');
    expect(moved.status).toBe(301);
    expect(location(moved).toString()).toBe(`${H}/dataset.csv`);

    const r = await exported('/dataset.csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/csv');
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=604800');
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-dataset.csv"');
    const lines = (await r.text()).split('\r\n');
    // The columns of the current periods-as-csv.rq: the reference's older test also listed
    // gazetteer_links and derived_periods, which the query comments out (docs/exports.md).
    expect(lines[0]).toBe('period,label,spatial_coverage,start,stop,authority,source,publication_year,broader_periods,narrower_periods');
    expect(lines[1]).toBe(
      'http://n2t.net/ark:/99152/p0trgkvkhrv,Iron Age,Spain,-0799,-0549,http://n2t.net/ark:/99152/p0trgkv,' +
        '"The Corinthian, Attic, and Lakonian pottery from Sardis | Schaeffer, Judith Snyder, 1937- | Greenewalt, Crawford H. (Crawford Hallock), 1937-2012. | Ramage, Nancy H., 1942-",' +
        '1997,http://n2t.net/ark:/99152/p0trgkv4kxb,',
    );
  });
});

describe('test_h_nt, test_history_nt, test_history_json (the paths that do not exist)', () => {
  it('has no trailing-slash forms of the history, and no /history.json', async () => {
    expect((await get('/h.nt/')).status).toBe(404);
    expect((await get('/history.nt/')).status).toBe(404);
    expect((await get('/history.json')).status).toBe(404);
  });
});

describe('test_export', () => {
  const ORCID = '0000-0002-1825-0097';
  const TOKEN = 'secret-token';

  it('dumps the database as SQL without any user row', async () => {
    const added = await get(`/admin/users/${ORCID}`, {
      method: 'PUT',
      headers: { Authorization: 'Bearer dev-admin-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Test', token: TOKEN }),
    });
    expect(added.status, await added.clone().text()).toBe(200);
    expect(await added.text()).not.toContain(TOKEN);

    const r = await get('/export.sql');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/plain');
    expect(r.headers.get('Content-Disposition')).toMatch(/^attachment; filename="periodo-export-\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\.sql"$/);
    const dump = await r.text();
    // The dump holds the dataset…
    expect(dump.startsWith('BEGIN TRANSACTION;\n')).toBe(true);
    expect(dump.endsWith('COMMIT;\n')).toBe(true);
    expect(dump).toMatch(/^INSERT INTO "periods" VALUES\('p0trgkvwbjd',/m);
    // …but nothing of the user: no row, no token, no token hash.
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(TOKEN));
    const tokenHash = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    expect(dump).not.toContain('INSERT INTO "users"');
    expect(dump).not.toContain('secret');
    expect(dump).not.toContain(tokenHash);
    expect(dump).not.toContain(ORCID);
  });
});

// ---------------------------------------------------------------------------------------
// From here on the dataset is at version 2: replace-values-1 submitted by a contributor
// and merged by an editor, through the patch-request routes (as submit_and_merge_patch).

const CONTRIBUTOR = { orcid: '1234-5678-9101-112X', token: 'this-token-has-normal-permissions', permissions: ['submit-patch', 'create-bag'] };
const EDITOR = { orcid: '1211-1098-7654-321X', token: 'this-token-has-admin-permissions', permissions: ['submit-patch', 'create-bag', 'accept-patch', 'create-graph'] };

async function addUser(u: typeof CONTRIBUTOR): Promise<void> {
  const r = await get(`/admin/users/${u.orcid}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: `User ${u.orcid}`, token: u.token, permissions: u.permissions }),
  });
  expect(r.status, await r.clone().text()).toBe(200);
}

function sendAs(u: typeof CONTRIBUTOR, method: string, path: string, body?: unknown): Promise<Response> {
  return get(path, {
    method,
    headers: { Authorization: `Bearer ${btoa(u.token)}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

let merged: Promise<string> | undefined;

/** submit_and_merge_patch("test-patch-replace-values-1.json"), once per file; the patch request's path. */
function submitAndMergeReplaceValues1(): Promise<string> {
  merged ??= (async () => {
    await addUser(CONTRIBUTOR);
    await addUser(EDITOR);
    const submitted = await sendAs(CONTRIBUTOR, 'PATCH', '/d/', replaceValues1);
    expect(submitted.status, await submitted.clone().text()).toBe(202);
    const path = location(submitted).pathname;
    expect(path).toBe('/patches/2/');
    const done = await sendAs(EDITOR, 'POST', `${path}merge`);
    expect(done.status, await done.clone().text()).toBe(204);
    return path;
  })();
  return merged;
}

describe('test_add_contributors_to_dataset_description (after a merged patch request)', () => {
  it('credits the submitter of a merged patch, not its merger', async () => {
    const before = parseTurtle(await (await getAccepting('/', 'text/turtle')).text());
    expect(has(before, P0D, `${NS.dcterms}contributor`, `https://orcid.org/${CONTRIBUTOR.orcid}`)).toBe(false);

    await submitAndMergeReplaceValues1();

    const r = await getAccepting('/', 'text/turtle');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe('text/turtle');
    const g = parseTurtle(await r.text());
    expect(has(g, P0D, `${NS.dcterms}contributor`, `https://orcid.org/${CONTRIBUTOR.orcid}`)).toBe(true);
    expect(has(g, P0D, `${NS.dcterms}contributor`, `https://orcid.org/${EDITOR.orcid}`)).toBe(false);
    expect(objects(g, P0D, `${NS.dcterms}contributor`)).toEqual([`https://orcid.org/${CONTRIBUTOR.orcid}`]);
  });
});

/** The body as UTF-8 text (workerd warns on `.text()` of a type it does not know as text). */
async function bodyText(r: Response): Promise<string> {
  return new TextDecoder().decode(await r.arrayBuffer());
}

describe('test_h_nt, test_h_turtle, test_history_nt (after a merged patch request)', () => {
  beforeAll(async () => {
    await submitAndMergeReplaceValues1();
  });

  for (const path of ['/h.nt', '/history.nt']) {
    it(`serves ${path} as N-Triples with X-Accel-Expires 604800 and the history triples`, async () => {
      const r = await get(path);
      expect(r.status).toBe(200);
      expect(r.headers.get('Content-Type')).toBe('application/n-triples');
      expect(r.headers.get('X-Accel-Expires')).toBe('604800');
      expect(r.headers.get('Cache-Control')).toBe('public, max-age=0');
      expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-history.nt"');
      // The reference parses the N-Triples as Turtle (of which N-Triples is a subset).
      const g = parseTurtle(await bodyText(r));
      expect(has(g, `${H}/h#patch-1`, `${NS.foaf}page`, `${H}/patches/1/patch.jsonpatch`)).toBe(true);
      expect(has(g, `${H}/d`, `${NS.dcterms}provenance`, `${H}/h#changes`)).toBe(true);
      // …and the merged patch request is in it.
      expect(has(g, `${H}/h#patch-2`, `${NS.foaf}page`, `${H}/patches/2/patch.jsonpatch`)).toBe(true);
    });
  }

  it('redirects /h.ttl to /h.nt with 301', async () => {
    const r = await get('/h.ttl');
    expect(r.status).toBe(301);
    expect(r.headers.get('Location')).toBe(`${H}/h.nt`);
  });
});
