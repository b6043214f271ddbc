/**
 * Helpers of the export tests: canonical forms of RDF graphs (RDFC-1.0, rdf-canonize) for
 * isomorphism checks against jsonld.js (its browser build runs in workerd), batches
 * delivered to the queue consumer, and the export bookkeeping in D1 and R2.
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import handler from '../../../workers/index';
import type { ExportJob } from '../../../workers/env';
import jsonld from 'jsonld/dist/jsonld.esm.min.js';
import canonize from 'rdf-canonize';
import { expect } from 'vitest';
import { Parser, Writer, type Quad } from '../../../workers/shared/rdf';
import { exportKey } from '../../../workers/exports/enqueue';
import { get, json } from '../read-api/support';

type Json = Record<string, unknown>;
export type Format = 'ttl' | 'nt' | 'csv';

async function canonical(nquads: string): Promise<string[]> {
  const out = await canonize.canonize(nquads, { algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads', format: 'application/n-quads' });
  return [...new Set(out.split('\n').filter(Boolean))].sort();
}

/** The canonical N-Quads lines of the graph jsonld.js's toRDF reads from a JSON-LD document. */
export async function canonicalJsonLd(doc: unknown): Promise<string[]> {
  const nquads = (await jsonld.toRDF(doc as never, { format: 'application/n-quads' })) as unknown as string;
  return canonical(nquads);
}

/** The canonical N-Quads lines of a Turtle or N-Triples document (a triple stated twice counts once). */
export async function canonicalRdf(text: string, format: 'ttl' | 'nt'): Promise<string[]> {
  const quads: Quad[] = new Parser({ format: format === 'ttl' ? 'text/turtle' : 'application/n-triples' }).parse(text);
  const writer = new Writer({ format: 'N-Quads' });
  return canonical([...new Set(quads.map((q) => writer.quadToString(q.subject, q.predicate, q.object, q.graph)))].join(''));
}

/** The served JSON-LD of a dataset URL with its context inline and `primaryTopicOf` naming `asUrl`. */
export async function servedDatasetJsonLd(query: string, asUrl: string): Promise<Json> {
  const r = await get(`/dataset.jsonld?inline-context${query ? `&${query}` : ''}`);
  expect(r.status).toBe(200);
  const doc = await json(r);
  (doc.primaryTopicOf as Json).id = asUrl;
  return doc;
}

/** The served JSON-LD of an entity URL merged with its context document, as the reference's tests read it. */
export async function servedEntityJsonLd(path: string, asUrl: string): Promise<Json> {
  const r = await get(path);
  expect(r.status, path).toBe(200);
  const doc = await json(r);
  const contextUrl = (doc['@context'] as [string, Json])[0];
  const context = await json(await get(contextUrl));
  (doc.primaryTopicOf as Json).id = asUrl;
  return { ...doc, ...context };
}

/** A response body as text, whatever its Content-Type (workerd warns on .text() of non-text types). */
export async function bodyText(r: Response): Promise<string> {
  return new TextDecoder().decode(await r.arrayBuffer());
}

export const EXPORT_QUEUE = 'periodo-exports-dev';
export const DEAD_LETTER_QUEUE = 'periodo-exports-dlq-dev';

/**
 * Delivers one batch to the Worker's queue handler as the queue would (these tests run
 * with no consumer of their own: vitest.config.ts), and returns what it acked and retried.
 */
export async function deliver(queue: string, bodies: ExportJob[], attempts = 1) {
  const messages = bodies.map((body, i) => ({ id: `m-${queue}-${body.version}-${body.format}-${attempts}-${i}`, timestamp: new Date(), attempts, body }));
  const batch = createMessageBatch<ExportJob>(queue, messages);
  const ctx = createExecutionContext();
  await handler.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

/** Runs one export job through the consumer, which must ack it; returns the object now in R2. */
export async function exportNow(version: number, format: Format, trigger: ExportJob['trigger'] = 'request'): Promise<R2Object> {
  const result = await deliver(EXPORT_QUEUE, [{ version, format, trigger }]);
  expect(result.retryMessages, `the ${format} export of version ${version}`).toEqual([]);
  expect(result.explicitAcks).toHaveLength(1);
  const object = await exportObject(version, format);
  expect(object, `the ${format} export of version ${version} in R2`).not.toBeNull();
  return object!;
}

export function exportObject(version: number, format: Format): Promise<R2Object | null> {
  return env.EXPORTS.head(exportKey(version, format));
}

export interface JobRow {
  version: number;
  format: ExportJob['format'];
  state: string;
  enqueued: number;
  attempts: number;
  error: string | null;
  bytes: number | null;
}

export async function jobRow(version: number, format: ExportJob['format']): Promise<JobRow | null> {
  return env.DB.prepare('SELECT * FROM export_jobs WHERE version = ? AND format = ?').bind(version, format).first<JobRow>();
}

/** Removes an export and its job row, as if it had never been asked for. */
export async function forgetExport(version: number, format: Format): Promise<void> {
  await env.EXPORTS.delete(exportKey(version, format));
  await env.DB.prepare('DELETE FROM export_jobs WHERE version = ? AND format = ?').bind(version, format).run();
}
