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
  const out: string[] = [];
  const seen = new Set<object>();

  const write = (v: unknown, indent: string, key: string): boolean => {
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON: (k: string) => unknown }).toJSON(key);
    }
    switch (typeof v) {
      case 'string':
        out.push(quoteString(v));
        return true;
      case 'number':
        out.push(pythonNumber(v));
        return true;
      case 'bigint':
        out.push(v.toString());
        return true;
      case 'boolean':
        out.push(v ? 'true' : 'false');
        return true;
      case 'undefined':
      case 'function':
      case 'symbol':
        return false;
    }
    if (v === null) {
      out.push('null');
      return true;
    }
    const obj = v as object;
    if (seen.has(obj)) throw new TypeError('Circular reference detected');
    seen.add(obj);
    const inner = `${indent}  `;
    if (Array.isArray(obj)) {
      if (obj.length === 0) {
        out.push('[]');
      } else {
        out.push('[');
        for (let i = 0; i < obj.length; i++) {
          out.push(i === 0 ? `\n${inner}` : `,\n${inner}`);
          if (!write(obj[i], inner, String(i))) out.push('null');
        }
        out.push(`\n${indent}]`);
      }
    } else {
      const record = obj as Record<string, unknown>;
      const keys = Object.keys(record).sort(compareCodePoints);
      let first = true;
      for (const k of keys) {
        const mark = out.length;
        out.push(first ? `{\n${inner}` : `,\n${inner}`, quoteString(k), ': ');
        if (write(record[k], inner, k)) {
          first = false;
        } else {
          out.length = mark; // member left out, as JSON.stringify does
        }
      }
      out.push(first ? '{}' : `\n${indent}}`);
    }
    seen.delete(obj);
    return true;
  };

  if (!write(value, '', '')) out.push('null');
  return out.join('');
}

// ---------------------------------------------------------------------------------------
// Tokens and HTML rendering
// ---------------------------------------------------------------------------------------

