import { describe, expect, it } from 'vitest';
import {
  HIGHLIGHT_CSS,
  highlightJsonPage,
  highlightTurtlePage,
  jsonSource,
} from '../../workers/data/html-view';
import { VOCABULARY_TURTLE } from '../../workers/data/vocabulary';
import { Parser, type Quad } from '../../workers/shared/rdf';

// ---------------------------------------------------------------------------------------
// Helpers: read a rendered page back
// ---------------------------------------------------------------------------------------

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

function unescapeHtml(s: string): string {
  return s.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]);
}

/** The code lines of a page, by their `line-N` anchors: [N, inner HTML]. */
function codeLines(html: string): Array<[number, string]> {
  const code = html.slice(html.indexOf('<td class="code">'));
  return [...code.matchAll(/<span id="line-(\d+)">([^\n]*)\n<\/span>/g)].map((m) => [Number(m[1]), m[2]]);
}

/** The text shown on each code line, with markup removed and entities decoded. */
function shownLines(html: string): string[] {
  return codeLines(html).map(([, inner]) => unescapeHtml(inner.replace(/<[^>]*>/g, '')));
}

/** Checks that the page shows exactly `source`, one anchored line per source line. */
function expectShowsSource(html: string, source: string): void {
  const lines = source.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  const anchored = codeLines(html);
  expect(anchored.map(([n]) => n)).toEqual(lines.map((_, i) => i + 1));
  expect(shownLines(html)).toEqual(lines);
  // One line number, linking to its anchor, per line.
  const numbers = html.slice(html.indexOf('<td class="linenos">'), html.indexOf('<td class="code">'));
  const linked = [...numbers.matchAll(/<a href="#line-(\d+)">(\d+)<\/a>/g)];
  expect(linked.length).toBe(lines.length);
  for (const [i, m] of linked.entries()) {
    expect(m[1]).toBe(String(i + 1));
    expect(m[2]).toBe(String(i + 1));
  }
}

const ALLOWED_TAGS = new Set(['html', 'head', 'meta', 'title', 'link', 'body', 'table', 'tr', 'td', 'div', 'pre', 'span', 'a']);

/** Checks that the page holds only the markup the view itself writes. */
function expectOnlyOwnMarkup(html: string): void {
  expect(html.toLowerCase()).not.toContain('<script');
  const body = html.slice(html.indexOf('<body>'));
  for (const m of body.matchAll(/<\/?([A-Za-z][\w-]*)([^>]*)>/g)) {
    expect(ALLOWED_TAGS.has(m[1].toLowerCase()), m[0]).toBe(true);
    const attributes = m[2].trim();
    if (attributes === '') continue;
    // Only id, class and href, each double-quoted with no raw quote or bracket inside.
    expect(attributes, m[0]).toMatch(/^(?:(?:id|class|href)="[^"<>]*"\s*)+$/);
  }
}

function linksOf(html: string): string[] {
  return [...html.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)]
    .filter((m) => !m[1].startsWith('#'))
    .map((m) => {
      expect(m[2]).toBe(m[1]); // the link text is the URL itself
      return unescapeHtml(m[1]);
    });
}

// ---------------------------------------------------------------------------------------
// jsonSource
// ---------------------------------------------------------------------------------------

