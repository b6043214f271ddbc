/**
 * Bags and graphs in D1. Every version is a row (`bags`, `graphs`) whose document lives in
 * `blob_chunks` (256 KB pieces), so no document is bound by D1's 2 MB value limit, and a
 * version row and its chunks are written in one batch: either both land or neither does.
 */
import type { BatchItem } from 'drizzle-orm/batch';
import { and, asc, desc, eq, gte, inArray, isNull, lt, max, sql } from 'drizzle-orm';
import { closeDocument, type OpenDocument } from '../domain/ordered-json';
import { chunk, MAX_PARAMS, type Db } from './db';
import { blobStatements } from './blob-text';
import { authorities, bags, blobChunks, graphs, periods } from './schema';

export type BagRow = typeof bags.$inferSelect;
export type GraphRow = typeof graphs.$inferSelect;
type Statement = BatchItem<'sqlite'>;

export function bagBlobId(uuid: string, version: number): string {
  return `bag/${uuid}/${version}`;
}

export function graphBlobId(id: string, version: number): string {
  return `graph/${id}/${version}`;
}

/** The latest version of a bag, or the given one. */
export async function findBag(db: Db, uuid: string, version?: number): Promise<BagRow | undefined> {
  if (version === undefined) return db.query.bags.findFirst({ where: eq(bags.uuid, uuid), orderBy: desc(bags.version) });
  return db.query.bags.findFirst({ where: and(eq(bags.uuid, uuid), eq(bags.version, version)) });
}

/** Every bag once, in the order they were created. */
export async function bagUuids(db: Db): Promise<string[]> {
  const rows = await db
    .select({ uuid: bags.uuid })
    .from(bags)
    .where(eq(bags.version, 0))
    .orderBy(asc(bags.createdAt), sql`rowid`);
  return rows.map((r) => r.uuid);
}

export function bagStatements(db: Db, row: Omit<BagRow, 'blob'>, text: string): Statement[] {
  const blob = bagBlobId(row.uuid, row.version);
  return [db.insert(bags).values({ ...row, blob }), ...blobStatements(db, blob, text)];
}

/** The latest version of a graph that is not deleted, or the given version (deleted or not). */
export async function findGraph(db: Db, id: string, version?: number): Promise<GraphRow | undefined> {
  if (version === undefined) {
    return db.query.graphs.findFirst({ where: and(eq(graphs.id, id), eq(graphs.deleted, false)), orderBy: desc(graphs.version) });
  }
  return db.query.graphs.findFirst({ where: and(eq(graphs.id, id), eq(graphs.version, version)) });
}

export async function lastGraphVersion(db: Db, id: string): Promise<number | null> {
  const [row] = await db.select({ v: max(graphs.version) }).from(graphs).where(eq(graphs.id, id));
  return row?.v ?? null;
}

/**
 * The latest non-deleted version of every graph, in id order; with `prefix`, only the
 * graphs below `prefix/` (a range on the key: no LIKE, so `%` and `_` in ids are plain).
 */
export async function currentGraphs(db: Db, prefix?: string): Promise<GraphRow[]> {
  const latest = db
    .select({ id: graphs.id, version: max(graphs.version).as('latest') })
    .from(graphs)
    .where(prefix === undefined ? eq(graphs.deleted, false) : and(eq(graphs.deleted, false), gte(graphs.id, `${prefix}/`), lt(graphs.id, `${prefix}0`)))
    .groupBy(graphs.id)
    .as('latest');
  const rows = await db
    .select({ graph: graphs })
    .from(graphs)
    .innerJoin(latest, and(eq(graphs.id, latest.id), eq(graphs.version, latest.version)))
    .orderBy(asc(graphs.id));
  return rows.map((r) => r.graph);
}

export function graphStatements(db: Db, row: Omit<GraphRow, 'blob' | 'deleted'>, text: string): Statement[] {
  const blob = graphBlobId(row.id, row.version);
  return [db.insert(graphs).values({ ...row, deleted: false, blob }), ...blobStatements(db, blob, text)];
}

export interface CurrentPeriod {
  authorityId: string;
  json: string;
}

/**
 * Looks items up as the reference does: the authority named by the item's first seven
 * characters, then the period in it. Returns the periods found (at the head) and, for
 * each item not found, the key the reference names in its error: the authority key when
 * the authority is missing, else the item.
 */
