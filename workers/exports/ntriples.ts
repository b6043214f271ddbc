/**
 * A streaming N-Triples writer: one line per triple, blank nodes used once (nested
 * objects, list cells) labelled `_:b<n>` by a counter that runs across the whole file
 * (the data's own shared blank nodes keep the converter's `e<n>` / `n<n>` labels).
 */
import { RDF_FIRST, RDF_NIL, RDF_REST, type Block, type Properties, type RdfObject } from './jsonld-to-rdf';
import { iriRef, literalText } from './rdf-syntax';

export class NTriplesWriter {
  private next = 0;
  private readonly labelPrefix: string;

  /** `labelPrefix` keeps the labels of text appended to a file apart from the file's own. */
  constructor(labelPrefix = 'b') {
    this.labelPrefix = labelPrefix;
  }

  header(): string {
    return '';
  }

  blocks(blocks: Block[]): string {
    let out = '';
    for (const b of blocks) {
      if (b.props.size === 0) continue;
      const s = b.subject;
      out += this.properties(s.termType === 'NamedNode' ? iriRef(s.value) : s.termType === 'BlankNode' ? `_:${s.value}` : this.label(), b.props);
    }
    return out;
  }

  private label(): string {
    return `_:${this.labelPrefix}${this.next++}`;
  }

  private properties(subject: string, props: Properties): string {
    let out = '';
    for (const [predicate, objects] of props) {
      const p = iriRef(predicate);
      for (const o of objects) {
        const [text, more] = this.object(o);
        out += `${subject} ${p} ${text} .\n${more}`;
      }
    }
    return out;
  }

  /** The object's text, and the lines describing it when it is a nested node or a list. */
  private object(o: RdfObject): [string, string] {
    switch (o.termType) {
      case 'NamedNode':
        return [iriRef(o.value), ''];
      case 'BlankNode':
        return [`_:${o.value}`, ''];
      case 'Literal':
        return [literalText(o, iriRef), ''];
      case 'Anon': {
        const label = this.label();
        return [label, this.properties(label, o.props)];
      }
      case 'List': {
        if (o.items.length === 0) return [iriRef(RDF_NIL), ''];
        const head = this.label();
        let cell = head;
        let more = '';
        for (let i = 0; i < o.items.length; i++) {
          const [text, nested] = this.object(o.items[i]);
          const rest = i === o.items.length - 1 ? iriRef(RDF_NIL) : this.label();
          more += `${cell} ${iriRef(RDF_FIRST)} ${text} .\n${nested}${cell} ${iriRef(RDF_REST)} ${rest} .\n`;
          cell = rest;
        }
        return [head, more];
      }
    }
  }
}
