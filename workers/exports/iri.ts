/**
 * IRI handling exactly as jsonld.js applies it when it turns JSON-LD into RDF, so that the
 * exports are the graph a standards processor produces from the same document:
 *
 * - "absolute" is jsonld.js's weak test (a scheme, a colon, no whitespace); anything else
 *   in a subject, predicate or object position drops the triple, as jsonld.js does;
 * - relative references are resolved with RFC 3986 §5.2 on jsonld.js's parse of the base
 *   (no percent-encoding or normalisation beyond dot-segment removal), unlike WHATWG URL.
 */

const ABSOLUTE = /^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$/;

export function isAbsoluteIri(value: string): boolean {
  return ABSOLUTE.test(value);
}

interface ParsedIri {
  /** `http:` (with the colon), or null. */
  protocol: string | null;
  authority: string | null;
  path: string;
  query: string | null;
  fragment: string | null;
}

// scheme, then `//authority` (userinfo@host:port), path, query, fragment: the reference's
// reading of an IRI, whose authority part only accepts a numeric port.
const PARTS =
  /^(([a-zA-Z][a-zA-Z0-9+-.]*):)?(?:\/\/((?:(?:[^:@]*)(?::(?:[^:@]*))?@)?[^:/?#]*(?::(\d*))?))?((?:[^?#/]*\/)*[^?#]*)(?:\?([^#]*))?(?:#(.*))?/;

function parse(iri: string): ParsedIri {
  const m = PARTS.exec(iri)!;
  const scheme = m[2] ?? null;
  let authority = m[3] ?? null;
  const port = m[4] ?? null;
  if (authority !== null && port !== null && ((scheme === 'https' && port === '443') || (scheme === 'http' && port === '80'))) {
    authority = authority.replace(`:${port}`, '');
  }
  return { protocol: m[1] ?? null, authority, path: m[5] ?? '', query: m[6] ?? null, fragment: m[7] ?? null };
}

/** RFC 3986 §5.2.4, as the reference implements it. */
export function removeDotSegments(path: string): string {
  if (path.length === 0) return '';
  const input = path.split('/');
  const output: string[] = [];
  for (let i = 0; i < input.length; i++) {
    const next = input[i];
    const done = i === input.length - 1;
    if (next === '.') {
      if (done) output.push('');
      continue;
    }
    if (next === '..') {
      output.pop();
      if (done) output.push('');
      continue;
    }
    output.push(next);
  }
  if (path[0] === '/' && output.length > 0 && output[0] !== '') output.unshift('');
  if (output.length === 1 && output[0] === '') return '/';
  return output.join('/');
}

/** A parsed base, with the prefix that plain one-segment references are appended to. */
export class Base {
  readonly iri: string;
  private readonly parsed: ParsedIri;
  /** `scheme://authority/directory/` of the base: where `name` (no `/ ? # :`) resolves. */
  private readonly directory: string;

  constructor(iri: string) {
    this.iri = iri;
    this.parsed = parse(iri);
    const p = this.parsed;
    let dir = p.path.slice(0, p.path.lastIndexOf('/') + 1);
    if ((dir.length > 0 || p.authority) && !dir.endsWith('/')) dir += '/';
    this.directory = `${p.protocol ?? ''}${p.authority !== null ? `//${p.authority}` : ''}${removeDotSegments(dir)}`;
  }

  /** `iri` resolved against this base (returned as is when it already looks absolute). */
  resolve(iri: string): string {
    if (ABSOLUTE.test(iri)) return iri;
    // The common case in PeriodO data: an identifier such as `p0trgkv` under the ARK base.
    if (iri.length > 0 && !/[/?#:]/.test(iri) && iri !== '.' && iri !== '..') return this.directory + iri;
    return this.resolveFully(iri);
  }

  private resolveFully(iri: string): string {
    const base = this.parsed;
    const rel = parse(iri);
    const protocol = base.protocol ?? '';
    let authority: string | null;
    let path: string;
    let query: string | null;
    if (rel.authority !== null) {
      authority = rel.authority;
      path = rel.path;
      query = rel.query;
    } else {
      authority = base.authority;
      if (rel.path === '') {
        path = base.path;
        query = rel.query !== null ? rel.query : base.query;
      } else {
        if (rel.path.startsWith('/')) {
          path = rel.path;
        } else {
          let merged = base.path.slice(0, base.path.lastIndexOf('/') + 1);
          if ((merged.length > 0 || base.authority) && !merged.endsWith('/')) merged += '/';
          path = merged + rel.path;
        }
        query = rel.query;
      }
    }
    if (rel.path !== '') path = removeDotSegments(path);
    let out = protocol;
    if (authority !== null) out += `//${authority}`;
    out += path;
    if (query !== null) out += `?${query}`;
    if (rel.fragment !== null) out += `#${rel.fragment}`;
    return out === '' ? './' : out;
  }
}
