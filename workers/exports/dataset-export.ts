/**
 * Turtle, N-Triples and CSV of the dataset or of one document, as pure functions of their
 * inputs: the dataset's stored members (its `@context` among them, read at that version)
 * and an async iterable of its authorities in dataset order, each with its periods in
 * place (`assembleAuthority`). One authority at a time is converted and written to the
 * sink, so memory holds one authority and its output at once (plus, for CSV, the compact
 * graph the query needs), whatever the size of the dataset.
 *
 * The stored export leaves out `primaryTopicOf`, which names the URL a representation
 * was requested at (`/dataset.ttl?version=3` …): the HTTP layer appends those triples
 * (`datasetTrailer`) when it serves the file, so each response is exactly the graph of
 * the JSON-LD the API serves for that URL.
 */
import { CsvBuilder } from './csv';
import { ActiveContext, JsonLdToRdf, newStats, type Block, type ConversionStats } from './jsonld-to-rdf';
import { NTriplesWriter } from './ntriples';
import { TurtleWriter } from './turtle';

export type ExportFormat = 'ttl' | 'nt' | 'csv';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['ttl', 'nt', 'csv'];

export interface TextSink {
  write(text: string): void | Promise<void>;
}

export interface ExportSummary {
  authorities: number;
  periods: number;
  /** CSV only: the number of rows. */
  rows?: number;
  stats: ConversionStats;
}

/** The blank node label of a dataset document without `@id`, shared with its trailer. */
const TOP_LABEL = 'd';
const FLUSH_CHARS = 256 * 1024;

type JsonObject = Record<string, unknown>;

/** One authority of the dataset: its key in the `authorities` map, and the authority with its periods in place. */
export interface AuthorityEntry {
  id: string;
  authority: JsonObject;
}

interface RdfWriter {
  header(): string;
  blocks(blocks: Block[]): string;
  labelScope?(scope: string | null): void;
}

function rdfWriter(format: 'ttl' | 'nt', context: ActiveContext, labelPrefix?: string): RdfWriter {
  return format === 'ttl' ? new TurtleWriter(context.prefixes()) : new NTriplesWriter(labelPrefix);
}

function periodCount(authority: JsonObject): number {
  const periods = authority.periods;
  return periods && typeof periods === 'object' ? Object.keys(periods).length : 0;
}

/**
 * The text of a dataset export in pieces: `head()` (prefixes and the dataset's own
 * members), then `authority()` once per authority in dataset order. An authority's text
 * depends only on that authority, its id, the dataset's stored members (context and
 * subject) and this code — never on the authorities before it (blank node labels are
 * scoped by the authority's id) — so a stored piece can stand in for a fresh one
 * (workers/exports/fragments.ts). CSV has no such pieces: its rows are sorted and its
 * labels merged across the whole dataset.
 */
export class DatasetRdf {
  readonly stats: ConversionStats;
  /** Whether the version has an `authorities` map at all (version 0 has nothing). */
  readonly hasAuthorities: boolean;
  private readonly doc: JsonObject;
  private readonly converter: JsonLdToRdf;
  private readonly writer: RdfWriter;
  private readonly subject: ReturnType<JsonLdToRdf['subjectOf']>;

  constructor(format: 'ttl' | 'nt', metaJson: string | null, stats: ConversionStats = newStats()) {
    this.doc = (metaJson ? JSON.parse(metaJson) : {}) as JsonObject;
    const context = ActiveContext.from(this.doc['@context']);
    this.stats = stats;
    this.converter = new JsonLdToRdf(context, stats);
    this.writer = rdfWriter(format, context);
    const { authorities: _placeholder, ...members } = this.doc;
    this.hasAuthorities = 'authorities' in this.doc;
    this.subject = this.hasAuthorities ? this.converter.subjectOf(members, TOP_LABEL) : null;
  }

  /** The prefixes, then the triples of the dataset's own members. */
  head(): string {
    const { authorities: _placeholder, ...members } = this.doc;
    let out = this.writer.header();
    if (Object.keys(members).length > 0) out += this.writer.blocks(this.converter.convert(members, { label: TOP_LABEL }));
    return out;
  }

  /** One authority's triples (the dataset's link to it among them). */
  authority(entry: AuthorityEntry): string {
    this.converter.labelScope(entry.id);
    this.writer.labelScope?.(entry.id);
    // The key of the `authorities` map (an @index) carries no triple.
    const text = this.writer.blocks(this.converter.convertProperty(this.subject!, 'authorities', { authority: entry.authority }));
    this.converter.labelScope(null);
    this.writer.labelScope?.(null);
    return text;
  }
}