export async function currentPeriods(db: Db, items: string[]): Promise<{ found: Map<string, CurrentPeriod>; missingKey: Map<string, string> }> {
  const ids = [...new Set(items)];
  const authorityIds = [...new Set(ids.map((id) => id.slice(0, 7)))];
  const knownAuthorities = new Set<string>();
  for (const group of chunk(authorityIds, MAX_PARAMS - 5)) {
    const rows = await db
      .select({ id: authorities.id })
      .from(authorities)
      .where(and(inArray(authorities.id, group), isNull(authorities.validTo)));
    for (const r of rows) knownAuthorities.add(r.id);
  }
  const found = new Map<string, CurrentPeriod>();
  for (const group of chunk(ids, MAX_PARAMS - 5)) {
    const rows = await db
      .select({ id: periods.id, authorityId: periods.authorityId, json: periods.json })
      .from(periods)
      .where(and(inArray(periods.id, group), isNull(periods.validTo)));
    for (const r of rows) if (r.authorityId === r.id.slice(0, 7)) found.set(r.id, { authorityId: r.authorityId, json: r.json });
  }
  const missingKey = new Map<string, string>();
  for (const id of ids) {
    if (found.has(id)) continue;
    missingKey.set(id, knownAuthorities.has(id.slice(0, 7)) ? id : id.slice(0, 7));
  }
  return { found, missingKey };
}

/**
 * A bag's or graph's text in pieces, its chunks read a few at a time (each is at most
 * 256 KB). Their blobs are always plain text: only patches are stored compressed.
 */
export async function* blobPieces(db: Db, blobId: string, perPage = 8): AsyncGenerator<string> {
  let after = -1;
  for (;;) {
    const rows = await db
      .select({ seq: blobChunks.seq, data: blobChunks.data })
      .from(blobChunks)
      .where(and(eq(blobChunks.blobId, blobId), sql`${blobChunks.seq} > ${after}`))
      .orderBy(asc(blobChunks.seq))
      .limit(perPage);
    for (const r of rows) yield r.data;
    if (rows.length < perPage) return;
    after = rows[rows.length - 1].seq;
  }
}

// ---------------------------------------------------------------------------------------
// Writes: run by the DatasetCoordinator only, one at a time, each as one D1 batch.
// ---------------------------------------------------------------------------------------

/** A refusal the HTTP layer reports with this status and message (CoordinatorError's shape). */
export interface Refusal {
  error: { status: number; message: string };
}

export interface PutBag {
  /** Lowercase, with dashes. */
  uuid: string;
  userId: string;
  /** The bag's JSON text with `wasRevisionOf` left open (set for every version after 0). */
  document: OpenDocument;
}

/** Writes the next version of a bag; only its owners may update an existing bag. */
export async function writeBagVersion(db: Db, args: PutBag): Promise<{ version: number } | Refusal> {
  const latest = await findBag(db, args.uuid);
  const owners = latest ? (JSON.parse(latest.owners) as string[]) : [args.userId];
  if (!owners.includes(args.userId)) {
    return { error: { status: 403, message: 'Only the owners of this bag may update it.' } };
  }
  const version = latest ? latest.version + 1 : 0;
  const text = closeDocument(args.document, version > 0 ? `p0bags/${args.uuid}?version=${version - 1}` : undefined);
  await db.batch(
    bagStatements(db, { uuid: args.uuid, version, owners: JSON.stringify(owners), createdBy: args.userId, createdAt: new Date().toISOString() }, text) as [Statement, ...Statement[]],
  );
  return { version };
}

export interface PutGraph {
  id: string;
  userId: string;
  /** `http(s)://host` of the data API: `wasRevisionOf` names the previous version there. */
  origin: string;
  document: OpenDocument;
}

/** Writes the next version of a graph (after a deleted one too: versions never restart). */
export async function writeGraphVersion(db: Db, args: PutGraph): Promise<{ version: number }> {
  const last = await lastGraphVersion(db, args.id);
  const version = last === null ? 0 : last + 1;
  const text = closeDocument(args.document, last === null ? undefined : `${args.origin}/graphs/${args.id}?version=${last}`);
  await db.batch(graphStatements(db, { id: args.id, version, createdBy: args.userId, createdAt: new Date().toISOString() }, text) as [Statement, ...Statement[]]);
  return { version };
}

/** Marks every version of a graph deleted (they stay readable with `?version=N`); false if it never existed. */
export async function deleteGraphVersions(db: Db, id: string): Promise<{ deleted: boolean }> {
  const result = await db.update(graphs).set({ deleted: true }).where(eq(graphs.id, id));
  return { deleted: result.meta.changes > 0 };
}
