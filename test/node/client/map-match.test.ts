/** Placing spatial coverage on the Natural Earth countries the client's map draws (world-atlas). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { countryFor, countryIndex } from '../../../workers/client/src/map/match';

const atlas = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('world-atlas/countries-110m.json'), 'utf8')) as {
  objects: { countries: { geometries: { properties: { name: string } }[] } };
};
const countries = countryIndex(atlas.objects.countries.geometries.map((g) => g.properties.name));

describe('matching places to countries', () => {
  it('matches names exactly, without case or diacritics', () => {
    expect(countryFor('Italy', countries)).toBe('Italy');
    expect(countryFor('TURKEY', countries)).toBe('Turkey');
    expect(countryFor("Cote d'Ivoire", countries)).toBe("Côte d'Ivoire");
  });

  it('knows the common names Natural Earth spells otherwise', () => {
    expect(countryFor('United States', countries)).toBe('United States of America');
    expect(countryFor('England', countries)).toBe('United Kingdom');
    expect(countryFor('Czech Republic', countries)).toBe('Czechia');
    expect(countryFor('Democratic Republic of the Congo', countries)).toBe('Dem. Rep. Congo');
  });

  it('finds a country named inside a longer label', () => {
    expect(countryFor('northern Italy', countries)).toBe('Italy');
    expect(countryFor('Egypt (Upper)', countries)).toBe('Egypt');
  });

  it('leaves regions that are no country unplaced (the map lists them)', () => {
    expect(countryFor('Levant', countries)).toBeNull();
    expect(countryFor('Mesopotamia', countries)).toBeNull();
    // A country's name inside another word is not a match.
    expect(countryFor('Omanian', countries)).toBeNull();
  });
});
