/**
 * Turns a merge plan into D1 statements run as one `batch()` (one transaction): either
 * the whole new version lands, or nothing does. The first statement inserts the version
 * row; a trigger refuses it unless it is exactly head + 1, so history cannot fork.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { MergePlan } from '../domain/merge';
import type { Db, Statement } from './db';
import { authorities, datasetMeta, identifierMap, identifiers, patchRequests, periods, versions } from './schema';

/**
 * Rows travel as one JSON array bound to one parameter and are unpacked in SQLite by
 * `json_each`, so a merge of thousands of rows is a handful of statements, not one per
 * hundred bound parameters (a 5,000-period patch: 826 statements, about 40 now, and its
 * batch a third faster; docs/initial-load.md). At most half of D1's 2 MB value limit.
 */
export const BULK_PARAM_CHARS = 1024 * 1024;

/** `rows` (each a row's columns, or one value) as JSON arrays of at most BULK_PARAM_CHARS characters each. */
export function bulkParams(rows: unknown[]): string[] {
  const out: string[] = [];
  let batch: string[] = [];
  let size = 2;
  for (const row of rows) {
    const text = JSON.stringify(row);
    if (batch.length && size + text.length + 1 > BULK_PARAM_CHARS) {
      out.push(`[${batch.join(',')}]`);
      batch = [];
      size = 2;
    }
    batch.push(text);
    size += text.length + 1;
  }
  if (batch.length) out.push(`[${batch.join(',')}]`);
  return out;
}

/** One statement per bulk parameter: `?1` is the version, `?2` the rows, `?3` `extra`. */
function bulk(db: Db, sqlText: string, v: number, rows: unknown[][], extra?: number): Statement[] {
  return bulkParams(rows).map((param) => db.$client.prepare(sqlText).bind(v, param, ...(extra === undefined ? [] : [extra])));
}

/** Column `i` of a row in `json_each(?2)`. */
const c = (i: number) => `json_extract(value, '$[${i}]')`;

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
  s.push(
    ...bulk(db, `UPDATE authorities SET valid_to = ?1 WHERE valid_to IS NULL AND id IN (SELECT ${c(0)} FROM json_each(?2))`, v, plan.closeAuthorities.map((id) => [id])),
    ...bulk(db, `UPDATE periods SET valid_to = ?1 WHERE valid_to IS NULL AND id IN (SELECT ${c(0)} FROM json_each(?2))`, v, plan.closePeriods.map((id) => [id])),
    ...bulk(
      db,
      `INSERT INTO authorities (id, valid_from, position, json, hash) SELECT ${c(0)}, ?1, ${c(1)}, ${c(2)}, ${c(3)} FROM json_each(?2)`,
      v,
      plan.insertAuthorities.map((r) => [r.id, r.position, r.json, r.hash]),
    ),
    ...bulk(
      db,
      `INSERT INTO periods (id, authority_id, valid_from, authority_position, position, json, hash)
       SELECT ${c(0)}, ${c(1)}, ?1, ${c(2)}, ${c(3)}, ${c(4)}, ${c(5)} FROM json_each(?2)`,
      v,
      plan.insertPeriods.map((r) => [r.id, r.authorityId, r.authorityPosition, r.position, r.json, r.hash]),
    ),
    ...bulk(db, `INSERT INTO identifiers (id, kind, first_version) SELECT ${c(0)}, ${c(1)}, ?1 FROM json_each(?2)`, v, plan.newIdentifiers.map((r) => [r.id, r.kind])),
    ...bulk(
      db,
      `INSERT INTO identifier_map (skolem_id, permanent_id, version, patch_request_id) SELECT ${c(0)}, ${c(1)}, ?1, ?3 FROM json_each(?2)`,
      v,
      Object.entries(record.identifierMap),
      record.patchRequestId,
    ),
  );
  return s;
}

/**
 * Marks a patch request merged into version `v` (inside the merge batch). The patch as
 * applied is not stored: it is the submitted one with the identifier map recorded here
 * (domain/patch.ts `appliedPatch`).
 */
export function markMergedStatements(
  db: Db,
  args: { patchRequestId: number; mergedBy: string; mergedAt: string; version: number; identifierMap: Record<string, string>; created: string[] },
): Statement[] {
  return [
    db
      .update(patchRequests)
      .set({
        open: false,
        merged: true,
        mergedBy: args.mergedBy,
        mergedAt: args.mergedAt,
        appliedToVersion: args.version - 1,
        resultedInVersion: args.version,
        identifierMap: JSON.stringify(args.identifierMap),
        createdEntities: JSON.stringify([...args.created].sort()),
      })
      .where(and(eq(patchRequests.id, args.patchRequestId), eq(patchRequests.open, true))),
  ];
}
