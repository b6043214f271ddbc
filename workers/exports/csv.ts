/**
 * The CSV export: the reference translator's SPARQL query (`periods-as-csv.rq`) evaluated
 * over the same RDF graph the Turtle export holds, without materialising that graph.
 *
 * As blocks stream through, only the triples the query can reach are kept, as integers
 * (subject, predicate code, object) over interned terms: a concept's type, labels,
 * schemes, spatial coverage, start and stop, broader links, and the schemes' sources.
 * IRI-identified nodes merge across the whole document as in any RDF graph (a place's
 * labels, a source or creator named by IRI in several authorities), so the cells are
 * the query's answer on the whole graph. The rows are produced at the end:
 *
 *   period, label, spatial_coverage, start, stop, authority, source, publication_year,
 *   broader_periods, narrower_periods
 *
 * one row per `skos:Concept` that has a `skos:prefLabel` and a `skos:inScheme`, cells
 * joined as the query's `group_concat(distinct …)` joins them (`|`, ` | ` for places and
 * sources, a space for broader and narrower), `start` only when the joined text is an
 * integer (the query casts it with `xsd:integer`), rows ordered by publication year,
 * source, spatial coverage and start (unbound first, integers by value, text by UTF-16
 * code units), as the query orders them. Where SPARQL leaves an order open, it is fixed
 * here: values of one alternative of a path are sorted, alternatives in the query's
 * order (title, creator names, contributor names; a source before what it is part of;
 * description before place labels; `time:year` before earliest/latest year), and rows
 * that tie keep the dataset's order. Lines end with CRLF, fields are quoted when they hold
 * a quote, comma or line break (SPARQL 1.1 CSV results, as Jena writes them).
 */
import { RDF_TYPE, XSD_STRING, type Block, type Properties, type RdfObject } from './jsonld-to-rdf';

export const CSV_COLUMNS = [
  'period',
  'label',
  'spatial_coverage',
  'start',
  'stop',
  'authority',
  'source',
  'publication_year',
  'broader_periods',
  'narrower_periods',
] as const;

const SKOS = 'http://www.w3.org/2004/02/skos/core#';
const DC = 'http://purl.org/dc/terms/';
const FOAF = 'http://xmlns.com/foaf/0.1/';
const TIME = 'http://www.w3.org/2006/time#';
const PERIODO = 'http://n2t.net/ark:/99152/p0v#';
const SKOS_CONCEPT = `${SKOS}Concept`;

// Predicate codes of the triples the query reads.
const TYPE = 0;
const PREF_LABEL = 1;
const IN_SCHEME = 2;
const SOURCE = 3;
const IS_PART_OF = 4;
const TITLE = 5;
const CREATOR = 6;
const CONTRIBUTOR = 7;
const NAME = 8;
const ISSUED = 9;
const SPATIAL_DESCRIPTION = 10;
const SPATIAL = 11;
const STARTED_BY = 12;
const FINISHED_BY = 13;
const DATE_TIME_DESCRIPTION = 14;
const YEAR = 15;
const EARLIEST_YEAR = 16;
const LATEST_YEAR = 17;
const BROADER = 18;

const PREDICATES = new Map<string, number>([
  [RDF_TYPE, TYPE],
  [`${SKOS}prefLabel`, PREF_LABEL],
  [`${SKOS}inScheme`, IN_SCHEME],
  [`${DC}source`, SOURCE],
  [`${DC}isPartOf`, IS_PART_OF],
  [`${DC}title`, TITLE],
  [`${DC}creator`, CREATOR],
  [`${DC}contributor`, CONTRIBUTOR],
  [`${FOAF}name`, NAME],
  [`${DC}issued`, ISSUED],
  [`${PERIODO}spatialCoverageDescription`, SPATIAL_DESCRIPTION],
  [`${DC}spatial`, SPATIAL],
  [`${TIME}intervalStartedBy`, STARTED_BY],
  [`${TIME}intervalFinishedBy`, FINISHED_BY],
  [`${TIME}hasDateTimeDescription`, DATE_TIME_DESCRIPTION],
  [`${TIME}year`, YEAR],
  [`${PERIODO}earliestYear`, EARLIEST_YEAR],
  [`${PERIODO}latestYear`, LATEST_YEAR],
  [`${SKOS}broader`, BROADER],
]);

