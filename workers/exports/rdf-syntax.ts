/**
 * Term syntax shared by the Turtle and N-Triples writers: IRIs and strings escaped so that
 * any value the converter produces is written as a document every RDF parser accepts.
 */
import { XSD_STRING, type Literal } from './jsonld-to-rdf';

const IRI_UNSAFE = /[\u0000-\u0020<>"{}|^`\\]/;
const IRI_UNSAFE_ALL = /[\u0000-\u0020<>"{}|^`\\]/g;

function uchar(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `<iri>`, with the characters IRIREF forbids written as \uXXXX escapes. */
export function iriRef(iri: string): string {
  return IRI_UNSAFE.test(iri) ? `<${iri.replace(IRI_UNSAFE_ALL, uchar)}>` : `<${iri}>`;
}

const STRING_UNSAFE = /["\\\u0000-\u001f\u007f]/;
const STRING_UNSAFE_ALL = /["\\\u0000-\u001f\u007f]/g;
const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

export function quoted(value: string): string {
  return STRING_UNSAFE.test(value) ? `"${value.replace(STRING_UNSAFE_ALL, (c) => ESCAPES[c] ?? uchar(c))}"` : `"${value}"`;
}

/** A literal; `datatype` writes the datatype IRI (full or prefixed). */
export function literalText(literal: Literal, datatype: (iri: string) => string): string {
  const text = quoted(literal.value);
  if (literal.language) return `${text}@${literal.language}`;
  if (literal.datatype === XSD_STRING) return text;
  return `${text}^^${datatype(literal.datatype)}`;
}
