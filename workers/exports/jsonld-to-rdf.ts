/**
 * JSON-LD to RDF, specialised for streaming: one node object (an authority with its
 * periods, a period, the dataset's own members) at a time, against a context processed
 * once. The result is the graph jsonld.js (`toRDF`, JSON-LD 1.1) produces from the same
 * document: tests compare both by canonical isomorphism.
 *
 * What is supported is what PeriodO's contexts and data use, and a little more: term
 * definitions with `@id`, `@type` (`@id`, `@vocab`, `@none`, datatypes), `@language`,
 * `@reverse`, `@prefix`, `@container` `@index` / `@language` / `@set` / `@list`; keyword
 * aliases; compact IRIs; `@vocab`; `@base`-relative IRIs; default `@language`; value,
 * list and set objects; the `@reverse` keyword; nested node objects (blank nodes unless
 * they have an `@id`, shared `_:` labels across the whole document). Any other JSON-LD
 * feature (scoped or remote contexts, `@graph`, `@nest`, `@included`, `@json`, id/type/
 * graph maps, property-valued indexes, `@direction`) is refused with an
 * `UnsupportedJsonLdError` naming it: nothing is skipped silently. What JSON-LD itself
 * drops (keys no term or IRI maps, triples with relative IRIs or blank-node predicates)
 * is dropped here too, and counted in `ConversionStats`.
 *
 * Output is a list of subject blocks: a subject with its predicates and objects, where a
 * blank node used once (every nested object without `@id`) stays inline as an anonymous
 * node, so Turtle can nest it as `[ … ]` and N-Triples can label it as it writes.
 */
import { Base, isAbsoluteIri } from './iri';

export const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
export const RDF_TYPE = `${RDF}type`;
export const RDF_FIRST = `${RDF}first`;
export const RDF_REST = `${RDF}rest`;
export const RDF_NIL = `${RDF}nil`;
export const RDF_LANGSTRING = `${RDF}langString`;
export const XSD = 'http://www.w3.org/2001/XMLSchema#';
export const XSD_STRING = `${XSD}string`;
export const XSD_BOOLEAN = `${XSD}boolean`;
export const XSD_INTEGER = `${XSD}integer`;
export const XSD_DOUBLE = `${XSD}double`;

export class UnsupportedJsonLdError extends Error {}
export class InvalidJsonLdError extends Error {}

// ---------------------------------------------------------------------------------------
// Terms and blocks
// ---------------------------------------------------------------------------------------

export interface NamedNode {
  readonly termType: 'NamedNode';
  readonly value: string;
}
/** A labelled blank node (shared `_:x` ids of the data, or one that needs a label). */
export interface BlankNode {
  readonly termType: 'BlankNode';
  readonly value: string;
}
export interface Literal {
  readonly termType: 'Literal';
  readonly value: string;
  /** Absolute datatype IRI; rdf:langString when `language` is set. */
  readonly datatype: string;
  /** Lower-cased language tag, or ''. */
  readonly language: string;
}
/** A blank node used exactly once, described in place. */
export interface AnonNode {
  readonly termType: 'Anon';
  readonly props: Properties;
}
/** An RDF collection (`@list`): rdf:nil when empty. */
export interface ListTerm {
  readonly termType: 'List';
  readonly items: RdfObject[];
}

export type Subject = NamedNode | BlankNode | AnonNode;
export type RdfObject = NamedNode | BlankNode | Literal | AnonNode | ListTerm;
/** Predicate IRI → objects, in the order first seen (`rdf:type` first). */
export type Properties = Map<string, RdfObject[]>;

export interface Block {
  subject: Subject;
  props: Properties;
}

export interface ConversionStats {
  /** Keys that map to no IRI (JSON-LD ignores them), by key. */
  droppedKeys: Map<string, number>;
  /** Triples left out because an IRI was relative or malformed, or a predicate a blank node. */
  droppedTriples: number;
  /** Literals left out because their language tag cannot be written in Turtle or N-Triples. */
  droppedLanguageTags: number;
}

export function newStats(): ConversionStats {
  return { droppedKeys: new Map(), droppedTriples: 0, droppedLanguageTags: 0 };
}

// ---------------------------------------------------------------------------------------
// Context processing
// ---------------------------------------------------------------------------------------

