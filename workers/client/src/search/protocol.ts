/** Messages between the page and the search Web Worker. */
import type { Facet, PeriodRow, SearchQuery } from './engine';

export interface IndexSummary {
  version: number;
  created: string;
  authorities: number;
  periods: number;
}

export interface AuthoritySummary {
  id: string;
  title: string;
  creators: string;
  year: number | null;
  periods: number;
}

export type ToWorker =
  /** The index's JSON text, fetched by the page (it starts sooner than the Worker) and transferred. */
  | { type: 'load'; buffer: ArrayBuffer }
  | { type: 'query'; id: number; query: SearchQuery; rows: number; extents: boolean }
  | { type: 'rows'; id: number; queryId: number; from: number; to: number }
  | { type: 'authorities'; id: number };

export type FromWorker =
  | { type: 'ready'; summary: IndexSummary }
  | { type: 'failed'; message: string; transient: boolean }
  | { type: 'result'; id: number; count: number; facets: { authority: Facet[]; language: Facet[]; place: Facet[] }; rows: PeriodRow[]; extents: Float64Array | null; ms: number }
  | { type: 'rows'; id: number; from: number; rows: PeriodRow[] }
  | { type: 'authorities'; id: number; authorities: AuthoritySummary[] };
