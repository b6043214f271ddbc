/**
 * `document_spans`: where large authorities sit in the newest exported JSON document
 * (schema.ts). Written by that document's export job, read by an authority's cold read.
 */
import { and, eq, notExists, sql, type SQL } from 'drizzle-orm';
import type { Db } from './db';
import { bulkParams } from './merge-writer';
import { documentSpans } from './schema';

export type DocumentSpanRow = typeof documentSpans.$inferSelect;

/**
 * Authorities at least this long are located (and read from R2). Below it, reading the
 * rows costs less than the R2 round trip after the D1 one: measured locally, a 66 KB
 * authority (108 periods) was as fast or faster from D1, one of 156 KB (212 periods)
 * 1.5–3 ms faster from R2, one of 348 KB 7–10 ms faster (docs/dataset-reads.md).
 */
export const SPAN_MIN_BYTES = 128 * 1024;

/** Where an authority's text sits in a version's map, in bytes from the map's first `{`. */
export interface AuthoritySpan {
  authorityId: string;
  offset: number;
  length: number;
}

/** An authority's text spans bytes [from, to) of the map; parts are `partBytes` long. */
export function spanRows(version: number, spans: AuthoritySpan[], partBytes: number): DocumentSpanRow[] {
  const rows: DocumentSpanRow[] = [];
  for (const s of spans) {
    const part = Math.floor(s.offset / partBytes);
    // Across two parts it would take two reads: such an authority is read from D1.
    if (Math.floor((s.offset + s.length - 1) / partBytes) !== part) continue;
    rows.push({ version, authorityId: s.authorityId, part: part + 1, offset: s.offset - part * partBytes, length: s.length });
  }
  return rows;
}

/**
 * Records the spans of version `version`'s document in place of any earlier record of it
 * and of older versions' (only the head's are read). An export finishing after a newer
 * one records nothing.
 */
export async function recordDocumentSpans(db: Db, version: number, rows: DocumentSpanRow[]): Promise<void> {
  const d1 = db.$client;
  await d1.batch([
    d1.prepare('DELETE FROM document_spans WHERE version <= ?1').bind(version),
    ...bulkParams(rows.map((r) => [r.authorityId, r.part, r.offset, r.length])).map((param) =>
      d1
        .prepare(
          `INSERT OR REPLACE INTO document_spans (version, authority_id, part, offset, length)
           SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]')
           FROM json_each(?2) WHERE NOT EXISTS (SELECT 1 FROM document_spans WHERE version > ?1)`,
        )
        .bind(version, param),
    ),
  ]);
}

/** Forgets every span (after an import below the Worker: the documents may no longer match). */
export async function clearDocumentSpans(db: Db): Promise<void> {
  await db.delete(documentSpans);
}

/** An authority's span in the head version's document: the only spans a read may use. */
function atHead(authorityId: string): SQL {
  return and(eq(documentSpans.authorityId, authorityId), eq(documentSpans.version, sql`(SELECT MAX(id) FROM versions)`))!;
}

/** The query for an authority's span in the head version's document (none: read it from D1). */
export function headSpanQuery(db: Db, authorityId: string) {
  return db.select().from(documentSpans).where(atHead(authorityId)).limit(1);
}

/** True when the authority has no span at the head: a condition for reading its rows in the same batch. */
export function noHeadSpan(db: Db, authorityId: string): SQL {
  return notExists(db.select({ one: sql`1` }).from(documentSpans).where(atHead(authorityId)));
}
