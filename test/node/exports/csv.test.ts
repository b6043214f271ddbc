/**
 * The CSV export against the reference's query (periods-as-csv.rq): an independent,
 * naive evaluation of that query over the graph jsonld.js reads from the served JSON-LD
 * must give the same rows, the rows must come in the query's ORDER BY, and hand-made
 * cases pin the semantics that matter (graph-wide merging of IRI nodes, group_concat
 * separators, the integer cast of `start`, quoting).
 */
import jsonld from 'jsonld';
import { describe, expect, it } from 'vitest';
import { assembleAuthority } from '../../../workers/domain/merge';
import { CSV_COLUMNS } from '../../../workers/exports/csv';
import { exportDataset, renderDocument, StringSink } from '../../../workers/exports/dataset-export';
import { deskolemized, iterate, readJson, servedDatasetText, stored } from './support';

type Json = Record<string, unknown>;
interface Term {
  termType: string;
  value: string;
  datatype?: { value: string };
  language?: string;
}

const SKOS = 'http://www.w3.org/2004/02/skos/core#';
const DC = 'http://purl.org/dc/terms/';
const TIME = 'http://www.w3.org/2006/time#';
const PERIODO = 'http://n2t.net/ark:/99152/p0v#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

/** RFC 4180 rows (CRLF line ends, quoted fields). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += c;
  }
  return rows;
}

/** periods-as-csv.rq evaluated the slow, obvious way over a list of triples. */
function naiveQuery(quads: { subject: Term; predicate: Term; object: Term }[]): string[][] {
  const key = (t: Term) => `${t.termType}|${t.value}|${t.datatype?.value ?? ''}|${t.language ?? ''}`;
  const text = (t: Term) => (t.termType === 'BlankNode' ? `_:${t.value}` : t.value);
  const triples = new Map<string, { s: Term; p: string; o: Term }>();
  for (const q of quads) triples.set(`${key(q.subject)} ${q.predicate.value} ${key(q.object)}`, { s: q.subject, p: q.predicate.value, o: q.object });
  const all = [...triples.values()];
  const forward = new Map<string, Term[]>();
  const backward = new Map<string, Term[]>();
  const add = (index: Map<string, Term[]>, k: string, t: Term) => (index.get(k) ?? index.set(k, []).get(k)!).push(t);
  for (const t of all) {
    add(forward, `${key(t.s)} ${t.p}`, t.o);
    add(backward, `${key(t.o)} ${t.p}`, t.s);
  }
  const out = (s: Term, p: string) => forward.get(`${key(s)} ${p}`) ?? [];
  const into = (o: Term, p: string) => backward.get(`${key(o)} ${p}`) ?? [];
  const done = new Set<string>();
  const path = (s: Term, ...ps: string[]) => ps.reduce<Term[]>((nodes, p) => nodes.flatMap((n) => out(n, p)), [s]);
  const cell = (groups: Term[][], sep: string) => {
    const seen = new Set<string>();
    return groups
      .flatMap((g) => g.filter((t) => !seen.has(key(t)) && seen.add(key(t))).map(text).sort())
      .join(sep);
  };
  const rows: string[][] = [];
  for (const t of all) {
    if (t.p !== RDF_TYPE || t.o.value !== `${SKOS}Concept`) continue;
    const c = t.s;
    if (done.has(key(c))) continue;
    done.add(key(c));
    const labels = out(c, `${SKOS}prefLabel`);
    const schemes = [...out(c, `${SKOS}inScheme`)].sort((a, b) => (text(a) < text(b) ? -1 : 1));
    if (!labels.length || !schemes.length) continue;
    const ys = schemes.flatMap((s) => out(s, `${DC}source`).flatMap((x) => [x, ...out(x, `${DC}isPartOf`)]));
    const dtd = (interval: string) => path(c, interval, `${TIME}hasDateTimeDescription`);
    const start = cell([dtd(`${TIME}intervalStartedBy`).flatMap((d) => out(d, `${TIME}year`)), dtd(`${TIME}intervalStartedBy`).flatMap((d) => out(d, `${PERIODO}earliestYear`))], '|');
    rows.push([
      text(c),
      cell([labels], '|'),
      cell([out(c, `${PERIODO}spatialCoverageDescription`), path(c, `${DC}spatial`, `${SKOS}prefLabel`)], ' | '),
      /^[+-]?\d+$/.test(start) ? start : '',
      cell([dtd(`${TIME}intervalFinishedBy`).flatMap((d) => out(d, `${TIME}year`)), dtd(`${TIME}intervalFinishedBy`).flatMap((d) => out(d, `${PERIODO}latestYear`))], '|'),
      cell([schemes], '|'),
      cell(ys.flatMap((y) => [out(y, `${DC}title`), path(y, `${DC}creator`, 'http://xmlns.com/foaf/0.1/name'), path(y, `${DC}contributor`, 'http://xmlns.com/foaf/0.1/name')]), ' | '),
      cell([ys.flatMap((y) => out(y, `${DC}issued`))], '|'),
      cell([out(c, `${SKOS}broader`)], ' '),
      cell([into(c, `${SKOS}broader`)], ' '),
    ]);
  }
  return rows;
}

