/**
 * Turns a merge plan into D1 statements run as one `batch()` (one transaction): either
 * the whole new version lands, or nothing does. The first statement inserts the version
 * row; a trigger refuses it unless it is exactly head + 1, so history cannot fork.
 */
import type { BatchItem } from 'drizzle-orm/batch';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { MergePlan } from '../domain/merge';
import { chunk, MAX_PARAMS, type Db } from './db';
import { authorities, blobChunks, datasetMeta, identifierMap, identifiers, patchRequests, periods, versions } from './schema';

/** Well under D1's 2 MB value limit, and small enough to keep statements light. */
export const BLOB_CHUNK_CHARS = 256 * 1024;

type Statement = BatchItem<'sqlite'>;

export function blobStatements(db: Db, blobId: string, text: string): Statement[] {
  const statements: Statement[] = [db.delete(blobChunks).where(eq(blobChunks.blobId, blobId))];
  for (let seq = 0, i = 0; i < text.length || seq === 0; seq++, i += BLOB_CHUNK_CHARS) {
    statements.push(db.insert(blobChunks).values({ blobId, seq, data: text.slice(i, i + BLOB_CHUNK_CHARS) }));
  }
  return statements;
}

export interface MergeRecord {
  plan: MergePlan;
  createdAt: string;
  voidTurtle: string;
  patchRequestId: number;
  identifierMap: Record<string, string>;
}

export function mergeStatements(db: Db, record: MergeRecord): Statement[] {
  const { plan } = record;
  const v = plan.version;
  const s: Statement[] = [
    db.insert(versions).values({
      id: v,
      createdAt: record.createdAt,
      patchRequestId: record.patchRequestId,
      metaVersion: plan.head.meta?.validFrom ?? null,
      nextPosition: plan.head.nextPosition,
      authorityCount: plan.head.authorityCount,
      periodCount: plan.head.periodCount,
      stats: JSON.stringify({ linkCounts: plan.head.linkCounts }),
      contentHash: plan.head.contentHash,
      voidTurtle: record.voidTurtle,
    }),
  ];
  if (plan.meta) {
    if (plan.closeMeta) s.push(db.update(datasetMeta).set({ validTo: v }).where(isNull(datasetMeta.validTo)));
    s.push(db.insert(datasetMeta).values({ validFrom: v, json: plan.meta.json, hash: plan.meta.hash }));
  }
  for (const ids of chunk(plan.closeAuthorities, MAX_PARAMS - 2)) {
    s.push(db.update(authorities).set({ validTo: v }).where(and(inArray(authorities.id, ids), isNull(authorities.validTo))));
  }
  for (const ids of chunk(plan.closePeriods, MAX_PARAMS - 2)) {
    s.push(db.update(periods).set({ validTo: v }).where(and(inArray(periods.id, ids), isNull(periods.validTo))));
  }
  for (const rows of chunk(plan.insertAuthorities, Math.floor(MAX_PARAMS / 6))) {
    s.push(db.insert(authorities).values(rows.map((r) => ({ id: r.id, validFrom: v, position: r.position, json: r.json, hash: r.hash }))));
  }
  for (const rows of chunk(plan.insertPeriods, Math.floor(MAX_PARAMS / 8))) {
    s.push(
      db.insert(periods).values(
        rows.map((r) => ({ id: r.id, authorityId: r.authorityId, validFrom: v, authorityPosition: r.authorityPosition, position: r.position, json: r.json, hash: r.hash })),
      ),
    );
  }
  for (const rows of chunk(plan.newIdentifiers, Math.floor(MAX_PARAMS / 3))) {
    s.push(db.insert(identifiers).values(rows.map((r) => ({ id: r.id, kind: r.kind, firstVersion: v }))));
  }
  const mapRows = Object.entries(record.identifierMap).map(([skolemId, permanentId]) => ({ skolemId, permanentId, version: v, patchRequestId: record.patchRequestId }));
  for (const rows of chunk(mapRows, Math.floor(MAX_PARAMS / 4))) {
    s.push(db.insert(identifierMap).values(rows));
  }
  return s;
}

/** Marks a patch request merged into version `v` (inside the merge batch). */
export function markMergedStatements(
  db: Db,
  args: { patchRequestId: number; mergedBy: string; mergedAt: string; version: number; appliedPatch: string; identifierMap: Record<string, string>; created: string[] },
): Statement[] {
  const appliedBlob = `patch/${args.patchRequestId}/applied`;
  return [
    ...blobStatements(db, appliedBlob, args.appliedPatch),
    db
      .update(patchRequests)
      .set({
        open: false,
        merged: true,
        mergedBy: args.mergedBy,
        mergedAt: args.mergedAt,
        appliedToVersion: args.version - 1,
        resultedInVersion: args.version,
        appliedPatchBlob: appliedBlob,
        identifierMap: JSON.stringify(args.identifierMap),
        createdEntities: JSON.stringify([...args.created].sort()),
      })
      .where(and(eq(patchRequests.id, args.patchRequestId), eq(patchRequests.open, true))),
  ];
}
