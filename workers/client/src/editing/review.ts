/**
 * What a JSON Patch does to the authorities and periods it touches, field by field, and
 * where it collides with changes merged since it was made.
 *
 * Everything works on a *fragment* of the dataset: `{ authorities: { <id>: authority } }`
 * holding only the authorities the patch addresses (one entity request each), never the
 * whole dataset.
 */
import { applyPatch, deepClone, unescapePathComponent, type Operation } from 'fast-json-patch';
import type { Edit, Entity, Json } from './change-set';

export interface DatasetFragment {
  authorities: { [id: string]: Entity };
}

export type ChangeStatus = 'added' | 'removed' | 'changed';

export interface FieldChange {
  /** A dotted path below the entity: `label`, `start.in.year`, `source.partOf.title`. */
  field: string;
  status: ChangeStatus;
  before?: Json;
  after?: Json;
}

export interface EntityChange {
  kind: 'authority' | 'period';
  /** The authority's id, or the period's. */
  id: string;
  authorityId: string;
  /** The label (period) or source title (authority) after the change, else before. */
  label: string;
  status: ChangeStatus;
  fields: FieldChange[];
}

/** Authority ids a patch addresses (the authorities to fetch to review it); `all` when it replaces the whole map. */
export function addressedAuthorities(ops: Operation[]): { ids: string[]; all: boolean } {
  const ids = new Set<string>();
  let all = false;
  for (const op of ops) {
    for (const pointer of [op.path, 'from' in op ? op.from : undefined]) {
      if (pointer === undefined) continue;
      const [top, key] = pointer.split('/').slice(1).map(unescapePathComponent);
      if (top !== 'authorities') continue;
      if (key === undefined || key === '-') all = true;
      else ids.add(key);
    }
  }
  return { ids: [...ids], all };
}

export class PatchDoesNotApply extends Error {}

/** The fragment after the patch (the input is left as it was). */
export function applyToFragment(fragment: DatasetFragment, ops: Operation[]): DatasetFragment {
  const doc = deepClone(fragment) as DatasetFragment;
  try {
    return applyPatch(doc, deepClone(ops) as Operation[], true, true).newDocument;
  } catch (error) {
    const index = (error as { index?: number }).index;
    const where = typeof index === 'number' ? `operation ${index + 1} (${ops[index]?.op} ${ops[index]?.path})` : 'the patch';
    throw new PatchDoesNotApply(`${where} does not apply: ${(error as Error).message.split('\n')[0]}`);
  }
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Leaf values of an entity by dotted path; arrays are leaves (a list of places reads as one field). */
export function flatten(entity: Entity, prefix = '', out: Map<string, Json> = new Map()): Map<string, Json> {
  for (const [key, value] of Object.entries(entity)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isObject(value) && Object.keys(value).length > 0) flatten(value, path, out);
    else out.set(path, value);
  }
  return out;
}

/** Field-by-field differences between two versions of one entity (either may be missing). */
export function fieldChanges(before: Entity | undefined, after: Entity | undefined): FieldChange[] {
  const a = flatten(before ?? {});
  const b = flatten(after ?? {});
  const changes: FieldChange[] = [];
  for (const [field, value] of a) {
    if (!b.has(field)) changes.push({ field, status: 'removed', before: value });
    else if (JSON.stringify(value) !== JSON.stringify(b.get(field))) changes.push({ field, status: 'changed', before: value, after: b.get(field) });
  }
  for (const [field, value] of b) if (!a.has(field)) changes.push({ field, status: 'added', after: value });
  return changes;
}

function periodsOf(authority: Entity | undefined): { [id: string]: Entity } {
  const periods = authority?.periods;
  return isObject(periods) ? (periods as { [id: string]: Entity }) : {};
}

function withoutPeriods(authority: Entity | undefined): Entity | undefined {
  if (!authority) return undefined;
  const { periods: _periods, ...rest } = authority;
  return rest;
}

function authorityLabel(authority: Entity | undefined): string {
  const source = authority?.source;
  if (isObject(source)) {
    if (typeof source.title === 'string') return source.title;
    if (typeof source.citation === 'string') return source.citation;
    if (isObject(source.partOf) && typeof source.partOf.title === 'string') return source.partOf.title;
  }
  return typeof authority?.id === 'string' ? authority.id : '';
}

function entityStatus(before: unknown, after: unknown): ChangeStatus {
  return before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
}

