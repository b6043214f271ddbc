/**
 * Syntax-highlighted HTML views of JSON and Turtle documents (`….json.html`,
 * `….jsonld.html`, `….ttl.html`, `/v.ttl.html`, …).
 *
 * The pages follow the shape of the reference server's Pygments output: a two-column
 * `table.highlighttable` whose first column holds line numbers and whose second holds the
 * source, each line wrapped in `<span id="line-N">` so that `#line-N` anchors work. Token
 * classes use Pygments' short names (`nt`, `s2`, `mi`, `kc`, `p`, `nv`, …) so a Pygments
 * stylesheet would also apply; `HIGHLIGHT_CSS` is the stylesheet served with the pages.
 *
 * The tokenizers are small hand-written scanners. They never throw: anything they do not
 * recognise is emitted as plain (escaped) text, one character at a time.
 */
import { escapeHtml } from '../shared/html';
import { JsonNumber, parseOrdered, RawJson } from '../domain/ordered-json';

// ---------------------------------------------------------------------------------------
// JSON source in Python's `json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False)`
// ---------------------------------------------------------------------------------------

/** Orders strings by code point, as Python compares `str` (JS `<` compares UTF-16 units). */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (0xD800–0xDFFF) stands for a code point above 0xFFFF, so it sorts after
    // every BMP unit above the surrogate range.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? (y >= 0xe000 ? 1 : x - y) : (x >= 0xe000 ? -1 : x - y);
    return x - y;
  }
  return a.length - b.length;
}

/** A number as Python prints the int or float that `json.loads` would have produced. */
function pythonNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Number.isInteger(n)) {
    // JSON integers become Python ints, printed in full (never in exponent form).
    return Math.abs(n) < 1e21 ? String(n === 0 ? 0 : n) : BigInt(n).toString();
  }
  const abs = Math.abs(n);
  if (abs < 1e-4) {
    // Python's float repr switches to exponent form below 1e-4 (JS only below 1e-6) and
    // writes the exponent with at least two digits.
    const [mantissa, exponent] = n.toExponential().split('e');
    const sign = exponent.startsWith('-') ? '-' : '+';
    const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(n);
}

function quoteString(s: string): string {
  // JSON.stringify escapes exactly what ensure_ascii=False escapes (quote, backslash and
  // control characters, with lower-case hex), and escapes lone surrogates rather than
  // emitting invalid UTF-16.
  return JSON.stringify(s);
}

/**
 * The JSON text of a value as Python's `json.dumps(value, indent=2, sort_keys=True,
 * ensure_ascii=False)` writes it: keys sorted recursively, two-space indentation, `,` at
 * line ends and `": "` between keys and values, non-ASCII characters kept as they are.
 * Values that JSON cannot represent are treated as JSON.stringify treats them (`undefined`
 * members are left out, `undefined` array items become `null`, `toJSON` is honoured).
 */
export function jsonSource(value: unknown): string {
  let out = '';
  const seen = new Set<object>();

  const write = (v: unknown, indent: string, key: string): boolean => {
    if (v instanceof JsonNumber || v instanceof RawJson) {
      // Numbers of parsed JSON text are shown exactly as that text writes them.
      out += v.text;
      return true;
    }
    if (v instanceof Map) v = Object.fromEntries(v);
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON: (k: string) => unknown }).toJSON(key);
    }
    switch (typeof v) {
      case 'string':
        out += quoteString(v);
        return true;
      case 'number':
        out += pythonNumber(v);
        return true;
      case 'bigint':
        out += v.toString();
        return true;
      case 'boolean':
        out += v ? 'true' : 'false';
        return true;
      case 'undefined':
      case 'function':
      case 'symbol':
        return false;
    }
    if (v === null) {
      out += 'null';
      return true;
    }
    const obj = v as object;
    if (seen.has(obj)) throw new TypeError('Circular reference detected');
    seen.add(obj);
    const inner = `${indent}  `;
    if (Array.isArray(obj)) {
      if (obj.length === 0) {
        out += '[]';
      } else {
        for (let i = 0; i < obj.length; i++) {
          out += i === 0 ? `[\n${inner}` : `,\n${inner}`;
          if (!write(obj[i], inner, String(i))) out += 'null';
        }
        out += `\n${indent}]`;
      }
    } else {
      const record = obj as Record<string, unknown>;
      const keys = Object.keys(record).sort(compareCodePoints);
      let first = true;
      for (const k of keys) {
        const mark = out;
        out += `${first ? '{' : ','}\n${inner}${quoteString(k)}: `;
        if (write(record[k], inner, k)) {
          first = false;
        } else {
          out = mark; // member left out, as JSON.stringify does
        }
      }
      out += first ? '{}' : `\n${indent}}`;
    }
    seen.delete(obj);
    return true;
  };

  if (!write(value, '', '')) out += 'null';
  return out;
}

