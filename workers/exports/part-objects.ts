/**
 * An export stored as several plain R2 objects (r2-writer.ts, layout `objects`): the first
 * part at the export's key, parts 2… at `<key>.part-<n>`, all but the last of one size. The
 * first part is written last and names the others in its custom metadata, so a reader that
 * finds it finds them all; an object without that metadata is the whole export.
 */

/** Custom metadata of a first part: `<parts> <bytes per part> <total bytes>`. */
export const PARTS_METADATA = 'periodo-parts';

export function partKey(key: string, n: number): string {
  return `${key}.part-${n}`;
}

export interface PartLayout {
  parts: number;
  partBytes: number;
  size: number;
}

/** How the export whose first object this is was stored (a single object: one part). */
export function partLayout(first: R2Object): PartLayout {
  const m = /^(\d+) (\d+) (\d+)$/.exec(first.customMetadata?.[PARTS_METADATA] ?? '');
  if (!m) return { parts: 1, partBytes: first.size, size: first.size };
  return { parts: Number(m[1]), partBytes: Number(m[2]), size: Number(m[3]) };
}

export type Body = ReadableStream<Uint8Array>;
/** A part's body, read when its turn comes (see `partBodies`). */
export type LaterBody = () => Promise<Body>;

/**
 * Bodies covering bytes [from, to) of the export, in order, one per part the span touches.
 * `first` (the object at `key`, with its body when it was read whole) is used as it is when
 * the span starts at 0 and covers its part. The other parts are checked at once with
 * `head()`, which holds no connection open, and read only when their turn comes: R2 reads
 * count towards an invocation's six simultaneous connections, and opening every part of a
 * large document before reading any would queue them behind each other for good.
 * Null when a part is missing (deleted under the reader).
 */
export async function partBodies(bucket: R2Bucket, key: string, first: R2Object | R2ObjectBody, from: number, to: number): Promise<(Body | LaterBody)[] | null> {
  const { parts, partBytes, size } = partLayout(first);
  const spans: { n: number; options: R2GetOptions; useFirst: boolean }[] = [];
  for (let n = 1; n <= parts; n++) {
    const start = (n - 1) * partBytes;
    const end = Math.min(start + partBytes, size);
    if (end <= from || start >= to) continue;
    const offset = Math.max(from, start) - start;
    const stop = Math.min(to, end) - start;
    const whole = offset === 0 && stop === end - start;
    // (A whole part is read without a range: the local R2 mishandles a range covering the whole object.)
    spans.push({ n, options: whole ? {} : { range: { offset, length: stop - offset } }, useFirst: n === 1 && whole && 'body' in first });
  }
  const firstBody = 'body' in first ? first.body : null;
  if (firstBody && !spans.some((span) => span.useFirst)) void firstBody.cancel();
  const found = await Promise.all(spans.map((span) => (span.n === 1 ? true : bucket.head(partKey(key, span.n)))));
  if (found.some((f) => !f)) {
    void firstBody?.cancel();
    return null;
  }
  return spans.map((span) =>
    span.useFirst
      ? firstBody!
      : async () => {
          const name = span.n === 1 ? key : partKey(key, span.n);
          const object = await bucket.get(name, span.options);
          if (!object) throw new Error(`${name} disappeared while it was being read`);
          return object.body;
        },
  );
}