/** A growable column of integers. */
class Column<T extends Int32Array | Uint8Array> {
  data: T;
  length = 0;
  private readonly make: (size: number) => T;
  constructor(make: (size: number) => T) {
    this.make = make;
    this.data = make(4096);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(Math.ceil(this.data.length * 1.5));
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  release(): void {
    this.data = this.make(0);
    this.length = 0;
  }
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const INTEGER = /^[+-]?[0-9]+$/;

interface Row {
  concept: number;
  order: number;
  publicationYear: string;
  source: string;
  spatial: string;
  start: string;
  /** The start as a number, or null when unbound (the joined text is not an integer). */
  startValue: number | null;
}

export class CsvBuilder {
  /** Interned terms: IRIs as themselves, `_:label` blank nodes, literals under a NUL-led key. */
  private readonly ids = new Map<string, number>();
  private readonly texts: string[] = [];
  /** Blank nodes used once get negative ids, without text. */
  private anonymous = 0;
  private readonly s = new Column((n) => new Int32Array(n));
  private readonly p = new Column((n) => new Uint8Array(n));
  private readonly o = new Column((n) => new Int32Array(n));
  private concept = -1;

  /** Keeps what the query can reach from these blocks. */
  add(blocks: Block[]): void {
    for (const b of blocks) {
      if (b.props.size === 0) continue;
      const subject = b.subject;
      const id =
        subject.termType === 'NamedNode' ? this.intern(subject.value, subject.value) : subject.termType === 'BlankNode' ? this.intern(`_:${subject.value}`, `_:${subject.value}`) : --this.anonymous;
      this.properties(id, b.props);
    }
  }

  private intern(key: string, text: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.texts.length;
      this.ids.set(key, id);
      this.texts.push(text);
      if (text === SKOS_CONCEPT) this.concept = id;
    }
    return id;
  }

  private properties(subject: number, props: Properties): void {
    for (const [predicate, objects] of props) {
      const code = PREDICATES.get(predicate);
      for (const o of objects) {
        const object = this.object(o);
        if (code === undefined || object === null) continue;
        if (code === TYPE && object !== this.concept) continue;
        this.s.push(subject);
        this.p.push(code);
        this.o.push(object);
      }
    }
  }

  /** The object's id, after keeping what a nested node holds; null for lists. */
  private object(o: RdfObject): number | null {
    switch (o.termType) {
      case 'NamedNode':
        return this.intern(o.value, o.value);
      case 'BlankNode':
        return this.intern(`_:${o.value}`, `_:${o.value}`);
      case 'Literal': {
        const key = o.language ? `\u0001${o.language}\u0001${o.value}` : o.datatype === XSD_STRING ? `\u0000${o.value}` : `\u0002${o.datatype}\u0002${o.value}`;
        return this.intern(key, o.value);
      }
      case 'Anon': {
        const id = --this.anonymous;
        this.properties(id, o.props);
        return id;
      }
      case 'List':
        // The query never walks rdf:first/rest, but nodes inside a list may be concepts.
        for (const item of o.items) this.object(item);
        return null;
    }
  }

  /** Writes the CSV: the header, then every row in the query's order. */
  async write(sink: { write(text: string): void | Promise<void> }): Promise<number> {
    const graph = new Graph(this.texts.length, -this.anonymous, this.s, this.p, this.o);
    // From here on only the graph and the terms' texts are read: let the rest go.
    this.ids.clear();
    for (const column of [this.s, this.p, this.o]) column.release();
    const text = (id: number) => (id >= 0 ? this.texts[id] : `_:b${-id - 1}`);
    const cell = (groups: number[][], separator: string) => {
      const seen = new Set<number>();
      const parts: string[] = [];
      for (const group of groups) {
        const fresh = group.filter((id) => !seen.has(id) && (seen.add(id), true)).map(text);
        parts.push(...fresh.sort(byCodeUnits));
      }
      return parts.join(separator);
    };

    // Concepts in the order they were first typed so.
    const rows: Row[] = [];
    // The periods of one authority share its source cells: computed once per set of schemes.
    const sources = new Map<string, { publicationYear: string; source: string }>();
    for (const c of graph.concepts) {
      const schemes = graph.objects(c, IN_SCHEME);
      if (graph.objects(c, PREF_LABEL).length === 0 || schemes.length === 0) continue;
      const schemesKey = schemes.join(' ');
      let source = sources.get(schemesKey);
      if (!source) {
        const ys = this.sourceNodes(graph, schemes);
        source = {
          publicationYear: cell(ys.map((y) => graph.objects(y, ISSUED)), '|'),
          source: cell(ys.flatMap((y) => [graph.objects(y, TITLE), graph.path(y, CREATOR, NAME), graph.path(y, CONTRIBUTOR, NAME)]), ' | '),
        };
        sources.set(schemesKey, source);
      }
      const starts = this.yearCell(graph, c, STARTED_BY, EARLIEST_YEAR, cell);
      rows.push({
        concept: c,
        order: rows.length,
        ...source,
        spatial: cell([graph.objects(c, SPATIAL_DESCRIPTION), graph.path(c, SPATIAL, PREF_LABEL)], ' | '),
        start: INTEGER.test(starts) ? starts : '',
        startValue: INTEGER.test(starts) ? Number(starts) : null,
      });
    }

    rows.sort(
      (a, b) =>
        byCodeUnits(a.publicationYear, b.publicationYear) ||
        byCodeUnits(a.source, b.source) ||
        byCodeUnits(a.spatial, b.spatial) ||
        (a.startValue === b.startValue ? 0 : a.startValue === null ? -1 : b.startValue === null ? 1 : a.startValue - b.startValue) ||
        a.order - b.order,
    );

    const narrower = graph.inverse(BROADER);
    let out = `${CSV_COLUMNS.join(',')}\r\n`;
    for (const row of rows) {
      const c = row.concept;
      const fields = [
        text(c),
        cell([graph.objects(c, PREF_LABEL)], '|'),
        row.spatial,
        row.start,
        this.yearCell(graph, c, FINISHED_BY, LATEST_YEAR, cell),
        cell([graph.objects(c, IN_SCHEME)], '|'),
        row.source,
        row.publicationYear,
        cell([graph.objects(c, BROADER)], ' '),
        cell([narrower.get(c) ?? []], ' '),
      ];
      out += `${fields.map(csvField).join(',')}\r\n`;
      if (out.length >= 64 * 1024) {
        await sink.write(out);
        out = '';
      }
    }
    await sink.write(out);
    return rows.length;
  }

  /** `?scheme dc:source/dc:isPartOf? ?y` for a concept's schemes: each source, then what it is part of. */
  private sourceNodes(graph: Graph, schemes: number[]): number[] {
    const out: number[] = [];
    for (const scheme of [...schemes].sort((a, b) => byCodeUnits(this.texts[a] ?? '', this.texts[b] ?? ''))) {
      for (const x of graph.objects(scheme, SOURCE)) {
        out.push(x);
        out.push(...graph.objects(x, IS_PART_OF));
      }
    }
    return out;
  }

  /** `?concept <interval>/time:hasDateTimeDescription [ (time:year|<alternative>) ?y ]`, joined with `|`. */
  private yearCell(graph: Graph, concept: number, interval: number, alternative: number, cell: (groups: number[][], separator: string) => string): string {
    const descriptions = graph.path(concept, interval, DATE_TIME_DESCRIPTION);
    return cell([descriptions.flatMap((d) => graph.objects(d, YEAR)), descriptions.flatMap((d) => graph.objects(d, alternative))], '|');
  }
}

/** The kept triples indexed by subject (compressed rows), read by the query. */
class Graph {
  private readonly offsets: Int32Array;
  private readonly predicates: Uint8Array;
  private readonly objectIds: Int32Array;
  private readonly named: number;
  /** Subjects typed skos:Concept, in the order of their first such triple. */
  readonly concepts: number[] = [];