// ---------------------------------------------------------------------------------------
// HTML rendering
// ---------------------------------------------------------------------------------------

/** How URLs in a token become links: an `<…>` IRI as a whole, or every URL in a string. */
type LinkMode = 'iri' | 'text' | undefined;

/**
 * An http(s) URL inside a string token. It stops at whitespace, double quotes, backslashes
 * (a JSON escape such as `\"` ends it) and angle brackets, none of which a URL holds
 * unencoded.
 */
const URL_IN_TEXT = /https?:\/\/[^\s"\\<>\u0000-\u001f\u007f]+/g;
const ABSOLUTE_HTTP = /^https?:\/\/./;

/** Drops sentence punctuation that follows a URL in prose, keeping balanced parentheses. */
function trimUrl(url: string): string {
  let end = url.length;
  for (;;) {
    const c = url[end - 1];
    if (".,;:!?'".includes(c)) {
      end--;
    } else if (c === ')') {
      const body = url.slice(0, end);
      if (body.split(')').length > body.split('(').length) end--;
      else break;
    } else {
      break;
    }
  }
  return url.slice(0, end);
}

function link(url: string): string {
  const escaped = escapeHtml(url);
  return `<a href="${escaped}">${escaped}</a>`;
}

/** Escapes a piece of token text (holding no newline), turning its URLs into links. */
function escapeWithLinks(text: string, mode: LinkMode): string {
  if (mode === 'iri') {
    // `<…>`: the whole IRI is the link when it is an absolute http(s) IRI.
    if (text.length > 2 && text[0] === '<' && text[text.length - 1] === '>') {
      const iri = text.slice(1, -1);
      if (ABSOLUTE_HTTP.test(iri)) return `&lt;${link(iri)}&gt;`;
    }
  } else if (mode === 'text' && text.includes('http')) {
    let html = '';
    let last = 0;
    URL_IN_TEXT.lastIndex = 0;
    for (let m = URL_IN_TEXT.exec(text); m !== null; m = URL_IN_TEXT.exec(text)) {
      const url = trimUrl(m[0]);
      if (!ABSOLUTE_HTTP.test(url)) continue;
      html += escapeHtml(text.slice(last, m.index)) + link(url);
      last = m.index + url.length;
      URL_IN_TEXT.lastIndex = last;
    }
    return html + escapeHtml(text.slice(last));
  }
  return escapeHtml(text);
}

/**
 * Collects highlighted tokens into the code column, one `<span id="line-N">` per line.
 * A token running over several lines is closed at each line end and reopened on the next.
 */
class Renderer {
  private html = '<span id="line-1">';
  private lines = 1;
  /** A newline seen but not yet written: a final newline ends the last line, no more. */
  private pendingNewline = false;

  /** Adds a token: its text, its CSS class ('' for plain text) and how it links URLs. */
  emit(text: string, cls = '', links?: LinkMode): void {
    if (text === '') return;
    if (text.indexOf('\n') === -1) {
      this.piece(text, cls, links);
      return;
    }
    const pieces = text.split('\n');
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0) {
        if (this.pendingNewline) this.newline();
        this.pendingNewline = true;
      }
      if (pieces[i] !== '') this.piece(pieces[i], cls, links);
    }
  }

  private piece(text: string, cls: string, links: LinkMode): void {
    if (this.pendingNewline) this.newline();
    const html = escapeWithLinks(text, links);
    this.html += cls === '' ? html : `<span class="${cls}">${html}</span>`;
  }

  private newline(): void {
    this.pendingNewline = false;
    this.lines++;
    this.html += `\n</span><span id="line-${this.lines}">`;
  }

  /** The line-number column and the code column, as a table. */
  table(): string {
    let numbers = '';
    for (let n = 1; n <= this.lines; n++) numbers += `<a href="#line-${n}">${n}</a>\n`;
    return (
      '<table class="highlighttable"><tr>' +
      `<td class="linenos"><div class="linenodiv"><pre>${numbers}</pre></div></td>` +
      `<td class="code"><div class="highlight"><pre>${this.html}\n</span></pre></div></td>` +
      '</tr></table>'
    );
  }
}