/** ORDER BY ?publication_year ?source ?spatial_coverage ?start (unbound start first, numbers by value). */
function compareRows(a: string[], b: string[]): number {
  const str = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  const num = (x: string, y: string) => (x === y ? 0 : x === '' ? -1 : y === '' ? 1 : Number(x) - Number(y));
  return str(a[7], b[7]) || str(a[6], b[6]) || str(a[2], b[2]) || num(a[3], b[3]);
}

async function exportCsv(dataset: Json): Promise<string> {
  const data = stored(deskolemized(dataset));
  const sink = new StringSink();
  await exportDataset('csv', data.metaJson, iterate(data.authorities.map(assembleAuthority)), sink);
  return sink.text;
}

async function expectQueryResult(dataset: Json): Promise<string[][]> {
  const text = await exportCsv(dataset);
  const rows = parseCsv(text);
  expect(rows[0]).toEqual([...CSV_COLUMNS]);
  const body = rows.slice(1);
  for (let i = 1; i < body.length; i++) expect(compareRows(body[i - 1], body[i]), `row ${i} is in ORDER BY order`).toBeLessThanOrEqual(0);
  const served = JSON.parse(await servedDatasetText(stored(deskolemized(dataset)), 'http://localhost/dataset.csv'));
  const quads = (await jsonld.toRDF(served)) as unknown as { subject: Term; predicate: Term; object: Term }[];
  const naive = naiveQuery(quads);
  const sortRows = (rs: string[][]) => rs.map((r) => JSON.stringify(r)).sort();
  expect(sortRows(body)).toEqual(sortRows(naive));
  return body;
}

describe('the CSV export is the reference query over the graph', () => {
  it('on the reference test data (test_dataset_csv)', async () => {
    const rows = await expectQueryResult(readJson('server/test-data.json'));
    expect(rows[0]).toEqual([
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
    ]);
  });

  it('on the 2015 PeriodO dataset', async () => {
    const rows = await expectQueryResult(readJson('periodo-2015.json'));
    expect(rows.length).toBe(1791);
  });
});

const CONTEXT = readJson('server/test-data.json')['@context'];

function dataset(authorities: Record<string, Json>): Json {
  return { '@context': CONTEXT, id: 'p0d/#authorities', type: 'rdf:Bag', authorities };
}

function period(id: string, extra: Json): Json {
  return { id, type: 'Period', label: id, ...extra };
}

