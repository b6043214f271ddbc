/**
 * Search over a SearchIndex (workers/domain/search-index.ts): text as you type over every
 * label, place, spatial description and source, filters by authority, language, place and
 * year range, facet counts that follow the query, and four sort orders. Pure and
 * synchronous; the client runs it in a Web Worker (search/worker.ts), tests run it in Node.
 */
import { normalize, type SearchIndex } from '../../../domain/search-index';

export type SortKey = 'label' | 'start' | 'stop' | 'authority';

export interface SearchQuery {
  text?: string;
  /** Authority ids; a period matches any of them. */
  authorities?: string[];
  /** Language tags; a period matches when it has a label in any of them. */
  languages?: string[];
  /** Place keys (see placeKey); a period matches when it covers any of them. */
  places?: string[];
  /** Astronomical years; a period matches when its extent overlaps [from, to]. */
  from?: number | null;
  to?: number | null;
  sort?: SortKey;
  descending?: boolean;
}

export interface Facet {
  key: string;
  label: string;
  count: number;
}

export interface SearchResult {
  count: number;
  /** Period positions in the index, in the requested order. */
  order: Int32Array;
  /** Values by count (most first), as many as `facets` asked for, then any chosen value not among them. */
  facets: { authority: Facet[]; language: Facet[]; place: Facet[] };
  /** How many values each facet has in all. */
  facetTotals: { authority: number; language: number; place: number };
}

export interface SearchOptions {
  /** How many values of each facet to return (the chosen ones always come too); null or absent: all. */
  facets?: number | null;
}

export interface PeriodRow {
  position: number;
  id: string;
  label: string;
  authorityId: string;
  authorityTitle: string;
  startEarliest: number | null;
  startLatest: number | null;
  stopEarliest: number | null;
  stopLatest: number | null;
  places: string[];
}

export { normalize };

function tokens(text: string): string[] {
  return normalize(text).split(/\s+/).filter(Boolean);
}

export class SearchEngine {
  readonly index: SearchIndex;
  readonly size: number;
  /**
   * Each period's own texts (labels, places, spatial description), normalised: slices of one
   * string, normalised in one call. Its authority's source title and creators are kept once
   * per authority (`authorityHaystacks`), not copied into each of its periods.
   */
  private haystacks: string[] | null = null;
  private authorityHaystacks: string[] = [];
  /** The same as numbers, for counting into typed arrays: languages and places of period i are list[start[i]..start[i+1]). */
  private readonly languageTags: string[] = [];
  private readonly languageStart: Int32Array;
  private readonly languageList: Int32Array;
  private readonly placeStart: Int32Array;
  private readonly placeList: Int32Array;
  private readonly placeIndex = new Map<string, number>();
  private readonly authorityOf: Int32Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly orders: Partial<Record<SortKey, Int32Array>>;
  private readonly rank: Int32Array;
  private readonly placeKeys: string[];
  private readonly authorityIndex = new Map<string, number>();
  private lastText: string | null = null;
  private lastMatches: Int32Array | null = null;
  /**
   * Per-query scratch space, one position per period, kept between queries: a keystroke
   * allocates only its answer. (Fresh arrays each time left the Worker's memory growing by
   * tens of MB over a few hundred keystrokes at 50k periods: freed, but not given back.)
   */
  private readonly scratchMatches: Int32Array;
  private readonly inText: Uint8Array;
  private readonly fails: Uint8Array;

