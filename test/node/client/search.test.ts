/**
 * The client's search on the fixtures: the index built from a dataset, text search over
 * every label, place, description and source, filters, facet counts that follow the
 * query, sort orders, and year handling (BCE/CE). Expected answers come from a plain
 * scan of the dataset JSON written here, independent of the index and engine.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseYear, searchIndexOfDataset, terminusYears } from '../../../workers/domain/search-index';
import { normalize, SearchEngine, type SearchQuery } from '../../../workers/client/src/search/engine';
import { formatRange, formatYear, parseUserYear, userYear } from '../../../workers/client/src/search/years';
import { queryFromParams, toggled } from '../../../workers/client/src/search/url-query';

type Json = Record<string, any>;
const load = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8')) as Json;
const dataset2015 = load('periodo-2015.json');
const serverData = load('server/test-data.json');

const bare = (id: string) => id.replace(/^.*\/\.well-known\/genid\/assigned\//, '');

/** Every period of a dataset with the texts a person would expect a search to look at. */
function flatten(dataset: Json) {
  const out: { id: string; authority: string; texts: string[]; languages: string[]; places: string[]; lo: number | null; hi: number | null; label: string }[] = [];
  for (const a of Object.values(dataset.authorities as Json)) {
    const s = a.source ?? {};
    const agents = [...(s.creators ?? []), ...(s.contributors ?? []), ...(s.partOf?.creators ?? []), ...(s.partOf?.contributors ?? [])].map((x: Json) => x.name ?? '');
    for (const p of Object.values(a.periods as Json)) {
      const localized = Object.entries((p.localizedLabels ?? {}) as Record<string, string[]>);
      const years = [p.start?.in?.year, p.start?.in?.earliestYear, p.start?.in?.latestYear, p.stop?.in?.year, p.stop?.in?.earliestYear, p.stop?.in?.latestYear]
        .filter((y) => y !== undefined)
        .map(Number);
      out.push({
        id: p.id,
        authority: a.id,
        label: p.label ?? '',
        texts: [p.label ?? '', ...localized.flatMap(([, l]) => l), ...(p.spatialCoverage ?? []).map((x: Json) => x.label ?? ''), p.spatialCoverageDescription ?? '', s.title ?? '', s.partOf?.title ?? '', ...agents],
        languages: [p.language ?? p.languageTag, ...localized.map(([t]) => t)].filter(Boolean),
        places: (p.spatialCoverage ?? []).map((x: Json) => x.id ?? x['@id'] ?? `label:${x.label}`),
        lo: years.length ? Math.min(...years) : null,
        hi: years.length ? Math.max(...years) : null,
      });
    }
  }
  return out;
}

const periods2015 = flatten(dataset2015);
const index2015 = searchIndexOfDataset(dataset2015, 7, '2015-01-01T00:00:00.000Z');
const engine = new SearchEngine(index2015);

function ids(q: SearchQuery, e = engine): string[] {
  const r = e.search(q);
  return [...r.order].map((pos) => e.index.periods.id[pos]).sort();
}

function expected(pred: (p: (typeof periods2015)[number]) => boolean): string[] {
  return periods2015.filter(pred).map((p) => p.id).sort();
}

const mentions = (p: (typeof periods2015)[number], word: string) => p.texts.some((t) => normalize(t).includes(normalize(word)));