function page(table: string): string {
  return (
    '<!doctype html>\n' +
    '<html lang="en">\n' +
    '<head>\n' +
    '<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<title></title>\n' +
    '<link rel="stylesheet" href="/highlight-style.css">\n' +
    '</head>\n' +
    `<body>\n${table}\n</body>\n` +
    '</html>\n'
  );
}

/**
 * A step reads the token(s) at `pos`, emits them and returns the position after them; it
 * returns `pos` itself when it recognises nothing there.
 */
type Step = (text: string, pos: number, out: Renderer) => number;

/**
 * Highlights `text` with `step`. Where the step reads nothing, one code point goes out as
 * plain text, so scanning always moves forward; should a step ever fail, the whole text
 * is shown plain instead.
 */
function highlight(text: string, step: Step): string {
  text = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  let out = new Renderer();
  try {
    let pos = 0;
    while (pos < text.length) {
      const next = step(text, pos, out);
      if (next > pos) {
        pos = next;
      } else {
        const size = (text.codePointAt(pos) ?? 0) > 0xffff ? 2 : 1;
        out.emit(text.slice(pos, pos + size));
        pos += size;
      }
    }
  } catch {
    out = new Renderer();
    out.emit(text);
  }
  return page(out.table());
}

function matchAt(re: RegExp, text: string, pos: number): string | null {
  re.lastIndex = pos;
  const m = re.exec(text);
  return m === null ? null : m[0];
}

