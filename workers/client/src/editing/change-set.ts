/**
 * A draft change set: the edits a person has made to authorities and periods, and the one
 * JSON Patch that submits them (`PATCH <data API>/d/`).
 *
 * Edits of the same entity fold into one (the first `before` is kept), and an entity added
 * by this draft stays an addition however often it is edited, so the draft always reads as
 * "what changes against the dataset".
 */
import { escapePathComponent, type Operation } from 'fast-json-patch';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Entity = { [key: string]: Json };

export type Edit =
  | { type: 'add-authority'; authority: Entity }
  | { type: 'update-authority'; id: string; before: Entity; after: Entity }
  | { type: 'remove-authority'; id: string; before: Entity }
  | { type: 'add-period'; authorityId: string; period: Entity }
  | { type: 'update-period'; authorityId: string; id: string; before: Entity; after: Entity }
  | { type: 'remove-period'; authorityId: string; id: string; before: Entity };

export interface ChangeSet {
  edits: Edit[];
}

export const emptyChangeSet = (): ChangeSet => ({ edits: [] });

/** `<data API>/.well-known/genid/<32 hex>`: the id a new entity carries until a merge mints its permanent one. */
export function newSkolemId(dataApi: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${dataApi.replace(/\/+$/, '')}/.well-known/genid/${hex}`;
}

export function isSkolemId(id: string): boolean {
  return /\/\.well-known\/genid\//.test(id);
}

/** Which entity an edit is about: `authority id` or `authority id / period id`. */
export function editTarget(edit: Edit): { authorityId: string; periodId?: string } {
  switch (edit.type) {
    case 'add-authority':
      return { authorityId: String(edit.authority.id) };
    case 'update-authority':
    case 'remove-authority':
      return { authorityId: edit.id };
    case 'add-period':
      return { authorityId: edit.authorityId, periodId: String(edit.period.id) };
    default:
      return { authorityId: edit.authorityId, periodId: edit.id };
  }
}

function sameTarget(a: Edit, b: Edit): boolean {
  const x = editTarget(a);
  const y = editTarget(b);
  return x.authorityId === y.authorityId && x.periodId === y.periodId;
}

function withoutPeriods(authority: Entity): Entity {
  const { periods: _periods, ...rest } = authority;
  return rest;
}

/** The change set with one more edit folded in. */
export function addEdit(changeSet: ChangeSet, edit: Edit): ChangeSet {
  const edits = [...changeSet.edits];
  const i = edits.findIndex((e) => sameTarget(e, edit));
  if (i < 0) {
    if (edit.type === 'remove-authority') {
      // Removing an authority makes every draft edit of its periods moot.
      return { edits: [...edits.filter((e) => editTarget(e).authorityId !== edit.id), edit] };
    }
    return { edits: [...edits, edit] };
  }
  const prior = edits[i];
  let merged: Edit | null = edit;
  if (prior.type === 'add-authority') {
    if (edit.type === 'update-authority') merged = { type: 'add-authority', authority: { ...edit.after, periods: prior.authority.periods ?? {} } };
    else if (edit.type === 'remove-authority') merged = null;
  } else if (prior.type === 'add-period') {
    if (edit.type === 'update-period') merged = { type: 'add-period', authorityId: prior.authorityId, period: edit.after };
    else if (edit.type === 'remove-period') merged = null;
  } else if (prior.type === 'update-authority' && (edit.type === 'update-authority' || edit.type === 'remove-authority')) {
    merged = edit.type === 'update-authority' ? { ...edit, before: prior.before } : { ...edit, before: prior.before };
  } else if (prior.type === 'update-period' && (edit.type === 'update-period' || edit.type === 'remove-period')) {
    merged = { ...edit, before: prior.before };
  }
  if (merged === null) {
    edits.splice(i, 1);
    if (prior.type === 'add-authority') return { edits: edits.filter((e) => editTarget(e).authorityId !== String(prior.authority.id)) };
    return { edits };
  }
  // An update that ends where it began is no edit at all.
  if ((merged.type === 'update-period' || merged.type === 'update-authority') && diffOperations('', comparable(merged.before, merged), comparable(merged.after, merged)).length === 0) {
    edits.splice(i, 1);
    return { edits };
  }
  edits[i] = merged;
  return { edits };
}

function comparable(entity: Entity, edit: Edit): Entity {
  return edit.type === 'update-authority' ? withoutPeriods(entity) : entity;
}

/** The change set without its `index`th edit (and, for a new authority, without its draft periods). */
export function removeEdit(changeSet: ChangeSet, index: number): ChangeSet {
  const edit = changeSet.edits[index];
  if (!edit) return changeSet;
  const rest = changeSet.edits.filter((_, i) => i !== index);
  if (edit.type === 'add-authority') return { edits: rest.filter((e) => editTarget(e).authorityId !== String(edit.authority.id)) };
  return { edits: rest };
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function equal(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b) && (isObject(a) === isObject(b));
}

/**
 * Operations that turn `before` into `after` below `path`: objects are compared key by key,
 * any other value (arrays included) is replaced whole, so each operation reads as one field.
 */
export function diffOperations(path: string, before: Entity, after: Entity): Operation[] {
  const ops: Operation[] = [];
  for (const key of Object.keys(before)) {
    if (!(key in after)) ops.push({ op: 'remove', path: `${path}/${escapePathComponent(key)}` });
  }
  for (const [key, value] of Object.entries(after)) {
    const at = `${path}/${escapePathComponent(key)}`;
    const old = before[key];
    if (!(key in before)) ops.push({ op: 'add', path: at, value });
    else if (isObject(old) && isObject(value)) ops.push(...diffOperations(at, old, value));
    else if (!equal(old, value)) ops.push({ op: 'replace', path: at, value });
  }
  return ops;
}

const authorityPath = (id: string) => `/authorities/${escapePathComponent(id)}`;
const periodPath = (authorityId: string, id: string) => `${authorityPath(authorityId)}/periods/${escapePathComponent(id)}`;

/** The JSON Patch of one edit. */
export function editOperations(edit: Edit): Operation[] {
  switch (edit.type) {
    case 'add-authority':
      return [{ op: 'add', path: authorityPath(String(edit.authority.id)), value: { ...edit.authority, periods: edit.authority.periods ?? {} } }];
    case 'update-authority':
      return diffOperations(authorityPath(edit.id), withoutPeriods(edit.before), withoutPeriods(edit.after));
    case 'remove-authority':
      return [{ op: 'remove', path: authorityPath(edit.id) }];
    case 'add-period':
      return [{ op: 'add', path: periodPath(edit.authorityId, String(edit.period.id)), value: edit.period }];
    case 'update-period':
      return diffOperations(periodPath(edit.authorityId, edit.id), edit.before, edit.after);
    case 'remove-period':
      return [{ op: 'remove', path: periodPath(edit.authorityId, edit.id) }];
  }
}

/** One JSON Patch for the whole change set: new authorities before the periods added to them. */
export function buildPatch(changeSet: ChangeSet): Operation[] {
  const order = (e: Edit) => (e.type === 'add-authority' ? 0 : 1);
  return [...changeSet.edits].sort((a, b) => order(a) - order(b)).flatMap(editOperations);
}
