import type { Agent, Source } from '../api/types';

const idOf = (x: { id?: string; '@id'?: string } | undefined) => x?.id ?? x?.['@id'];

function names(agents: Agent[] | undefined): string {
  return (agents ?? []).map((a) => a.name ?? idOf(a) ?? '').filter(Boolean).join('; ');
}

/** The links a source names: its own id (WorldCat, DOI…), its URL and sameAs. */
function links(source: Source): { href: string; label: string }[] {
  const out: { href: string; label: string }[] = [];
  for (const href of [idOf(source), source.url, source.sameAs]) {
    if (!href || !/^https?:\/\//.test(href) || out.some((l) => l.href === href)) continue;
    const label = /worldcat\.org/.test(href) ? 'WorldCat' : /doi\.org/.test(href) ? 'DOI' : 'Link';
    out.push({ href, label });
  }
  return out;
}

/** A plain-text citation of a source (for "cite this"). */
export function citationText(source: Source | undefined, locator = source?.locator): string {
  if (!source) return '';
  const work = source.title ? source : (source.partOf ?? source);
  const year = source.yearPublished ?? source.partOf?.yearPublished;
  const creators = names(work.creators) || names(source.creators) || names(work.contributors) || names(source.contributors);
  const end = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);
  return [creators ? end(creators) : '', year ? `(${year})` : '', work.title ? end(work.title) : '', locator ? end(locator) : ''].filter(Boolean).join(' ');
}

/** A source as a definition list: title, creators, contributors, year, links, locator. */
export function Citation({ source }: { source: Source | undefined }) {
  if (!source) return <p>No source given.</p>;
  const partOf = source.partOf;
  const title = source.title ?? partOf?.title;
  const creators = names(source.creators) || names(partOf?.creators);
  const contributors = names(source.contributors) || names(partOf?.contributors);
  const year = source.yearPublished ?? partOf?.yearPublished;
  const all = [...links(source), ...(partOf ? links(partOf) : [])];
  return (
    <dl class="fields">
      <dt>Title</dt>
      <dd>{title ?? 'Untitled'}</dd>
      {source.title && partOf?.title ? (
        <>
          <dt>Part of</dt>
          <dd>{partOf.title}</dd>
        </>
      ) : null}
      {creators ? (
        <>
          <dt>Creators</dt>
          <dd>{creators}</dd>
        </>
      ) : null}
      {contributors ? (
        <>
          <dt>Contributors</dt>
          <dd>{contributors}</dd>
        </>
      ) : null}
      {year ? (
        <>
          <dt>Year</dt>
          <dd>{year}</dd>
        </>
      ) : null}
      {all.length ? (
        <>
          <dt>Links</dt>
          <dd>
            {all.map((l, i) => (
              <span key={l.href}>
                {i ? ', ' : ''}
                <a href={l.href} rel="noopener">
                  {l.label}
                </a>
              </span>
            ))}
          </dd>
        </>
      ) : null}
      {source.locator ? (
        <>
          <dt>Locator</dt>
          <dd>{source.locator}</dd>
        </>
      ) : null}
      {source.editorialNote ? (
        <>
          <dt>Editorial note</dt>
          <dd>{source.editorialNote}</dd>
        </>
      ) : null}
    </dl>
  );
}