  constructor(index: SearchIndex) {
    this.index = index;
    const p = index.periods;
    const a = index.authorities;
    this.size = p.id.length;
    this.scratchMatches = new Int32Array(this.size);
    this.inText = new Uint8Array(this.size);
    this.fails = new Uint8Array(this.size);
    a.id.forEach((id, i) => this.authorityIndex.set(id, i));
    this.placeKeys = index.places.id.map((id, i) => id || `label:${index.places.label[i]}`);
    this.placeKeys.forEach((key, i) => this.placeIndex.set(key, i));
    this.authorityOf = Int32Array.from(p.authority);
    this.lo = new Float64Array(this.size);
    this.hi = new Float64Array(this.size);
    const min = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
    const max = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
    const languageIds = new Map<string, number>();
    const languages: number[] = [];
    this.languageStart = new Int32Array(this.size + 1);
    this.placeStart = new Int32Array(this.size + 1);
    let placeCount = 0;
    for (let i = 0; i < this.size; i++) this.placeStart[i + 1] = placeCount += p.places[i].length;
    this.placeList = new Int32Array(placeCount);
    for (let i = 0; i < this.size; i++) this.placeList.set(p.places[i], this.placeStart[i]);
    for (let i = 0; i < this.size; i++) {
      const language = p.language[i];
      const localized = p.localized[i];
      let langs: string[] = language ? [language] : [];
      if (localized) for (const tag in localized) if (!langs.includes(tag)) langs = [...langs, tag];
      for (const tag of langs) {
        let id = languageIds.get(tag);
        if (id === undefined) languageIds.set(tag, (id = this.languageTags.push(tag) - 1));
        languages.push(id);
      }
      this.languageStart[i + 1] = languages.length;
      const start = min(p.startEarliest[i], p.startLatest[i]);
      const stop = max(p.stopEarliest[i], p.stopLatest[i]);
      this.lo[i] = start ?? min(p.stopEarliest[i], p.stopLatest[i]) ?? NaN;
      this.hi[i] = stop ?? max(p.startEarliest[i], p.startLatest[i]) ?? NaN;
    }
    // Labels sort by their normalised text in code-unit order: a locale collator costs about
    // a second over 50,000 labels, and this order is the same for everything but rare scripts.
    // The data API writes periods in this order already and says so (`order`).
    const byLabel = Int32Array.from({ length: this.size }, (_, i) => i);
    if (index.order !== 'label') {
      const keys = p.label.map(normalize);
      byLabel.sort((x, y) => (keys[x] < keys[y] ? -1 : keys[x] > keys[y] ? 1 : x - y));
    }
    this.languageList = Int32Array.from(languages);
    this.rank = new Int32Array(this.size);
    byLabel.forEach((pos, r) => (this.rank[pos] = r));
    this.orders = { label: byLabel };
  }

  /**
   * The texts searched, built on the first text query or when the page is idle
   * (search/worker.ts): the home and an empty query do not wait for them.
   */
  prepareText(): string[] {
    if (this.haystacks) return this.haystacks;
    const p = this.index.periods;
    const a = this.index.authorities;
    this.authorityHaystacks = a.id.map((_, i) => normalize(`${a.title[i]}\n${a.creators[i]}`));
    // One string per period, normalised on its own: most are ASCII and stay one byte a
    // character. Slices of one normalised text of all periods were two bytes a character
    // throughout (≈ 900 of 50k periods have a character beyond Latin-1) and kept the whole
    // text alive: at 50k that held ≈ 7 MB more of the Worker's heap and took ≈ 40 ms longer.
    const haystacks: string[] = new Array(this.size);
    for (let i = 0; i < this.size; i++) {
      let text = p.label[i];
      const localized = p.localized[i];
      if (localized) for (const tag in localized) text += `\n${localized[tag].join('\n')}`;
      for (const place of p.places[i]) text += `\n${this.index.places.label[place]}`;
      text += `\n${p.spatialDescription[i]}`;
      haystacks[i] = normalize(text);
    }
    this.haystacks = haystacks;
    return haystacks;
  }

  /** A sort order: label at once, the others on first use. */
  private order(key: SortKey): Int32Array {
    const found = this.orders[key];
    if (found) return found;
    const p = this.index.periods;
    const rank = this.rank;
    const all = Int32Array.from({ length: this.size }, (_, i) => i);
    const years = (values: Float64Array) => (x: number, y: number) => {
      const vx = values[x];
      const vy = values[y];
      if (Number.isNaN(vx) !== Number.isNaN(vy)) return Number.isNaN(vx) ? 1 : -1;
      return (Number.isNaN(vx) ? 0 : vx - vy) || rank[x] - rank[y];
    };
    let made: Int32Array;
    if (key === 'start') made = all.sort(years(this.lo));
    else if (key === 'stop') made = all.sort(years(this.hi));
    else {
      const titles = this.index.authorities.title.map((t, i) => normalize(t || this.index.authorities.id[i]));
      made = all.sort((x, y) => {
        const tx = titles[p.authority[x]];
        const ty = titles[p.authority[y]];
        return (tx < ty ? -1 : tx > ty ? 1 : 0) || p.authority[x] - p.authority[y] || rank[x] - rank[y];
      });
    }
    this.orders[key] = made;
    return made;
  }

