/**
 * The VoID description of a dataset version: class partitions (authorities, periods),
 * linksets to other datasets, contributors, modification time and provenance link.
 * Figures are kept per entity so a merge updates them from the entities it changes.
 */
import { DataFactory, Writer } from '../shared/rdf';
import type { JsonObject } from './patch';

const { namedNode, literal, blankNode, quad } = DataFactory;

const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  dcterms: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  owl: 'http://www.w3.org/2002/07/owl#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  void: 'http://rdfs.org/ns/void#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  wv: 'http://vocab.org/waiver/terms/',
};

interface LinksetDefinition {
  key: string;
  predicate: string;
  uriSpace: string;
  target: string | null;
  description: string;
}

/** Links from PeriodO to other datasets that the description counts. */
export const LINKSETS: LinksetDefinition[] = [
  { key: 'source-links-to-worldcat', predicate: `${NS.dcterms}source`, uriSpace: 'http://www.worldcat.org/oclc/', target: 'http://purl.oclc.org/dataset/WorldCat', description: 'WorldCat' },
  { key: 'ispartof-links-to-worldcat', predicate: `${NS.dcterms}isPartOf`, uriSpace: 'http://www.worldcat.org/oclc/', target: 'http://purl.oclc.org/dataset/WorldCat', description: 'WorldCat' },
  { key: 'ispartof-links-to-crossref', predicate: `${NS.dcterms}isPartOf`, uriSpace: 'http://dx.doi.org/', target: null, description: 'CrossRef DOI Resolver' },
  { key: 'spatial-links-to-wikidata', predicate: `${NS.dcterms}spatial`, uriSpace: 'http://www.wikidata.org/entity/', target: 'http://www.wikidata.org/entity/Q2013', description: 'Wikidata' },
  { key: 'sameas-links-to-english-heritage-periods-list', predicate: `${NS.owl}sameAs`, uriSpace: 'http://purl.org/heritagedata/schemes/eh_period', target: 'http://purl.org/heritagedata/schemes/eh_period', description: 'English Heritage Periods List' },
  { key: 'sameas-links-to-pleiades', predicate: `${NS.owl}sameAs`, uriSpace: 'http://pleiades.stoa.org/vocabularies/time-periods/', target: null, description: 'Pleiades Time Periods' },
];

export type LinkCounts = Record<string, number>;

function idOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const o = value as JsonObject;
    const id = o.id ?? o['@id'];
    return typeof id === 'string' ? id : '';
  }
  return '';
}

function countSourceLinks(source: unknown, counts: LinkCounts) {
  if (!source || typeof source !== 'object') return;
  const s = source as JsonObject;
  const sourceId = idOf(s);
  const partOf = idOf(s.partOf);
  for (const l of LINKSETS) {
    if (l.predicate === `${NS.dcterms}source` && sourceId.startsWith(l.uriSpace)) counts[l.key] = (counts[l.key] ?? 0) + 1;
    if (l.predicate === `${NS.dcterms}isPartOf` && partOf.startsWith(l.uriSpace)) counts[l.key] = (counts[l.key] ?? 0) + 1;
  }
}

/** Link counts contributed by one authority (without its periods) or one period. */
export function entityLinkCounts(kind: 'authority' | 'period', entity: JsonObject): LinkCounts {
  const counts: LinkCounts = {};
  countSourceLinks(entity.source, counts);
  if (kind === 'period') {
    const sameAs = idOf(entity.sameAs);
    for (const l of LINKSETS) {
      if (l.predicate === `${NS.owl}sameAs` && sameAs && sameAs.startsWith(l.uriSpace)) counts[l.key] = (counts[l.key] ?? 0) + 1;
    }
    const spatial = Array.isArray(entity.spatialCoverage) ? entity.spatialCoverage : [];
    const wikidata = LINKSETS.find((l) => l.key === 'spatial-links-to-wikidata')!;
    for (const place of spatial) {
      if (idOf(place).startsWith(wikidata.uriSpace)) counts[wikidata.key] = (counts[wikidata.key] ?? 0) + 1;
    }
  }
  return counts;
}

export function addLinkCounts(total: LinkCounts, delta: LinkCounts, sign: 1 | -1): LinkCounts {
  const out = { ...total };
  for (const [k, v] of Object.entries(delta)) out[k] = (out[k] ?? 0) + sign * v;
  return out;
}

/**
 * Stands for the data app's origin in a stored (non-canonical) description; the data
 * API puts the origin of each request in its place when it serves the description.
 */
export const VOID_DATA_HOST = 'https://data-host.invalid';

/** The PeriodO team, credited as creators of the dataset and its description. */
const CREATORS: [string, string][] = [
  ['https://orcid.org/0000-0002-5486-159X', 'Ryan Shaw'],
  ['https://orcid.org/0000-0003-2557-5145', 'Adam Rabinowitz'],
  ['https://orcid.org/0000-0001-5620-4764', 'Eric Kansa'],
  ['https://orcid.org/0000-0002-3617-9378', 'Patrick Golden'],
  ['https://orcid.org/0000-0002-4871-039X', 'Sarah A. Buchanan'],
];

