/** A search as URL parameters (shareable, Back/Forward) and back. */
import type { SearchQuery, SortKey } from './engine';
import { parseUserYear } from './years';

export const SORTS: SortKey[] = ['label', 'start', 'stop', 'authority'];
export type ResultView = 'list' | 'timeline' | 'map';

const list = (value: string | null, sep: string) => (value ? value.split(sep).filter(Boolean) : []);

export function queryFromParams(p: URLSearchParams): SearchQuery {
  const sort = p.get('sort') as SortKey | null;
  return {
    text: p.get('q') ?? '',
    authorities: list(p.get('authority'), ','),
    languages: list(p.get('lang'), ','),
    places: list(p.get('place'), '|'),
    from: parseUserYear(p.get('from')),
    to: parseUserYear(p.get('to')),
    sort: sort && SORTS.includes(sort) ? sort : 'label',
    descending: p.get('desc') === '1',
  };
}

export function viewFromParams(p: URLSearchParams): ResultView {
  const v = p.get('view');
  return v === 'timeline' || v === 'map' ? v : 'list';
}

/** Adds or removes `value` in a separated list parameter. */
export function toggled(current: string | null, value: string, sep: string): string | undefined {
  const items = list(current, sep);
  const next = items.includes(value) ? items.filter((v) => v !== value) : [...items, value];
  return next.length ? next.join(sep) : undefined;
}
