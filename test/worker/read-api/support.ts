/**
 * Shared helpers of the read-API tests: requests through the real Worker entry, data loads
 * through the operator's admin endpoint, and RDF/JSON readers for the assertions.
 */
import { env, exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import testData from '../../fixtures/server/test-data.json';
import { datasetPatches } from '../../../scripts/lib/load-patches';
import { Parser, type Quad } from '../../../workers/shared/rdf';

/** The data host of every test request (the reference's tests use localhost.localdomain:5000). */
export const H = 'http://localhost';
export const ADMIN_TOKEN = 'dev-admin-token';
export const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8';
export const ARK = 'http://n2t.net/ark:/99152/';
export const ARK_CONTEXT = [`${H}/c`, { '@base': ARK }];
export const XDIGITS = '23456789bcdfghjkmnpqrstvwxz';
export const ASSIGNED = 'https://perio.do/.well-known/genid/assigned/';

export const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  dcterms: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  void: 'http://rdfs.org/ns/void#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
};

type Json = Record<string, unknown>;

/** A request to the data app through workers/index.ts (redirects are not followed). */
export function get(path: string, init: RequestInit = {}): Promise<Response> {
  // Like a service binding, the entry would follow redirects itself unless told not to.
  return exports.default.fetch(new Request(path.startsWith('http') ? path : `${H}${path}`, { redirect: 'manual', ...init }));
}

export function getAccepting(path: string, accept: string): Promise<Response> {
  return get(path, { headers: { Accept: accept } });
}

/** Follows redirects through the Worker (same host only) as the reference's httpx client did. */
export async function follow(path: string, init: RequestInit = {}): Promise<{ response: Response; url: string }> {
  let url = path.startsWith('http') ? path : `${H}${path}`;
  for (let hops = 0; hops < 10; hops++) {
    const response = await get(url, init);
    const location = response.headers.get('Location');
    if (response.status < 300 || response.status >= 400 || !location) return { response, url };
    await response.body?.cancel();
    url = new URL(location, url).toString();
    expect(new URL(url).origin, `redirected off the data host to ${url}`).toBe(H);
  }
  throw new Error(`too many redirects from ${path}`);
}

/** The path and query of a redirect's Location (which must be absolute). */
export function location(response: Response): URL {
  const value = response.headers.get('Location');
  expect(value, 'Location header').toBeTruthy();
  expect(value!, 'Location must be absolute').toMatch(/^https?:\/\//);
  return new URL(value!);
}

/** `POST /admin/load`: submit and merge a JSON Patch as the initial data loader. */
export function adminLoad(patch: unknown, token: string | null = ADMIN_TOKEN): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  return get('/admin/load', { method: 'POST', headers, body: typeof patch === 'string' ? patch : JSON.stringify(patch) });
}

export interface LoadResult {
  patchRequestId: number;
  version: number;
  identifierMap: Record<string, string>;
  created: string[];
  updated: string[];
  removed: string[];
}

/** Loads a patch that must be accepted, returning what the merge did. */
export async function load(patch: unknown): Promise<LoadResult> {
  const response = await adminLoad(patch);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text) as LoadResult;
}

/** The initial data load of the reference's test data: one patch, version 1. */
export async function loadTestData(): Promise<LoadResult> {
  const patches = datasetPatches({}, testData as Json, { maxPeriods: 5000, maxBytes: 1e9 });
  expect(patches).toHaveLength(1);
  const result = await load(patches[0]);
  expect(result.version).toBe(1);
  return result;
}

export async function json(response: Response): Promise<Json> {
  const text = await response.text();
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new Error(`not JSON (${response.status}): ${text.slice(0, 300)}`);
  }
}

export async function headVersion(): Promise<number> {
  const row = await env.DB.prepare('SELECT MAX(id) AS v FROM versions').first<{ v: number }>();
  return row!.v;
}

export function parseTurtle(text: string): Quad[] {
  return new Parser({ format: 'text/turtle' }).parse(text);
}

/** Does the graph hold this triple? `null` matches anything; a literal is `"lexical"` or `"lexical"@lang`. */
export function has(quads: Quad[], s: string | null, p: string | null, o: string | null): boolean {
  return quads.some((q) => (s === null || q.subject.value === s) && (p === null || q.predicate.value === p) && (o === null || termText(q.object) === o));
}

export function objects(quads: Quad[], s: string, p: string): string[] {
  return quads.filter((q) => q.subject.value === s && q.predicate.value === p).map((q) => termText(q.object));
}

export function subjects(quads: Quad[], p: string, o: string): string[] {
  return quads.filter((q) => q.predicate.value === p && termText(q.object) === o).map((q) => q.subject.value);
}

function termText(t: Quad['object']): string {
  if (t.termType !== 'Literal') return t.value;
  return t.language ? `"${t.value}"@${t.language}` : `"${t.value}"`;
}

/** The data with every assigned skolem IRI (keys and values) replaced by its id, as a load leaves it. */
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

/** The NOID check digit over PeriodO's xdigits, written out independently of the implementation. */
export function noidCheckDigit(sequence: string): string {
  let sum = 0;
  for (let i = 0; i < sequence.length; i++) sum += Math.max(0, XDIGITS.indexOf(sequence[i])) * (i + 1);
  return XDIGITS[sum % XDIGITS.length];
}

export { testData };

/** `<H h#change-N> prov:generated ?o` in the (non-`full`) history graph at `path`, parsed as the reference did (Turtle). */
export async function generatedByChange(change: number, path: string): Promise<string[]> {
  const r = await get(path);
  expect(r.status).toBe(200);
  expect(r.headers.get('Content-Type')).toBe('application/n-triples');
  const g = parseTurtle(new TextDecoder().decode(await r.arrayBuffer()));
  return objects(g, `${H}/h#change-${change}`, 'http://www.w3.org/ns/prov#generated');
}