export interface VoidInput {
  /** The ARK base, e.g. `http://n2t.net/ark:/99152/`. */
  base: string;
  authorityCount: number;
  periodCount: number;
  linkCounts: LinkCounts;
  modified: string;
  contributors: string[];
  /** CANONICAL mode: the provenance link is an ARK, not the data host's URL. */
  canonical: boolean;
}

/** Renders the VoID description as Turtle. */
export function describeDataset(input: VoidInput): Promise<string> {
  const b = input.base;
  const d = namedNode(`${b}p0d`);
  const description = namedNode(`${b}p0`);
  const a = namedNode(`${NS.rdf}type`);
  const p = (prefix: keyof typeof NS, local: string) => namedNode(`${NS[prefix]}${local}`);
  const int = (n: number) => literal(String(n), namedNode(`${NS.xsd}integer`));
  const quads = [
    quad(description, a, p('void', 'DatasetDescription')),
    quad(description, p('dcterms', 'title'), literal('Description of the PeriodO Period Gazetteer', 'en')),
    quad(description, p('foaf', 'primaryTopic'), d),
    quad(d, a, p('void', 'Dataset')),
    quad(d, p('dcterms', 'title'), literal('PeriodO Period Gazetteer')),
    quad(d, p('dcterms', 'description'), literal('A gazetteer of scholarly definitions of the spatial and temporal extents of historical, art-historical, and archaeological periods.', 'en')),
    quad(d, p('dcterms', 'license'), namedNode('http://creativecommons.org/publicdomain/zero/1.0/')),
    quad(d, p('wv', 'waiver'), namedNode('http://creativecommons.org/publicdomain/zero/1.0/')),
    quad(d, p('foaf', 'homepage'), description),
    quad(d, p('void', 'feature'), namedNode('http://www.w3.org/ns/formats/JSON-LD')),
    quad(d, p('void', 'feature'), namedNode('http://www.w3.org/ns/formats/Turtle')),
    quad(d, p('void', 'dataDump'), namedNode(`${b}p0d/`)),
    quad(d, p('void', 'uriSpace'), literal(`${b}p0`)),
    quad(d, p('void', 'vocabulary'), namedNode(NS.skos)),
    quad(d, p('void', 'vocabulary'), namedNode('http://www.w3.org/2006/time#')),
    quad(d, p('void', 'vocabulary'), namedNode(NS.dcterms)),
    quad(d, p('dcterms', 'modified'), literal(input.modified, namedNode(`${NS.xsd}dateTime`))),
    quad(d, p('dcterms', 'provenance'), namedNode(input.canonical ? `${b}p0h#changes` : `${VOID_DATA_HOST}/h#changes`)),
    quad(d, p('void', 'rootResource'), namedNode(`${b}p0d/#authorities`)),
    quad(d, p('dcterms', 'subject'), namedNode('http://www.wikidata.org/entity/Q816829')),
    quad(description, p('dcterms', 'creator'), namedNode(CREATORS[0][0])),
  ];
  for (const [orcid, name] of CREATORS) {
    quads.push(
      quad(d, p('dcterms', 'creator'), namedNode(orcid)),
      quad(namedNode(orcid), a, p('foaf', 'Person')),
      quad(namedNode(orcid), namedNode('http://www.w3.org/2000/01/rdf-schema#label'), literal(name)),
    );
  }
  const partitions: [string, number][] = [
    [`${NS.skos}Concept`, input.periodCount],
    [`${NS.skos}ConceptScheme`, input.authorityCount],
  ];
  partitions.forEach(([clazz, count], i) => {
    const part = blankNode(`partition${i}`);
    quads.push(quad(d, p('void', 'classPartition'), part), quad(part, p('void', 'class'), namedNode(clazz)), quad(part, p('void', 'entities'), int(count)));
  });
  for (const contributor of [...new Set(input.contributors)].sort()) {
    quads.push(quad(d, p('dcterms', 'contributor'), namedNode(contributor)));
  }
  LINKSETS.forEach((l, i) => {
    const linkset = namedNode(`${b}p0#${l.key}`);
    const target = l.target ? namedNode(l.target) : blankNode(`target${i}`);
    quads.push(
      quad(linkset, a, p('void', 'Linkset')),
      quad(linkset, p('void', 'subset'), d),
      quad(linkset, p('void', 'subjectsTarget'), d),
      quad(linkset, p('void', 'objectsTarget'), target),
      quad(linkset, p('void', 'linkPredicate'), namedNode(l.predicate)),
      quad(linkset, p('void', 'triples'), int(input.linkCounts[l.key] ?? 0)),
      quad(target, p('dcterms', 'description'), literal(l.description, 'en')),
      quad(target, p('void', 'uriSpace'), literal(l.uriSpace)),
    );
    if (l.target) quads.push(quad(target, a, p('void', 'Dataset')));
  });
  const seen = new Set<string>();
  const unique = quads.filter((q) => {
    const key = `${q.subject.id} ${q.predicate.id} ${q.object.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const writer = new Writer({ prefixes: { ...NS, orcid: 'https://orcid.org/' } });
  writer.addQuads(unique);
  return new Promise((resolve, reject) => writer.end((error, result) => (error ? reject(error) : resolve(result))));
}
