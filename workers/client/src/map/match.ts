/**
 * Matching spatial coverage to Natural Earth countries: by label (exact, an alias, or a
 * country named inside the label such as "northern Italy"). Pure, for tests.
 */
import { normalize } from '../search/engine';

/** PeriodO and Wikidata/DBpedia names that differ from Natural Earth's. */
const ALIASES: Record<string, string> = {
  'united states': 'United States of America',
  usa: 'United States of America',
  'united states of america': 'United States of America',
  'czech republic': 'Czechia',
  'bosnia and herzegovina': 'Bosnia and Herz.',
  'dominican republic': 'Dominican Rep.',
  'central african republic': 'Central African Rep.',
  'democratic republic of the congo': 'Dem. Rep. Congo',
  'republic of the congo': 'Congo',
  'south sudan': 'S. Sudan',
  'north macedonia': 'Macedonia',
  'republic of macedonia': 'Macedonia',
  'ivory coast': "Côte d'Ivoire",
  'equatorial guinea': 'Eq. Guinea',
  'western sahara': 'W. Sahara',
  'solomon islands': 'Solomon Is.',
  'falkland islands': 'Falkland Is.',
  'people\'s republic of china': 'China',
  'republic of ireland': 'Ireland',
  'great britain': 'United Kingdom',
  england: 'United Kingdom',
  scotland: 'United Kingdom',
  wales: 'United Kingdom',
  britain: 'United Kingdom',
  'state of palestine': 'Palestine',
  persia: 'Iran',
  burma: 'Myanmar',
  eswatini: 'eSwatini',
  swaziland: 'eSwatini',
};

export function countryFor(label: string, countries: Map<string, string>): string | null {
  const n = normalize(label).trim();
  if (countries.has(n)) return countries.get(n)!;
  if (ALIASES[n] && countries.has(normalize(ALIASES[n]))) return countries.get(normalize(ALIASES[n]))!;
  // A country named as a word inside the label ("northern Italy", "Egypt (Upper)").
  for (const [key, name] of countries) {
    if (key.length >= 4 && new RegExp(`(^|[^a-z])${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^a-z])`).test(n)) return name;
  }
  return null;
}

/** Natural Earth names by normalised name. */
export function countryIndex(names: string[]): Map<string, string> {
  return new Map(names.map((name) => [normalize(name), name]));
}
