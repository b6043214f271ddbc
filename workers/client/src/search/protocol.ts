/** Messages between the page and the search Web Worker. */
import type { Facet, PeriodRow, SearchQuery } from './engine';

export interface IndexSummary {
  version: number;
  created: string;
  authorities: number;
  periods: number;
  /** Where loading went in the Worker (ms): decoding and parsing the JSON, building the search structures. */
  parseMs?: number;
  buildMs?: number;
  /** When the Worker's script started, and when the index reached it (ms since the epoch). */
  startedAt?: number;
  receivedAt?: number;
}

export interface AuthoritySummary {
  id: string;
  title: string;
  creators: string;
  year: number | null;
  periods: number;
}

export interface FacetLists {
  authority: Facet[];
  language: Facet[];
  place: Facet[];
}

export type ToWorker =
  /** The index's JSON text, fetched by the page (it starts sooner than the Worker) and transferred. */
  | { type: 'load'; buffer: ArrayBuffer }
  /** `facets`: how many values of each facet to send (the chosen ones always come too); null: all. */
  | { type: 'query'; id: number; query: SearchQuery; rows: number; extents: boolean; facets: number | null }
  | { type: 'rows'; id: number; queryId: number; from: number; to: number }
  | { type: 'authorities'; id: number };

export type FromWorker =
  | { type: 'ready'; summary: IndexSummary }
  | { type: 'failed'; message: string; transient: boolean }
  | {
      type: 'result';
      id: number;
      count: number;
      /** The most frequent values of each facet (as many as asked for) and the chosen ones. */
      facets: FacetLists;
      /** How many values each facet has in all. */
      facetTotals: { authority: number; language: number; place: number };
      rows: PeriodRow[];
      extents: Float64Array | null;
      ms: number;
    }
  | { type: 'rows'; id: number; from: number; rows: PeriodRow[] }
  | { type: 'authorities'; id: number; authorities: AuthoritySummary[] };
