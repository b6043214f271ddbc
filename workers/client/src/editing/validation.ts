/**
 * Checks a period or authority before it enters a change set. Each problem names the form
 * field it belongs to, so the form can show it next to that field and link to it.
 */
import type { Entity, Json } from './change-set';
import { yearRange } from './date-label';

export interface Problem {
  /** The form field: `label`, `start`, `stop.in`, `spatialCoverage.0.id`, `source`. */
  field: string;
  message: string;
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: Json | undefined): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** A language and script tag as the dataset writes it: ISO 639-2/3 and ISO 15924, `eng-latn`. */
export const LANGUAGE_TAG = /^[a-z]{2,3}-[a-z]{4}$/;

function isUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function checkTerminus(which: 'start' | 'stop', value: Json | undefined, problems: Problem[]): [number, number] | null {
  const name = which === 'start' ? 'The start' : 'The stop';
  if (!isObject(value)) {
    problems.push({ field: which, message: `${name} is missing: give its label and year.` });
    return null;
  }
  if (!text(value.label)) problems.push({ field: `${which}.label`, message: `${name} needs a label, such as "616 B.C.".` });
  const years = value.in;
  if (!isObject(years) || Object.keys(years).length === 0) {
    problems.push({ field: `${which}.in`, message: `${name} needs a year (or an earliest and a latest year).` });
    return null;
  }
  const range = yearRange(years);
  if (range === null) {
    problems.push({
      field: `${which}.in`,
      message: `${name}'s years must be whole years written with at least four digits and a minus sign before Christ's birth, such as "-0615" or "1950".`,
    });
    return null;
  }
  if (range[0] > range[1]) {
    problems.push({ field: `${which}.in`, message: `${name}'s earliest year (${range[0]}) is after its latest year (${range[1]}).` });
    return null;
  }
  return range;
}

export function validatePeriod(period: Entity): Problem[] {
  const problems: Problem[] = [];
  if (!text(period.label)) problems.push({ field: 'label', message: 'A period needs a label.' });
  const language = text(period.language);
  if (language && !LANGUAGE_TAG.test(language)) {
    problems.push({ field: 'language', message: `"${language}" is not a language and script such as "eng-latn" (ISO 639 language, ISO 15924 script).` });
  }
  const localized = period.localizedLabels;
  if (isObject(localized)) {
    for (const [tag, labels] of Object.entries(localized)) {
      if (!LANGUAGE_TAG.test(tag)) problems.push({ field: 'localizedLabels', message: `Alternate labels: "${tag}" is not a language and script such as "fra-latn".` });
      if (!Array.isArray(labels) || labels.some((l) => !text(l))) problems.push({ field: 'localizedLabels', message: `Alternate labels in "${tag}" must not be empty.` });
    }
  }
  const coverage = period.spatialCoverage;
  if (Array.isArray(coverage)) {
    coverage.forEach((place, i) => {
      const id = isObject(place) ? text(place.id) || text(place['@id']) : '';
      if (!isObject(place) || !id || !isUrl(id)) problems.push({ field: `spatialCoverage.${i}.id`, message: `Place ${i + 1} needs an identifier that is a URL (e.g. a Wikidata entity).` });
      if (!isObject(place) || !text(place.label)) problems.push({ field: `spatialCoverage.${i}.label`, message: `Place ${i + 1} needs a label.` });
    });
  }
  const start = checkTerminus('start', period.start, problems);
  const stop = checkTerminus('stop', period.stop, problems);
  if (start && stop && stop[1] < start[0]) {
    problems.push({ field: 'stop', message: `The stop (${stop[1]}) is before the start (${start[0]}).` });
  }
  for (const relation of ['broader', 'narrower', 'derivedFrom'] as const) {
    const value = period[relation];
    const ids = value === undefined ? [] : Array.isArray(value) ? value : [value];
    if (ids.some((id) => !text(id))) problems.push({ field: relation, message: `${relation}: every related period must be given by its identifier.` });
  }
  return problems;
}

export function validateAuthority(authority: Entity): Problem[] {
  const problems: Problem[] = [];
  const source = authority.source;
  if (!isObject(source)) {
    problems.push({ field: 'source', message: 'An authority needs a source: a title or citation, or a DOI or WorldCat record to look up.' });
    return problems;
  }
  const partOf = isObject(source.partOf) ? source.partOf : null;
  if (!text(source.title) && !text(source.citation) && !(partOf && (text(partOf.title) || text(partOf.citation)))) {
    problems.push({ field: 'source.title', message: 'The source needs a title or a citation.' });
  }
  const year = source.yearPublished ?? partOf?.yearPublished;
  if (year !== undefined && !/^-?\d{1,4}$/.test(String(year))) {
    problems.push({ field: 'source.yearPublished', message: 'The year of publication must be a year, such as 1997.' });
  }
  for (const key of ['url', 'id'] as const) {
    const value = text(source[key]);
    if (value && !isUrl(value)) problems.push({ field: `source.${key}`, message: `The source's ${key === 'id' ? 'identifier' : 'URL'} must be an http(s) URL.` });
  }
  return problems;
}