describe('query semantics', () => {
  const data = dataset({
    p0aaaaa: {
      id: 'p0aaaaa',
      type: 'Authority',
      source: { partOf: { id: 'http://www.worldcat.org/oclc/1', title: 'Shared book', yearPublished: 1990, creators: [{ id: 'http://viaf.org/viaf/9', name: 'Doe, Jane' }] } },
      periods: {
        p0aaaaab22: period('p0aaaaab22', {
          label: 'Bronze Age, "early", or not\nat all',
          spatialCoverageDescription: 'Anatolia',
          spatialCoverage: [{ id: 'http://www.wikidata.org/entity/Q43', label: 'Turkey' }],
          start: { in: { earliestYear: '-3000', latestYear: '-2900' } },
          stop: { in: { year: '-2000' } },
        }),
        p0aaaaac33: period('p0aaaaac33', { start: { in: { year: 'not a year' } }, broader: 'p0bbbbbd44' }),
        p0aaaaad44: { id: 'p0aaaaad44', label: 'No type: no row' },
        p0aaaaaf66: { id: 'p0aaaaaf66', type: 'Period', note: 'No label: no row' },
      },
    },
    p0bbbbb: {
      id: 'p0bbbbb',
      type: 'Authority',
      source: { partOf: { id: 'http://www.worldcat.org/oclc/1', title: 'Shared book, other title', creators: [{ id: 'http://viaf.org/viaf/9', name: 'Jane Doe' }] } },
      periods: {
        p0bbbbbd44: period('p0bbbbbd44', { label: ['Zeta', 'Alpha'], spatialCoverage: [{ id: 'http://www.wikidata.org/entity/Q43', label: 'Anatolia (region)' }], start: { in: { year: '0100' } } }),
        p0bbbbbf55: period('p0bbbbbf55', { start: { in: { year: '-0050' } } }),
      },
    },
    p0ccccc: {
      id: 'p0ccccc',
      type: 'Authority',
      source: { title: 'Earlier book', yearPublished: 1950 },
      periods: { p0cccccg77: period('p0cccccg77', {}) },
    },
  });

  it('matches the naive evaluation', async () => {
    await expectQueryResult(data);
  });

  it('merges IRI nodes across the graph, joins as the query does, casts start, quotes fields', async () => {
    const text = await exportCsv(data);
    const rows = parseCsv(text);
    const byId = new Map(rows.slice(1).map((r) => [r[0].replace('http://n2t.net/ark:/99152/', ''), r]));
    // 1950 before 1990; then (same source) by places: none first, "Anatolia (region) | …" before
    // "Anatolia | …" (code units: "(" < "|"); among no places, unbound start before -0050.
    expect([...byId.keys()]).toEqual(['p0cccccg77', 'p0aaaaac33', 'p0bbbbbf55', 'p0bbbbbd44', 'p0aaaaab22']);
    const bronze = byId.get('p0aaaaab22')!;
    // Q43's labels from both authorities; the description first.
    expect(bronze[2]).toBe('Anatolia | Anatolia (region) | Turkey');
    expect(bronze[1]).toBe('Bronze Age, "early", or not\nat all');
    expect(bronze[3]).toBe('-3000');
    expect(bronze[4]).toBe('-2000');
    // The shared book's titles and its creator's names, from both authorities.
    expect(bronze[6]).toBe('Shared book | Shared book, other title | Doe, Jane | Jane Doe');
    expect(bronze[7]).toBe('1990');
    expect(byId.get('p0aaaaac33')![3]).toBe('');
    expect(byId.get('p0bbbbbd44')![1]).toBe('Alpha|Zeta');
    expect(byId.get('p0bbbbbd44')![2]).toBe('Anatolia (region) | Turkey');
    expect(byId.get('p0bbbbbd44')![3]).toBe('0100');
    expect(byId.get('p0bbbbbd44')![9]).toBe('http://n2t.net/ark:/99152/p0aaaaac33');
    expect(byId.get('p0aaaaac33')![8]).toBe('http://n2t.net/ark:/99152/p0bbbbbd44');
    expect(text).toContain('"Bronze Age, ""early"", or not\nat all"');
  });

  it('lists one row per period of a single document too', async () => {
    const authority = (data.authorities as Record<string, Json>).p0ccccc;
    const text = await renderDocument('csv', { ...authority, '@context': CONTEXT });
    expect(parseCsv(text)).toEqual([[...CSV_COLUMNS], ['http://n2t.net/ark:/99152/p0cccccg77', 'p0cccccg77', '', '', '', 'http://n2t.net/ark:/99152/p0ccccc', 'Earlier book', '1950', '', '']]);
  });
});
