/**
 * An authority's source as the edit form holds it, and back. The form edits "the work"
 * (the source itself, or the larger work it is part of when the source is a locator in
 * one), the locator, and the authority's editorial note; everything else is carried over,
 * and an untouched form gives back exactly the authority it was made from.
 */
import type { Entity, Json } from './change-set';

export interface AgentState {
  name: string;
  id: string;
}

export interface AuthorityState {
  title: string;
  creators: AgentState[];
  contributors: AgentState[];
  yearPublished: string;
  url: string;
  /** The work's identifier: a WorldCat, DOI or other URL. */
  identifier: string;
  abstract: string;
  locator: string;
  editorialNote: string;
}

const str = (v: Json | undefined): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const isObject = (v: Json | undefined): v is { [k: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

function agents(value: Json | undefined): AgentState[] {
  return (Array.isArray(value) ? value : []).map((a) => (isObject(a) ? { name: str(a.name), id: str(a.id ?? a['@id']) } : { name: str(a), id: '' }));
}

/** Where the work's fields live: `source.partOf` when the source is a part of a larger work. */
function workOf(source: { [k: string]: Json }): { [k: string]: Json } {
  return isObject(source.partOf) ? source.partOf : source;
}

export function authorityToState(authority: Entity): AuthorityState {
  const source = isObject(authority.source) ? authority.source : {};
  const work = workOf(source);
  return {
    title: str(work.title),
    creators: agents(work.creators),
    contributors: agents(work.contributors),
    yearPublished: str(work.yearPublished),
    url: str(work.url),
    identifier: str(work.id ?? work['@id']),
    abstract: str(work.abstract),
    locator: str(source.locator),
    editorialNote: str(authority.editorialNote),
  };
}

function text(typed: string, original: Json | undefined): Json | undefined {
  if (original !== undefined && typed === str(original)) return original;
  return typed.trim() || undefined;
}

function put(out: { [k: string]: Json }, key: string, value: Json | undefined): void {
  if (value === undefined) delete out[key];
  else out[key] = value;
}

function agentsValue(rows: AgentState[], original: Json | undefined): Json | undefined {
  if (JSON.stringify(rows) === JSON.stringify(agents(original))) return original;
  const list = rows
    .filter((r) => r.name.trim() || r.id.trim())
    .map((r): Json => {
      const agent: { [k: string]: Json } = {};
      if (r.id.trim()) agent.id = r.id.trim();
      if (r.name.trim()) agent.name = r.name.trim();
      return agent;
    });
  return list.length ? list : undefined;
}

export function stateToAuthority(state: AuthorityState, original: Entity): Entity {
  const out: Entity = { ...original };
  const source: { [k: string]: Json } = isObject(original.source) ? { ...original.source } : {};
  const nested = isObject(source.partOf);
  const work: { [k: string]: Json } = nested ? { ...(source.partOf as { [k: string]: Json }) } : source;
  put(work, 'title', text(state.title, work.title));
  put(work, 'creators', agentsValue(state.creators, work.creators));
  put(work, 'contributors', agentsValue(state.contributors, work.contributors));
  const year = text(state.yearPublished, work.yearPublished);
  // New years are numbers, as most of the dataset writes them.
  put(work, 'yearPublished', typeof year === 'string' && /^-?\d{1,4}$/.test(year) && year !== work.yearPublished ? Number(year) : year);
  put(work, 'url', text(state.url, work.url));
  const idKey = work['@id'] !== undefined && work.id === undefined ? '@id' : 'id';
  put(work, idKey, text(state.identifier, work[idKey]));
  put(work, 'abstract', text(state.abstract, work.abstract));
  if (nested) source.partOf = work;
  put(source, 'locator', text(state.locator, source.locator));
  out.source = source;
  put(out, 'editorialNote', text(state.editorialNote, original.editorialNote));
  return out;
}
