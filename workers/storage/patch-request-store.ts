/** Patch requests and their comments: the queries behind /patches/ and the coordinator. */
import { and, asc, count, desc, eq, inArray, max, min, type SQL } from 'drizzle-orm';
import type { Operation } from 'fast-json-patch';
import { assemblePartialDataset, planMerge } from '../domain/merge';
import { HttpError } from '../shared/errors';
import { isoSeconds } from '../domain/provenance';
import { affectedEntities, applyOperations, deskolemize, InvalidPatchError, patchScope } from '../domain/patch';
import type { DatasetStore } from './dataset-store';
import type { Db } from './db';
import { patchRequestComments, patchRequests } from './schema';

export type PatchRequestRow = typeof patchRequests.$inferSelect;
export type CommentRow = typeof patchRequestComments.$inferSelect;

/** Beyond this many periods a patch addressing the whole authorities map is not applied. */
export const WHOLE_DATASET_PATCH_LIMIT = 5_000;

export async function patchRequest(db: Db, id: number): Promise<PatchRequestRow | undefined> {
  return db.query.patchRequests.findFirst({ where: eq(patchRequests.id, id) });
}

export async function nextPatchRequestId(db: Db): Promise<number> {
  const [row] = await db.select({ id: max(patchRequests.id) }).from(patchRequests);
  return (row?.id ?? 0) + 1;
}

export async function comments(db: Db, patchRequestId: number): Promise<CommentRow[]> {
  return db
    .select()
    .from(patchRequestComments)
    .where(eq(patchRequestComments.patchRequestId, patchRequestId))
    .orderBy(asc(patchRequestComments.postedAt), asc(patchRequestComments.id));
}

/** The first comment of each of the given patch requests. */
export async function firstComments(db: Db, ids: number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (!ids.length) return out;
  const firsts = db
    .select({ id: min(patchRequestComments.id) })
    .from(patchRequestComments)
    .where(inArray(patchRequestComments.patchRequestId, ids))
    .groupBy(patchRequestComments.patchRequestId);
  const rows = await db
    .select({ patchRequestId: patchRequestComments.patchRequestId, message: patchRequestComments.message })
    .from(patchRequestComments)
    .where(inArray(patchRequestComments.id, firsts));
  for (const r of rows) out.set(r.patchRequestId, r.message);
  return out;
}

export interface ListOptions {
  open?: boolean;
  merged?: boolean;
  sort: 'created_at' | 'updated_at';
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** One page of patch requests (limit + 1 rows, so the caller knows whether more follow) and the total count. */
export async function listPatchRequests(db: Db, o: ListOptions): Promise<{ rows: PatchRequestRow[]; total: number }> {
  const where: SQL[] = [];
  if (o.open !== undefined) where.push(eq(patchRequests.open, o.open));
  if (o.merged !== undefined) where.push(eq(patchRequests.merged, o.merged));
  const column = o.sort === 'created_at' ? patchRequests.createdAt : patchRequests.updatedAt;
  const [rows, [{ total }]] = await db.batch([
    db
      .select()
      .from(patchRequests)
      .where(where.length ? and(...where) : undefined)
      .orderBy(o.order === 'asc' ? asc(column) : desc(column), desc(patchRequests.id))
      .limit(o.limit + 1)
      .offset(o.offset),
    db.select({ total: count() }).from(patchRequests),
  ]);
  return { rows, total };
}

/**
 * Whether a patch applies to the head version, and which entities it updates or removes
 * (the reference's "affected entities"), loading only the authorities it addresses.
 */
export async function checkAgainstHead(
  store: DatasetStore,
  ops: Operation[],
): Promise<{ applies: true; updated: string[]; removed: string[]; version: number } | { applies: false; message: string; version: number }> {
  const version = await store.headVersion();
  const [meta, versionRow] = await Promise.all([store.meta(version), store.version(version)]);
  const scope = patchScope(ops);
  let ids = [...scope.authorities];
  if (scope.allAuthorities) {
    if ((versionRow?.periodCount ?? 0) > WHOLE_DATASET_PATCH_LIMIT) {
      return {
        applies: false,
        version,
        message: `A patch addressing the whole authorities map is only accepted while the dataset has at most ${WHOLE_DATASET_PATCH_LIMIT} periods; change authorities one by one.`,
      };
    }
    ids = await store.allAuthorityIds(version);
  }
  const loaded = await store.authorities(ids, version);
  try {
    applyOperations(assemblePartialDataset(meta, loaded.values()), ops);
  } catch (error) {
    if (error instanceof InvalidPatchError) return { applies: false, version, message: error.message };
    throw error;
  }
  const affected = affectedEntities(ops, (a) => [...(loaded.get(a)?.periods.keys() ?? [])]);
  return { applies: true, version, ...affected };
}

/**
 * Whether an open patch could be merged now: it applies to the head, and the merge
 * engine accepts what it does (ids, check digits, the dataset's shape). Reads only; the
 * coordinator plans the same way before it writes.
 */
export async function mergeableNow(store: DatasetStore, ops: Operation[]): Promise<boolean> {
  const check = await checkAgainstHead(store, ops);
  if (!check.applies) return false;
  try {
    const head = await store.headState();
    // Minted ids are throwaway here; their collisions are the merge's to avoid.
    const { ops: applied } = deskolemize(ops, { isUsed: () => false, alreadyMapped: () => undefined });
    const scope = patchScope(applied);
    const ids = scope.allAuthorities ? await store.allAuthorityIds(head.version) : [...scope.authorities];
    await planMerge({
      head,
      loaded: await store.authorities(ids, head.version),
      allAuthorities: scope.allAuthorities,
      ops: applied,
      usedAmong: (candidates) => store.usedIdentifiers(candidates),
      contribution: true,
    });
    return true;
  } catch (error) {
    if (error instanceof HttpError) return false;
    throw error;
  }
}

/** `2021-05-18T20:18:48+00:00`, the reference's W3CDTF timestamps; "" for none. */
export function w3cdtf(iso: string | null | undefined): string {
  return isoSeconds(iso) ?? '';
}