const KEYWORDS = new Set([
  '@base', '@container', '@context', '@direction', '@graph', '@id', '@import', '@included', '@index', '@json',
  '@language', '@list', '@nest', '@none', '@prefix', '@propagate', '@protected', '@reverse', '@set', '@type',
  '@value', '@version', '@vocab',
]);
const KEYWORD_LIKE = /^@[a-zA-Z]+$/;
const GEN_DELIM_END = /[:/?#[\]@]$/;

export interface TermDefinition {
  /** Absolute IRI, `_:` blank node id, or a keyword (an alias); null: explicitly unmapped. */
  readonly id: string | null;
  readonly reverse: boolean;
  /** `@id`, `@vocab`, `@none`, or a datatype IRI. */
  readonly type?: string;
  /** Present (possibly null) when the term sets its own language. */
  readonly language?: string | null;
  readonly container: readonly string[];
  /** May serve as the prefix of a compact IRI. */
  readonly prefix: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A processed `@context`: the active context every node of a document is read with. */
export class ActiveContext {
  readonly terms = new Map<string, TermDefinition | null>();
  base: Base | null = null;
  vocab: string | null = null;
  language: string | null = null;

  /** Processes an inline context object (the dataset's own `@context`, read from storage). */
  static from(context: unknown): ActiveContext {
    const active = new ActiveContext();
    if (context === undefined || context === null) return active;
    if (!isObject(context)) {
      throw new UnsupportedJsonLdError(
        `only an inline @context object is supported here (got ${Array.isArray(context) ? 'an array' : typeof context}); resolve remote contexts first`,
      );
    }
    new ContextBuilder(active, context).build();
    return active;
  }

  /** IRI expansion (JSON-LD 1.1 §5.2): `vocab` for keys and types, `base` for ids. */
  expandIri(value: string, vocab: boolean, documentRelative: boolean): string | null {
    if (KEYWORDS.has(value)) return value;
    if (KEYWORD_LIKE.test(value)) return null;
    if (vocab) {
      const def = this.terms.get(value);
      if (def === null) return null;
      if (def !== undefined) return def.id;
    }
    const colon = value.indexOf(':');
    if (colon > 0) {
      const prefix = value.slice(0, colon);
      const suffix = value.slice(colon + 1);
      if (prefix === '_' || suffix.startsWith('//')) return value;
      const def = this.terms.get(prefix);
      if (def && def.prefix && def.id !== null) return def.id + suffix;
      if (isAbsoluteIri(value)) return value;
    }
    if (vocab && this.vocab !== null) return this.vocab + value;
    if (documentRelative && this.base) return this.base.resolve(value);
    return value;
  }

  /** Namespaces usable as Turtle prefixes: the context's own prefix terms. */
  prefixes(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [term, def] of this.terms) {
      if (def && def.prefix && def.id !== null && !def.id.startsWith('_:') && /^[A-Za-z]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$/.test(term)) {
        out.set(term, def.id);
      }
    }
    return out;
  }
}

const TERM_KEYS = new Set(['@container', '@id', '@language', '@reverse', '@type', '@context', '@direction', '@index', '@nest', '@prefix', '@protected']);
const SUPPORTED_CONTAINERS = new Set(['@index', '@language', '@set', '@list']);

class ContextBuilder {
  private readonly defined = new Map<string, boolean>();
  private readonly active: ActiveContext;
  private readonly local: JsonObject;

  constructor(active: ActiveContext, local: JsonObject) {
    this.active = active;
    this.local = local;
  }

  build(): void {
    const local = this.local;
    if ('@import' in local) throw new UnsupportedJsonLdError('@import in a context is not supported');
    if ('@direction' in local && local['@direction'] !== null) throw new UnsupportedJsonLdError('@direction in a context is not supported');
    if ('@version' in local && local['@version'] !== 1.1) throw new InvalidJsonLdError(`invalid @version ${JSON.stringify(local['@version'])}`);
    if ('@base' in local) {
      const base = local['@base'];
      if (base === null) this.active.base = null;
      else if (typeof base === 'string' && isAbsoluteIri(base)) this.active.base = new Base(base);
      else if (typeof base === 'string' && this.active.base) this.active.base = new Base(this.active.base.resolve(base));
      else throw new UnsupportedJsonLdError(`@base must be an absolute IRI here (got ${JSON.stringify(base)})`);
    }
    if ('@vocab' in local) {
      const vocab = local['@vocab'];
      if (vocab === null) this.active.vocab = null;
      else if (typeof vocab === 'string') {
        const expanded = this.active.expandIri(vocab, true, false);
        if (expanded === null || !(isAbsoluteIri(expanded) || expanded.startsWith('_:'))) {
          throw new UnsupportedJsonLdError(`@vocab must be an absolute or compact IRI here (got ${JSON.stringify(vocab)})`);
        }
        this.active.vocab = expanded;
      } else throw new InvalidJsonLdError('@vocab must be a string or null');
    }
    if ('@language' in local) {
      const language = local['@language'];
      if (language === null) this.active.language = null;
      else if (typeof language === 'string') this.active.language = language.toLowerCase();
      else throw new InvalidJsonLdError('@language must be a string or null');
    }
    for (const term of Object.keys(local)) {
      if (term === '@base' || term === '@vocab' || term === '@language' || term === '@version' || term === '@protected' || term === '@propagate' || term === '@direction') continue;
      this.define(term);
    }
  }

  /** Expands a value used inside a term definition, defining the terms it depends on first. */
  private expand(value: string): string | null {
    if (Object.prototype.hasOwnProperty.call(this.local, value) && this.defined.get(value) !== true) this.define(value);
    const colon = value.indexOf(':');
    if (colon > 0) {
      const prefix = value.slice(0, colon);
      if (Object.prototype.hasOwnProperty.call(this.local, prefix) && this.defined.get(prefix) !== true) this.define(prefix);
    }
    return this.active.expandIri(value, true, false);
  }

  private define(term: string): void {
    const state = this.defined.get(term);
    if (state === true) return;
    if (state === false) throw new InvalidJsonLdError(`cyclic IRI mapping at term "${term}"`);
    this.defined.set(term, false);

    let value = this.local[term];
    if (KEYWORDS.has(term)) throw new InvalidJsonLdError(`keywords cannot be redefined ("${term}")`);
    if (KEYWORD_LIKE.test(term)) {
      // Reserved for future keywords: JSON-LD ignores such terms.
      this.defined.set(term, true);
      return;
    }
    if (term === '') throw new InvalidJsonLdError('a term cannot be the empty string');
    this.active.terms.delete(term);

    let simple = false;
    if (typeof value === 'string' || value === null) {
      simple = true;
      value = { '@id': value };
    }
    if (!isObject(value)) throw new InvalidJsonLdError(`the definition of "${term}" must be a string, null or an object`);
    for (const k of Object.keys(value)) {
      if (!TERM_KEYS.has(k)) throw new InvalidJsonLdError(`the definition of "${term}" must not contain ${k}`);
    }
    for (const k of ['@context', '@nest', '@index', '@direction']) {
      if (k in value) throw new UnsupportedJsonLdError(`${k} in the definition of "${term}" is not supported`);
    }

    const colon = term.indexOf(':');
    let id: string | null | undefined;
    let reverse = false;
    let prefix = false;
    if ('@reverse' in value) {
      if ('@id' in value) throw new InvalidJsonLdError(`"${term}": a @reverse definition must not contain @id`);
      const r = value['@reverse'];
      if (typeof r !== 'string') throw new InvalidJsonLdError(`"${term}": @reverse must be a string`);
      if (KEYWORD_LIKE.test(r)) {
        this.defined.set(term, true);
        return;
      }
      id = this.expand(r);
      if (id === null || !isAbsoluteIri(id)) throw new InvalidJsonLdError(`"${term}": @reverse must expand to an absolute IRI (got ${JSON.stringify(r)})`);
      reverse = true;
    } else if ('@id' in value) {
      const raw = value['@id'];
      if (raw === null) {
        id = null;
      } else if (typeof raw !== 'string') {
        throw new InvalidJsonLdError(`"${term}": @id must be a string or null`);
      } else if (!KEYWORDS.has(raw) && KEYWORD_LIKE.test(raw)) {
        this.defined.set(term, true);
        return;
      } else if (raw !== term) {
        id = this.expand(raw);
        if (id === null || !(isAbsoluteIri(id) || KEYWORDS.has(id))) {
          throw new InvalidJsonLdError(`"${term}": @id must expand to an absolute IRI, a blank node or a keyword (got ${JSON.stringify(raw)})`);
        }
        prefix = simple && colon <= 0 && GEN_DELIM_END.test(id);
      }
    }
    if (id === undefined) {
      if (colon > 0) {
        const p = term.slice(0, colon);
        if (Object.prototype.hasOwnProperty.call(this.local, p)) this.define(p);
        const parent = this.active.terms.get(p);
        id = parent && parent.id !== null ? parent.id + term.slice(colon + 1) : term;
      } else if (this.active.vocab !== null) {
        id = this.active.vocab + term;
      } else {
        throw new InvalidJsonLdError(`"${term}" defines no @id and the context has no @vocab`);
      }
    }
    if ('@prefix' in value) {
      if (typeof value['@prefix'] !== 'boolean') throw new InvalidJsonLdError(`"${term}": @prefix must be true or false`);
      prefix = value['@prefix'];
    }

    let type: string | undefined;
    if ('@type' in value) {
      const t = value['@type'];
      if (typeof t !== 'string') throw new InvalidJsonLdError(`"${term}": @type must be a string`);
      if (t === '@json') throw new UnsupportedJsonLdError(`"${term}": @type @json is not supported`);
      if (t === '@id' || t === '@vocab' || t === '@none') type = t;
      else {
        const expanded = this.expand(t);
        if (expanded === null || !isAbsoluteIri(expanded) || expanded.startsWith('_:')) {
          throw new InvalidJsonLdError(`"${term}": @type must expand to an absolute IRI (got ${JSON.stringify(t)})`);
        }
        type = expanded;
      }
    }

    let container: string[] = [];
    if ('@container' in value) {
      const c = value['@container'];
      const list = Array.isArray(c) ? c : [c];
      for (const item of list) {
        if (typeof item !== 'string') throw new InvalidJsonLdError(`"${term}": @container must hold strings`);
        if (!SUPPORTED_CONTAINERS.has(item)) throw new UnsupportedJsonLdError(`"${term}": @container ${item} is not supported`);
      }
      container = list as string[];
      if (reverse && container.some((x) => x !== '@index' && x !== '@set')) {
        throw new InvalidJsonLdError(`"${term}": a @reverse term's container must be @index or @set`);
      }
    }

    let definition: TermDefinition = { id, reverse, container, prefix, ...(type !== undefined ? { type } : {}) };
    if ('@language' in value) {
      const l = value['@language'];
      if (l !== null && typeof l !== 'string') throw new InvalidJsonLdError(`"${term}": @language must be a string or null`);
      definition = { ...definition, language: l === null ? null : l.toLowerCase() };
    }
    this.active.terms.set(term, id === null ? null : definition);
    this.defined.set(term, true);
  }
}

// ---------------------------------------------------------------------------------------
// Conversion
// ---------------------------------------------------------------------------------------

const LANGTAG = /^[a-zA-Z]+(-[a-zA-Z0-9]+)*$/;

/** jsonld.js's canonical xsd:double lexical form. */
export function canonicalDouble(value: number): string {
  return value.toExponential(15).replace(/(\d)0*e\+?/, '$1E');
}

function isDouble(value: number): boolean {
  return String(value).includes('.') || Math.abs(value) >= 1e21;
}

interface ObjectKeys {
  id?: string;
  type?: string;
  value?: string;
  list?: string;
  set?: string;
  /** Has a reverse member: the node needs a label to be the object of its reverse triples. */
  reverse: boolean;
}

interface PropertyKey {
  iri: string;
  reverse: boolean;
  def: TermDefinition | undefined;
}

/** The same RDF term (nested nodes and lists are never the same: each is a node of its own). */
function sameTerm(a: RdfObject, b: RdfObject): boolean {
  if (a.termType !== b.termType || a.termType === 'Anon' || a.termType === 'List') return false;
  if (a.value !== (b as NamedNode | BlankNode | Literal).value) return false;
  return a.termType !== 'Literal' || (a.datatype === (b as Literal).datatype && a.language === (b as Literal).language);
}

const NO_DEF: TermDefinition = { id: null, reverse: false, container: [], prefix: false };

/**
 * Converts node objects of one JSON-LD document, read with one context. Blank node labels
 * (`n…` for nodes that need one, `e…` for the document's own `_:` ids) are unique within
 * the converter, which lives as long as the output file it feeds.
 */
export class JsonLdToRdf {
  readonly context: ActiveContext;
  readonly stats: ConversionStats;
  private readonly keyCache = new Map<string, PropertyKey | null>();
  private readonly typeCache = new Map<string, string | null>();
  private readonly explicitBlank = new Map<string, BlankNode>();
  private nextBlank = 0;
  /** Blocks of the current call, by subject (IRI or `_:label`), so repeats merge. */
  private blocks: Block[] = [];
  private bySubject = new Map<string, Block>();

  constructor(context: ActiveContext, stats: ConversionStats = newStats()) {
    this.context = context;
    this.stats = stats;
  }

  /**
   * The blocks of one node object (and of the nodes it embeds). A top-level `@context`
   * member is left to the caller, who built this converter's context from it. `label`
   * gives a node without `@id` this blank node label, so that later calls can refer to it.
   */
  convert(node: unknown, options: { label?: string } = {}): Block[] {
    this.blocks = [];
    this.bySubject = new Map();
    if (!isObject(node)) throw new InvalidJsonLdError('a JSON-LD document must be an object here');
    const keys = this.scan(node);
    if (keys.value !== undefined || keys.list !== undefined || keys.set !== undefined) {
      throw new UnsupportedJsonLdError('a top-level value, list or set object is not supported');
    }
    const subject = this.node(node, keys, options.label, true);
    if (subject.termType === 'Anon') this.blocks.unshift({ subject, props: subject.props });
    return this.blocks;
  }

  /**
   * The blocks of `subject`'s property `key` with value `value`, as if it were a member of
   * a node object whose subject is `subject` (streams the dataset's `authorities`).
   */
  convertProperty(subject: NamedNode | BlankNode, key: string, value: unknown): Block[] {
    this.blocks = [];
    this.bySubject = new Map();
    const props: Properties = new Map();
    const block: Block = { subject, props };
    this.blocks.push(block);
    this.member(subject, props, key, value as Json);
    if (props.size === 0) this.blocks.shift();
    return this.blocks;
  }

  /** The subject term a node object gets (its `@id`), without converting it. */
  subjectOf(node: Record<string, unknown>, label?: string): NamedNode | BlankNode | null {
    const id = this.idOf(node as JsonObject, this.scan(node as JsonObject));
    if (id !== undefined) return id;
    return label !== undefined ? { termType: 'BlankNode', value: label } : null;
  }

  // --- node objects ------------------------------------------------------------------

  /** Which keys of an object are keywords (directly or through aliases): one pass. */
  private scan(obj: JsonObject): ObjectKeys {
    const keys: ObjectKeys = { reverse: false };
    for (const key of Object.keys(obj)) {
      let iri: string;
      if (key[0] === '@') {
        iri = key;
      } else {
        const p = this.propertyKey(key);
        if (p === null) continue;
        if (p.reverse) keys.reverse = true;
        if (p.iri[0] !== '@') continue;
        iri = p.iri;
      }
      let slot: keyof ObjectKeys | undefined;
      switch (iri) {
        case '@id': slot = 'id'; break;
        case '@type': slot = 'type'; break;
        case '@value': slot = 'value'; break;
        case '@list': slot = 'list'; break;
        case '@set': slot = 'set'; break;
        case '@reverse': keys.reverse = true; break;
      }
      if (slot === undefined) continue;
      if (keys[slot] !== undefined) throw new InvalidJsonLdError(`colliding keywords: "${String(keys[slot])}" and "${key}" both mean ${iri}`);
      (keys as unknown as Record<string, string>)[slot] = key;
    }
    return keys;
  }

  /** The node's `@id` as a term (NamedNode, possibly not absolute; or labelled blank node). */
  private idOf(node: JsonObject, keys: ObjectKeys): NamedNode | BlankNode | undefined {
    if (keys.id === undefined) return undefined;
    const raw = node[keys.id];
    if (typeof raw !== 'string') throw new InvalidJsonLdError(`@id must be a string (got ${JSON.stringify(raw)})`);
    const iri = this.context.expandIri(raw, false, true);
    if (iri === null) throw new InvalidJsonLdError(`@id ${JSON.stringify(raw)} looks like a keyword`);
    return this.resource(iri);
  }

  private resource(iri: string): NamedNode | BlankNode {
    if (iri.startsWith('_:')) {
      let b = this.explicitBlank.get(iri);
      if (!b) {
        b = { termType: 'BlankNode', value: `e${this.explicitBlank.size}` };
        this.explicitBlank.set(iri, b);
      }
      return b;
    }
    return { termType: 'NamedNode', value: iri };
  }

  /** Converts a node object into blocks; returns its term (an IRI that is not absolute keeps no triple). */
  private node(node: JsonObject, keys: ObjectKeys, label?: string, top = false): NamedNode | BlankNode | AnonNode {
    let subject: NamedNode | BlankNode | AnonNode;
    let props: Properties;
    const id = this.idOf(node, keys);
    if (id !== undefined) {
      subject = id;
      props = this.blockFor(id).props;
    } else if (label !== undefined || keys.reverse) {
      subject = label !== undefined ? { termType: 'BlankNode', value: label } : { termType: 'BlankNode', value: `n${this.nextBlank++}` };
      props = this.blockFor(subject).props;
    } else {
      props = new Map();
      subject = { termType: 'Anon', props };
    }

    const typeKey = keys.type;
    if (typeKey !== undefined) {
      const types = node[typeKey];
      for (const t of Array.isArray(types) ? types : [types]) {
        if (typeof t !== 'string') throw new InvalidJsonLdError(`@type values must be strings (got ${JSON.stringify(t)})`);
        const iri = this.expandType(t);
        if (iri === null) continue;
        this.link(subject, props, RDF_TYPE, this.resource(iri));
      }
    }

    for (const key of Object.keys(node)) {
      if (key === typeKey || (top && key === '@context')) continue;
      this.member(subject, props, key, node[key]);
    }

    if (subject.termType === 'NamedNode' && !isAbsoluteIri(subject.value)) this.dropSubject(subject);
    return subject;
  }

  /** One member of a node object. */
  private member(subject: Subject, props: Properties, key: string, value: Json): void {
    if (key === '@context') throw new UnsupportedJsonLdError('an embedded @context is not supported');
    const p = this.propertyKey(key);
    if (p === null) {
      this.stats.droppedKeys.set(key, (this.stats.droppedKeys.get(key) ?? 0) + 1);
      return;
    }
    switch (p.iri) {
      case '@id':
      case '@type':
      case '@index':
        return;
      case '@reverse':
        return this.reverseMap(subject, value);
      case '@graph':
      case '@included':
      case '@nest':
        throw new UnsupportedJsonLdError(`${p.iri} (key "${key}") is not supported`);
      case '@value':
      case '@language':
      case '@list':
      case '@set':
      case '@direction':
      case '@json':
        throw new InvalidJsonLdError(`${p.iri} (key "${key}") cannot appear in a node object`);
    }
    if (KEYWORDS.has(p.iri)) throw new UnsupportedJsonLdError(`${p.iri} (key "${key}") is not supported`);
    if (p.reverse) {
      for (const target of this.values(p.def, value)) this.reverseLink(subject, p.iri, target);
      return;
    }
    for (const object of this.values(p.def, value)) this.link(subject, props, p.iri, object);
  }

  private reverseMap(subject: Subject, value: Json): void {
    if (!isObject(value)) throw new InvalidJsonLdError('@reverse must be an object');
    for (const key of Object.keys(value)) {
      const p = this.propertyKey(key);
      if (p === null) {
        this.stats.droppedKeys.set(key, (this.stats.droppedKeys.get(key) ?? 0) + 1);
        continue;
      }
      if (KEYWORDS.has(p.iri)) throw new InvalidJsonLdError(`@reverse must not contain keyword ${p.iri}`);
      if (p.reverse) {
        // A reverse term inside @reverse is a forward property again.
        const props = this.propsOf(subject);
        for (const object of this.values(p.def, value[key])) this.link(subject, props, p.iri, object);
      } else {
        for (const target of this.values(p.def, value[key])) this.reverseLink(subject, p.iri, target);
      }
    }
  }

  private propsOf(subject: Subject): Properties {
    return subject.termType === 'Anon' ? subject.props : this.blockFor(subject).props;
  }

  /** `target predicate subject`: the target must be a node. */
  private reverseLink(subject: Subject, predicate: string, target: RdfObject): void {
    if (target.termType === 'Literal' || target.termType === 'List') {
      throw new InvalidJsonLdError(`the value of reverse property <${predicate}> must be a node`);
    }
    if (target.termType === 'Anon') {
      // Used once, as the subject of this triple: it becomes a block of its own.
      this.link(target, target.props, predicate, subject);
      this.blocks.push({ subject: target, props: target.props });
      return;
    }
    this.link(target, this.blockFor(target).props, predicate, subject);
  }

  private blockFor(subject: NamedNode | BlankNode): Block {
    const key = subject.termType === 'NamedNode' ? subject.value : `_:${subject.value}`;
    let block = this.bySubject.get(key);
    if (!block) {
      block = { subject, props: new Map() };
      this.bySubject.set(key, block);
      this.blocks.push(block);
    }
    return block;
  }

  /** Adds `subject predicate object`, unless JSON-LD would drop it. */
  private link(subject: Subject, props: Properties, predicate: string, object: RdfObject): void {
    if (
      (subject.termType === 'NamedNode' && !isAbsoluteIri(subject.value)) ||
      predicate.startsWith('_:') ||
      !isAbsoluteIri(predicate) ||
      (object.termType === 'NamedNode' && !isAbsoluteIri(object.value))
    ) {
      this.stats.droppedTriples++;
      this.detach(object);
      return;
    }
    const list = props.get(predicate);
    if (!list) props.set(predicate, [object]);
    else if (!list.some((o) => sameTerm(o, object))) list.push(object);
  }

  /** An anonymous node whose link was dropped still describes itself (as in jsonld.js's node map). */
  private detach(object: RdfObject): void {
    if (object.termType === 'Anon' && object.props.size > 0) this.blocks.push({ subject: object, props: object.props });
    else if (object.termType === 'List') for (const item of object.items) this.detach(item);
  }

  /** A node whose @id is not an absolute IRI: its triples go, its anonymous nodes stay. */
  private dropSubject(subject: NamedNode): void {
    const block = this.bySubject.get(subject.value);
    if (!block) return;
    this.bySubject.delete(subject.value);
    this.blocks.splice(this.blocks.indexOf(block), 1);
    for (const objects of block.props.values()) {
      this.stats.droppedTriples += objects.length;
      for (const o of objects) this.detach(o);
    }
  }

  // --- keys and values ---------------------------------------------------------------

  private propertyKey(key: string): PropertyKey | null {
    const cached = this.keyCache.get(key);
    if (cached !== undefined) return cached;
    let result: PropertyKey | null;
    const def = this.context.terms.get(key);
    if (def === null) {
      result = null;
    } else if (def !== undefined) {
      result = { iri: def.id!, reverse: def.reverse, def };
    } else {
      const iri = this.context.expandIri(key, true, false);
      result = iri !== null && (KEYWORDS.has(iri) || isAbsoluteIri(iri)) ? { iri, reverse: false, def: undefined } : null;
    }
    this.keyCache.set(key, result);
    return result;
  }

  private expandType(value: string): string | null {
    let iri = this.typeCache.get(value);
    if (iri === undefined) {
      iri = this.context.expandIri(value, true, true);
      this.typeCache.set(value, iri);
    }
    return iri;
  }

  /** The RDF objects of one member's value, read with the member's term definition. */
  private values(def: TermDefinition | undefined, value: Json): RdfObject[] {
    const out: RdfObject[] = [];
    const d = def ?? NO_DEF;
    if (isObject(value) && d.container.includes('@language')) {
      this.languageMap(value, out);
    } else if (isObject(value) && d.container.includes('@index')) {
      for (const key of Object.keys(value)) this.items(d, value[key], out);
    } else if (d.container.includes('@list') && value !== null && !(isObject(value) && this.scan(value).list !== undefined)) {
      out.push(this.list(d, Array.isArray(value) ? value : [value]));
    } else {
      this.items(d, value, out);
    }
    return out;
  }

  private items(def: TermDefinition, value: Json, out: RdfObject[]): void {
    if (Array.isArray(value)) {
      for (const item of value) this.items(def, item, out);
      return;
    }
    if (isObject(value)) {
      const keys = this.scan(value);
      if (keys.set !== undefined) {
        if (Object.keys(value).some((k) => k !== keys.set && this.propertyKey(k)?.iri !== '@index')) throw new InvalidJsonLdError('a @set object must only hold @set and @index');
        this.items(def, value[keys.set], out);
        return;
      }
      const object = this.objectItem(def, value, keys);
      if (object !== null) out.push(object);
      return;
    }
    const object = this.item(def, value);
    if (object !== null) out.push(object);
  }

  private list(def: TermDefinition, items: Json[]): ListTerm {
    const out: RdfObject[] = [];
    for (const item of items) {
        if (Array.isArray(item)) throw new UnsupportedJsonLdError('lists of lists are not supported');
      const object = isObject(item) ? this.objectItem(def, item, this.scan(item)) : this.item(def, item);
      if (object !== null) out.push(object);
    }
    return { termType: 'List', items: out };
  }

  private languageMap(map: JsonObject, out: RdfObject[]): void {
    for (const key of Object.keys(map)) {
      const none = key === '@none' || this.propertyKey(key)?.iri === '@none';
      const value = map[key];
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item === null) continue;
        if (typeof item !== 'string') throw new InvalidJsonLdError(`language map values must be strings (key "${key}")`);
        const literal = none ? this.literal(item, XSD_STRING, '') : this.literal(item, RDF_LANGSTRING, key.toLowerCase());
        if (literal) out.push(literal);
      }
    }
  }

  private literal(value: string, datatype: string, language: string): Literal | null {
    if (language !== '' && !LANGTAG.test(language)) {
      this.stats.droppedLanguageTags++;
      return null;
    }
    return { termType: 'Literal', value, datatype, language };
  }

  /** One value (not an array): a node, a literal, a list; null when it yields nothing. */
  private item(def: TermDefinition, value: Json): RdfObject | null {
    if (value === null) return null;
    if (typeof value === 'string') {
      const type = def.type;
      if (type === '@id' || type === '@vocab') {
        const iri = this.context.expandIri(value, type === '@vocab', true);
        return iri === null ? null : this.resource(iri);
      }
      if (type !== undefined && type !== '@none') return this.typed(value, type);
      const language = def.language !== undefined ? def.language : this.context.language;
      return language ? this.literal(value, RDF_LANGSTRING, language) : this.literal(value, XSD_STRING, '');
    }
    if (typeof value === 'number' || typeof value === 'boolean') {
      const type = def.type;
      return this.typed(value, type !== undefined && type !== '@id' && type !== '@vocab' && type !== '@none' ? type : null);
    }
    if (Array.isArray(value)) throw new InvalidJsonLdError('nested array');
    return this.objectItem(def, value, this.scan(value));
  }

  /** An object value: a value, list or node object. */
  private objectItem(def: TermDefinition, value: JsonObject, keys: ObjectKeys): RdfObject | null {
    if (keys.value !== undefined) return this.valueObject(value, keys.value);
    if (keys.list !== undefined) {
      const items = value[keys.list];
      if (items === null) return { termType: 'List', items: [] };
      return this.list(def, Array.isArray(items) ? items : [items]);
    }
    if (keys.set !== undefined) throw new UnsupportedJsonLdError('a @set object inside a list is not supported');
    return this.node(value, keys);
  }

  /** A literal from a native or string value and an optional datatype, as jsonld.js writes it. */
  private typed(value: string | number | boolean, datatype: string | null): Literal {
    if (typeof value === 'boolean') return { termType: 'Literal', value: String(value), datatype: datatype ?? XSD_BOOLEAN, language: '' };
    if (typeof value === 'number') {
      if (isDouble(value) || datatype === XSD_DOUBLE) return { termType: 'Literal', value: canonicalDouble(value), datatype: datatype ?? XSD_DOUBLE, language: '' };
      return { termType: 'Literal', value: value.toFixed(0), datatype: datatype ?? XSD_INTEGER, language: '' };
    }
    if (datatype === XSD_DOUBLE) return { termType: 'Literal', value: canonicalDouble(parseFloat(value)), datatype, language: '' };
    return { termType: 'Literal', value, datatype: datatype ?? XSD_STRING, language: '' };
  }

  private valueObject(obj: JsonObject, valueKey: string): Literal | null {
    let type: string | null = null;
    let language: string | null = null;
    for (const key of Object.keys(obj)) {
      if (key === valueKey) continue;
      const k = key[0] === '@' ? key : this.propertyKey(key)?.iri;
      const v = obj[key];
      switch (k) {
        case '@type':
          if (typeof v !== 'string') throw new InvalidJsonLdError('@type of a value object must be a string');
          if (v === '@json') throw new UnsupportedJsonLdError('@json literals are not supported');
          type = this.expandType(v);
          break;
        case '@language':
          if (typeof v !== 'string') throw new InvalidJsonLdError('@language must be a string');
          language = v.toLowerCase();
          break;
        case '@index':
          break;
        case '@direction':
          throw new UnsupportedJsonLdError('@direction is not supported');
        default:
          throw new InvalidJsonLdError(`a value object must not contain "${key}"`);
      }
    }
    const value = obj[valueKey];
    if (value === null) return null;
    if (typeof value === 'object') throw new InvalidJsonLdError('@value must be a string, number, boolean or null');
    if (type !== null && language !== null) throw new InvalidJsonLdError('a value object cannot have both @type and @language');
    if (language !== null) {
      if (typeof value !== 'string') throw new InvalidJsonLdError('a language-tagged @value must be a string');
      return this.literal(value, RDF_LANGSTRING, language);
    }
    return this.typed(value, type);
  }
}
