/**
 * The merge engine: applies a (deskolemized) patch to the part of the dataset it touches
 * and works out, entity by entity, what the new version changes. Pure: storage loads the
 * touched entities before and writes the plan after.
 */
import type { Operation } from 'fast-json-patch';
import { ActiveContext, InvalidJsonLdError, JsonLdToRdf, UnsupportedJsonLdError } from '../exports/jsonld-to-rdf';
import { addToContentHash, contribution, sha256Hex } from './hashing';
import { checkIdentifier, IDENTIFIER_RE, IdentifierError } from './identifiers';
import { pyJson } from './json-format';
import { applyOperations, InvalidPatchError, type JsonObject } from './patch';
import { addLinkCounts, entityLinkCounts, type LinkCounts } from './void';

export interface StoredPeriod {
  id: string;
  position: number;
  json: string;
  hash: string;
}

export interface StoredAuthority {
  id: string;
  validFrom: number;
  position: number;
  /** The authority with `periods` stored as `{}`. */
  json: string;
  hash: string;
  /** In dataset order. */
  periods: Map<string, StoredPeriod>;
}

export interface StoredMeta {
  validFrom: number;
  /** The dataset document with `authorities` stored as `{}`. */
  json: string;
  hash: string;
}

/** The head of the dataset as the coordinator keeps it between merges. */
export interface HeadState {
  version: number;
  meta: StoredMeta | null;
  authorityCount: number;
  periodCount: number;
  linkCounts: LinkCounts;
  contentHash: string;
  nextPosition: number;
}

export interface EntityRow {
  id: string;
  position: number;
  json: string;
  hash: string;
}

export interface MergePlan {
  version: number;
  meta: { json: string; hash: string } | null;
  closeMeta: boolean;
  closeAuthorities: string[];
  insertAuthorities: EntityRow[];
  closePeriods: string[];
  insertPeriods: (EntityRow & { authorityId: string; authorityPosition: number })[];
  /** Entity ids that appear for the first time. */
  newIdentifiers: { id: string; kind: 'authority' | 'period' }[];
  head: HeadState;
  /** The touched authorities as they are after the merge (absent: removed). */
  authoritiesAfter: Map<string, StoredAuthority | null>;
  changed: { created: string[]; updated: string[]; removed: string[] };
}

export const PLACEHOLDER = {};

/** D1 stores at most 2 MB in one value; one entity's JSON stays well below that. */
export const MAX_ENTITY_BYTES = 1_000_000;

function checkSize(what: string, json: string): void {
  // UTF-8 takes at most 3 bytes per UTF-16 unit; measure exactly only when it might matter.
  if (json.length * 3 > MAX_ENTITY_BYTES && new TextEncoder().encode(json).length > MAX_ENTITY_BYTES) {
    throw new InvalidPatchError(`${what} would be larger than ${MAX_ENTITY_BYTES.toLocaleString('en')} bytes of JSON; split it up.`);
  }
}

/** An authority's JSON text without its periods, keeping the members' order. */
export function authorityShell(authority: JsonObject): string {
  return pyJson({ ...authority, periods: PLACEHOLDER });
}

export function metaShell(dataset: JsonObject): string {
  return 'authorities' in dataset ? pyJson({ ...dataset, authorities: PLACEHOLDER }) : pyJson(dataset);
}

/** Rebuilds a document holding the stored meta and the given authorities with their periods. */
export function assemblePartialDataset(meta: StoredMeta | null, authorities: Iterable<StoredAuthority>): JsonObject {
  const doc: JsonObject = meta ? JSON.parse(meta.json) : {};
  if ('authorities' in doc) {
    const map: JsonObject = {};
    for (const a of [...authorities].sort((x, y) => x.position - y.position)) map[a.id] = assembleAuthority(a);
    doc.authorities = map;
  }
  return doc;
}

