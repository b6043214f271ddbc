/**
 * Turtle and N-Triples of the whole dataset assembled from per-authority fragments kept
 * in R2, so that the export after a merge converts only the authorities the merge changed.
 *
 * A fragment is one authority's text exactly as a full rebuild (`exportDataset`) writes it
 * — `DatasetRdf.authority()` makes both — and its key names everything its bytes depend on:
 * the format, this code's generator number and the deployed server version, the hash of
 * the dataset's stored members (its `@context` and subject), the authority's id and the
 * hashes of its stored row and of its periods in order. An unchanged authority therefore
 * finds its fragment under the same key in the next version; a changed one misses and is
 * rendered (and stored) now. The file is the head, then every authority's fragment in
 * dataset order, streamed into the multipart upload: nothing is visible until it completes.
 *
 * Each fragment carries the SHA-256 and length of its bytes; one that does not match (or
 * is missing) is rendered again. Fragments no version uses any more stay: see docs/exports.md.
 *
 * Reading every fragment back would still cost one R2 read per authority. So each finished
 * export also leaves an index (`latest` per format: which fragment sits at which bytes of
 * that export), and the next export copies each run of authorities whose fragments it
 * shares, in the same order, from the previous file with one ranged read: a one-period
 * merge costs two ranged reads and one conversion, however many authorities there are.
 */
import type { StoredAuthority } from '../domain/merge';
import { assembleAuthority } from '../domain/merge';
import { sha256Hex } from '../domain/hashing';
import type { DatasetStore } from '../storage/dataset-store';
import { DatasetRdf, type ExportSummary } from './dataset-export';
import { newStats, type ConversionStats } from './jsonld-to-rdf';
import type { R2StreamWriter } from './r2-writer';

export const FRAGMENT_PREFIX = 'export-fragments/';
/** Bump when the converter or the writers would write other bytes for the same input. */
export const FRAGMENT_GENERATOR = 1;
/** Fragments looked up (and, when missing, rendered) ahead of the one being written. */
const LOOKAHEAD = 8;

export interface FragmentInputs {
  format: 'ttl' | 'nt';
  serverVersion: string;
  /** The hash of the version's stored dataset members. */
  metaHash: string;
}

export interface FragmentSummary extends ExportSummary {
  /** Authorities copied from the previous export, in this many ranged reads. */
  fragmentsCopied: number;
  rangedReads: number;
  /** Authorities read from their own fragment object. */
  fragmentsReused: number;
  fragmentsRendered: number;
  /** Where each fragment sits in this export: stored once the export is complete. */
  index: ExportIndex;
}

/** A finished export's layout: fragment key → [byte offset, length] in the object at `key`. */
export interface ExportIndex {
  version: number;
  key: string;
  fragments: Record<string, [number, number]>;
}

/** The index of the last finished export of a format. */
export function indexKey(format: 'ttl' | 'nt'): string {
  return `${FRAGMENT_PREFIX}index/${format}/latest.json`;
}

async function readIndex(bucket: R2Bucket, format: 'ttl' | 'nt'): Promise<ExportIndex | null> {
  const object = await bucket.get(indexKey(format));
  if (!object) return null;
  try {
    const index = (await object.json()) as ExportIndex;
    // The file the index describes must still be there, whole.
    const file = await bucket.head(index.key);
    if (!file || Object.values(index.fragments).some(([offset, length]) => offset + length > file.size)) return null;
    return index;
  } catch {
    return null;
  }
}

/** Records a finished export's layout for the next export of its format. */
export async function storeIndex(bucket: R2Bucket, format: 'ttl' | 'nt', index: ExportIndex): Promise<void> {
  await bucket.put(indexKey(format), JSON.stringify(index), { httpMetadata: { contentType: 'application/json' } });
}

/** The R2 key of an authority's fragment: a function of everything that decides its bytes. */
export async function fragmentKey(inputs: FragmentInputs, a: StoredAuthority): Promise<string> {
  const periods = [...a.periods.values()].sort((x, y) => x.position - y.position).map((p) => `${p.id}:${p.hash}`);
  const digest = await sha256Hex(
    [FRAGMENT_GENERATOR, inputs.serverVersion, inputs.format, inputs.metaHash, a.id, a.hash, periods.join(',')].join('\n'),
  );
  return `${FRAGMENT_PREFIX}${inputs.format}/${encodeURIComponent(a.id)}/${digest}`;
}

