/**
 * A world map shading the countries a result set covers (Natural Earth 1:110m from the
 * world-atlas package), with the places it could not put on the map listed. Loaded
 * lazily: none of this is in the first page's bundle.
 */
import { geoNaturalEarth1, geoPath } from 'd3-geo';
import { useMemo } from 'preact/hooks';
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import atlas from 'world-atlas/countries-110m.json';
import type { Facet } from '../search/engine';
import { countryFor, countryIndex } from './match';

const topology = atlas as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
const countries = feature(topology, topology.objects.countries);
const WIDTH = 960;
const HEIGHT = 500;
const projection = geoNaturalEarth1().fitSize([WIDTH, HEIGHT], countries);
const path = geoPath(projection);
const names = countryIndex(countries.features.map((f) => f.properties.name));

export default function WorldMap({ places, onPick }: { places: Facet[]; onPick: (key: string) => void }) {
  const { counts, unplaced, max } = useMemo(() => {
    const counts = new Map<string, { count: number; keys: string[] }>();
    const unplaced: Facet[] = [];
    for (const place of places) {
      const country = countryFor(place.label, names);
      if (!country) {
        unplaced.push(place);
        continue;
      }
      const entry = counts.get(country) ?? { count: 0, keys: [] };
      entry.count += place.count;
      entry.keys.push(place.key);
      counts.set(country, entry);
    }
    return { counts, unplaced, max: Math.max(1, ...[...counts.values()].map((c) => c.count)) };
  }, [places]);
  const shaded = [...counts.entries()].sort((a, b) => b[1].count - a[1].count);
  return (
    <figure class="map">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`World map of the places these periods cover: ${shaded.length} countries shaded.`}>
        {countries.features.map((f) => {
          const c = counts.get(f.properties.name);
          const level = c ? 0.25 + 0.75 * (c.count / max) : 0;
          return (
            <path key={String(f.id ?? f.properties.name)} d={path(f) ?? ''} class={c ? 'covered' : 'land'} style={c ? { fillOpacity: level } : undefined} onClick={c ? () => onPick(c.keys[0]) : undefined}>
              <title>{c ? `${f.properties.name}: ${c.count} periods` : f.properties.name}</title>
            </path>
          );
        })}
      </svg>
      <figcaption>
        <details>
          <summary>Countries on the map ({shaded.length})</summary>
          <ul class="inline">
            {shaded.map(([name, c]) => (
              <li key={name}>
                <button type="button" class="link" onClick={() => onPick(c.keys[0])}>
                  {name} ({c.count})
                </button>
              </li>
            ))}
          </ul>
        </details>
        {unplaced.length ? (
          <details>
            <summary>Places not on the map ({unplaced.length})</summary>
            <ul class="inline">
              {unplaced.map((p) => (
                <li key={p.key}>
                  {p.label} ({p.count})
                </li>
              ))}
            </ul>
          </details>
        ) : (
          <p>Every place is on the map.</p>
        )}
      </figcaption>
    </figure>
  );
}
