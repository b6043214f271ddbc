/**
 * Long texts (submitted patches, bag and graph documents) in `blob_chunks`: split into
 * pieces well under D1's 2 MB value limit, written in the batch of the row that points to
 * them. A large patch is stored gzip-compressed: a load's 3.7 MB patch is 0.5 MB of
 * base64, and the local D1's cost of a merge batch grows with its bytes
 * (docs/initial-load.md, "The patch stored compressed").
 */
import { Buffer } from 'node:buffer';
import { asc, eq } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from './db';
import { blobChunks } from './schema';

/** Characters per chunk: at most 768 KB of UTF-8, well under D1's 2 MB value limit. */
export const BLOB_CHUNK_CHARS = 256 * 1024;

/** Patches from this size on are stored compressed (the operator CLI's threshold for sending them so). */
export const COMPRESSED_FROM_CHARS = 64 * 1024;

export const GZIP_BASE64 = 'gzip+base64';

/** A text as it is stored: `data` is the text itself, or its encoding as `encoding` says. */
export interface StoredText {
  data: string;
  encoding: typeof GZIP_BASE64 | null;
}

/**
 * A patch as it is stored: compressed from COMPRESSED_FROM_CHARS on, as it is below.
 * `sentGzip`: the gzip bytes `text` was read from (the operator CLI sends large loads so),
 * stored as they came rather than compressed again (30–60 ms of a 5,000-period patch).
 */
export async function storedPatchText(text: string, sentGzip?: Uint8Array | null): Promise<StoredText> {
  if (text.length < COMPRESSED_FROM_CHARS) return { data: text, encoding: null };
  const gzip = sentGzip ?? (await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
  return { data: Buffer.from(gzip).toString('base64'), encoding: GZIP_BASE64 };
}

async function textOf(data: string, encoding: string | null): Promise<string> {
  if (encoding === null) return data;
  if (encoding !== GZIP_BASE64) throw new Error(`blob_chunks: unknown encoding ${encoding}`);
  return new Response(new Blob([Buffer.from(data, 'base64')]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
}

/** Replaces blob `blobId` with `stored` (a plain string is stored as it is). */
export function blobStatements(db: Db, blobId: string, stored: string | StoredText): BatchItem<'sqlite'>[] {
  const { data, encoding } = typeof stored === 'string' ? { data: stored, encoding: null } : stored;
  const statements: BatchItem<'sqlite'>[] = [db.delete(blobChunks).where(eq(blobChunks.blobId, blobId))];
  for (let seq = 0, i = 0; i < data.length || seq === 0; seq++, i += BLOB_CHUNK_CHARS) {
    statements.push(db.insert(blobChunks).values({ blobId, seq, data: data.slice(i, i + BLOB_CHUNK_CHARS), encoding }));
  }
  return statements;
}

/** The blob's text, decoded if it was stored compressed; null if there is no such blob. */
export async function readBlobText(db: Db, blobId: string): Promise<string | null> {
  const rows = await db
    .select({ data: blobChunks.data, encoding: blobChunks.encoding })
    .from(blobChunks)
    .where(eq(blobChunks.blobId, blobId))
    .orderBy(asc(blobChunks.seq));
  if (!rows.length) return null;
  return textOf(rows.map((r) => r.data).join(''), rows[0].encoding);
}