/** Every authority and period that differs between two fragments, with its field changes. */
export function diffFragments(before: DatasetFragment, after: DatasetFragment): EntityChange[] {
  const changes: EntityChange[] = [];
  const ids = [...new Set([...Object.keys(before.authorities), ...Object.keys(after.authorities)])];
  for (const authorityId of ids) {
    const a = before.authorities[authorityId];
    const b = after.authorities[authorityId];
    const fields = fieldChanges(withoutPeriods(a), withoutPeriods(b));
    if (fields.length > 0 || !a || !b) {
      changes.push({ kind: 'authority', id: authorityId, authorityId, label: authorityLabel(b ?? a), status: entityStatus(a, b), fields });
    }
    const pa = periodsOf(a);
    const pb = periodsOf(b);
    for (const periodId of new Set([...Object.keys(pa), ...Object.keys(pb)])) {
      const fieldsOfPeriod = fieldChanges(pa[periodId], pb[periodId]);
      if (fieldsOfPeriod.length === 0) continue;
      const shown = pb[periodId] ?? pa[periodId];
      changes.push({
        kind: 'period',
        id: periodId,
        authorityId,
        label: typeof shown.label === 'string' ? shown.label : periodId,
        status: entityStatus(pa[periodId], pb[periodId]),
        fields: fieldsOfPeriod,
      });
    }
  }
  return changes;
}

/** What a patch changes in the fragment it was made against. */
export function diffPatch(fragment: DatasetFragment, ops: Operation[]): EntityChange[] {
  return diffFragments(fragment, applyToFragment(fragment, ops));
}

export interface Conflict {
  kind: 'authority' | 'period';
  id: string;
  authorityId: string;
  /** Fields the proposal changes that were also changed, differently, since it was made. */
  fields: { field: string; base?: Json; current?: Json; proposed?: Json }[];
  /** The entity the proposal changes was removed from (or added to) the dataset meanwhile. */
  entity?: 'removed since' | 'added since';
}

function entityIn(fragment: DatasetFragment, change: { kind: string; id: string; authorityId: string }): Entity | undefined {
  const authority = fragment.authorities[change.authorityId];
  if (change.kind === 'authority') return withoutPeriods(authority);
  return periodsOf(authority)[change.id];
}

/**
 * The proposal (a patch made against `base`) against the dataset as it is now (`current`):
 * for each entity the proposal changes, the fields it changes that have since been changed
 * to something else. A field both sides changed to the same value is no conflict.
 */
export function conflicts(base: DatasetFragment, current: DatasetFragment, ops: Operation[]): Conflict[] {
  const proposed = applyToFragment(base, ops);
  const out: Conflict[] = [];
  for (const change of diffFragments(base, proposed)) {
    const b = entityIn(base, change);
    const c = entityIn(current, change);
    const p = entityIn(proposed, change);
    if (b !== undefined && c === undefined) {
      out.push({ kind: change.kind, id: change.id, authorityId: change.authorityId, fields: [], entity: 'removed since' });
      continue;
    }
    if (b === undefined && c !== undefined && p !== undefined) {
      out.push({ kind: change.kind, id: change.id, authorityId: change.authorityId, fields: [], entity: 'added since' });
      continue;
    }
    const since = new Map(fieldChanges(b, c).map((f) => [f.field, f]));
    const fields: Conflict['fields'] = [];
    for (const f of change.fields) {
      const moved = since.get(f.field);
      if (!moved) continue;
      if (JSON.stringify(moved.after) === JSON.stringify(f.after)) continue;
      fields.push({ field: f.field, base: f.before, current: moved.after, proposed: f.after });
    }
    if (fields.length > 0) out.push({ kind: change.kind, id: change.id, authorityId: change.authorityId, fields });
  }
  return out;
}

/** What one draft edit changes, in the same shape as a reviewed patch's changes. */
export function editChange(edit: Edit): EntityChange {
  const label = (e: Entity | undefined, kind: 'authority' | 'period') =>
    kind === 'authority' ? authorityLabel(e) : typeof e?.label === 'string' && e.label ? e.label : String(e?.id ?? '');
  switch (edit.type) {
    case 'add-authority':
      return { kind: 'authority', id: String(edit.authority.id), authorityId: String(edit.authority.id), label: label(edit.authority, 'authority'), status: 'added', fields: fieldChanges(undefined, withoutPeriods(edit.authority)) };
    case 'update-authority':
      return { kind: 'authority', id: edit.id, authorityId: edit.id, label: label(edit.after, 'authority'), status: 'changed', fields: fieldChanges(withoutPeriods(edit.before), withoutPeriods(edit.after)) };
    case 'remove-authority':
      return { kind: 'authority', id: edit.id, authorityId: edit.id, label: label(edit.before, 'authority'), status: 'removed', fields: [] };
    case 'add-period':
      return { kind: 'period', id: String(edit.period.id), authorityId: edit.authorityId, label: label(edit.period, 'period'), status: 'added', fields: fieldChanges(undefined, edit.period) };
    case 'update-period':
      return { kind: 'period', id: edit.id, authorityId: edit.authorityId, label: label(edit.after, 'period'), status: 'changed', fields: fieldChanges(edit.before, edit.after) };
    case 'remove-period':
      return { kind: 'period', id: edit.id, authorityId: edit.authorityId, label: label(edit.before, 'period'), status: 'removed', fields: [] };
  }
}