describe('search index', () => {
  it('holds every period of the dataset with its authority, labels, places and years', () => {
    const index = searchIndexOfDataset(serverData, 3, '2024-01-01T00:00:00.000Z');
    expect(index.version).toBe(3);
    expect(index.periods.id.map(bare).sort()).toEqual(['p0trgkv4kxb', 'p0trgkvkhrv', 'p0trgkvwbjd']);
    expect(index.authorities.title).toEqual(['The Corinthian, Attic, and Lakonian pottery from Sardis']);
    expect(index.authorities.creators[0]).toBe('Schaeffer, Judith Snyder, 1937-; Ramage, Nancy H., 1942-; Greenewalt, Crawford H. (Crawford Hallock), 1937-2012.');
    expect(index.authorities.year).toEqual([1997]);
    const at = index.periods.label.indexOf('Iron Age');
    expect([index.periods.startEarliest[at], index.periods.startLatest[at], index.periods.stopEarliest[at], index.periods.stopLatest[at]]).toEqual([-799, -799, -549, -549]);
    // The preferred label is not repeated among the localized ones; places are shared, keyed by id.
    expect(index.periods.localized[at]).toBeNull();
    expect(index.places.label.sort()).toEqual(['Spain', 'Turkey']);
    expect(index.periods.places.flat().length).toBe(3);
    expect(index.periods.language[at]).toBe('eng-latn');
  });

  it('is a small fraction of the dataset it indexes', () => {
    const indexBytes = JSON.stringify(index2015).length;
    const datasetBytes = JSON.stringify(dataset2015).length;
    expect(index2015.periods.id.length).toBe(1791);
    expect(indexBytes).toBeLessThan(datasetBytes / 2);
  });

  it('reads ISO years, with earliest and latest when a terminus is a range', () => {
    expect(parseYear('-0615')).toBe(-615);
    expect(parseYear('0000')).toBe(0);
    expect(parseYear('+12000')).toBe(12000);
    expect(parseYear(1200)).toBe(1200);
    expect(parseYear('c. 1200')).toBeNull();
    expect(terminusYears({ in: { year: '-0508' } })).toEqual([-508, -508]);
    expect(terminusYears({ in: { earliestYear: '-0099', latestYear: '0050' } })).toEqual([-99, 50]);
    expect(terminusYears({ label: 'present' })).toEqual([null, null]);
  });
});

describe('years as people read and write them', () => {
  it('formats astronomical years as BCE/CE (year 0 is 1 BCE)', () => {
    expect(formatYear(-615)).toBe('616 BCE');
    expect(formatYear(0)).toBe('1 BCE');
    expect(formatYear(1)).toBe('1 CE');
    expect(formatYear(null)).toBe('?');
    expect(formatRange(-99, 50)).toBe('100 BCE–50 CE');
    expect(formatRange(-508, -508)).toBe('509 BCE');
    expect(formatRange(NaN, 1200)).toBe('1200 CE');
  });

  it('parses what people type, and writes it back the same way', () => {
    expect(parseUserYear('500 BCE')).toBe(-499);
    expect(parseUserYear('44 b.c.')).toBe(-43);
    expect(parseUserYear('AD 1200')).toBe(1200);
    expect(parseUserYear('1200 ce')).toBe(1200);
    expect(parseUserYear('-499')).toBe(-499);
    expect(parseUserYear('1200')).toBe(1200);
    expect(parseUserYear('soon')).toBeNull();
    expect(parseUserYear('')).toBeNull();
    expect(userYear(parseUserYear('500 BCE'))).toBe('500 BCE');
  });
});

describe('text search', () => {
  it('finds every period whose labels, places, description or source mention each word', () => {
    for (const word of ['bronze', 'neolithic', 'roman', 'egypt', 'ceramics', 'pleiades']) {
      const found = ids({ text: word });
      expect(found.length, word).toBeGreaterThan(0);
      expect(found, word).toEqual(expected((p) => mentions(p, word)));
    }
  });

  it('needs every word, in any order and any case', () => {
    expect(ids({ text: 'AGE bronze late' })).toEqual(expected((p) => ['age', 'bronze', 'late'].every((w) => mentions(p, w))));
    expect(ids({ text: 'AGE bronze late' }).length).toBeGreaterThan(0);
  });

  it('ignores diacritics, so "aldre bronsalder" finds Äldre bronsålder', () => {
    const found = ids({ text: 'aldre bronsalder' });
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((id) => index2015.periods.label[index2015.periods.id.indexOf(id)])).toContain('Äldre bronsålder');
  });

  it('searches localized labels in every language', () => {
    const localizedOnly = periods2015.find((p) => p.texts.slice(1).some((t) => t && !normalize(p.label).includes(normalize(t)) && t.length > 5) && p.languages.length > 1);
    expect(localizedOnly).toBeDefined();
    const label = (dataset2015.authorities[localizedOnly!.authority].periods[localizedOnly!.id].localizedLabels as Record<string, string[]>);
    const other = Object.values(label).flat().find((l) => normalize(l) !== normalize(localizedOnly!.label))!;
    expect(ids({ text: other })).toContain(localizedOnly!.id);
  });

  it('narrows as a word grows and widens again when it shrinks, as from scratch', () => {
    const fresh = (q: SearchQuery) => ids(q, new SearchEngine(index2015));
    for (const text of ['b', 'br', 'bro', 'bron', 'bronz', 'bronze', 'bronze a', 'bronze ag', 'bronze', 'bro', '']) {
      expect(ids({ text }), text).toEqual(fresh({ text }));
    }
  });

  it('answers the whole dataset for an empty query', () => {
    expect(engine.search({ text: '  ' }).count).toBe(1791);
  });
});