/**
 * The whole dataset at one version. `metaJson`: the stored dataset members (`authorities`
 * as `{}`), or null for the empty version 0.
 */
export async function exportDataset(
  format: ExportFormat,
  metaJson: string | null,
  authorities: AsyncIterable<AuthorityEntry>,
  sink: TextSink,
): Promise<ExportSummary> {
  if (format === 'csv') return exportCsv(metaJson, authorities, sink);
  const rdf = new DatasetRdf(format, metaJson);
  const summary: ExportSummary = { authorities: 0, periods: 0, stats: rdf.stats };
  let pending = rdf.head();
  if (rdf.hasAuthorities) {
    for await (const entry of pacedAuthorities(authorities, summary)) {
      pending += rdf.authority(entry);
      if (pending.length >= FLUSH_CHARS) {
        await sink.write(pending);
        pending = '';
      }
    }
  }
  if (pending) await sink.write(pending);
  return summary;
}

async function exportCsv(metaJson: string | null, authorities: AsyncIterable<AuthorityEntry>, sink: TextSink): Promise<ExportSummary> {
  const doc = (metaJson ? JSON.parse(metaJson) : {}) as JsonObject;
  const context = ActiveContext.from(doc['@context']);
  const stats = newStats();
  const converter = new JsonLdToRdf(context, stats);
  const csv = new CsvBuilder();
  const summary: ExportSummary = { authorities: 0, periods: 0, stats };
  const { authorities: _placeholder, ...members } = doc;
  if (Object.keys(members).length > 0) csv.add(converter.convert(members, { label: TOP_LABEL }));
  if ('authorities' in doc) {
    const subject = converter.subjectOf(members, TOP_LABEL)!;
    for await (const entry of pacedAuthorities(authorities, summary)) {
      converter.labelScope(entry.id);
      csv.add(converter.convertProperty(subject, 'authorities', { authority: entry.authority }));
    }
  }
  summary.rows = await csv.write(sink);
  return summary;
}

/** Periods converted between two turns given to the event loop. */
const YIELD_EVERY = 250;

/** The authorities, counted into `summary`, with a turn for the event loop now and then. */
export async function* pacedAuthorities(authorities: AsyncIterable<AuthorityEntry>, summary: ExportSummary): AsyncGenerator<AuthorityEntry> {
  let sinceYield = 0;
  for await (const entry of authorities) {
    const count = periodCount(entry.authority);
    summary.authorities++;
    summary.periods += count;
    // Locally the consumer shares workerd's one thread with requests and merges, which
    // would otherwise wait for whole pages.
    sinceYield += count + 1;
    if (sinceYield >= YIELD_EVERY) {
      sinceYield = 0;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    yield entry;
  }
}

/**
 * The triples a served dataset representation adds to the stored export: its
 * `primaryTopicOf` member, read with the dataset's context (none for CSV, which only
 * lists periods, nor for the empty version 0, served as `{}`).
 */
export function datasetTrailer(format: ExportFormat, metaJson: string | null, primaryTopicOf: JsonObject): string {
  if (format === 'csv' || !metaJson) return '';
  const doc = JSON.parse(metaJson) as JsonObject;
  if (Object.keys(doc).length === 0) return '';
  const context = ActiveContext.from(doc['@context']);
  const converter = new JsonLdToRdf(context);
  const { authorities: _placeholder, ...members } = doc;
  const subject = converter.subjectOf(members, TOP_LABEL)!;
  return rdfWriter(format, context, 't').blocks(converter.convertProperty(subject, 'primaryTopicOf', primaryTopicOf));
}

/** One JSON-LD document (an authority, a period, …) with its inline `@context`, converted at once. */
export async function renderDocument(format: ExportFormat, doc: JsonObject): Promise<string> {
  const context = ActiveContext.from(doc['@context']);
  const converter = new JsonLdToRdf(context);
  const blocks = converter.convert(doc);
  if (format !== 'csv') {
    const writer = rdfWriter(format, context);
    return writer.header() + writer.blocks(blocks);
  }
  const csv = new CsvBuilder();
  csv.add(blocks);
  let out = '';
  await csv.write({ write: (text) => void (out += text) });
  return out;
}

/** Collects a sink's text (tests, small documents). */
export class StringSink implements TextSink {
  text = '';
  write(text: string): void {
    this.text += text;
  }
}
