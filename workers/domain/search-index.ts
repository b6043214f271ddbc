/**
 * The search index: one dataset version reduced to what the web client searches, filters,
 * sorts and draws on a timeline, as columns (one array per field, one position per period)
 * so that 50,000 periods stay a few megabytes before compression and load in one parse.
 * Built by the data app (`GET /search-index.json[?version=N]`); read by the client and by
 * any script. Pure: no storage, no DOM.
 */

export const SEARCH_INDEX_FORMAT = 1;

export interface SearchIndex {
  format: typeof SEARCH_INDEX_FORMAT;
  /** The dataset version indexed, and when it was made (ISO 8601). */
  version: number;
  created: string;
  /** `label`: the periods are in label order (normalised labels in code-unit order), so readers need not sort them. */
  order?: 'label';
  authorities: {
    id: string[];
    /** Source title (or the title of the work it is part of). */
    title: string[];
    /** Creators and contributors, `; `-joined. */
    creators: string[];
    year: (number | null)[];
  };
  /** Spatial coverage entities, shared by the periods that name them. */
  places: { id: string[]; label: string[] };
  periods: {
    id: string[];
    /** Position of the period's authority in `authorities`. */
    authority: number[];
    label: string[];
    /** Language tag of `label` (`eng-latn`). */
    language: string[];
    /** Other labels by language tag (`{ "fra-latn": ["Âge du fer"] }`), or null. */
    localized: (Record<string, string[]> | null)[];
    /** Positions in `places`. */
    places: number[][];
    spatialDescription: string[];
    /** Astronomical years (1 BCE = 0): start earliest/latest, stop earliest/latest; null when unknown. */
    startEarliest: (number | null)[];
    startLatest: (number | null)[];
    stopEarliest: (number | null)[];
    stopLatest: (number | null)[];
  };
}

type Json = Record<string, unknown>;

/** Lower case, without diacritics: how search compares texts, and the order labels sort in. */
export function normalize(text: string): string {
  const lower = text.toLowerCase();
  // Most labels are plain ASCII: decomposing them would only cost time.
  return /[^\x00-\x7f]/.test(lower) ? lower.normalize('NFD').replace(/[\u0300-\u036f]/g, '') : lower;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** An ISO 8601 year as PeriodO writes it (`-0615`, `1200`, `+12000`), or null. */
export function parseYear(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value !== 'string') return null;
  const m = /^\s*([+-]?)(\d+)\s*$/.exec(value);
  if (!m) return null;
  const n = Number(m[2]);
  return m[1] === '-' ? -n : n;
}

/** The earliest and latest year of a start or stop (`in.year`, or `in.earliestYear`/`in.latestYear`). */
export function terminusYears(terminus: unknown): [number | null, number | null] {
  const inner = (terminus as Json | undefined)?.in as Json | undefined;
  if (!inner) return [null, null];
  const year = parseYear(inner.year);
  if (year !== null) return [year, year];
  return [parseYear(inner.earliestYear), parseYear(inner.latestYear)];
}

/** The id of an entity as stored (`id` or `@id`). */
function idOf(value: Json): string {
  return str(value.id) || str(value['@id']);
}

function names(agents: unknown): string[] {
  return Array.isArray(agents) ? agents.map((a) => str((a as Json)?.name)).filter(Boolean) : [];
}

/** Title, creators and year of an authority's source (or of the work the source is part of). */
export function sourceSummary(authority: Json): { title: string; creators: string; year: number | null } {
  const source = (authority.source ?? {}) as Json;
  const partOf = (source.partOf ?? {}) as Json;
  const title = str(source.title) || str(partOf.title);
  const creators = [...names(source.creators), ...names(partOf.creators), ...names(source.contributors), ...names(partOf.contributors)];
  const year = parseYear(source.yearPublished ?? partOf.yearPublished);
  return { title, creators: [...new Set(creators)].join('; '), year };
}

/** Accumulates authorities (each with its periods) into a SearchIndex. */
export class SearchIndexBuilder {
  private readonly index: SearchIndex;
  private readonly placeIds = new Map<string, number>();

  constructor(version: number, created: string) {
    this.index = {
      format: SEARCH_INDEX_FORMAT,
      version,
      created,
      order: 'label',
      authorities: { id: [], title: [], creators: [], year: [] },
      places: { id: [], label: [] },
      periods: {
        id: [],
        authority: [],
        label: [],
        language: [],
        localized: [],
        places: [],
        spatialDescription: [],
        startEarliest: [],
        startLatest: [],
        stopEarliest: [],
        stopLatest: [],
      },
    };
  }

  private place(value: unknown): number | null {
    if (!value || typeof value !== 'object') return null;
    const id = idOf(value as Json);
    const label = str((value as Json).label);
    const key = id || `label:${label}`;
    if (!id && !label) return null;
    let at = this.placeIds.get(key);
    if (at === undefined) {
      at = this.index.places.id.length;
      this.placeIds.set(key, at);
      this.index.places.id.push(id);
      this.index.places.label.push(label || id);
    }
    return at;
  }

  addAuthority(authority: Json, periods: Iterable<Json>): void {
    const a = this.index.authorities;
    const at = a.id.length;
    const source = sourceSummary(authority);
    a.id.push(idOf(authority));
    a.title.push(source.title);
    a.creators.push(source.creators);
    a.year.push(source.year);
    const p = this.index.periods;
    for (const period of periods) {
      const label = str(period.label);
      const language = str(period.languageTag) || str(period.language);
      let localized: Record<string, string[]> | null = null;
      for (const [tag, labels] of Object.entries((period.localizedLabels ?? {}) as Record<string, unknown>)) {
        const others = (Array.isArray(labels) ? labels : [labels]).map(str).filter((l) => l && !(l === label && tag === language));
        if (others.length) (localized ??= {})[tag] = others;
      }
      const [startEarliest, startLatest] = terminusYears(period.start);
      const [stopEarliest, stopLatest] = terminusYears(period.stop);
      p.id.push(idOf(period));
      p.authority.push(at);
      p.label.push(label);
      p.language.push(language);
      p.localized.push(localized);
      p.places.push((Array.isArray(period.spatialCoverage) ? period.spatialCoverage : []).map((s) => this.place(s)).filter((n): n is number => n !== null));
      p.spatialDescription.push(str(period.spatialCoverageDescription));
      p.startEarliest.push(startEarliest);
      p.startLatest.push(startLatest);
      p.stopEarliest.push(stopEarliest);
      p.stopLatest.push(stopLatest);
    }
  }

  /**
   * The index, its periods in label order (normalised labels in code-unit order, ties in the
   * order they were added): the order the client lists them in, so it need not sort them.
   */
  build(): SearchIndex {
    const p = this.index.periods;
    const keys = p.label.map(normalize);
    const order = Array.from(keys, (_, i) => i).sort((x, y) => (keys[x] < keys[y] ? -1 : keys[x] > keys[y] ? 1 : x - y));
    for (const column of Object.values(p) as unknown[][]) {
      const copy = column.slice();
      order.forEach((from, to) => (column[to] = copy[from]));
    }
    this.index.order = 'label';
    return this.index;
  }
}

/** The index of a whole dataset document (`{ authorities: { id: { periods: {…} } } }`). */
export function searchIndexOfDataset(dataset: Json, version = 0, created = ''): SearchIndex {
  const builder = new SearchIndexBuilder(version, created);
  for (const authority of Object.values((dataset.authorities ?? {}) as Record<string, Json>)) {
    builder.addAuthority(authority, Object.values((authority.periods ?? {}) as Record<string, Json>));
  }
  return builder.build();
}
