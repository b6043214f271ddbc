/**
 * The converter's Turtle and N-Triples are the graph jsonld.js (toRDF) reads from the
 * JSON-LD the API serves, compared by RDFC-1.0 canonical form (rdf-canonize): the
 * project's fixtures as whole datasets (the served text built by the API's own assembly
 * code, workers/data/dataset-stream.ts), every authority and period as its own document,
 * and a document exercising every JSON-LD feature the converter supports.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleAuthority } from '../../../workers/domain/merge';
import { datasetTrailer, exportDataset, renderDocument, StringSink } from '../../../workers/exports/dataset-export';
import { UnsupportedJsonLdError } from '../../../workers/exports/jsonld-to-rdf';
import { canonicalFromJsonLd, canonicalFromText, deskolemized, iterate, readJson, servedDatasetText, stored, type StoredDataset } from './support';

type Json = Record<string, unknown>;
const MEDIA = { ttl: 'text/turtle', nt: 'application/n-triples' } as const;

async function exported(data: StoredDataset, format: 'ttl' | 'nt', primaryTopicOf: Json): Promise<string> {
  const sink = new StringSink();
  await exportDataset(format, data.metaJson, iterate(data.authorities.map(assembleAuthority)), sink);
  return sink.text + datasetTrailer(format, data.metaJson, primaryTopicOf);
}

async function expectDatasetIsomorphic(dataset: Json): Promise<void> {
  const data = stored(deskolemized(dataset));
  // One URL for both formats: RDFC-1.0 takes ~15 s on the 2015 dataset, whose many alike
  // blank nodes (start and stop descriptions) need its n-degree hashing.
  const served = JSON.parse(await servedDatasetText(data, 'http://localhost/dataset.ttl?version=3')) as Json;
  const expected = await canonicalFromJsonLd(served);
  for (const format of ['ttl', 'nt'] as const) {
    const text = await exported(data, format, served.primaryTopicOf as Json);
    expect(await canonicalFromText(text, MEDIA[format]), format).toEqual(expected);
  }
}

/** Every authority and period of a dataset as the entity routes serve it (full context inline). */
function* entityDocuments(dataset: Json): Generator<[string, Json]> {
  const context = dataset['@context'];
  const topic = (path: string) => ({ id: `http://localhost${path}`, inDataset: { id: 'http://localhost/d', changes: 'http://localhost/h#changes' } });
  for (const [aid, authority] of Object.entries(dataset.authorities as Record<string, Json>)) {
    yield [aid, { ...authority, '@context': context, primaryTopicOf: topic(`/${aid.slice(2)}.ttl`) }];
    for (const [pid, period] of Object.entries(authority.periods as Record<string, Json>)) {
      const { authority: _a, ...rest } = period;
      yield [pid, { ...rest, authority: aid, '@context': context, primaryTopicOf: topic(`/${pid.slice(2)}.ttl`) }];
    }
  }
}

describe('whole datasets', () => {
  it('the reference test data', async () => {
    await expectDatasetIsomorphic(readJson('server/test-data.json'));
  });

  it('the 2015 PeriodO dataset (1,791 periods)', async () => {
    await expectDatasetIsomorphic(readJson('periodo-2015.json'));
  });

  it("the project's demo dataset", async () => {
    await expectDatasetIsomorphic(JSON.parse(readFileSync(new URL('../../../scripts/seed/demo-dataset.json', import.meta.url), 'utf8')) as Json);
  });

  it('the empty version 0 (served as {})', async () => {
    const sink = new StringSink();
    await exportDataset('ttl', null, iterate([]), sink);
    expect(sink.text).toBe('');
    expect(datasetTrailer('ttl', null, { id: 'x' })).toBe('');
  });
});

describe('entities', () => {
  it('every authority and period of the test data and of a third of the 2015 dataset', async () => {
    const documents = [...entityDocuments(deskolemized(readJson('server/test-data.json')))];
    const all2015 = [...entityDocuments(deskolemized(readJson('periodo-2015.json')))];
    documents.push(...all2015.filter((_, i) => i % 3 === 0));
    for (const [id, doc] of documents) {
      const expected = await canonicalFromJsonLd(doc);
      for (const format of ['ttl', 'nt'] as const) {
        expect(await canonicalFromText(await renderDocument(format, doc), MEDIA[format]), `${id} ${format}`).toEqual(expected);
      }
    }
  });
});