/** A token: its CSS class ('' for plain text) and whether URLs in it become links. */
interface Token {
  cls: string;
  text: string;
  links?: 'iri' | 'text';
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/**
 * An http(s) URL inside a string token. It stops at whitespace, double quotes, backslashes (a JSON
 * escape such as `\"` ends it) and angle brackets, none of which a URL can hold unencoded.
 */
const URL_IN_TEXT = /https?:\/\/[^\s"\\<>\u0000-\u001f\u007f]+/g;

/** Drops sentence punctuation that follows a URL in prose, keeping balanced parentheses. */
function trimUrl(url: string): string {
  let end = url.length;
  for (;;) {
    const c = url[end - 1];
    if (".,;:!?'".includes(c)) {
      end--;
    } else if (c === ')') {
      const body = url.slice(0, end);
      const opens = body.split('(').length - 1;
      const closes = body.split(')').length - 1;
      if (closes > opens) end--;
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

/** Escapes a piece of token text, turning the URLs it holds into links. */
function escapeWithLinks(text: string, mode: 'iri' | 'text' | undefined): string {
  if (mode === 'iri') {
    // `<…>`: the whole IRI is the link when it is an absolute http(s) IRI.
    if (text.length > 2 && text.startsWith('<') && text.endsWith('>')) {
      const iri = text.slice(1, -1);
      if (/^https?:\/\/./.test(iri)) return `&lt;${link(iri)}&gt;`;
    }
    return escapeHtml(text);
  }
  if (mode === 'text' && text.includes('http')) {
    let html = '';
    let last = 0;
    URL_IN_TEXT.lastIndex = 0;
    for (let m = URL_IN_TEXT.exec(text); m !== null; m = URL_IN_TEXT.exec(text)) {
      const url = trimUrl(m[0]);
      if (!/^https?:\/\/./.test(url)) continue;
      html += escapeHtml(text.slice(last, m.index)) + link(url);
      last = m.index + url.length;
      URL_IN_TEXT.lastIndex = last;
    }
    return html + escapeHtml(text.slice(last));
  }
  return escapeHtml(text);
}

/** Renders tokens as the line-numbered table, one `<span id="line-N">` per line. */
function renderTable(tokens: Iterable<Token>): string {
  const code: string[] = ['<span id="line-1">'];
  let line = 1;
  let endsWithNewline = false;
  for (const token of tokens) {
    if (token.text === '') continue;
    const pieces = token.text.split('\n');
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0) {
        line++;
        code.push(`\n</span><span id="line-${line}">`);
      }
      const piece = pieces[i];
      if (piece === '') continue;
      const html = escapeWithLinks(piece, token.links);
      code.push(token.cls ? `<span class="${token.cls}">${html}</span>` : html);
    }
    endsWithNewline = token.text.endsWith('\n');
  }
  // A final newline ends the last line rather than starting an empty one.
  if (endsWithNewline && line > 1) {
    code.pop();
    line--;
  }
  code.push('\n</span>');

  const numbers: string[] = [];
  for (let n = 1; n <= line; n++) numbers.push(`<a href="#line-${n}">${n}</a>`);

  return (
    '<table class="highlighttable"><tr>' +
    `<td class="linenos"><div class="linenodiv"><pre>${numbers.join('\n')}\n</pre></div></td>` +
    `<td class="code"><div class="highlight"><pre>${code.join('')}</pre></div></td>` +
    '</tr></table>'
  );
}

function page(tokens: Iterable<Token>): string {
  return (
    '<!doctype html>\n' +
    '<html lang="en">\n' +
    '<head>\n' +
    '<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<title></title>\n' +
    '<link rel="stylesheet" href="/highlight-style.css">\n' +
    '</head>\n' +
    `<body>\n${renderTable(tokens)}\n</body>\n` +
    '</html>\n'
  );
}

/**
 * Splits `text` into tokens with `step`, which reads the token(s) starting at a position;
 * where it reads nothing, one code point is emitted as plain text, so scanning always
 * moves forward and never fails.
 */
function* scan(
  text: string,
  step: (text: string, pos: number) => Token[] | Token | null,
): Generator<Token> {
  let pos = 0;
  while (pos < text.length) {
    let result: Token[] | Token | null;
    try {
      result = step(text, pos);
    } catch {
      result = null;
    }
    const tokens = result === null ? [] : Array.isArray(result) ? result : [result];
    let length = 0;
    for (const t of tokens) length += t.text.length;
    if (length === 0) {
      const cp = text.codePointAt(pos) ?? 0;
      const size = cp > 0xffff ? 2 : 1;
      yield { cls: '', text: text.slice(pos, pos + size) };
      pos += size;
      continue;
    }
    yield* tokens;
    pos += length;
  }
}

function normalizeNewlines(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

// ---------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------

const JSON_SPACE = /\s+/y;
// A string, or an unterminated one running to the end of its line.
const JSON_STRING = /"(?:[^"\\\n]|\\[^\n])*(?:"|\\?(?=\n|$))/y;
const JSON_AFTER_STRING = /[ \t\r\n]*:/y;
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const JSON_LITERAL = /(?:true|false|null|NaN|-?Infinity)(?![\w$])/y;
const JSON_PUNCTUATION = /[{}[\],:]/y;

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

function jsonStep(text: string, pos: number): Token | null {
  let m: string | null;
  if ((m = matchAt(JSON_SPACE, text, pos)) !== null) return { cls: '', text: m };
  if ((m = matchAt(JSON_STRING, text, pos)) !== null) {
    const terminated = isClosedString(m);
    const isKey = matchAt(JSON_AFTER_STRING, text, pos + m.length) !== null;
    return { cls: isKey ? 'nt' : terminated ? 's2' : 's2 err', text: m, links: 'text' };
  }
  if ((m = matchAt(JSON_LITERAL, text, pos)) !== null) return { cls: 'kc', text: m };
  if ((m = matchAt(JSON_NUMBER, text, pos)) !== null) {
    return { cls: /[.eE]/.test(m) ? 'mf' : 'mi', text: m };
  }
  if ((m = matchAt(JSON_PUNCTUATION, text, pos)) !== null) return { cls: 'p', text: m };
  return null;
}

function jsonTokens(text: string): Iterable<Token> {
  return scan(normalizeNewlines(text), jsonStep);
}

/** A full HTML page showing `value` as highlighted JSON (the text of `jsonSource`). */
export function highlightJsonPage(value: unknown): string {
  return page(jsonTokens(jsonSource(value)));
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
const TTL_DATATYPE_MARK = /\^\^/y;
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

function turtleName(text: string, pos: number): Token[] | null {
  const prefix = matchAt(TTL_PREFIX, text, pos);
  if (prefix === null) return null;
  const local = matchAt(TTL_LOCAL, text, pos + prefix.length) ?? '';
  if (prefix === '_:') return [{ cls: 'nl', text: prefix + local }];
  return local === ''
    ? [{ cls: 'nn', text: prefix }]
    : [{ cls: 'nn', text: prefix }, { cls: 'nt', text: local }];
}

function turtleStep(text: string, pos: number): Token | Token[] | null {
  let m: string | null;
  const c = text[pos];
  if ((m = matchAt(TTL_SPACE, text, pos)) !== null) return { cls: '', text: m };
  if (c === '#') return { cls: 'c1', text: matchAt(TTL_COMMENT, text, pos) ?? c };
  if (c === '<') {
    m = matchAt(TTL_IRI, text, pos);
    return m === null ? null : { cls: 'nv', text: m, links: 'iri' };
  }
  if (c === '"' || c === "'") {
    m = matchAt(TTL_LONG_STRING, text, pos) ?? matchAt(TTL_STRING, text, pos);
    if (m === null) return null;
    const tokens: Token[] = [{ cls: m.length > 3 && m[0] === m[1] ? 'sd' : 's2', text: m }];
    // A language tag or a datatype right after the literal belongs to it.
    let after = pos + m.length;
    const lang = matchAt(TTL_LANGUAGE, text, after);
    if (lang !== null) {
      tokens.push({ cls: 'ni', text: lang });
    } else if (matchAt(TTL_DATATYPE_MARK, text, after) !== null) {
      tokens.push({ cls: 'o', text: '^^' });
      after += 2;
      const iri = matchAt(TTL_IRI, text, after);
      if (iri !== null) tokens.push({ cls: 'nv', text: iri, links: 'iri' });
      else tokens.push(...(turtleName(text, after) ?? []));
    }
    return tokens;
  }
  if (c === '@') {
    if ((m = matchAt(TTL_DIRECTIVE, text, pos)) !== null) return { cls: 'k', text: m };
    return null;
  }
  if ((m = matchAt(TTL_SPARQL_DIRECTIVE, text, pos)) !== null) return { cls: 'k', text: m };
  if ((m = matchAt(TTL_A, text, pos)) !== null) return { cls: 'k', text: m };
  if ((m = matchAt(TTL_BOOLEAN, text, pos)) !== null) return { cls: 'kc', text: m };
  if ((m = matchAt(TTL_NUMBER, text, pos)) !== null) {
    return { cls: /[.eE]/.test(m) ? 'mf' : 'mi', text: m };
  }
  const name = turtleName(text, pos);
  if (name !== null) return name;
  if ((m = matchAt(TTL_PUNCTUATION, text, pos)) !== null) return { cls: 'p', text: m };
  if (c === '^' && matchAt(TTL_DATATYPE_MARK, text, pos) !== null) return { cls: 'o', text: '^^' };
  return null;
}

/** A full HTML page showing Turtle source, highlighted. */
export function highlightTurtlePage(turtle: string): string {
  return page(scan(normalizeNewlines(String(turtle)), turtleStep));
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