export function assembleAuthority(a: StoredAuthority): JsonObject {
  const authority = JSON.parse(a.json) as JsonObject;
  const periods: JsonObject = {};
  for (const p of [...a.periods.values()].sort((x, y) => x.position - y.position)) periods[p.id] = JSON.parse(p.json);
  authority.periods = periods;
  return authority;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface PlanOptions {
  head: HeadState;
  /** The touched authorities as stored now; with `allAuthorities`, every authority. */
  loaded: Map<string, StoredAuthority>;
  allAuthorities: boolean;
  ops: Operation[];
  /** Which of these ids are used now or were ever (removed included): a new entity may not take one. */
  usedAmong(ids: string[]): Set<string> | Promise<Set<string>>;
  /**
   * A contribution (a patch request), checked more strictly than an operator's load:
   * - new ids whose check digit is wrong (both ways) are refused; operator loads import ids
   *   already published elsewhere (the reference's own test data holds such ids);
   * - every changed entity must convert to RDF as the exports will convert it, so that one
   *   contributed value cannot leave every later version without Turtle, N-Triples or CSV.
   *   An operator's load is not converted twice (the initial load: thousands of periods a
   *   patch); its export jobs report what they cannot convert.
   */
  contribution: boolean;
}

/** A new identifier must have a check digit that is right (the 2015 data's old-style digits included). */
function checkNewIdentifier(id: string, kind: 'authority' | 'period'): void {
  if (!IDENTIFIER_RE.test(id)) throw new InvalidPatchError(`"${id}" is not a valid PeriodO ${kind} identifier.`);
  try {
    checkIdentifier(id, false);
  } catch (error) {
    if (error instanceof IdentifierError) throw new InvalidPatchError(`New ${kind} identifier ${id} is refused: ${error.message.replace(/^Malformed identifier: \S+ /, '')}.`);
    throw error;
  }
}

function isConversionError(error: unknown): error is Error {
  return error instanceof UnsupportedJsonLdError || error instanceof InvalidJsonLdError;
}

/**
 * Every version's Turtle, N-Triples and CSV exports read the dataset's `@context` inline: a
 * context they cannot read is refused with the patch, not found by each export job of the
 * version (which would then never exist).
 */
function checkContext(context: unknown): ActiveContext {
  try {
    return ActiveContext.from(context);
  } catch (error) {
    if (!isConversionError(error)) throw error;
    throw new InvalidPatchError(`The dataset's @context cannot be read for its RDF and CSV exports: ${error.message}.`);
  }
}

/**
 * The changed authorities (their own members and their changed periods) converted to RDF as
 * the exports convert them, with the dataset's context after the patch: a value they cannot
 * convert is refused here, naming the authority and why.
 */
function checkConvertible(dataset: JsonObject, changedContext: ActiveContext | null, authorities: JsonObject, changedPeriods: Map<string, string[]>): void {
  let context = changedContext;
  if (!context) {
    try {
      context = ActiveContext.from(dataset['@context']);
    } catch (error) {
      // A stored context the exports cannot read already (loaded by an operator): nothing to compare with.
      if (isConversionError(error)) return;
      throw error;
    }
  }
  const converter = new JsonLdToRdf(context);
  if (changedContext) {
    const { '@context': _context, authorities: _authorities, ...members } = dataset;
    try {
      converter.convert(members);
    } catch (error) {
      if (!isConversionError(error)) throw error;
      throw new InvalidPatchError(`The dataset's own members cannot be converted to RDF for the Turtle, N-Triples and CSV exports: ${error.message}.`);
    }
  }
  const subject = { termType: 'BlankNode', value: 'dataset' } as const;
  for (const [key, periodIds] of changedPeriods) {
    const authority = authorities[key] as JsonObject;
    const periods = authority.periods as JsonObject;
    const changed = { ...authority, periods: Object.fromEntries(periodIds.map((id) => [id, periods[id]])) };
    try {
      converter.convertProperty(subject, 'authorities', { authority: changed });
    } catch (error) {
      if (!isConversionError(error)) throw error;
      throw new InvalidPatchError(`Authority ${key} cannot be converted to RDF for the Turtle, N-Triples and CSV exports: ${error.message}.`);
    }
  }
}

export async function planMerge(options: PlanOptions): Promise<MergePlan> {
  const { head, loaded, ops } = options;
  const version = head.version + 1;
  const doc = assemblePartialDataset(head.meta, loaded.values());
  const result = applyOperations(doc, ops);
  if (!isObject(result)) throw new InvalidPatchError('The patch must leave the dataset a JSON object.');

  const plan: MergePlan = {
    version,
    meta: null,
    closeMeta: false,
    closeAuthorities: [],
    insertAuthorities: [],
    closePeriods: [],
    insertPeriods: [],
    newIdentifiers: [],
    head: { ...head, version },
    authoritiesAfter: new Map(),
    changed: { created: [], updated: [], removed: [] },
  };
  const add: bigint[] = [];
  const remove: bigint[] = [];
  let links = head.linkCounts;

  // The dataset's own members (context, id, type).
  const newMetaJson = metaShell(result);
  checkSize('The dataset context and members', newMetaJson);
  // The export context of a changed meta, read once for both checks.
  let changedContext: ActiveContext | null = null;
  if (!head.meta || head.meta.json !== newMetaJson) {
    changedContext = checkContext(result['@context']);
    const hash = await sha256Hex(newMetaJson);
    plan.meta = { json: newMetaJson, hash };
    plan.closeMeta = head.meta !== null;
    if (head.meta) remove.push(await contribution('meta', '', head.meta.hash));
    add.push(await contribution('meta', '', hash));
    plan.head.meta = { validFrom: version, json: newMetaJson, hash };
  }

  const hadAuthorities = head.meta !== null && 'authorities' in (JSON.parse(head.meta.json) as JsonObject);
  if (hadAuthorities && !('authorities' in result)) {
    throw new InvalidPatchError('The patch may not remove "authorities" from the dataset: remove authorities one by one instead.');
  }
  const after = 'authorities' in result ? result.authorities : {};
  if (!isObject(after)) throw new InvalidPatchError('The patch must leave "authorities" a JSON object.');

  // Loaded authorities first in dataset order, then new ones in the order the patch added them.
  const keys = new Set<string>([...[...loaded.values()].sort((a, b) => a.position - b.position).map((a) => a.id), ...Object.keys(after)]);
  let nextPosition = head.nextPosition;
  const oldPeriod = new Map<string, StoredPeriod>();
  for (const a of loaded.values()) for (const p of a.periods.values()) oldPeriod.set(p.id, p);
  // Where every period of the touched authorities ends up (a period may move between them).
  // A period id belongs to one authority: one already in a loaded authority may move, not be copied.
  const seenPeriods = new Map<string, string>();
  const candidates: string[] = [];
  for (const [key, authority] of Object.entries(after)) {
    if (!loaded.has(key)) candidates.push(key);
    if (!isObject(authority) || !isObject(authority.periods)) continue;
    for (const pid of Object.keys(authority.periods)) {
      const other = seenPeriods.get(pid);
      if (other !== undefined) {
        throw new InvalidPatchError(`Period ${pid} would be in two authorities (${other} and ${key}); an identifier names one entity only.`);
      }
      seenPeriods.set(pid, key);
      if (!oldPeriod.has(pid)) candidates.push(pid);
    }
  }
  // The authorities not loaded are checked through the ids ever used, the whole dataset's.
  const used = await options.usedAmong(candidates);
  const isUsed = (id: string) => used.has(id);
  for (const key of keys) {
    const before = loaded.get(key);
    const now = after[key];
    if (now === undefined) {
      if (!before) continue;
      plan.closeAuthorities.push(before.id);
      plan.changed.removed.push(before.id);
      remove.push(await contribution('authority', before.id, before.hash));
      links = addLinkCounts(links, entityLinkCounts('authority', JSON.parse(before.json)), -1);
      for (const p of before.periods.values()) {
        plan.closePeriods.push(p.id);
        plan.changed.removed.push(p.id);
        remove.push(await contribution('period', p.id, p.hash));
        links = addLinkCounts(links, entityLinkCounts('period', JSON.parse(p.json)), -1);
      }
      plan.head.authorityCount -= 1;
      plan.head.periodCount -= before.periods.size;
      plan.authoritiesAfter.set(key, null);
      continue;
    }
    if (!isObject(now)) throw new InvalidPatchError(`Authority ${key} must be a JSON object.`);
    if (now.id !== key) throw new InvalidPatchError(`Authority ${key} must have "id": "${key}" (it has ${JSON.stringify(now.id)}).`);
    if (!IDENTIFIER_RE.test(key)) throw new InvalidPatchError(`"${key}" is not a valid PeriodO authority identifier.`);
    if (!before && options.contribution) checkNewIdentifier(key, 'authority');
    if (!before && isUsed(key)) throw new InvalidPatchError(`Identifier ${key} is already used (or was used by a removed entity).`);
    const periodsNow = now.periods ?? {};
    if (!isObject(periodsNow)) throw new InvalidPatchError(`The periods of authority ${key} must be a JSON object.`);

    const shell = authorityShell(now);
    checkSize(`Authority ${key} (without its periods)`, shell);
    let authorityChanged = !before || before.json !== shell;
    const position = before?.position ?? nextPosition++;
    const stored: StoredAuthority = { id: key, validFrom: before?.validFrom ?? version, position, json: shell, hash: before?.hash ?? '', periods: new Map() };

    for (const [pid, period] of Object.entries(periodsNow)) {
      if (!isObject(period)) throw new InvalidPatchError(`Period ${pid} must be a JSON object.`);
      if (period.id !== pid) throw new InvalidPatchError(`Period ${pid} must have "id": "${pid}" (it has ${JSON.stringify(period.id)}).`);
      if (!IDENTIFIER_RE.test(pid)) throw new InvalidPatchError(`"${pid}" is not a valid PeriodO period identifier.`);
      const json = pyJson(period);
      checkSize(`Period ${pid}`, json);
      const old = before?.periods.get(pid);
      const wasAnywhere = oldPeriod.get(pid);
      if (!wasAnywhere && isUsed(pid)) {
        throw new InvalidPatchError(`Identifier ${pid} is already used by another entity (or by a removed one).`);
      }
      if (!wasAnywhere && options.contribution) checkNewIdentifier(pid, 'period');
      if (old && old.json === json) {
        stored.periods.set(pid, old);
        continue;
      }
      const hash = await sha256Hex(json);
      const periodPosition = old?.position ?? nextPosition++;
      stored.periods.set(pid, { id: pid, position: periodPosition, json, hash });
      plan.insertPeriods.push({ id: pid, authorityId: key, authorityPosition: position, position: periodPosition, json, hash });
      add.push(await contribution('period', pid, hash));
      links = addLinkCounts(links, entityLinkCounts('period', period), 1);
      authorityChanged = true;
      if (old) {
        plan.closePeriods.push(pid);
        plan.changed.updated.push(pid);
        remove.push(await contribution('period', pid, old.hash));
        links = addLinkCounts(links, entityLinkCounts('period', JSON.parse(old.json)), -1);
      } else if (!wasAnywhere) {
        plan.changed.created.push(pid);
        plan.newIdentifiers.push({ id: pid, kind: 'period' });
        plan.head.periodCount += 1;
      }
    }
    if (before) {
      for (const old of before.periods.values()) {
        if (stored.periods.has(old.id)) continue;
        authorityChanged = true;
        const movedTo = seenPeriods.get(old.id);
        // A period moved to another authority is closed here and inserted there.
        plan.closePeriods.push(old.id);
        remove.push(await contribution('period', old.id, old.hash));
        links = addLinkCounts(links, entityLinkCounts('period', JSON.parse(old.json)), -1);
        if (!movedTo) {
          plan.changed.removed.push(old.id);
          plan.head.periodCount -= 1;
        }
      }
    }

    if (authorityChanged) {
      const hash = await sha256Hex(shell);
      stored.hash = hash;
      stored.validFrom = version;
      plan.insertAuthorities.push({ id: key, position, json: shell, hash });
      add.push(await contribution('authority', key, hash));
      links = addLinkCounts(links, entityLinkCounts('authority', now), 1);
      if (before) {
        plan.closeAuthorities.push(key);
        plan.changed.updated.push(key);
        remove.push(await contribution('authority', key, before.hash));
        links = addLinkCounts(links, entityLinkCounts('authority', JSON.parse(before.json)), -1);
      } else {
        plan.changed.created.push(key);
        plan.newIdentifiers.push({ id: key, kind: 'authority' });
        plan.head.authorityCount += 1;
      }
    }
    plan.authoritiesAfter.set(key, stored);
  }

  if (options.contribution) {
    const changedPeriods = new Map<string, string[]>();
    for (const a of plan.insertAuthorities) changedPeriods.set(a.id, []);
    for (const p of plan.insertPeriods) {
      const ids = changedPeriods.get(p.authorityId) ?? [];
      ids.push(p.id);
      changedPeriods.set(p.authorityId, ids);
    }
    checkConvertible(result, changedContext, after, changedPeriods);
  }

  // A period moved between authorities is "updated", not removed and created. Sets, not
  // array scans: a patch that rewrites 10,000 periods made this loop 10⁸ comparisons.
  const closed = new Set(plan.closePeriods);
  const updated = new Set(plan.changed.updated);
  for (const p of plan.insertPeriods) {
    if (closed.has(p.id) && !updated.has(p.id)) {
      updated.add(p.id);
      plan.changed.updated.push(p.id);
    }
  }
  plan.head.linkCounts = links;
  plan.head.nextPosition = nextPosition;
  plan.head.contentHash = addToContentHash(head.contentHash, add, remove);
  return plan;
}
