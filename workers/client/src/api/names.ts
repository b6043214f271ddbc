/**
 * What a page calls an entity, pure so the client app's Worker can write the same heading
 * into the page before the app's code arrives (workers/client/page-shell.ts).
 */

/** The short form of a PeriodO id: `p0trgkv` from `p0trgkv` or from an ARK/skolem IRI. */
export function shortId(id: string): string {
  const m = /(p0[0-9a-z]+)$/.exec(id);
  return m ? m[1] : id;
}

/** An authority's name: its source's title, the title of what that is part of, or its id. */
export function authorityTitle(a: { id: string; source?: { title?: string; partOf?: { title?: string } } }): string {
  return a.source?.title ?? a.source?.partOf?.title ?? shortId(a.id);
}

/** A period's heading: its label, or its id when it has none. */
export function periodLabel(p: { id: string; label?: string }): string {
  return p.label || shortId(p.id);
}

/** The period of `authority` whose id is `periodId` (in any form shortId reads), if it has one. */
export function periodIn<P extends { id: string }>(authority: { periods?: Record<string, P> }, periodId: string): P | undefined {
  const id = shortId(periodId);
  return Object.values(authority.periods ?? {}).find((p) => shortId(p.id) === id);
}
