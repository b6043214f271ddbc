/**
 * A period as the edit form holds it (plain strings and lists), and back. Fields the form
 * does not show (type, url, sameAs, anything newer) are carried over untouched, and an
 * unchanged form gives back exactly the period it was made from, so opening and saving
 * the form never proposes a change nobody made.
 */
import type { Entity, Json } from './change-set';
import { bareNumberEra, formatYear, parseDateLabel, type LabelOptions, type YearSpan } from './date-label';

export interface TerminusState {
  label: string;
  mode: 'year' | 'range';
  year: string;
  earliest: string;
  latest: string;
}

export interface PlaceState {
  id: string;
  label: string;
}

export interface LabelState {
  /** language-script, as `eng-latn` */
  tag: string;
  label: string;
}

export interface PeriodState {
  label: string;
  language: string;
  script: string;
  alternates: LabelState[];
  places: PlaceState[];
  placeDescription: string;
  start: TerminusState;
  stop: TerminusState;
  locator: string;
  broader: string;
  narrower: string[];
  derivedFrom: string[];
  note: string;
  editorialNote: string;
}

const str = (v: Json | undefined): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const isObject = (v: Json | undefined): v is { [k: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);
const ids = (v: Json | undefined): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(str) : [str(v)]);

export function emptyTerminus(): TerminusState {
  return { label: '', mode: 'year', year: '', earliest: '', latest: '' };
}

function terminusState(value: Json | undefined): TerminusState {
  const t = isObject(value) ? value : {};
  const years = isObject(t.in) ? t.in : {};
  const range = years.earliestYear !== undefined || years.latestYear !== undefined;
  return { label: str(t.label), mode: range ? 'range' : 'year', year: str(years.year), earliest: str(years.earliestYear), latest: str(years.latestYear) };
}

export function periodToState(period: Entity): PeriodState {
  const [language = 'eng', script = 'latn'] = str(period.language) ? str(period.language).split('-') : [];
  const primaryTag = str(period.language);
  const label = str(period.label);
  const alternates: LabelState[] = [];
  let skipped = false;
  const localized = isObject(period.localizedLabels) ? period.localizedLabels : {};
  for (const [tag, labels] of Object.entries(localized)) {
    for (const l of Array.isArray(labels) ? labels : []) {
      if (!skipped && tag === primaryTag && l === label) skipped = true;
      else alternates.push({ tag, label: str(l) });
    }
  }
  const places = (Array.isArray(period.spatialCoverage) ? period.spatialCoverage : []).map((p) => {
    const place = isObject(p) ? p : {};
    return { id: str(place.id ?? place['@id']), label: str(place.label) };
  });
  const source = isObject(period.source) ? period.source : {};
  return {
    label,
    language,
    script,
    alternates,
    places,
    placeDescription: str(period.spatialCoverageDescription),
    start: terminusState(period.start),
    stop: terminusState(period.stop),
    locator: str(source.locator),
    broader: str(period.broader),
    narrower: ids(period.narrower),
    derivedFrom: ids(period.derivedFrom),
    note: str(period.note),
    editorialNote: str(period.editorialNote),
  };
}

/** A typed year in the dataset's form ("-615" → "-0615"); the original text when unchanged; anything else as typed (validation names it). */
function yearValue(typed: string, original: Json | undefined): Json {
  const text = typed.trim();
  if (original !== undefined && str(original) === text) return original;
  return /^-?\d+$/.test(text) ? formatYear(Number(text)) : text;
}

function terminusValue(state: TerminusState, original: Json | undefined): Json | undefined {
  const o = isObject(original) ? original : undefined;
  const oldYears = o && isObject(o.in) ? o.in : undefined;
  const out: { [k: string]: Json } = { ...(o ?? {}) };
  const label = text(state.label, o?.label);
  if (label !== undefined) out.label = label;
  else if (o?.label !== undefined) out.label = '';
  let years: { [k: string]: Json } = {};
  if (state.mode === 'year' && state.year.trim()) years = { year: yearValue(state.year, oldYears?.year) };
  if (state.mode === 'range' && (state.earliest.trim() || state.latest.trim())) {
    years = { earliestYear: yearValue(state.earliest, oldYears?.earliestYear), latestYear: yearValue(state.latest, oldYears?.latestYear) };
  }
  if (Object.keys(years).length || oldYears !== undefined) out.in = oldYears && JSON.stringify(years) === JSON.stringify(oldYears) ? oldYears : years;
  else delete out.in;
  return Object.keys(out).length ? out : undefined;
}

