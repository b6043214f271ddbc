/**
 * JSON Patch handling for the PeriodO dataset: parsing, which entities a patch touches,
 * and the replacement of skolem ids by permanent ones (the reference's identifier.py and
 * patching.py semantics).
 */
import { applyPatch, JsonPatchError, unescapePathComponent, validate, validator, type Operation } from 'fast-json-patch';
import {
  ASSIGNED_SKOLEM_RE,
  IDENTIFIER_RE,
  IdentifierError,
  isSkolemIri,
  mintAuthorityId,
  mintPeriodId,
  SKOLEM_RE,
} from './identifiers';
import { checkJsonLimits, JsonLimitError, MAX_PATCH_DEPTH } from './json-limits';
import { HttpError } from '../shared/errors';

export type JsonObject = { [key: string]: unknown };

/** A patch that is refused (400, with the reference's `{"message", "status"}` body). */
export class InvalidPatchError extends HttpError {
  constructor(message: string) {
    super(400, message, {}, { message, status: 400 });
  }
}

/** A patch whose operations fail against the dataset as it is now (it may apply to another version). */
export class PatchDoesNotApplyError extends InvalidPatchError {}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Parses request text into JSON Patch operations, or says precisely why it is not one. */
export function parsePatch(text: string): Operation[] {
  try {
    checkJsonLimits(text, MAX_PATCH_DEPTH);
  } catch (error) {
    if (error instanceof JsonLimitError) throw new InvalidPatchError(`Not a valid JSON patch: ${error.message}`);
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidPatchError('Patch data could not be parsed as JSON.');
  }
  if (!Array.isArray(value)) throw new InvalidPatchError('Not a valid JSON patch: a patch is a JSON array of operations.');
  value.forEach((op, i) => {
    if (typeof op !== 'object' || op === null || Array.isArray(op)) {
      throw new InvalidPatchError(`Not a valid JSON patch: operation ${i} is not an object.`);
    }
    const o = op as JsonObject;
    if (typeof o.op !== 'string' || !OPS.has(o.op)) {
      throw new InvalidPatchError(`Not a valid JSON patch: operation ${i} has no valid "op" (one of ${[...OPS].join(', ')}).`);
    }
    if (typeof o.path !== 'string' || (o.path !== '' && !o.path.startsWith('/'))) {
      throw new InvalidPatchError(`Not a valid JSON patch: operation ${i} has no valid "path" (a JSON pointer).`);
    }
    if ((o.op === 'move' || o.op === 'copy') && (typeof o.from !== 'string' || (o.from !== '' && !o.from.startsWith('/')))) {
      throw new InvalidPatchError(`Not a valid JSON patch: operation ${i} (${o.op}) has no valid "from".`);
    }
    if ((o.op === 'add' || o.op === 'replace' || o.op === 'test') && !('value' in o)) {
      throw new InvalidPatchError(`Not a valid JSON patch: operation ${i} (${o.op}) has no "value".`);
    }
  });
  const error = validate(value as Operation[], undefined, checkOperation);
  if (error) throw new InvalidPatchError(`Not a valid JSON patch: ${error.message.split('\n')[0]}`);
  return value as Operation[];
}

/**
 * fast-json-patch's checks of an operation, without its walk of the whole value looking for
 * `undefined`: operations here are parsed from JSON text, which cannot hold one. The walk
 * ran twice for each patch (when parsed and when applied) over every value it adds: a
 * 5,000-period load patch is one 3.7 MB value.
 */
function checkOperation(op: Operation, index: number, document: unknown, existingPath: string): void {
  const checked = op && typeof op === 'object' && 'value' in op && op.value !== undefined ? ({ ...op, value: null } as Operation) : op;
  validator(checked, index, document, existingPath);
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map(unescapePathComponent);
}

/**
 * What part of the dataset a patch reads or writes: the authorities named in its paths,
 * whether it reaches the dataset's own members (context, id, type), and whether it
 * addresses the whole authorities map (then every authority is involved).
 */
export interface PatchScope {
  authorities: Set<string>;
  meta: boolean;
  allAuthorities: boolean;
}

export function patchScope(ops: Operation[]): PatchScope {
  const scope: PatchScope = { authorities: new Set(), meta: false, allAuthorities: false };
  const visit = (pointer: string) => {
    const [top, key] = pointerSegments(pointer);
    if (top === undefined) {
      scope.meta = true;
      scope.allAuthorities = true;
    } else if (top === 'authorities') {
      if (key === undefined || key === '-') scope.allAuthorities = true;
      else scope.authorities.add(key);
    } else {
      scope.meta = true;
    }
  };
  for (const op of ops) {
    visit(op.path);
    if (op.op === 'move' || op.op === 'copy') visit((op as { from: string }).from);
  }
  return scope;
}