async function bytesHash(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

interface StoredStats {
  keys?: [string, number][];
  triples: number;
  tags: number;
}

/** A fragment's stored bytes, or null when missing or not the bytes it was stored with. */
async function readFragment(bucket: R2Bucket, key: string): Promise<{ bytes: Uint8Array; stats: StoredStats } | null> {
  const object = await bucket.get(key);
  if (!object) return null;
  const bytes = new Uint8Array(await object.arrayBuffer());
  const meta = object.customMetadata ?? {};
  if (Number(meta.length) !== bytes.length || meta.sha256 !== (await bytesHash(bytes))) {
    console.error(`export fragment ${key} does not match its checksum: rendering it again`);
    return null;
  }
  let stats: StoredStats = { triples: 0, tags: 0 };
  try {
    stats = JSON.parse(meta.stats ?? '') as StoredStats;
  } catch {
    // Counts are for the log only.
  }
  return { bytes, stats };
}

function snapshot(stats: ConversionStats): ConversionStats {
  return { droppedKeys: new Map(stats.droppedKeys), droppedTriples: stats.droppedTriples, droppedLanguageTags: stats.droppedLanguageTags };
}

function delta(before: ConversionStats, after: ConversionStats): StoredStats {
  const keys: [string, number][] = [];
  for (const [k, n] of after.droppedKeys) if (n !== (before.droppedKeys.get(k) ?? 0)) keys.push([k, n - (before.droppedKeys.get(k) ?? 0)]);
  return { keys, triples: after.droppedTriples - before.droppedTriples, tags: after.droppedLanguageTags - before.droppedLanguageTags };
}

function addStats(total: ConversionStats, s: StoredStats): void {
  for (const [k, n] of s.keys ?? []) total.droppedKeys.set(k, (total.droppedKeys.get(k) ?? 0) + n);
  total.droppedTriples += s.triples;
  total.droppedLanguageTags += s.tags;
}

/**
 * Writes the whole Turtle or N-Triples export of `version` to `writer` from fragments,
 * rendering and storing those that are missing. The caller finishes (or aborts) the upload.
 */
export async function exportFromFragments(
  bucket: R2Bucket,
  store: DatasetStore,
  version: number,
  meta: { json: string; hash: string },
  inputs: FragmentInputs,
  writer: R2StreamWriter,
): Promise<FragmentSummary> {
  const rdf = new DatasetRdf(inputs.format, meta.json);
  const stats = newStats();
  const key = writer.key;
  const summary: FragmentSummary = {
    authorities: 0,
    periods: 0,
    stats,
    fragmentsCopied: 0,
    rangedReads: 0,
    fragmentsReused: 0,
    fragmentsRendered: 0,
    index: { version, key, fragments: {} },
  };
  await writer.write(rdf.head());
  addStats(stats, delta(newStats(), rdf.stats));
  if (!rdf.hasAuthorities) return summary;
  const previous = await readIndex(bucket, inputs.format);

  // Renders one authority now (read whole from D1) and stores its fragment.
  const render = async (a: StoredAuthority, fragmentKey: string): Promise<Uint8Array> => {
    const full = await store.authority(a.id, version);
    if (!full) throw new Error(`authority ${a.id} of version ${version} vanished while exporting`);
    const before = snapshot(rdf.stats);
    const bytes = new TextEncoder().encode(rdf.authority({ id: a.id, authority: assembleAuthority(full) }));
    const own = delta(before, rdf.stats);
    addStats(stats, own);
    let statsText = JSON.stringify(own);
    if (statsText.length > 1024) statsText = JSON.stringify({ triples: own.triples, tags: own.tags });
    await bucket.put(fragmentKey, bytes, { customMetadata: { sha256: await bytesHash(bytes), length: String(bytes.length), stats: statsText } });
    summary.fragmentsRendered++;
    return bytes;
  };
  const fragment = async (a: StoredAuthority, fragmentKey: string): Promise<Uint8Array> => {
    const stored = await readFragment(bucket, fragmentKey);
    if (!stored) return render(a, fragmentKey);
    addStats(stats, stored.stats);
    summary.fragmentsReused++;
    return stored.bytes;
  };

  // What goes into the file, in dataset order: a run of the previous export (the fragments
  // it holds, with their lengths), or one fragment's bytes.
  type Piece = { run: [number, number]; keys: [string, number][] } | { key: string; bytes: Promise<Uint8Array> };
  const ahead: Piece[] = [];
  let run: { run: [number, number]; keys: [string, number][] } | null = null;
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
    if ('run' in piece) {
      let at = writer.bytes;
      for (const [k, length] of piece.keys) {
        summary.index.fragments[k] = [at, length];
        at += length;
      }
      await copy(piece.run);
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
    for await (const a of store.authoritiesAt(version, 2000, { withJson: false })) {
      summary.authorities++;
      summary.periods += a.periods.size;
      const k = await fragmentKey(inputs, a);
      const there = previous?.fragments[k];
      if (there) {
        summary.fragmentsCopied++;
        if (run && run.run[0] + run.run[1] === there[0]) {
          run.run[1] += there[1];
          run.keys.push([k, there[1]]);
        } else {
          if (run) await push(run);
          run = { run: [there[0], there[1]], keys: [[k, there[1]]] };
        }
        continue;
      }
      if (run) await push(run);
      run = null;
      const bytes = fragment(a, k);
      bytes.catch(() => {}); // awaited in order by settle(); a failure surfaces there
      await push({ key: k, bytes });
    }
    if (run) await push(run);
    while (ahead.length > 0) await settle();
  } finally {
    // A failure leaves lookups under way: let them end before the job reports it.
    await Promise.allSettled(ahead.map((p) => ('bytes' in p ? p.bytes : null)));
  }
  return summary;
}
