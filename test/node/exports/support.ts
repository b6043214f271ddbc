/**
 * Node-side helpers of the export tests: datasets stored as the Worker stores them, the
 * JSON-LD the API serves for them (built by the API's own assembly code), and canonical
 * forms of RDF graphs (RDFC-1.0 via rdf-canonize) for isomorphism checks.
 */
import { readFileSync } from 'node:fs';
import jsonld from 'jsonld';
import { Parser, Writer, type Quad } from 'n3';
import canonize from 'rdf-canonize';
import type { Env } from '../../../workers/env';
import { authorityShell, metaShell, type StoredAuthority } from '../../../workers/domain/merge';
import { pyJson } from '../../../workers/domain/json-format';
import { datasetStream } from '../../../workers/data/dataset-stream';
import { served } from '../../../workers/data/representation';
import type { DatasetStore } from '../../../workers/storage/dataset-store';

type Json = Record<string, unknown>;

export const FIXTURES = new URL('../../fixtures/', import.meta.url);
export const ASSIGNED = 'https://perio.do/.well-known/genid/assigned/';

export function readJson(relative: string): Json {
  return JSON.parse(readFileSync(new URL(relative, FIXTURES), 'utf8')) as Json;
}

/** Assigned skolem IRIs (keys and values) replaced by their ids, as the initial load leaves them. */
export function deskolemized<T>(value: T): T {
  const strip = (s: string) => (s.startsWith(ASSIGNED) ? s.slice(ASSIGNED.length) : s);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return strip(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [strip(k), walk(x)]));
    return v;
  };
  return walk(value) as T;
}

export interface StoredDataset {
  metaJson: string;
  authorities: StoredAuthority[];
}

/** A dataset document split into the rows the Worker stores (meta, authority shells, periods). */
export function stored(dataset: Json): StoredDataset {
  let position = 0;
  const authorities: StoredAuthority[] = [];
  for (const [id, a] of Object.entries((dataset.authorities ?? {}) as Record<string, Json>)) {
    const periods = new Map<string, { id: string; position: number; json: string; hash: string }>();
    for (const [pid, p] of Object.entries((a.periods ?? {}) as Record<string, Json>)) periods.set(pid, { id: pid, position: position++, json: pyJson(p), hash: '' });
    authorities.push({ id, validFrom: 1, position: position++, json: authorityShell(a), hash: '', periods });
  }
  return { metaJson: metaShell(dataset), authorities };
}

export async function* iterate<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

const ENV = { CANONICAL: 'false', CLIENT_URL: 'http://client.localhost/' } as Env;

/**
 * The JSON-LD text `GET <url>?inline-context` serves for this stored dataset: the API's
 * own streaming assembly (workers/data/dataset-stream.ts) over a store that yields these
 * rows, with the context inline and `primaryTopicOf` naming `url`.
 */
export async function servedDatasetText(data: StoredDataset, url: string): Promise<string> {
  const store = { authoritiesAt: () => iterate(data.authorities) } as unknown as DatasetStore;
  const stream = datasetStream(store, {
    version: 1,
    meta: { validFrom: 1, json: data.metaJson, hash: '' },
    served: served(new Request(url), ENV),
    inlineContext: true,
  });
  return new Response(stream).text();
}

function quadLine(q: Quad): string {
  return new Writer({ format: 'N-Quads' }).quadsToString([q]).trim();
}

async function canonical(nquads: string): Promise<string[]> {
  const out = await canonize.canonize(nquads, { algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads', format: 'application/n-quads' });
  return [...new Set(out.split('\n').filter(Boolean))].sort();
}

/** The canonical N-Quads lines of the graph jsonld.js (toRDF) reads from a JSON-LD document. */
export async function canonicalFromJsonLd(doc: unknown): Promise<string[]> {
  const nquads = (await jsonld.toRDF(doc as jsonld.JsonLdDocument, { format: 'application/n-quads' })) as unknown as string;
  return canonical(nquads);
}

/** The canonical N-Quads lines of a Turtle or N-Triples document (duplicate triples count once). */
export async function canonicalFromText(text: string, format: 'text/turtle' | 'application/n-triples'): Promise<string[]> {
  const quads = new Parser({ format }).parse(text);
  return canonical([...new Set(quads.map(quadLine))].join('\n') + '\n');
}