/** Keeps a list's original shape: one value stays a string if it was one. */
function idList(values: string[], original: Json | undefined, single: boolean): Json | undefined {
  const clean = values.map((v) => v.trim()).filter(Boolean);
  if (!clean.length) return undefined;
  if (JSON.stringify(clean) === JSON.stringify(ids(original))) return original;
  return clean.length === 1 && (single || typeof original === 'string') ? clean[0] : clean;
}

/** Typed text, trimmed; the original value when the text was not touched. */
function text(typed: string, original: Json | undefined): Json | undefined {
  if (original !== undefined && typed === str(original)) return original;
  return typed.trim() || undefined;
}

function set(out: Entity, key: string, value: Json | undefined): void {
  if (value === undefined || value === '') delete out[key];
  else out[key] = value;
}

/** The period the form describes, built on `original` (an existing period, or `{ id, type }` for a new one). */
export function stateToPeriod(state: PeriodState, original: Entity): Entity {
  const out: Entity = { ...original };
  const label = state.label.trim();
  const tag = `${state.language.trim()}-${state.script.trim()}`.toLowerCase();
  set(out, 'label', text(state.label, original.label));
  if (original.language !== undefined || label) set(out, 'language', state.language.trim() || state.script.trim() ? tag : undefined);

  const localized: { [tag: string]: Json[] } = {};
  if (label && out.language) localized[tag] = [label];
  for (const alt of state.alternates) {
    if (!alt.label.trim()) continue;
    (localized[alt.tag.trim().toLowerCase()] ??= []).push(alt.label.trim());
  }
  if (JSON.stringify(periodToState(original).alternates) === JSON.stringify(state.alternates) && original.localizedLabels !== undefined && out.label === original.label && out.language === original.language) {
    out.localizedLabels = original.localizedLabels;
  } else set(out, 'localizedLabels', Object.keys(localized).length ? localized : undefined);

  const originalPlaces = Array.isArray(original.spatialCoverage) ? original.spatialCoverage : [];
  const places = state.places
    .filter((p) => p.id.trim() || p.label.trim())
    .map((p, i): Json => {
      const before = originalPlaces[i];
      if (isObject(before) && str(before.id ?? before['@id']) === p.id && str(before.label) === p.label) return before;
      return { id: p.id.trim(), label: p.label.trim() };
    });
  set(out, 'spatialCoverage', places.length || original.spatialCoverage !== undefined ? places : undefined);
  set(out, 'spatialCoverageDescription', text(state.placeDescription, original.spatialCoverageDescription));
  set(out, 'start', terminusValue(state.start, original.start));
  set(out, 'stop', terminusValue(state.stop, original.stop));

  const source = isObject(original.source) ? { ...original.source } : {};
  const locator = text(state.locator, source.locator);
  if (locator !== undefined) source.locator = locator;
  else delete source.locator;
  set(out, 'source', Object.keys(source).length ? source : undefined);

  set(out, 'broader', text(state.broader, original.broader));
  set(out, 'narrower', idList(state.narrower, original.narrower, false));
  set(out, 'derivedFrom', idList(state.derivedFrom, original.derivedFrom, false));
  set(out, 'note', text(state.note, original.note));
  set(out, 'editorialNote', text(state.editorialNote, original.editorialNote));
  return out;
}

/** The years a label names, as the form's terminus fields (null when the label names none). */
export function yearsFromLabel(label: string, options: LabelOptions = {}): Pick<TerminusState, 'mode' | 'year' | 'earliest' | 'latest'> | null {
  const span: YearSpan | null = parseDateLabel(label, options);
  if (!span) return null;
  return 'year' in span ? { mode: 'year', year: span.year, earliest: '', latest: '' } : { mode: 'range', year: '', earliest: span.earliestYear, latest: span.latestYear };
}

export { bareNumberEra };
