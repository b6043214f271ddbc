import { useEffect, useState } from 'preact/hooks';
import { apiUrl, entityPath } from '../api/client';

const FORMATS: [Parameters<typeof entityPath>[1], string][] = [
  ['json', 'JSON'],
  ['jsonld', 'JSON-LD'],
  ['ttl', 'Turtle'],
  ['csv', 'CSV'],
  ['nt', 'N-Triples'],
];

/** Links to an entity's representations on the data API. */
export function Downloads({ id, name }: { id: string; name: string }) {
  const [urls, setUrls] = useState<string[] | null>(null);
  useEffect(() => {
    void Promise.all(FORMATS.map(([f]) => apiUrl(entityPath(id, f)))).then(setUrls);
  }, [id]);
  return (
    <section aria-labelledby="downloads">
      <h2 id="downloads">Download</h2>
      <ul class="downloads">
        {FORMATS.map(([format, label], i) => (
          <li key={format}>
            <a href={urls?.[i]} download aria-label={`${name} as ${label}`}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