  constructor(named: number, anonymous: number, s: Column<Int32Array>, p: Column<Uint8Array>, o: Column<Int32Array>) {
    this.named = named;
    const nodes = named + anonymous;
    const typed = new Set<number>();
    for (let i = 0; i < s.length; i++) {
      if (p.data[i] === TYPE && !typed.has(s.data[i])) {
        typed.add(s.data[i]);
        this.concepts.push(s.data[i]);
      }
    }
    const counts = new Int32Array(nodes + 1);
    for (let i = 0; i < s.length; i++) counts[this.index(s.data[i]) + 1]++;
    for (let i = 0; i < nodes; i++) counts[i + 1] += counts[i];
    const fill = counts.slice(0, nodes);
    // (predicate, object) pairs of each subject, as one sortable number each.
    const pairs = new Float64Array(s.length);
    for (let i = 0; i < s.length; i++) pairs[fill[this.index(s.data[i])]++] = p.data[i] * 4294967296 + (o.data[i] >>> 0);
    // A graph is a set: the same triple stated again (a place's label in every period
    // that names the place) is kept once, so walks stay linear.
    const offsets = new Int32Array(nodes + 1);
    this.predicates = new Uint8Array(s.length);
    this.objectIds = new Int32Array(s.length);
    let kept = 0;
    for (let n = 0; n < nodes; n++) {
      offsets[n] = kept;
      const segment = pairs.subarray(counts[n], counts[n + 1]);
      if (segment.length > 1) segment.sort();
      for (let i = 0; i < segment.length; i++) {
        if (i > 0 && segment[i] === segment[i - 1]) continue;
        this.predicates[kept] = Math.floor(segment[i] / 4294967296);
        this.objectIds[kept] = segment[i] % 4294967296 | 0;
        kept++;
      }
    }
    offsets[nodes] = kept;
    this.offsets = offsets;
  }

  private index(id: number): number {
    return id >= 0 ? id : this.named - id - 1;
  }

  objects(subject: number, predicate: number): number[] {
    const out: number[] = [];
    const i = this.index(subject);
    for (let at = this.offsets[i]; at < this.offsets[i + 1]; at++) if (this.predicates[at] === predicate) out.push(this.objectIds[at]);
    return out;
  }

  /** `subject first/second ?x`. */
  path(subject: number, first: number, second: number): number[] {
    return this.objects(subject, first).flatMap((x) => this.objects(x, second));
  }

  /** Object → subjects of one predicate (for narrower periods: `?n skos:broader ?concept`). */
  inverse(predicate: number): Map<number, number[]> {
    const out = new Map<number, number[]>();
    const nodes = this.offsets.length - 1;
    for (let n = 0; n < nodes; n++) {
      for (let at = this.offsets[n]; at < this.offsets[n + 1]; at++) {
        if (this.predicates[at] !== predicate) continue;
        const subject = n < this.named ? n : this.named - n - 1;
        const list = out.get(this.objectIds[at]);
        if (list) list.push(subject);
        else out.set(this.objectIds[at], [subject]);
      }
    }
    return out;
  }
}
