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

/**
 * Bodies covering bytes [from, to) of the export, in order, one per part the span touches.
 * `first` (the object at `key`, with its body when it was read whole) is used as it is when
 * the span starts at 0 and covers its part; every other part is read now, all at once.
 * Null when a part is missing (deleted under the reader).
 */
export async function partBodies(bucket: R2Bucket, key: string, first: R2Object | R2ObjectBody, from: number, to: number): Promise<ReadableStream<Uint8Array>[] | null> {
  const { parts, partBytes, size } = partLayout(first);
  const reads: Promise<R2ObjectBody | null>[] = [];
  let firstUsed = false;
  for (let n = 1; n <= parts; n++) {
    const start = (n - 1) * partBytes;
    const end = Math.min(start + partBytes, size);
    if (end <= from || start >= to) continue;
    const offset = Math.max(from, start) - start;
    const stop = Math.min(to, end) - start;
    const whole = offset === 0 && stop === end - start;
    if (n === 1 && whole && 'body' in first) {
      reads.push(Promise.resolve(first));
      firstUsed = true;
      continue;
    }
    // (A whole part is read without a range: the local R2 mishandles a range covering the whole object.)
    reads.push(bucket.get(n === 1 ? key : partKey(key, n), whole ? {} : { range: { offset, length: stop - offset } }));
  }
  if (!firstUsed && 'body' in first) void first.body.cancel();
  const objects = await Promise.all(reads);
  if (objects.some((o) => !o)) {
    for (const o of objects) void o?.body.cancel();
    return null;
  }
  return objects.map((o) => o!.body);
}
