/**
 * JSON documents read and written the way the reference server's Python does it
 * (`json.loads`, then `json.dumps(…, ensure_ascii=False)`), without JavaScript's changes:
 *
 * - members keep their order, integer-like keys included (a JS object moves "2019" first);
 *   a repeated key keeps its first position and its last value, as a Python dict does;
 * - numbers keep Python's text: integers exactly as written (any size), floats as Python's
 *   `repr` writes them (`1.0`, `1e-07`, `1e+16`), where `JSON.parse` would give `1`, `1e-7`.
 *
 * Bags and graphs are stored and served through this module, so a document a client PUTs
 * comes back byte for byte when it was already in Python's format.
 */

/** A number as Python writes it. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

/** Text that is already JSON, inserted as it is when written. */
export class RawJson {
  constructor(readonly text: string) {}
}

export type OrderedObject = Map<string, OrderedJson>;
export type OrderedJson = null | boolean | string | JsonNumber | RawJson | OrderedJson[] | OrderedObject;

export class JsonSyntaxError extends Error {}

/** Nesting deeper than this is refused (Python's own limit is about 1,000). */
export const MAX_DEPTH = 1000;

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pythonFloat(value: number): string {
  if (!Number.isFinite(value)) throw new JsonSyntaxError(`The number ${value} is out of range.`);
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const [mantissa, exp] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const decpt = Number(exp) + 1;
  if (decpt <= -4 || decpt > 16) {
    const e = decpt - 1;
    const frac = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${frac}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

/**
 * Parses JSON text into ordered values; throws JsonSyntaxError with the position on bad
 * input. `verbatimNumbers` keeps every number's text exactly as written (for views that
 * must show what the JSON representation sends), instead of Python's form.
 */
export function parseOrdered(text: string, options: { verbatimNumbers?: boolean } = {}): OrderedJson {
  const verbatim = options.verbatimNumbers === true;
  let pos = 0;
  const n = text.length;

  const fail = (what: string): never => {
    const found = pos < n ? `'${text[pos]}'` : 'the end of the text';
    throw new JsonSyntaxError(`${what} at character ${pos} (found ${found}).`);
  };

  const space = () => {
    while (pos < n) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
  };

  const string = (): string => {
    // pos is on the opening quote
    const start = pos + 1;
    let i = start;
    let escaped = false;
    for (;;) {
      if (i >= n) {
        pos = n;
        fail('Unterminated string');
      }
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        i += 2;
        continue;
      }
      if (c < 0x20) {
        pos = i;
        fail('Invalid control character in a string');
      }
      i++;
    }
    pos = i + 1;
    if (!escaped) return text.slice(start, i);
    try {
      return JSON.parse(text.slice(start - 1, i + 1)) as string;
    } catch {
      pos = start - 1;
      return fail('Invalid escape in a string');
    }
  };

  const number = (): JsonNumber => {
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (!m) return fail('Expected a value');
    pos += m[0].length;
    if (verbatim) return new JsonNumber(m[0]);
    if (m[1] === undefined && m[2] === undefined) {
      // Python ints are exact; only "-0" reads back differently.
      return new JsonNumber(m[0] === '-0' ? '0' : m[0]);
    }
    return new JsonNumber(pythonFloat(Number(m[0])));
  };

  const literal = (word: string, value: OrderedJson): OrderedJson => {
    if (text.startsWith(word, pos)) {
      pos += word.length;
      return value;
    }
    return fail('Expected a value');
  };

  const value = (depth: number): OrderedJson => {
    if (depth > MAX_DEPTH) fail(`Nesting deeper than ${MAX_DEPTH} levels`);
    space();
    const c = text.charCodeAt(pos);
    if (c === 0x7b) {
      pos++;
      const out: OrderedObject = new Map();
      space();
      if (text.charCodeAt(pos) === 0x7d) {
        pos++;
        return out;
      }
      for (;;) {
        space();
        if (text.charCodeAt(pos) !== 0x22) fail('Expected a member name in double quotes');
        const key = string();
        space();
        if (text.charCodeAt(pos) !== 0x3a) fail("Expected ':'");
        pos++;
        out.set(key, value(depth + 1));
        space();
        const d = text.charCodeAt(pos);
        if (d === 0x2c) {
          pos++;
          continue;
        }
        if (d === 0x7d) {
          pos++;
          return out;
        }
        fail("Expected ',' or '}'");
      }
    }
    if (c === 0x5b) {
      pos++;
      const out: OrderedJson[] = [];
      space();
      if (text.charCodeAt(pos) === 0x5d) {
        pos++;
        return out;
      }
      for (;;) {
        out.push(value(depth + 1));
        space();
        const d = text.charCodeAt(pos);
        if (d === 0x2c) {
          pos++;
          continue;
        }
        if (d === 0x5d) {
          pos++;
          return out;
        }
        fail("Expected ',' or ']'");
      }
    }
    if (c === 0x22) return string();
    if (c === 0x74) return literal('true', true);
    if (c === 0x66) return literal('false', false);
    if (c === 0x6e) return literal('null', null);
    return number();
  };

  const result = value(0);
  space();
  if (pos < n) fail('Unexpected text after the JSON value');
  return result;
}

/** Python's `json.dumps(value, ensure_ascii=False)`: `", "` and `": "`, members in order. */
export function dumpOrdered(value: OrderedJson): string {
  const parts: string[] = [];
  const write = (v: OrderedJson) => {
    if (v === null) parts.push('null');
    else if (v === true) parts.push('true');
    else if (v === false) parts.push('false');
    else if (typeof v === 'string') parts.push(JSON.stringify(v));
    else if (v instanceof JsonNumber || v instanceof RawJson) parts.push(v.text);
    else if (Array.isArray(v)) {
      parts.push('[');
      v.forEach((x, i) => {
        if (i) parts.push(', ');
        write(x);
      });
      parts.push(']');
    } else {
      parts.push('{');
      let first = true;
      for (const [k, x] of v) {
        parts.push(first ? '' : ', ', JSON.stringify(k), ': ');
        first = false;
        write(x);
      }
      parts.push('}');
    }
  };
  write(value);
  return parts.join('');
}

export function isObject(v: OrderedJson | undefined): v is OrderedObject {
  return v instanceof Map;
}

/**
 * A JSON object's text with one top-level member left open, so that whoever knows its
 * value (the single writer, which alone knows the next version) can complete it without
 * parsing the document again. `current` is the member's text as sent, if it was present.
 */
export interface OpenDocument {
  head: string;
  tail: string;
  key: string;
  current: string | null;
}

const HOLE = '\u0000';

export function openDocument(doc: OrderedObject, key: string): OpenDocument {
  const current = doc.has(key) ? dumpOrdered(doc.get(key)!) : null;
  const copy: OrderedObject = new Map(doc);
  copy.set(key, new RawJson(HOLE));
  const text = dumpOrdered(copy);
  // Strings never hold a raw NUL (control characters are escaped), so this is the hole.
  const at = text.indexOf(HOLE);
  return { head: text.slice(0, at), tail: text.slice(at + 1), key, current };
}

/** The document with the member set to `value`, or as sent when `value` is undefined. */
export function closeDocument(open: OpenDocument, value?: string): string {
  if (value !== undefined) return `${open.head}${JSON.stringify(value)}${open.tail}`;
  if (open.current !== null) return `${open.head}${open.current}${open.tail}`;
  // The member was appended last: drop it and the separator before it.
  let head = open.head.slice(0, open.head.length - (JSON.stringify(open.key).length + 2));
  if (head.endsWith(', ')) head = head.slice(0, -2);
  return `${head}${open.tail}`;
}