/** Whether a scanned string ends in a closing quote (one not escaped by a backslash). */
function isClosedString(s: string): boolean {
  if (s.length < 2 || s[s.length - 1] !== s[0]) return false;
  let backslashes = 0;
  for (let i = s.length - 2; i > 0 && s[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 0;
}

// ---------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------

// A string, or an unterminated one running to the end of its line.
const JSON_STRING = /"(?:[^"\\\n]|\\[^\n])*(?:"|\\?(?=\n|$))/y;
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const JSON_LITERAL = /(?:true|false|null|NaN|-?Infinity)(?![\w$])/y;

function isJsonSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

const jsonStep: Step = (text, pos, out) => {
  const c = text.charCodeAt(pos);
  let end = pos;
  if (isJsonSpace(c)) {
    while (end < text.length && isJsonSpace(text.charCodeAt(end))) end++;
    out.emit(text.slice(pos, end));
    return end;
  }
  switch (c) {
    case 123: // {
    case 125: // }
    case 91: // [
    case 93: // ]
    case 44: // ,
    case 58: // :
      out.emit(text[pos], 'p');
      return pos + 1;
    case 34: { // "
      const m = matchAt(JSON_STRING, text, pos);
      if (m === null) return pos;
      end = pos + m.length;
      let after = end;
      while (after < text.length && isJsonSpace(text.charCodeAt(after))) after++;
      const isKey = text.charCodeAt(after) === 58;
      out.emit(m, isKey ? 'nt' : isClosedString(m) ? 's2' : 's2 err', 'text');
      return end;
    }
  }
  let m = matchAt(JSON_LITERAL, text, pos);
  if (m !== null) {
    out.emit(m, 'kc');
    return pos + m.length;
  }
  m = matchAt(JSON_NUMBER, text, pos);
  if (m !== null) {
    out.emit(m, m.length > 1 && /[.eE]/.test(m) ? 'mf' : 'mi');
    return pos + m.length;
  }
  return pos;
};

/** A full HTML page showing `value` as highlighted JSON (the text of `jsonSource`). */
export function highlightJsonPage(value: unknown): string {
  return highlight(jsonSource(value), jsonStep);
}

/**
 * The `.json.html` view of JSON text another representation serves: the same members
 * and, number for number, the same digits (`1.0`, `1e+16`, `10000000000000000` as sent).
 */
export function highlightJsonText(text: string): string {
  return highlightJsonPage(parseOrdered(text, { verbatimNumbers: true }));
}

// ---------------------------------------------------------------------------------------
// Turtle
// ---------------------------------------------------------------------------------------

const TTL_SPACE = /\s+/y;
const TTL_COMMENT = /#[^\n]*/y;
const TTL_IRI = /<(?:[^\u0000-\u0020<>"{}|^`\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>/y;
// Long strings may run over lines; an unterminated one runs to the end of the text.
const TTL_LONG_STRING = /"""(?:[^"\\]|\\[\s\S]|"(?!""))*(?:"""|$)|'''(?:[^'\\]|\\[\s\S]|'(?!''))*(?:'''|$)/y;
// Short strings end at their line; an unterminated one runs to the end of the line.
const TTL_STRING = /"(?:[^"\\\n]|\\[^\n])*(?:"|\\?(?=\n|$))|'(?:[^'\\\n]|\\[^\n])*(?:'|\\?(?=\n|$))/y;
const TTL_LANGUAGE = /@[A-Za-z]+(?:-[A-Za-z0-9]+)*/y;
const TTL_DIRECTIVE = /@(?:prefix|base)(?![\w-])/y;
const TTL_SPARQL_DIRECTIVE = /(?:PREFIX|BASE)(?![\p{L}\p{N}_:.-])/iuy;
const TTL_A = /a(?![\p{L}\p{N}_:.-])/uy;
const TTL_BOOLEAN = /(?:true|false)(?![\p{L}\p{N}_:.-])/uy;
const TTL_NUMBER = /[+-]?(?:\d+\.\d*[eE][+-]?\d+|\.?\d+[eE][+-]?\d+|\d*\.\d+|\d+)/y;
// A prefixed name `prefix:local` (either part may be empty) or a blank node label `_:b0`.
// A local name may hold `:`, `%XX` escapes and backslash escapes, and does not end in `.`.
const TTL_PREFIX = /(?:[\p{L}_](?:[\p{L}\p{N}_.-]*[\p{L}\p{N}_-])?)?:/uy;
const TTL_LOCAL = /(?:[\p{L}\p{N}_:]|%[0-9A-Fa-f]{2}|\\[_~.!$&'()*+,;=/?#@%-])(?:(?:[\p{L}\p{N}_:.-]|%[0-9A-Fa-f]{2}|\\[_~.!$&'()*+,;=/?#@%-])*(?:[\p{L}\p{N}_:-]|%[0-9A-Fa-f]{2}|\\[_~.!$&'()*+,;=/?#@%-]))?/uy;
const TTL_PUNCTUATION = /[.;,[\]()]/y;

/** Reads a prefixed name or blank node label at `pos`; returns the position after it. */
function turtleName(text: string, pos: number, out: Renderer): number {
  const prefix = matchAt(TTL_PREFIX, text, pos);
  if (prefix === null) return pos;
  const local = matchAt(TTL_LOCAL, text, pos + prefix.length) ?? '';
  if (prefix === '_:') {
    out.emit(prefix + local, 'nl');
  } else {
    out.emit(prefix, 'nn');
    out.emit(local, 'nt');
  }
  return pos + prefix.length + local.length;
}

const turtleStep: Step = (text, pos, out) => {
  let m: string | null;
  const c = text[pos];
  if ((m = matchAt(TTL_SPACE, text, pos)) !== null) {
    out.emit(m);
    return pos + m.length;
  }
  if (c === '#') {
    m = matchAt(TTL_COMMENT, text, pos) ?? c;
    out.emit(m, 'c1');
    return pos + m.length;
  }
  if (c === '<') {
    m = matchAt(TTL_IRI, text, pos);
    if (m === null) return pos;
    out.emit(m, 'nv', 'iri');
    return pos + m.length;
  }
  if (c === '"' || c === "'") {
    m = matchAt(TTL_LONG_STRING, text, pos) ?? matchAt(TTL_STRING, text, pos);
    if (m === null) return pos;
    out.emit(m, m.length > 3 && m[0] === m[1] ? 'sd' : 's2');
    let end = pos + m.length;
    // A language tag or a datatype right after the literal belongs to it.
    if (text[end] === '@') {
      const lang = matchAt(TTL_LANGUAGE, text, end);
      if (lang !== null) {
        out.emit(lang, 'ni');
        end += lang.length;
      }
    } else if (text.startsWith('^^', end)) {
      out.emit('^^', 'o');
      end += 2;
      const iri = matchAt(TTL_IRI, text, end);
      if (iri !== null) {
        out.emit(iri, 'nv', 'iri');
        end += iri.length;
      } else {
        end = turtleName(text, end, out);
      }
    }
    return end;
  }
  if (c === '@') {
    m = matchAt(TTL_DIRECTIVE, text, pos);
    if (m === null) return pos;
    out.emit(m, 'k');
    return pos + m.length;
  }
  if (c === '^' && text.startsWith('^^', pos)) {
    out.emit('^^', 'o');
    return pos + 2;
  }
  if ((m = matchAt(TTL_SPARQL_DIRECTIVE, text, pos) ?? matchAt(TTL_A, text, pos)) !== null) {
    out.emit(m, 'k');
    return pos + m.length;
  }
  if ((m = matchAt(TTL_BOOLEAN, text, pos)) !== null) {
    out.emit(m, 'kc');
    return pos + m.length;
  }
  if ((m = matchAt(TTL_NUMBER, text, pos)) !== null) {
    out.emit(m, /[.eE]/.test(m) ? 'mf' : 'mi');
    return pos + m.length;
  }
  const end = turtleName(text, pos, out);
  if (end > pos) return end;
  if ((m = matchAt(TTL_PUNCTUATION, text, pos)) !== null) {
    out.emit(m, 'p');
    return pos + m.length;
  }
  return pos;
};

/** A full HTML page showing Turtle source, highlighted. */
export function highlightTurtlePage(turtle: string): string {
  return highlight(String(turtle), turtleStep);
}

// ---------------------------------------------------------------------------------------
// Stylesheet
// ---------------------------------------------------------------------------------------

/** The stylesheet served at `/highlight-style.css` for the highlighted pages. */
export const HIGHLIGHT_CSS = `/* PeriodO highlighted source views */
:root { color-scheme: light; }
body {
  margin: 0;
  background: #fff;
  color: #1f2328;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 13px;
  line-height: 1.5;
}
table.highlighttable {
  border-collapse: collapse;
  border-spacing: 0;
  margin: 0;
  min-width: 100%;
}
table.highlighttable td { padding: 0; vertical-align: top; }
table.highlighttable pre {
  margin: 0;
  padding: 8px 0;
  font: inherit;
  line-height: inherit;
  white-space: pre;
}
td.linenos {
  background: #f6f8fa;
  border-right: 1px solid #d0d7de;
  color: #6e7781;
  text-align: right;
  user-select: none;
  -webkit-user-select: none;
}
td.linenos pre { padding-left: 12px; padding-right: 10px; }
td.linenos a { color: inherit; text-decoration: none; }
td.linenos a:hover { color: #1f2328; text-decoration: underline; }
td.code { width: 100%; }
td.code pre { padding-left: 12px; padding-right: 12px; }
td.code span[id^="line-"]:target { background: #fff8c5; }
td.code a { color: inherit; text-decoration: underline; text-decoration-color: #afb8c1; }
td.code a:hover { text-decoration-color: currentColor; }

/* tokens */
.highlight .p  { color: #57606a; }                    /* punctuation */
.highlight .o  { color: #57606a; }                    /* operator (^^) */
.highlight .nt { color: #0550ae; }                    /* JSON key; local part of a prefixed name */
.highlight .nn { color: #8250df; }                    /* prefix of a prefixed name */
.highlight .nl { color: #953800; }                    /* blank node label */
.highlight .nv { color: #0a3069; }                    /* IRI <…> */
.highlight .s2, .highlight .sd { color: #116329; }    /* strings and literals */
.highlight .ni { color: #6639ba; font-style: italic; } /* language tag */
.highlight .mi, .highlight .mf { color: #953800; }    /* numbers */
.highlight .kc { color: #cf222e; }                    /* true, false, null */
.highlight .k  { color: #cf222e; font-weight: bold; } /* @prefix, @base, PREFIX, BASE, a */
.highlight .c1 { color: #6e7781; font-style: italic; } /* comments */
.highlight .err { background: #ffebe9; }              /* unterminated or unexpected text */

@media (prefers-color-scheme: dark) {
  :root { color-scheme: dark; }
  body { background: #0d1117; color: #e6edf3; }
  td.linenos { background: #161b22; border-right-color: #30363d; color: #7d8590; }
  td.linenos a:hover { color: #e6edf3; }
  td.code span[id^="line-"]:target { background: #3b2e00; }
  td.code a { text-decoration-color: #6e7681; }
  .highlight .p, .highlight .o { color: #9198a1; }
  .highlight .nt { color: #79c0ff; }
  .highlight .nn { color: #d2a8ff; }
  .highlight .nl { color: #ffa657; }
  .highlight .nv { color: #a5d6ff; }
  .highlight .s2, .highlight .sd { color: #7ee787; }
  .highlight .ni { color: #d2a8ff; }
  .highlight .mi, .highlight .mf { color: #ffa657; }
  .highlight .kc, .highlight .k { color: #ff7b72; }
  .highlight .c1 { color: #8b949e; }
  .highlight .err { background: #5d0f12; }
}
`;