const CHANGE_PATH_RE = new RegExp(
  `^/authorities/(${IDENTIFIER_RE.source.slice(1, -1)})(?:/periods/(${IDENTIFIER_RE.source.slice(1, -1)}))?`,
);

/**
 * Entities a patch updates or removes (the reference's "affected entities"), from its
 * paths alone; removing an authority removes its periods too.
 */
export function affectedEntities(
  ops: Pick<Operation, 'op' | 'path'>[],
  periodsOf: (authorityId: string) => string[],
): { updated: string[]; removed: string[] } {
  const updated = new Set<string>();
  const removed = new Set<string>();
  for (const op of ops) {
    const m = CHANGE_PATH_RE.exec(op.path);
    if (!m) continue;
    const [, authority, period] = m;
    if (op.op === 'remove') {
      if (period) {
        removed.add(period);
        updated.add(authority);
      } else {
        removed.add(authority);
        for (const p of periodsOf(authority)) removed.add(p);
      }
    } else {
      updated.add(authority);
      if (period) updated.add(period);
    }
  }
  return { updated: [...updated].sort(), removed: [...removed].sort() };
}

/** Applies operations to a document in place; a failure says which operation and why. */
export function applyOperations(document: JsonObject, ops: Operation[]): JsonObject {
  try {
    return applyPatch(document, ops, checkOperation, true, true).newDocument as JsonObject;
  } catch (error) {
    if (error instanceof JsonPatchError) {
      const where = typeof error.index === 'number' ? ` (operation ${error.index}, ${ops[error.index]?.op} ${ops[error.index]?.path})` : '';
      throw new PatchDoesNotApplyError(`Could not apply JSON patch to dataset: ${error.name.toLowerCase().replace(/_/g, ' ')}${where}.`);
    }
    throw new PatchDoesNotApplyError(`Could not apply JSON patch to dataset: ${String(error)}`);
  }
}

export interface DeskolemizeContext {
  /** Is this permanent id already used (now or ever, removed ones included)? */
  isUsed(id: string): boolean;
  /** The permanent id an earlier merge gave this skolem IRI, if any. */
  alreadyMapped(skolem: string): string | undefined;
  /** Replaying a merge: the ids it gave, used as they are (no minting, no checks). */
  recorded?: Record<string, string>;
  /** The caller hands the operations over (nothing else holds them): rewritten in place, not copied. */
  handedOver?: boolean;
}

const ADD_PERIOD_PATH = /^(\/authorities\/(.*)\/periods\/)(.*)~1\.well-known~1genid~1(.*)$/;
const REPLACE_PERIODS_PATH = /^\/authorities\/(.*)\/periods$/;
const ADD_AUTHORITY_PATH = /^(\/authorities\/)(.*)~1\.well-known~1genid~1(.*)$/;

/**
 * Replaces skolem ids in a patch by permanent ids, as the reference does at merge time:
 * new authorities and periods get minted ids (`…/genid/assigned/<id>` keeps `<id>`), their
 * paths and every skolem value in the patch are rewritten. Returns the applied patch and
 * the skolem → permanent id map.
 */
