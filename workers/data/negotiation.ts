/**
 * Content negotiation as the reference server does it: Werkzeug's "best" Accept value
 * (a concrete media type beats a wildcard whatever the q values), then the path suffix
 * wins over Accept, then the resource's first representation.
 */

/** Werkzeug's `request.accept_mimetypes.best`: null without an Accept header. */
export function acceptBest(header: string | null | undefined): string | null {
  if (!header || !header.trim()) return null;
  const entries = header
    .split(',')
    .map((part, index) => {
      const [value, ...params] = part.split(';').map((s) => s.trim());
      let q = 1;
      for (const p of params) {
        const m = /^q=([0-9.]+)$/i.exec(p);
        if (m) q = Math.min(1, Math.max(0, Number(m[1]) || 0));
      }
      const [type = '', subtype = ''] = value.toLowerCase().split('/');
      const specificity = (type !== '*' ? 2 : 0) + (subtype !== '*' ? 1 : 0);
      return { value: value.toLowerCase(), q, specificity, index };
    })
    .filter((e) => e.value);
  if (!entries.length) return null;
  entries.sort((a, b) => b.specificity - a.specificity || b.q - a.q || a.index - b.index);
  return entries[0].value;
}

/** Short representation names and their Content-Type values. */
export const CONTENT_TYPES = {
  csv: 'text/csv',
  json: 'application/json',
  'json.html': 'text/html; charset=utf-8',
  jsonld: 'application/ld+json',
  'jsonld.html': 'text/html; charset=utf-8',
  nt: 'application/n-triples',
  ttl: 'text/turtle',
  'ttl.html': 'text/html; charset=utf-8',
} as const;

export type Representation = keyof typeof CONTENT_TYPES;

/** Suffix order matters: `.jsonld.html` must not be read as `.json.html`. */
const SUFFIX_ORDER: Representation[] = ['csv', 'json', 'json.html', 'jsonld', 'jsonld.html', 'nt', 'ttl', 'ttl.html'];

const ACCEPTED: Record<string, Representation | 'html'> = {
  'application/json': 'json',
  'application/json+html': 'json.html',
  'application/ld+json': 'jsonld',
  'application/ld+json+html': 'jsonld.html',
  'application/n-triples': 'nt',
  'text/csv': 'csv',
  'text/html': 'html',
  'text/turtle': 'ttl',
  'text/turtle+html': 'ttl.html',
};

export function suffixOf(path: string): Representation | null {
  return SUFFIX_ORDER.find((s) => path.endsWith(`.${s}`)) ?? null;
}

/**
 * The representation to serve: the path's suffix, else the Accept header's best value if
 * the resource offers it, else the resource's first. `html` means "redirect to the HTML view".
 */
export function chooseRepresentation(path: string, accept: string | null | undefined, supported: (Representation | 'html')[]): Representation | 'html' {
  const suffix = suffixOf(path);
  if (suffix) return suffix;
  const best = acceptBest(accept);
  const wanted = best ? ACCEPTED[best] : undefined;
  if (wanted && supported.includes(wanted)) return wanted;
  return supported[0] ?? 'json';
}

/** The entity-style mapping of `/<id>` and `/h`: only these four count, anything else is "a browser". */
export function entityMimetype(accept: string | null | undefined): 'json' | 'jsonld' | 'ttl' | 'nt' | null {
  switch (acceptBest(accept)) {
    case 'application/json':
      return 'json';
    case 'application/ld+json':
      return 'jsonld';
    case 'text/turtle':
      return 'ttl';
    case 'application/n-triples':
      return 'nt';
    default:
      return null;
  }
}
