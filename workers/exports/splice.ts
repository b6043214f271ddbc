/**
 * An export written as a sequence of pieces (one per authority, in dataset order), where
 * every run of pieces the previous export of the same kind also held, in the same order,
 * is copied from that file with one ranged read instead of being produced again. Each
 * finished export leaves an index (piece key → byte offset and length in its file), the
 * `latest` of its kind; pieces are keyed by everything that decides their bytes, so a
 * piece found in the index is the very bytes this export would write. Pieces are joined
 * by `separator` (not part of any piece), so a run spans the separators inside it.
 */
import type { R2StreamWriter } from './r2-writer';

/** Pieces looked up (and, when missing, produced) ahead of the one being written. */
const LOOKAHEAD = 8;

/** A finished export's layout: piece key → [byte offset, length] in the object at `key`. */
export interface ExportIndex {
  version: number;
  key: string;
  fragments: Record<string, [number, number]>;
}

export interface SplicePiece {
  key: string;
  /** The piece's bytes, when the previous export does not hold it. */
  produce(): Promise<Uint8Array>;
}

export interface SpliceSummary {
  /** Pieces copied from the previous export, in this many ranged reads. */
  copied: number;
  rangedReads: number;
  /** Where each piece sits in this export: store it once the export is complete. */
  index: ExportIndex;
}

/** The R2 key of the index of the last finished export of a kind (`ttl`, `nt`, `json`). */
export function indexKey(kind: string): string {
  return `export-fragments/index/${kind}/latest.json`;
}

/** The index of the last finished export of a kind, if it and the file it describes are there. */
export async function readIndex(bucket: R2Bucket, kind: string): Promise<ExportIndex | null> {
  const object = await bucket.get(indexKey(kind));
  if (!object) return null;
  try {
    const index = (await object.json()) as ExportIndex;
    const file = await bucket.head(index.key);
    if (!file || Object.values(index.fragments).some(([offset, length]) => offset + length > file.size)) return null;
    return index;
  } catch {
    return null;
  }
}

/** Records a finished export's layout for the next export of its kind. */
export async function storeIndex(bucket: R2Bucket, kind: string, index: ExportIndex): Promise<void> {
  await bucket.put(indexKey(kind), JSON.stringify(index), { httpMetadata: { contentType: 'application/json' } });
}

/** Writes the pieces to `writer` (the caller writes what comes before and after, and finishes). */
export async function splice(
  bucket: R2Bucket,
  previous: ExportIndex | null,
  version: number,
  pieces: AsyncIterable<SplicePiece>,
  writer: R2StreamWriter,
  separator = '',
): Promise<SpliceSummary> {
  const sep = new TextEncoder().encode(separator);
  const summary: SpliceSummary = { copied: 0, rangedReads: 0, index: { version, key: writer.key, fragments: {} } };
  type Run = { range: [number, number]; keys: [string, number][] };
  type Piece = Run | { key: string; bytes: Promise<Uint8Array> };
  const ahead: Piece[] = [];
  let run: Run | null = null;
  let first = true;

  const copy = async ([offset, length]: [number, number]) => {
    const object = await bucket.get(previous!.key, { range: { offset, length } });
    if (!object) throw new Error(`${previous!.key} vanished while copying from it`);
    summary.rangedReads++;
    const reader = object.body.getReader();
    let copied = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      copied += value.byteLength;
      await writer.writeBytes(value);
    }
    if (copied !== length) throw new Error(`${previous!.key}: read ${copied} bytes of ${length} at ${offset}`);
  };
  const settle = async () => {
    const piece = ahead.shift()!;
    if (!first && sep.length) await writer.writeBytes(sep);
    first = false;
    if ('range' in piece) {
      let at = writer.bytes;
      for (const [k, length] of piece.keys) {
        summary.index.fragments[k] = [at, length];
        at += length + sep.length;
      }
      await copy(piece.range);
    } else {
      const bytes = await piece.bytes;
      summary.index.fragments[piece.key] = [writer.bytes, bytes.length];
      await writer.writeBytes(bytes);
    }
  };
  const push = async (piece: Piece) => {
    ahead.push(piece);
    if (ahead.length >= LOOKAHEAD) await settle();
  };
  try {
    for await (const piece of pieces) {
      const there = previous?.fragments[piece.key];
      if (there) {
        summary.copied++;
        if (run && run.range[0] + run.range[1] + sep.length === there[0]) {
          run.range[1] += sep.length + there[1];
          run.keys.push([piece.key, there[1]]);
        } else {
          if (run) await push(run);
          run = { range: [there[0], there[1]], keys: [[piece.key, there[1]]] };
        }
        continue;
      }
      if (run) await push(run);
      run = null;
      const bytes = piece.produce();
      bytes.catch(() => {}); // awaited in order by settle(); a failure surfaces there
      await push({ key: piece.key, bytes });
    }
    if (run) await push(run);
    while (ahead.length > 0) await settle();
  } finally {
    // A failure leaves lookups under way: let them end before the job reports it.
    await Promise.allSettled(ahead.map((p) => ('bytes' in p ? p.bytes : null)));
  }
  return summary;
}