describe('filters and facets', () => {
  const overlaps = (p: (typeof periods2015)[number], from: number, to: number) => p.lo !== null && p.hi !== null && p.lo <= to && p.hi >= from;

  it('keeps periods whose extent overlaps the year range (BCE as typed)', () => {
    const from = parseUserYear('1500 BCE')!;
    const to = parseUserYear('1200 BCE')!;
    const found = ids({ from, to });
    expect(found.length).toBeGreaterThan(0);
    expect(found).toEqual(expected((p) => overlaps(p, from, to)));
    // Open-ended ranges.
    expect(ids({ from: 1500 })).toEqual(expected((p) => p.hi !== null && p.hi >= 1500));
    expect(ids({ to: -2999 })).toEqual(expected((p) => p.lo !== null && p.lo <= -2999));
  });

  it('filters by authority, language and place, and combines filters with the text', () => {
    const authority = periods2015.find((p) => mentions(p, 'bronze'))!.authority;
    expect(ids({ text: 'bronze', authorities: [authority] })).toEqual(expected((p) => mentions(p, 'bronze') && p.authority === authority));
    expect(ids({ languages: ['swe-latn'] })).toEqual(expected((p) => p.languages.includes('swe-latn')));
    expect(ids({ languages: ['swe-latn'] }).length).toBeGreaterThan(0);
    const italy = index2015.places.id.find((_, i) => index2015.places.label[i] === 'Italy')!;
    expect(ids({ places: [italy], from: -500, to: 0 })).toEqual(expected((p) => p.places.includes(italy) && overlaps(p, -500, 0)));
  });

  it('counts facets over the results, each ignoring only its own filter', () => {
    const q: SearchQuery = { text: 'bronze', from: -1500, to: -1000 };
    const r = engine.search(q);
    const sum = (facet: { count: number }[]) => facet.reduce((a, f) => a + f.count, 0);
    // Each period has one authority: the authority counts add up to the results.
    expect(sum(r.facets.authority)).toBe(r.count);
    for (const f of r.facets.authority.slice(0, 3)) expect(engine.search({ ...q, authorities: [f.key] }).count).toBe(f.count);
    for (const f of r.facets.language.slice(0, 3)) expect(engine.search({ ...q, languages: [f.key] }).count).toBe(f.count);
    for (const f of r.facets.place.slice(0, 3)) expect(engine.search({ ...q, places: [f.key] }).count).toBe(f.count);
    // Choosing an authority narrows the results, not the authority facet itself (so a second one can be added).
    const chosen = engine.search({ ...q, authorities: [r.facets.authority[0].key] });
    expect(chosen.count).toBe(r.facets.authority[0].count);
    expect(chosen.facets.authority).toEqual(r.facets.authority);
    expect(sum(chosen.facets.language)).toBeGreaterThanOrEqual(chosen.count);
    expect(sum(chosen.facets.language)).toBeLessThan(sum(r.facets.language));
  });
});