  /** The key a place filter names: the place's id, or `label:<label>` for places without one. */
  placeKey(place: number): string {
    return this.placeKeys[place];
  }

  /** Positions whose text matches every token, narrowing the previous answer when the text only grew. */
  private textMatches(text: string): Int32Array | null {
    const norm = normalize(text).trim();
    if (!norm) return null;
    const words = tokens(norm);
    const candidates = this.lastText !== null && this.lastMatches && norm.startsWith(this.lastText) ? this.lastMatches : null;
    const haystacks = this.prepareText();
    const out = this.scratchMatches;
    let found = 0;
    // Per word, which authorities' source texts hold it: their periods match that word at once.
    const authorityHas = words.map((w) => {
      const has = new Uint8Array(this.authorityHaystacks.length);
      this.authorityHaystacks.forEach((h, i) => (has[i] = h.includes(w) ? 1 : 0));
      return has;
    });
    const authorityOf = this.authorityOf;
    const test = (i: number) => {
      const h = haystacks[i];
      for (let k = 0; k < words.length; k++) if (!authorityHas[k][authorityOf[i]] && !h.includes(words[k])) return;
      out[found++] = i;
    };
    if (candidates) for (const i of candidates) test(i);
    else for (let i = 0; i < this.size; i++) test(i);
    this.lastText = norm;
    this.lastMatches = out.slice(0, found);
    return this.lastMatches;
  }

