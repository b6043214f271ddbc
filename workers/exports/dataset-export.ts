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

interface RdfWriter {
  header(): string;
  blocks(blocks: Block[]): string;
}

function rdfWriter(format: 'ttl' | 'nt', context: ActiveContext, labelPrefix?: string): RdfWriter {
  return format === 'ttl' ? new TurtleWriter(context.prefixes()) : new NTriplesWriter(labelPrefix);
}

/**
 * The whole dataset at one version. `metaJson`: the stored dataset members (`authorities`
 * as `{}`), or null for the empty version 0. The export consumer hands the authorities in
 * through `fairly()` (shared/fair-share.ts), which gives other requests their turns.
 */
export async function exportDataset(
  format: ExportFormat,
  metaJson: string | null,
  authorities: AsyncIterable<JsonObject>,
  sink: TextSink,
): Promise<ExportSummary> {
  const doc = (metaJson ? JSON.parse(metaJson) : {}) as JsonObject;
  const context = ActiveContext.from(doc['@context']);
  const stats = newStats();
  const converter = new JsonLdToRdf(context, stats);
  const csv = format === 'csv' ? new CsvBuilder() : null;
  const writer = format === 'csv' ? null : rdfWriter(format, context);
  const summary: ExportSummary = { authorities: 0, periods: 0, stats };

  let pending = writer ? writer.header() : '';
  const emit = async (blocks: Block[]) => {
    if (csv) {
      csv.add(blocks);
      return;
    }
    pending += writer!.blocks(blocks);
    if (pending.length >= FLUSH_CHARS) {
      await sink.write(pending);
      pending = '';
    }
  };

  const { authorities: _placeholder, ...members } = doc;
  if (Object.keys(members).length > 0) await emit(converter.convert(members, { label: TOP_LABEL }));
  if ('authorities' in doc) {
    const subject = converter.subjectOf(members, TOP_LABEL)!;
    for await (const authority of authorities) {
      summary.authorities++;
      const periods = authority.periods;
      const count = periods && typeof periods === 'object' ? Object.keys(periods).length : 0;
      summary.periods += count;
      // The key of the `authorities` map (an @index) carries no triple.
      await emit(converter.convertProperty(subject, 'authorities', { authority }));
    }
  }
  if (csv) {
    summary.rows = await csv.write(sink);
  } else if (pending) {
    await sink.write(pending);
  }
  return summary;
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
