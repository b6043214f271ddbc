/**
 * Looking up a source from a DOI (Crossref's API) or a WorldCat URL (the record's
 * schema.org JSON-LD), both fetched through the CORS proxy. This module holds the pure
 * parts: reading what the person typed, the upstream URL, and the record → form fields.
 */
import type { AgentState, AuthorityState } from './authority-form';

export type LookupTarget = { kind: 'doi'; doi: string; identifier: string } | { kind: 'worldcat'; oclc: string; identifier: string };

export function lookupTarget(input: string): LookupTarget | null {
  const text = input.trim();
  const doi = /^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:\s*)?(10\.\d{4,9}\/\S+)$/i.exec(text);
  if (doi) return { kind: 'doi', doi: doi[1], identifier: `https://doi.org/${doi[1]}` };
  const oclc = /^(?:https?:\/\/(?:www\.)?worldcat\.org\/(?:oclc|title)\/|ocm|ocn|on|\(ocolc\))?(\d{1,12})(?:[/?#].*)?$/i.exec(text);
  if (oclc && /worldcat\.org|^\d+$|^oc|^on|^\(ocolc\)/i.test(text)) return { kind: 'worldcat', oclc: oclc[1], identifier: `http://www.worldcat.org/oclc/${oclc[1]}` };
  return null;
}

export function upstreamUrl(target: LookupTarget): string {
  return target.kind === 'doi' ? `https://api.crossref.org/works/${encodeURIComponent(target.doi)}` : `https://worldcat.org/oclc/${target.oclc}`;
}

/** The CORS proxy that serves this data API: `corsproxy.<host>` beside `data.<host>` (or beside `localhost`). */
export function corsProxyFor(dataApi: string): string {
  const url = new URL(dataApi);
  url.hostname = url.hostname.startsWith('data.') ? `corsproxy.${url.hostname.slice(5)}` : `corsproxy.${url.hostname === '127.0.0.1' ? 'localhost' : url.hostname}`;
  url.pathname = '/';
  return url.toString();
}

type Fields = Partial<Pick<AuthorityState, 'title' | 'creators' | 'yearPublished' | 'url' | 'identifier' | 'abstract'>>;

interface CrossrefWork {
  message?: {
    title?: string[];
    author?: { given?: string; family?: string; name?: string; ORCID?: string }[];
    editor?: { given?: string; family?: string; name?: string }[];
    issued?: { 'date-parts'?: (number | null)[][] };
    URL?: string;
    DOI?: string;
    abstract?: string;
  };
}

const person = (p: { given?: string; family?: string; name?: string; ORCID?: string }): AgentState => ({
  name: p.name ?? [p.family, p.given].filter(Boolean).join(', '),
  id: p.ORCID ?? '',
});

export function fromCrossref(body: unknown): Fields | null {
  const work = (body as CrossrefWork)?.message;
  if (!work || !Array.isArray(work.title) || !work.title[0]) return null;
  const year = work.issued?.['date-parts']?.[0]?.[0];
  return {
    title: work.title[0],
    creators: (work.author ?? work.editor ?? []).map(person).filter((a) => a.name),
    yearPublished: typeof year === 'number' ? String(year) : '',
    identifier: work.DOI ? `https://doi.org/${work.DOI}` : '',
    url: work.URL ?? '',
    abstract: work.abstract ? work.abstract.replace(/<[^>]+>/g, '').trim() : '',
  };
}

type JsonLdNode = { [k: string]: unknown };

function names(value: unknown): AgentState[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list
    .map((v) => (typeof v === 'string' ? { name: v, id: '' } : { name: String((v as JsonLdNode).name ?? ''), id: String((v as JsonLdNode)['@id'] ?? '') }))
    .filter((a) => a.name);
}

/** A WorldCat record's page: the schema.org JSON-LD it carries (as a document or in a script element). */
export function fromWorldcat(text: string, identifier: string): Fields | null {
  const blocks: unknown[] = [];
  try {
    blocks.push(JSON.parse(text));
  } catch {
    for (const m of text.matchAll(/<script[^>]*type="application\/ld\+json"[^>]*>([\s\S]*?)<\/script>/gi)) {
      try {
        blocks.push(JSON.parse(m[1]));
      } catch {
        /* not JSON */
      }
    }
  }
  const nodes = blocks.flatMap((b) => (Array.isArray(b) ? b : (b as JsonLdNode)?.['@graph'] ? ((b as JsonLdNode)['@graph'] as unknown[]) : [b])) as JsonLdNode[];
  const work = nodes.find((n) => n && typeof n.name === 'string' && (n.datePublished !== undefined || n.author !== undefined || n.creator !== undefined));
  if (!work) return null;
  return {
    title: String(work.name),
    creators: names(work.author ?? work.creator),
    yearPublished: /\d{4}/.exec(String(work.datePublished ?? ''))?.[0] ?? '',
    identifier,
  };
}
