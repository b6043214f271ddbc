/**
 * A streaming Turtle writer: the prefixes of the context first, then subject blocks as the
 * converter produces them, each written once and forgotten. Blank nodes used once are
 * nested as `[ … ]`, lists as `( … )`; only the data's shared blank nodes carry labels.
 */
import { RDF_TYPE, type Block, type Properties, type RdfObject, type Subject } from './jsonld-to-rdf';
import { iriRef, literalText } from './rdf-syntax';

const LOCAL_NAME = /^([A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?$/;
const PAD = ['', '    ', '        ', '            ', '                '];

function pad(depth: number): string {
  return PAD[depth] ?? '    '.repeat(depth);
}

export class TurtleWriter {
  /** Namespace IRI → prefix. */
  private readonly namespaces = new Map<string, string>();
  private readonly prefixes: Map<string, string>;

  /** `prefixes`: prefix → namespace IRI, as `ActiveContext.prefixes()` gives them. */
  constructor(prefixes: Map<string, string> = new Map()) {
    this.prefixes = prefixes;
    for (const [prefix, ns] of prefixes) if (!this.namespaces.has(ns)) this.namespaces.set(ns, prefix);
  }

  /** The `@prefix` lines that start the document. */
  header(): string {
    let out = '';
    for (const [prefix, ns] of this.prefixes) if (this.namespaces.get(ns) === prefix) out += `@prefix ${prefix}: ${iriRef(ns)} .\n`;
    return out ? `${out}\n` : '';
  }

  /** The blocks as Turtle statements (blocks without triples write nothing). */
  blocks(blocks: Block[]): string {
    let out = '';
    for (const b of blocks) {
      if (b.props.size === 0) continue;
      out += b.subject.termType === 'Anon' ? `[\n${pad(1)}${this.properties(b.props, 1)}\n] .\n` : `${this.subject(b.subject)} ${this.properties(b.props, 1)} .\n`;
    }
    return out;
  }

  iri(iri: string): string {
    const cut = Math.max(iri.lastIndexOf('#'), iri.lastIndexOf('/'), iri.lastIndexOf(':')) + 1;
    if (cut > 0) {
      const prefix = this.namespaces.get(iri.slice(0, cut));
      if (prefix !== undefined) {
        const local = iri.slice(cut);
        if (LOCAL_NAME.test(local)) return `${prefix}:${local}`;
      }
    }
    return iriRef(iri);
  }

  private subject(s: Exclude<Subject, { termType: 'Anon' }>): string {
    return s.termType === 'NamedNode' ? this.iri(s.value) : `_:${s.value}`;
  }

  private properties(props: Properties, depth: number): string {
    let out = '';
    let first = true;
    for (const [predicate, objects] of props) {
      if (objects.length === 0) continue;
      if (!first) out += ` ;\n${pad(depth)}`;
      first = false;
      out += predicate === RDF_TYPE ? 'a' : this.iri(predicate);
      for (let i = 0; i < objects.length; i++) out += `${i === 0 ? ' ' : ', '}${this.object(objects[i], depth)}`;
    }
    return out;
  }

  private object(o: RdfObject, depth: number): string {
    switch (o.termType) {
      case 'NamedNode':
        return this.iri(o.value);
      case 'BlankNode':
        return `_:${o.value}`;
      case 'Literal':
        return literalText(o, (dt) => this.iri(dt));
      case 'Anon':
        return o.props.size === 0 ? '[]' : `[\n${pad(depth + 1)}${this.properties(o.props, depth + 1)}\n${pad(depth)}]`;
      case 'List':
        return o.items.length === 0 ? '()' : `( ${o.items.map((item) => this.object(item, depth)).join(' ')} )`;
    }
  }
}