describe('jsonSource', () => {
  it('writes what Python json.dumps(indent=2, sort_keys=True, ensure_ascii=False) writes', () => {
    const value = {
      zeta: [1, 2.5, { b: null, a: true }],
      alpha: { nested: { y: [], x: {} }, name: 'Ærø – “quoted” "x"\n\ttab' },
      Beta: -0.00001,
      e: 0.0001,
      f: false,
      '': 'empty key',
    };
    const expected = [
      '{',
      '  "": "empty key",',
      '  "Beta": -1e-05,',
      '  "alpha": {',
      '    "name": "Ærø – “quoted” \\"x\\"\\n\\ttab",',
      '    "nested": {',
      '      "x": {},',
      '      "y": []',
      '    }',
      '  },',
      '  "e": 0.0001,',
      '  "f": false,',
      '  "zeta": [',
      '    1,',
      '    2.5,',
      '    {',
      '      "a": true,',
      '      "b": null',
      '    }',
      '  ]',
      '}',
    ].join('\n');
    expect(jsonSource(value)).toBe(expected);
  });

  it('sorts keys recursively, by code point, and leaves values in order', () => {
    const source = jsonSource({ b: { d: 1, c: [{ z: 0, y: 0 }] }, a: ['b', 'a'], '\u{1F600}': 1, '\uFF61': 2 });
    const keys = [...source.matchAll(/"([^"]*)":/g)].map((m) => m[1]);
    expect(keys).toEqual(['a', 'b', 'c', 'y', 'z', 'd', '\uFF61', '\u{1F600}']);
    expect(source).toContain('"a": [\n    "b",\n    "a"\n  ]');
  });

  it('formats scalars and containers as Python does', () => {
    expect(jsonSource({})).toBe('{}');
    expect(jsonSource([])).toBe('[]');
    expect(jsonSource('x')).toBe('"x"');
    expect(jsonSource(null)).toBe('null');
    expect(jsonSource(-1500)).toBe('-1500');
    expect(jsonSource(1e21)).toBe('1000000000000000000000');
    expect(jsonSource(0.1)).toBe('0.1');
    expect(jsonSource(1.5e-7)).toBe('1.5e-07');
    expect(jsonSource('\u0001\u007f/é')).toBe('"\\u0001\u007f/é"');
    expect(jsonSource([[]])).toBe('[\n  []\n]');
  });

  it('treats values JSON cannot hold as JSON.stringify does', () => {
    expect(jsonSource({ a: undefined, b: 1 })).toBe('{\n  "b": 1\n}');
    expect(jsonSource({ a: undefined })).toBe('{}');
    expect(jsonSource([undefined, () => 1])).toBe('[\n  null,\n  null\n]');
    expect(jsonSource(undefined)).toBe('null');
    expect(jsonSource({ when: new Date(0) })).toBe('{\n  "when": "1970-01-01T00:00:00.000Z"\n}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => jsonSource(cyclic)).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------------------------------
// JSON pages
// ---------------------------------------------------------------------------------------

const SAMPLE = {
  '@context': 'http://n2t.net/ark:/99152/p0c1.jsonld',
  id: 'p0trgkv',
  source: { citation: 'A book', locator: 'p. 12', url: 'https://www.worldcat.org/oclc/123?x=1&y=2' },
  periods: {
    p0trgkv4kxb: {
      label: 'Early Bronze Age',
      editorialNote: 'See https://perio.do/en/ (and http://example.org/a_(b)), please.',
      spatialCoverage: [{ id: 'http://www.wikidata.org/entity/Q43', label: 'Turkey' }],
      start: { in: { year: '-2999' } },
      stop: { in: { earliestYear: '-1999', latestYear: '-1900' } },
    },
  },
  count: 3,
  ratio: 0.5,
  ok: true,
  none: null,
};

describe('highlightJsonPage', () => {
  it('is a complete page with the stylesheet and the line-numbered table', () => {
    const html = highlightJsonPage(SAMPLE);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toMatch(/<title>[^<]*<\/title>/);
    expect(html).toContain('<link rel="stylesheet" href="/highlight-style.css">');
    expect(html).toContain('<table class="highlighttable">');
    expect(html).toContain('<td class="linenos">');
    expect(html).toContain('<td class="code">');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('shows every line of the JSON source under its line-N anchor', () => {
    const html = highlightJsonPage(SAMPLE);
    expectShowsSource(html, jsonSource(SAMPLE));
    expectOnlyOwnMarkup(html);
  });

  it('classes keys, strings, numbers, literals and punctuation', () => {
    const html = highlightJsonPage(SAMPLE);
    expect(html).toContain('<span class="nt">&quot;count&quot;</span><span class="p">:</span> <span class="mi">3</span>');
    expect(html).toContain('<span class="mf">0.5</span>');
    expect(html).toContain('<span class="kc">true</span>');
    expect(html).toContain('<span class="kc">null</span>');
    expect(html).toContain('<span class="s2">&quot;p0trgkv&quot;</span>');
    expect(html).toContain('<span class="p">{</span>');
  });

  it('links every http(s) URL inside string values, quotes outside the link', () => {
    const html = highlightJsonPage(SAMPLE);
    expect(html).toContain(
      '<span class="s2">&quot;<a href="https://www.worldcat.org/oclc/123?x=1&amp;y=2">https://www.worldcat.org/oclc/123?x=1&amp;y=2</a>&quot;</span>',
    );
    expect(html).toContain(
      '<span class="s2">&quot;<a href="http://n2t.net/ark:/99152/p0c1.jsonld">http://n2t.net/ark:/99152/p0c1.jsonld</a>&quot;</span>',
    );
    expect(linksOf(html).sort()).toEqual(
      [
        'http://n2t.net/ark:/99152/p0c1.jsonld',
        'https://www.worldcat.org/oclc/123?x=1&y=2',
        'https://perio.do/en/',
        'http://example.org/a_(b)',
        'http://www.wikidata.org/entity/Q43',
      ].sort(),
    );
    // Prose around a URL stays outside the link.
    expect(html).toContain('&quot;See <a href="https://perio.do/en/">https://perio.do/en/</a> (and <a href="http://example.org/a_(b)">');
    expect(html).toContain('</a>), please.&quot;');
  });

  it('escapes hostile strings so that no data becomes markup', () => {
    const hostile = {
      '</script><script>alert(1)</script>': '</script><script>alert(1)</script>',
      quote: 'http://evil.example/"onmouseover="alert(1)',
      angle: 'https://evil.example/<script>alert(1)</script>',
      apostrophe: "http://evil.example/'><img src=x onerror=alert(1)>",
      amp: 'a & b &amp; <b>bold</b>',
    };
    const html = highlightJsonPage(hostile);
    expectOnlyOwnMarkup(html);
    expectShowsSource(html, jsonSource(hostile));
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('a &amp; b &amp;amp; &lt;b&gt;bold&lt;/b&gt;');
    // A link stops where the URL does: at the escaped quote or the angle bracket.
    expect(linksOf(html).sort()).toEqual(['http://evil.example/', 'http://evil.example/', 'https://evil.example/'].sort());
    // Whatever a link holds, its href attribute cannot be closed early.
    for (const m of html.matchAll(/<a href="([^"]*)">/g)) expect(m[1]).not.toMatch(/[<>']/);
  });

  it('renders odd values without throwing', () => {
    const odd = [
      '\ud800 lone surrogate',
      '\u0000\u001f controls',
      'emoji \u{1F600}',
      'http://',
      'https://',
      '\\"',
      '"unbalanced',
      NaN,
      Infinity,
      -Infinity,
      -0,
      10n,
      '\u2028\u2029',
      'line\r\nbreak',
    ];
    const html = highlightJsonPage(odd);
    expectShowsSource(html, jsonSource(odd));
    expectOnlyOwnMarkup(html);
    expect(linksOf(html)).toEqual([]);
    expect(() => highlightJsonPage(undefined)).not.toThrow();
    expect(() => highlightJsonPage('')).not.toThrow();

    let deep: unknown = 'bottom';
    for (let i = 0; i < 2000; i++) deep = [deep];
    const deepHtml = highlightJsonPage(deep);
    expect(codeLines(deepHtml).length).toBe(4001);
  });

  it('renders a 2 MB value whole, every entity in it', async () => {
    const periods: Record<string, unknown> = {};
    for (let i = 0; i < 3000; i++) {
      periods[`p0abcde${i}`] = {
        id: `p0abcde${i}`,
        label: `Period ${i} – “late” phase`,
        spatialCoverage: [{ id: `http://www.wikidata.org/entity/Q${i}`, label: 'Somewhere & elsewhere' }],
        source: { url: `https://www.worldcat.org/oclc/${i}`, locator: `p. ${i}` },
        note: `See https://example.org/${i}/notes for <details>.`,
        start: { in: { earliestYear: String(-i), latestYear: String(-i + 50) } },
        stop: { in: { year: String(i) } },
      };
    }
    const value = { authorities: { p0abcde: { periods } } };
    const size = new TextEncoder().encode(jsonSource(value)).length;
    expect(size).toBeGreaterThan(2_000_000);

    // Its speed is a benchmark's business; here, that nothing is cut short or dropped.
    const html = highlightJsonPage(value);
    expect(html.length).toBeGreaterThan(size);
    expect(html).toContain('p0abcde0');
    expect(html).toContain('p0abcde2999');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------
// Turtle pages
// ---------------------------------------------------------------------------------------

const TURTLE = `@prefix dcterms: <http://purl.org/dc/terms/> .
@base <http://n2t.net/ark:/99152/> .
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
# A comment with <http://not.a.link/> inside
<p0trgkv4kxb> a skos:Concept ;
    skos:prefLabel "Early Bronze Age"@en , "Frühbronzezeit"@de-DE ;
    skos:note """A long note
spanning "three" lines
with a URL http://example.org/in-a-literal"""@en ;
    <http://n2t.net/ark:/99152/p0v#earliestYear> "-1999"^^<http://www.w3.org/2001/XMLSchema#gYear> ;
    skos:inScheme <#relative>, _:b0 ;
    dcterms:extent 12, 1.5, 2e3, true ;
    dcterms:source [ dcterms:title 'single quoted \\' escaped' ] ;
    skos:altLabel "typed"^^xsd:string ;
    skos:broader ex:a\\.b:c%20d .
`;

describe('highlightTurtlePage', () => {
  it('shows every line of the source under its line-N anchor', () => {
    const html = highlightTurtlePage(TURTLE);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<link rel="stylesheet" href="/highlight-style.css">');
    expectShowsSource(html, TURTLE);
    expectOnlyOwnMarkup(html);
  });

  it('links absolute http(s) IRIs, angle brackets outside the link', () => {
    const html = highlightTurtlePage(TURTLE);
    expect(html).toContain(
      '<span class="nv">&lt;<a href="http://purl.org/dc/terms/">http://purl.org/dc/terms/</a>&gt;</span>',
    );
    expect(linksOf(html)).toEqual([
      'http://purl.org/dc/terms/',
      'http://n2t.net/ark:/99152/',
      'http://www.w3.org/2004/02/skos/core#',
      'http://n2t.net/ark:/99152/p0v#earliestYear',
      'http://www.w3.org/2001/XMLSchema#gYear',
    ]);
    // Relative IRIs stay plain.
    expect(html).toContain('<span class="nv">&lt;p0trgkv4kxb&gt;</span>');
    expect(html).toContain('<span class="nv">&lt;#relative&gt;</span>');
  });

  it('classes keywords, names, literals, comments and punctuation', () => {
    const html = highlightTurtlePage(TURTLE);
    expect(html).toContain('<span class="k">@prefix</span> <span class="nn">dcterms:</span>');
    expect(html).toContain('<span class="k">@base</span>');
    expect(html).toContain('<span class="k">PREFIX</span>');
    expect(html).toContain('<span class="k">a</span> <span class="nn">skos:</span><span class="nt">Concept</span>');
    expect(html).toContain('<span class="c1"># A comment with &lt;http://not.a.link/&gt; inside</span>');
    expect(html).toContain('<span class="s2">&quot;Early Bronze Age&quot;</span><span class="ni">@en</span>');
    expect(html).toContain('<span class="ni">@de-DE</span>');
    expect(html).toContain('<span class="sd">&quot;&quot;&quot;A long note</span>');
    expect(html).toContain(
      '<span class="sd">with a URL http://example.org/in-a-literal&quot;&quot;&quot;</span><span class="ni">@en</span>',
    );
    expect(html).toContain('<span class="s2">&quot;-1999&quot;</span><span class="o">^^</span><span class="nv">&lt;');
    expect(html).toContain('<span class="o">^^</span><span class="nn">xsd:</span><span class="nt">string</span>');
    expect(html).toContain('<span class="nl">_:b0</span>');
    expect(html).toContain('<span class="mi">12</span><span class="p">,</span> <span class="mf">1.5</span>');
    expect(html).toContain('<span class="mf">2e3</span>');
    expect(html).toContain('<span class="kc">true</span>');
    expect(html).toContain('<span class="s2">&#39;single quoted \\&#39; escaped&#39;</span>');
    expect(html).toContain('<span class="nn">ex:</span><span class="nt">a\\.b:c%20d</span> <span class="p">.</span>');
  });

  it('escapes hostile content and IRIs', () => {
    const hostile = `<http://evil.example/"onclick="x> <http://evil.example/<script>> "</script><script>alert(1)</script>" .
# </pre><script>alert(2)</script>
<http://ok.example/?a=1&b=2> <p> """<img src=x onerror=alert(3)>""" .
`;
    const html = highlightTurtlePage(hostile);
    expectOnlyOwnMarkup(html);
    expectShowsSource(html, hostile);
    expect(linksOf(html)).toEqual(['http://ok.example/?a=1&b=2']);
    expect(html).toContain('<a href="http://ok.example/?a=1&amp;b=2">');
  });

  it('handles unterminated and odd input without throwing', () => {
    const cases = [
      '',
      '\n',
      '"unterminated string\n<http://example.org/next-line> .',
      '"""unterminated long string\nrunning on\n',
      "'''unterminated",
      '<http://example.org/unterminated-iri\nex:a ex:b ex:c .',
      '"ends in a backslash\\',
      '"""ends in a backslash\\',
      '@ @pref @prefix: ^ ^^ ^^^ :: _: _:_ . ; , [ ] ( ) { } | ~ `',
      'ex:a ex:b "x"^^ .',
      'ex:a ex:b "x"@ .',
      '\u0000\ud800\udfff\u{1F600}\u2028',
      'crlf line 1\r\nline 2\rline 3\r\n',
      'no final newline',
      '#'.repeat(10_000),
      '"'.repeat(9),
      '<'.repeat(500) + '>'.repeat(500),
      '\\'.repeat(100),
    ];
    for (const turtle of cases) {
      let html = '';
      expect(() => (html = highlightTurtlePage(turtle)), JSON.stringify(turtle)).not.toThrow();
      expectShowsSource(html, turtle);
      expectOnlyOwnMarkup(html);
    }
    // An unterminated short string stops at its line; the next line is read afresh.
    const html = highlightTurtlePage(cases[2]);
    expect(linksOf(html)).toEqual(['http://example.org/next-line']);
    expect(() => highlightTurtlePage(undefined as unknown as string)).not.toThrow();
  });

  it('highlights a long Turtle document line for line', async () => {
    const lines: string[] = ['@prefix ex: <http://example.org/> .'];
    for (let i = 0; i < 20_000; i++) {
      lines.push(`<http://example.org/p${i}> a ex:Thing ; ex:label "Thing ${i} & co"@en ; ex:n ${i} .`);
    }
    const turtle = `${lines.join('\n')}\n`;
    // Its speed is a benchmark's business; here, that no line is lost or merged.
    const html = highlightTurtlePage(turtle);
    expect(codeLines(html).length).toBe(lines.length);
    expect(html).toContain('Thing 19999 &amp; co');
  });
});

describe('HIGHLIGHT_CSS', () => {
  it('styles the table, line numbers and token classes', () => {
    for (const selector of ['.highlighttable', '.linenos', '.nt', '.s2', '.mi', '.kc', '.p', '.nv', '.nn', '.c1', '.k', ':target']) {
      expect(HIGHLIGHT_CSS).toContain(selector);
    }
    // Balanced braces: a rough check that the stylesheet is well formed.
    expect(HIGHLIGHT_CSS.split('{').length).toBe(HIGHLIGHT_CSS.split('}').length);
  });
});

// ---------------------------------------------------------------------------------------
// The vocabulary
// ---------------------------------------------------------------------------------------

const P0V = 'http://n2t.net/ark:/99152/p0v#';
const ONTOLOGY = 'http://n2t.net/ark:/99152/p0v';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const RDFS = 'http://www.w3.org/2000/01/rdf-schema#';
const DCTERMS = 'http://purl.org/dc/terms/';
const OWL = 'http://www.w3.org/2002/07/owl#';
const PROV_ROLE = 'http://www.w3.org/ns/prov#Role';
const XSD_GYEAR = 'http://www.w3.org/2001/XMLSchema#gYear';

describe('VOCABULARY_TURTLE', () => {
  const quads: Quad[] = new Parser().parse(VOCABULARY_TURTLE);
  const objects = (s: string, p: string) =>
    quads.filter((q) => q.subject.value === s && q.predicate.value === p).map((q) => q.object);
  const values = (s: string, p: string) => objects(s, p).map((o) => o.value);

  it('parses as Turtle', () => {
    expect(quads.length).toBeGreaterThan(30);
  });

  it('has an ontology header', () => {
    expect(values(ONTOLOGY, RDF_TYPE)).toContain(`${OWL}Ontology`);
    expect(values(ONTOLOGY, `${DCTERMS}title`)).toHaveLength(1);
    expect(values(ONTOLOGY, `${DCTERMS}description`)[0]?.length).toBeGreaterThan(50);
  });

  it('describes the properties with labels, comments, domains and ranges', () => {
    for (const name of ['earliestYear', 'latestYear', 'spatialCoverageDescription']) {
      const term = P0V + name;
      expect(values(term, RDF_TYPE), name).toContain(`${OWL}DatatypeProperty`);
      const [label] = objects(term, `${RDFS}label`);
      expect(label?.termType, name).toBe('Literal');
      expect(label && 'language' in label ? label.language : '', name).toBe('en');
      expect(values(term, `${RDFS}comment`)[0]?.length, name).toBeGreaterThan(40);
      expect(values(term, `${RDFS}domain`), name).toHaveLength(1);
      expect(values(term, `${RDFS}range`), name).toHaveLength(1);
      expect(values(term, `${RDFS}isDefinedBy`), name).toEqual([ONTOLOGY]);
    }
    expect(values(`${P0V}earliestYear`, `${RDFS}range`)).toEqual([XSD_GYEAR]);
    expect(values(`${P0V}latestYear`, `${RDFS}range`)).toEqual([XSD_GYEAR]);
    expect(values(`${P0V}earliestYear`, `${RDFS}domain`)).toEqual(['http://www.w3.org/2006/time#DateTimeDescription']);
    expect(values(`${P0V}spatialCoverageDescription`, `${RDFS}domain`)).toEqual([
      'http://www.w3.org/2004/02/skos/core#Concept',
    ]);
  });

  it('describes the provenance roles', () => {
    for (const name of ['submitted', 'updated', 'merged']) {
      const term = P0V + name;
      expect(values(term, RDF_TYPE), name).toEqual([PROV_ROLE]);
      expect(values(term, `${RDFS}label`), name).toEqual([name]);
      expect(values(term, `${RDFS}comment`)[0]?.length, name).toBeGreaterThan(40);
      expect(values(term, `${RDFS}isDefinedBy`), name).toEqual([ONTOLOGY]);
    }
  });

  it('defines every term it declares in its own namespace', () => {
    const subjects = new Set(quads.map((q) => q.subject.value).filter((s) => s.startsWith(P0V)));
    for (const s of subjects) {
      expect(values(s, `${RDFS}isDefinedBy`), s).toEqual([ONTOLOGY]);
      expect(values(s, `${RDFS}label`), s).toHaveLength(1);
    }
  });

  it('highlights as a page that shows all of it', () => {
    const html = highlightTurtlePage(VOCABULARY_TURTLE);
    expectShowsSource(html, VOCABULARY_TURTLE);
    expectOnlyOwnMarkup(html);
    expect(linksOf(html)).toContain('http://n2t.net/ark:/99152/p0v');
  });
});