/** A context and data that use every feature the converter supports, checked against jsonld.js. */
const FEATURES = {
  '@context': {
    '@base': 'http://n2t.net/ark:/99152/',
    '@vocab': 'http://example.org/vocab#',
    '@language': 'EN',
    id: '@id',
    type: '@type',
    value: '@value',
    none: '@none',
    skos: 'http://www.w3.org/2004/02/skos/core#',
    dcterms: 'http://purl.org/dc/terms/',
    xsd: 'http://www.w3.org/2001/XMLSchema#',
    ex: { '@id': 'http://example.org/ns#', '@prefix': true },
    'ex:explicit': { '@type': 'xsd:integer' },
    Period: 'skos:Concept',
    label: { '@id': 'skos:prefLabel', '@language': null },
    note: 'skos:note',
    localizedLabels: { '@id': 'skos:altLabel', '@container': '@language' },
    members: { '@id': 'http://www.w3.org/2000/01/rdf-schema#member', '@container': '@index' },
    children: { '@reverse': 'skos:broader', '@container': ['@index', '@set'] },
    broader: { '@id': 'skos:broader', '@type': '@id' },
    kind: { '@id': 'dcterms:type', '@type': '@vocab' },
    year: { '@id': 'http://www.w3.org/2006/time#year', '@type': 'xsd:gYear' },
    date: { '@id': 'dcterms:date', '@type': 'xsd:date' },
    weight: { '@id': 'ex:weight', '@type': 'xsd:double' },
    sequence: { '@id': 'ex:sequence', '@container': '@list' },
    tags: { '@id': 'ex:tag', '@container': '@set' },
    spatial: { '@id': 'dcterms:spatial', '@container': '@set' },
    dropped: null,
    Mammal: 'ex:Mammal',
  },
  id: 'p0d/#authorities',
  type: ['rdf:Bag', 'Period'],
  members: {
    one: {
      id: 'p0aaaaa',
      type: 'Period',
      label: 'No language',
      note: ['Default language', { '@value': 'Explicit', '@language': 'FR-be' }, { value: 'Typed', '@type': 'xsd:token' }],
      localizedLabels: { 'eng-latn': ['Iron Age', 'Early Iron Age'], fra: 'Âge du fer', none: 'untagged', '@none': ['also'] },
      year: '-0799',
      date: '2015-11-23',
      weight: ['1.5', 2, 2.5, 1e21],
      'ex:count': [7, 7.25, true, false, -0],
      'ex:explicit': 42,
      kind: ['Mammal', 'Reptile', 'ex:Bird', 'http://example.com/absolute'],
      broader: ['p0bbbbb', '../up/p0ccccc', './same', '?q=1', '#frag', '//other.example/x', 'http://example.com/a b', '_:shared'],
      sequence: ['first', { id: 'p0list' }, { '@list': [] }, 3],
      tags: { '@set': ['a', ['b', ['c']]] },
      spatial: [{ id: 'http://www.wikidata.org/entity/Q43', label: 'Turkey' }, { label: 'Nowhere in particular', note: { deep: { deeper: 'x' } } }, {}],
      children: {
        x: { id: 'p0child', label: 'Child' },
        y: { label: 'Anonymous child', '@reverse': { 'ex:owns': { id: 'p0owner' } } },
      },
      'http://purl.org/dc/terms/isPartOf': { '@id': '_:shared', 'ex:name': 'Shared blank node' },
      'dcterms:source': { 'ex:title': 'Source', 'ex:creator': [{ id: 'http://viaf.org/viaf/1', 'ex:name': 'Someone' }] },
      unmapped_is_vocab: 'vocab-relative key',
      dropped: 'never seen',
      '@index': 'ignored',
      '_:blankPredicate': { 'ex:kept': 'nested node of a dropped triple' },
      '@ignoredKeywordLike': 'x',
    },
    two: { id: 'bad id with spaces', label: 'Invalid subject', spatial: { note: 'orphan blank node' } },
    three: { id: '_:shared', 'ex:more': 'Same blank node, other authority' },
    four: { label: 'Authority without id', children: { z: { id: 'p0zzzzz', label: 'Its child' } } },
  },
  'ex:list': { '@list': [{ '@value': 'in a list', '@language': 'de' }] },
  primaryTopicOf: 'http://localhost/d.ttl',
};

describe('JSON-LD features', () => {
  it('converts every supported feature as jsonld.js does', async () => {
    const expected = await canonicalFromJsonLd(FEATURES);
    expect(expected.length).toBeGreaterThan(60);
    for (const format of ['ttl', 'nt'] as const) {
      const text = await renderDocument(format, FEATURES);
      expect(await canonicalFromText(text, MEDIA[format]), format).toEqual(expected);
    }
  });

  it('is the same graph when the members are streamed one at a time as the dataset export does', async () => {
    const { members, ...meta } = FEATURES;
    const expected = await canonicalFromJsonLd(FEATURES);
    for (const format of ['ttl', 'nt'] as const) {
      const sink = new StringSink();
      // The export streams the map stored under `authorities`: give `members`' definition that name.
      const context = { ...meta['@context'], authorities: meta['@context'].members };
      await exportDataset(format, JSON.stringify({ ...meta, '@context': context, authorities: {} }), iterate(Object.values(members)), sink);
      expect(await canonicalFromText(sink.text, MEDIA[format]), format).toEqual(expected);
    }
  });

  it('refuses what it does not support, naming it', async () => {
    const cases: [string, Json][] = [
      ['@graph', { '@context': { g: '@graph' }, g: [] }],
      ['scoped context', { '@context': { p: { '@id': 'http://e/p', '@context': {} } } }],
      ['@nest', { '@context': { p: { '@id': 'http://e/p', '@nest': 'n' } } }],
      ['@json', { '@context': { p: { '@id': 'http://e/p', '@type': '@json' } } }],
      ['id map', { '@context': { p: { '@id': 'http://e/p', '@container': '@id' } } }],
      ['remote context', { '@context': 'http://example.org/context.jsonld' }],
      ['embedded context', { '@context': {}, 'http://e/p': { '@context': {}, 'http://e/q': 1 } }],
      ['@direction', { '@context': {}, 'http://e/p': { '@value': 'x', '@direction': 'rtl' } }],
    ];
    for (const [name, doc] of cases) await expect(renderDocument('ttl', doc), name).rejects.toThrow(UnsupportedJsonLdError);
  });
});