export function deskolemize(ops: Operation[], ctx: DeskolemizeContext): { ops: Operation[]; idMap: Record<string, string> } {
  const idMap: Record<string, string> = {};
  const assigned = new Set<string>();

  const unused = (mint: () => string): string => {
    for (let i = 0; i < 10; i++) {
      const id = mint();
      if (!ctx.isUsed(id) && !assigned.has(id)) return id;
    }
    throw new IdentifierError('Too many identifier collisions.');
  };

  const permanentFor = (skolem: unknown, mint: () => string): string => {
    if (typeof skolem !== 'string') throw new IdentifierError(`New entity has no id: ${JSON.stringify(skolem)}`);
    if (idMap[skolem]) return idMap[skolem];
    if (ctx.recorded) {
      const given = Object.hasOwn(ctx.recorded, skolem) ? ctx.recorded[skolem] : undefined;
      if (typeof given !== 'string') throw new IdentifierError(`The merge recorded no identifier for ${skolem}.`);
      idMap[skolem] = given;
      assigned.add(given);
      return given;
    }
    let id: string;
    const assignedMatch = ASSIGNED_SKOLEM_RE.exec(skolem);
    if (assignedMatch) {
      id = assignedMatch[2];
      if (!IDENTIFIER_RE.test(id)) throw new IdentifierError(`Assigned identifier is malformed: ${id}`);
      if (ctx.isUsed(id) || assigned.has(id)) throw new IdentifierError(`ID collision on ${id}`);
    } else if (SKOLEM_RE.test(skolem)) {
      const existing = ctx.alreadyMapped(skolem);
      if (existing) throw new IdentifierError(`Skolem ID is already mapped to ${existing}`);
      id = unused(mint);
    } else {
      throw new IdentifierError(`Non-skolem ID for new entity: ${skolem}`);
    }
    idMap[skolem] = id;
    assigned.add(id);
    return id;
  };

  const asObject = (value: unknown, what: string): JsonObject => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InvalidPatchError(`${what} must be a JSON object.`);
    }
    return value as JsonObject;
  };

  const assignPeriod = (period: unknown, authorityId: string): JsonObject => {
    const p = asObject(period, 'A period');
    p.id = permanentFor(p.id, () => mintPeriodId(authorityId));
    return p;
  };

  const indexById = (items: JsonObject[]): JsonObject => {
    const out: JsonObject = {};
    for (const item of items) out[item.id as string] = item;
    return out;
  };

  const assignAuthority = (authority: unknown): JsonObject => {
    const a = asObject(authority, 'An authority');
    const id = permanentFor(a.id, mintAuthorityId);
    a.id = id;
    const periods = a.periods === undefined ? {} : asObject(a.periods, `The periods of authority ${id}`);
    a.periods = indexById(Object.values(periods).map((p) => assignPeriod(p, id)));
    return a;
  };

  const resolveAuthorityKey = (key: string): string => {
    // A period added to an authority that the same patch adds: use its new id.
    const decoded = unescapePathComponent(key);
    return idMap[decoded] ?? decoded;
  };

  const modify = (op: Operation): Operation => {
    const copy = (ctx.handedOver ? op : structuredClone(op)) as Operation & { value?: unknown };
    let m = ADD_PERIOD_PATH.exec(op.path);
    if (m && op.op === 'add') {
      const authorityId = resolveAuthorityKey(m[2]);
      copy.value = assignPeriod(copy.value, authorityId);
      copy.path = `/authorities/${authorityId}/periods/${(copy.value as JsonObject).id}`;
      return copy;
    }
    m = REPLACE_PERIODS_PATH.exec(op.path);
    if (m && (op.op === 'add' || op.op === 'replace')) {
      const authorityId = resolveAuthorityKey(m[1]);
      copy.value = indexById(Object.values(asObject(copy.value, 'The periods')).map((p) => assignPeriod(p, authorityId)));
      return copy;
    }
    m = ADD_AUTHORITY_PATH.exec(op.path);
    if (m && op.op === 'add') {
      copy.value = assignAuthority(copy.value);
      copy.path = `/authorities/${(copy.value as JsonObject).id}`;
      return copy;
    }
    if (op.path === '/authorities' && (op.op === 'add' || op.op === 'replace')) {
      copy.value = indexById(Object.values(asObject(copy.value, 'The authorities')).map(assignAuthority));
      return copy;
    }
    return copy;
  };

  const modified = ops.map(modify);
  const replaceValues = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map((v) => (isSkolemIri(v) ? mapped(v) : v));
    if (typeof value === 'object' && value !== null) {
      const o = value as JsonObject;
      for (const [k, v] of Object.entries(o)) {
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) o[k] = replaceValues(v);
        else if (Array.isArray(v)) o[k] = v.map((x) => (isSkolemIri(x) ? mapped(x) : replaceValues(x)));
        else if (isSkolemIri(v)) o[k] = mapped(v);
      }
      return o;
    }
    return value;
  };
  const mapped = (skolem: string): string => {
    const id = idMap[skolem];
    if (!id) throw new IdentifierError(`Skolem ID ${skolem} is referenced but no entity in the patch defines it.`);
    return id;
  };
  return { ops: modified.map((op) => replaceValues(op) as Operation), idMap };
}

/**
 * The patch a merge applied, rebuilt from the patch as submitted and the identifier map the
 * merge recorded: the same rewrite as `deskolemize`, each new entity given the id it was
 * given then. A merge stores its patch once (as submitted), not a second time as applied.
 */
export function appliedPatch(submitted: Operation[], recorded: Record<string, string>): Operation[] {
  return deskolemize(submitted, { isUsed: () => false, alreadyMapped: () => undefined, recorded }).ops;
}