describe('the index in label order', () => {
  it('lists periods in label order (normalised), so the client has nothing to sort', () => {
    const keys = index2015.periods.label.map(normalize);
    expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('round-trips through JSON, and an index in any other order gives the same answers', () => {
    const parsed = new SearchEngine(JSON.parse(JSON.stringify(index2015)));
    // The same index with its periods reversed: as an index written before periods were ordered.
    const reversed = structuredClone(index2015);
    for (const column of Object.values(reversed.periods) as unknown[][]) column.reverse();
    delete reversed.order;
    const other = new SearchEngine(reversed);
    const answer = (e: SearchEngine, q: SearchQuery) => {
      const r = e.search(q);
      return { count: r.count, ids: [...r.order].map((pos) => e.row(pos).id), facets: r.facets };
    };
    const italy = index2015.places.id.find((_, i) => index2015.places.label[i] === 'Italy')!;
    for (const q of [
      {},
      { text: 'bronze' },
      { text: 'bronze age', sort: 'start' },
      { text: 'roman', sort: 'stop', descending: true },
      { text: 'iron', sort: 'authority' },
      { places: [italy], from: -500, to: 0 },
      { languages: ['swe-latn'], text: 'ålder' },
    ] as SearchQuery[]) {
      const expected = answer(engine, q);
      expect(answer(parsed, q), JSON.stringify(q)).toEqual(expected);
      const got = answer(other, q);
      expect(got.count, JSON.stringify(q)).toBe(expected.count);
      expect([...got.ids].sort(), JSON.stringify(q)).toEqual([...expected.ids].sort());
      expect(got.facets, JSON.stringify(q)).toEqual(expected.facets);
    }
    // Orders agree wherever keys differ (ties among equal labels may fall either way).
    const labels = (e: SearchEngine) => [...e.search({ text: 'bronze' }).order].map((pos) => normalize(e.row(pos).label));
    expect(labels(other)).toEqual(labels(engine));
  });

  it('sends the page the first facet values and the chosen ones, not thousands', () => {
    const r = engine.search({});
    const all = r.facets.authority;
    expect(all.length).toBeGreaterThan(20);
    expect(r.facetTotals.authority).toBe(all.length);
    const first = engine.search({}, { facets: 12 });
    expect(first.facets.authority).toEqual(all.slice(0, 12));
    expect(first.facets.place).toEqual(r.facets.place.slice(0, 12));
    expect(first.facetTotals).toEqual(r.facetTotals);
    // A chosen value beyond the first twelve comes after them, with its count under the query.
    const chosen = engine.search({ authorities: [all[30].key, all[2].key] }, { facets: 12 });
    expect(chosen.facets.authority).toEqual([...all.slice(0, 12), all[30]]);
    expect(engine.search({}, { facets: null }).facets).toEqual(r.facets);
  });
});

describe('sorting', () => {
  it('sorts by label, start, stop or authority, either way', () => {
    const rows = (q: SearchQuery) => [...engine.search(q).order].map((pos) => engine.row(pos));
    // Labels and titles sort by their text without case or diacritics.
    const plain = (a: string, b: string) => (normalize(a) < normalize(b) ? -1 : normalize(a) > normalize(b) ? 1 : 0);
    const byLabel = rows({ text: 'bronze' }).map((r) => r.label);
    expect(byLabel).toEqual([...byLabel].sort(plain));
    expect(byLabel.indexOf('Äldre bronsålder')).toBeLessThan(byLabel.indexOf('Bronsålder'));
    const lo = (r: ReturnType<typeof engine.row>) => Math.min(...[r.startEarliest, r.startLatest].filter((y): y is number => y !== null));
    const starts = rows({ text: 'bronze', sort: 'start' }).map(lo);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    const stops = rows({ text: 'bronze', sort: 'stop' }).map((r) => Math.max(r.stopEarliest ?? -Infinity, r.stopLatest ?? -Infinity));
    expect(stops).toEqual([...stops].sort((a, b) => a - b));
    const titles = rows({ text: 'bronze', sort: 'authority' }).map((r) => r.authorityTitle);
    expect(titles).toEqual([...titles].sort(plain));
    const down = rows({ text: 'bronze', sort: 'start', descending: true }).map(lo);
    expect(down).toEqual([...starts].reverse());
  });
});

describe('search URLs', () => {
  it('reads a query and its filters from the page URL', () => {
    const q = queryFromParams(new URLSearchParams('q=bronze&authority=p0abc12,p0xyz34&lang=eng-latn&place=http://a|http://b&from=1500%20BCE&to=AD%20100&sort=start&desc=1'));
    expect(q).toEqual({ text: 'bronze', authorities: ['p0abc12', 'p0xyz34'], languages: ['eng-latn'], places: ['http://a', 'http://b'], from: -1499, to: 100, sort: 'start', descending: true });
    expect(queryFromParams(new URLSearchParams('sort=nonsense')).sort).toBe('label');
    expect(toggled('a,b', 'b', ',')).toBe('a');
    expect(toggled('a', 'a', ',')).toBeUndefined();
    expect(toggled(null, 'x', '|')).toBe('x');
  });
});
