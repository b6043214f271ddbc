/** The shapes of PeriodO JSON the client reads (only the fields it shows). */

export interface Agent {
  id?: string;
  '@id'?: string;
  name?: string;
}

export interface Source {
  id?: string;
  '@id'?: string;
  title?: string;
  url?: string;
  sameAs?: string;
  creators?: Agent[];
  contributors?: Agent[];
  yearPublished?: number | string;
  locator?: string;
  editorialNote?: string;
  partOf?: Source;
}

export interface Terminus {
  label?: string;
  in?: { year?: string | number; earliestYear?: string | number; latestYear?: string | number };
}

export interface Place {
  id?: string;
  '@id'?: string;
  label?: string;
}

export interface Period {
  id: string;
  type?: string;
  label?: string;
  language?: string;
  languageTag?: string;
  localizedLabels?: Record<string, string[]>;
  spatialCoverage?: Place[];
  spatialCoverageDescription?: string;
  start?: Terminus;
  stop?: Terminus;
  note?: string;
  editorialNote?: string;
  broader?: string;
  narrower?: string[];
  derivedFrom?: string | string[];
  url?: string;
  sameAs?: string;
  source?: Source;
  authority?: string;
}

export interface Authority {
  id: string;
  type?: string;
  source?: Source;
  editorialNote?: string;
  sameAs?: string;
  periods: Record<string, Period>;
}

/** One entry of `GET /patches.json`. */
export interface PatchSummary {
  url: string;
  text: string;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
  applied_to: string | null;
  created_from: string;
  merged: boolean;
  open: boolean;
  first_comment: string | null;
  identifier_map: Record<string, string> | null;
}