  search(query: SearchQuery, options: SearchOptions = {}): SearchResult {
    const n = this.size;
    // Which positions pass the text; then one bit per filter that a position fails.
    const text = this.textMatches(query.text ?? '');
    const inText = this.inText;
    if (text) {
      inText.fill(0);
      for (const i of text) inText[i] = 1;
    } else inText.fill(1);

    const AUTH = 1;
    const LANG = 2;
    const PLACE = 4;
    const YEAR = 8;
    const fails = this.fails;
    // Chosen values as flags by number: a typed-array read per test, no hashing.
    const flags = (size: number, keys: number[]) => {
      if (!keys.length) return null;
      const out = new Uint8Array(size);
      for (const k of keys) if (k >= 0) out[k] = 1;
      return out;
    };
    const a = this.index.authorities;
    const authorities = flags(a.id.length, (query.authorities ?? []).map((id) => this.authorityIndex.get(id) ?? -1));
    const languages = flags(this.languageTags.length, (query.languages ?? []).map((tag) => this.languageTags.indexOf(tag)));
    const places = flags(this.placeKeys.length, (query.places ?? []).map((key) => this.placeIndex.get(key) ?? -1));
    const from = query.from ?? null;
    const to = query.to ?? null;
    const years = from !== null || to !== null;
    const { authorityOf, languageStart, languageList, placeStart, placeList } = this;
    const anyOf = (chosen: Uint8Array, list: Int32Array, start: number, end: number) => {
      for (let j = start; j < end; j++) if (chosen[list[j]]) return true;
      return false;
    };
    // Facet counts: each dimension counts what passes the text and every other filter.
    const authorityCounts = new Int32Array(a.id.length);
    const languageCounts = new Int32Array(this.languageTags.length);
    const placeCounts = new Int32Array(this.placeKeys.length);
    let count = 0;
    const visit = (i: number) => {
      let f = 0;
      if (authorities && !authorities[authorityOf[i]]) f |= AUTH;
      if (languages && !anyOf(languages, languageList, languageStart[i], languageStart[i + 1])) f |= LANG;
      if (places && !anyOf(places, placeList, placeStart[i], placeStart[i + 1])) f |= PLACE;
      if (years) {
        const lo = this.lo[i];
        const hi = this.hi[i];
        if (Number.isNaN(lo) || (to !== null && lo > to) || (from !== null && hi < from)) f |= YEAR;
      }
      fails[i] = f;
      if (f === 0) count++;
      if ((f & ~AUTH) === 0) authorityCounts[authorityOf[i]]++;
      if ((f & ~LANG) === 0) for (let j = languageStart[i]; j < languageStart[i + 1]; j++) languageCounts[languageList[j]]++;
      if ((f & ~PLACE) === 0) for (let j = placeStart[i]; j < placeStart[i + 1]; j++) placeCounts[placeList[j]]++;
    };
    if (text) for (const i of text) visit(i);
    else for (let i = 0; i < n; i++) visit(i);

    const order = new Int32Array(count);
    const sorted = this.order(query.sort ?? 'label');
    let k = 0;
    if (query.descending) {
      for (let j = n - 1; j >= 0; j--) if (inText[sorted[j]] && fails[sorted[j]] === 0) order[k++] = sorted[j];
    } else {
      for (let j = 0; j < n; j++) if (inText[sorted[j]] && fails[sorted[j]] === 0) order[k++] = sorted[j];
    }

    // Facet objects only for the values returned: at 50k periods the others are thousands a
    // keystroke, all garbage by the next one. Ties in code-unit order: localeCompare over
    // thousands of places would cost more than the search.
    const limit = options.facets ?? null;
    const facets = (counts: Int32Array, label: (i: number) => string, key: (i: number) => string, chosen: Uint8Array | null) => {
      let total = 0;
      for (let i = 0; i < counts.length; i++) if (counts[i]) total++;
      const ids = new Int32Array(total);
      for (let i = 0, k = 0; i < counts.length; i++) if (counts[i]) ids[k++] = i;
      ids.sort((x, y) => {
        if (counts[x] !== counts[y]) return counts[y] - counts[x];
        const lx = label(x);
        const ly = label(y);
        return lx < ly ? -1 : lx > ly ? 1 : 0;
      });
      const out: Facet[] = [];
      for (let k = 0; k < total; k++) {
        const i = ids[k];
        if (limit === null || k < limit || chosen?.[i]) out.push({ key: key(i), label: label(i), count: counts[i] });
      }
      return { out, total };
    };
    const authority = facets(authorityCounts, (i) => a.title[i] || a.id[i], (i) => a.id[i], authorities);
    const language = facets(languageCounts, (i) => this.languageTags[i], (i) => this.languageTags[i], languages);
    const place = facets(placeCounts, (i) => this.index.places.label[i], (i) => this.placeKeys[i], places);
    return {
      count,
      order,
      facets: { authority: authority.out, language: language.out, place: place.out },
      facetTotals: { authority: authority.total, language: language.total, place: place.total },
    };
  }

  row(position: number): PeriodRow {
    const p = this.index.periods;
    const a = this.index.authorities;
    return {
      position,
      id: p.id[position],
      label: p.label[position],
      authorityId: a.id[p.authority[position]],
      authorityTitle: a.title[p.authority[position]],
      startEarliest: p.startEarliest[position],
      startLatest: p.startLatest[position],
      stopEarliest: p.stopEarliest[position],
      stopLatest: p.stopLatest[position],
      places: p.places[position].map((pl) => this.index.places.label[pl]),
    };
  }

  /**
   * Start earliest, start latest, stop earliest, stop latest of each position in `order`
   * (four numbers each, NaN when unknown; a missing bound takes its partner's value): the timeline's input.
   */
  extents(order: Int32Array): Float64Array {
    const p = this.index.periods;
    const out = new Float64Array(order.length * 4);
    const num = (v: number | null, fallback: number) => (v === null ? fallback : v);
    order.forEach((pos, i) => {
      const se = num(p.startEarliest[pos], this.lo[pos]);
      const sl = num(p.startLatest[pos], se);
      const ee = num(p.stopEarliest[pos], this.hi[pos]);
      const el = num(p.stopLatest[pos], ee);
      out.set([se, sl, ee, el], i * 4);
    });
    return out;
  }

  authoritySummaries(): { id: string; title: string; creators: string; year: number | null; periods: number }[] {
    const a = this.index.authorities;
    const counts = new Int32Array(a.id.length);
    for (const i of this.index.periods.authority) counts[i]++;
    return a.id.map((id, i) => ({ id, title: a.title[i], creators: a.creators[i], year: a.year[i], periods: counts[i] }));
  }
}
