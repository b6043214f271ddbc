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
 * export also leaves an index of where each fragment sits in it, and the next export copies
 * each run of authorities whose fragments it shares, in the same order, from the previous
 * file with one ranged read (workers/exports/splice.ts): a one-period merge costs two
 * ranged reads and one conversion, however many authorities there are.
 */
import type { StoredAuthority } from '../domain/merge';
import { assembleAuthority } from '../domain/merge';
import { sha256Hex } from '../domain/hashing';
import type { DatasetStore } from '../storage/dataset-store';
import { DatasetRdf, type ExportSummary } from './dataset-export';
import { newStats, type ConversionStats } from './jsonld-to-rdf';
import type { R2StreamWriter } from './r2-writer';
import { readIndex, splice, type ExportIndex, type SplicePiece } from './splice';

export const FRAGMENT_PREFIX = 'export-fragments/';
export { indexKey, storeIndex } from './splice';
/** Bump when the converter or the writers would write other bytes for the same input. */
export const FRAGMENT_GENERATOR = 1;

export interface FragmentInputs {
  format: 'ttl' | 'nt' | 'json';
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

/**
 * The key of an authority's piece of an export: a function of everything that decides its
 * bytes (for `json`, the stored rows alone; `metaHash` is then '').
 */
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
  inputs: FragmentInputs & { format: 'ttl' | 'nt' },
  writer: R2StreamWriter,
): Promise<FragmentSummary> {
  const rdf = new DatasetRdf(inputs.format, meta.json);
  const stats = newStats();
  const summary: FragmentSummary = {
    authorities: 0,
    periods: 0,
    stats,
    fragmentsCopied: 0,
    rangedReads: 0,
    fragmentsReused: 0,
    fragmentsRendered: 0,
    index: { version, key: writer.key, fragments: {} },
  };
  await writer.write(rdf.head());
  addStats(stats, delta(newStats(), rdf.stats));
  if (!rdf.hasAuthorities) return summary;

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

  async function* pieces(): AsyncGenerator<SplicePiece> {
    for await (const a of store.authoritiesAt(version, 2000, { withJson: false })) {
      summary.authorities++;
      summary.periods += a.periods.size;
      const key = await fragmentKey(inputs, a);
      yield { key, produce: () => fragment(a, key) };
    }
  }
  const spliced = await splice(bucket, await readIndex(bucket, inputs.format), version, pieces(), writer);
  summary.fragmentsCopied = spliced.copied;
  summary.rangedReads = spliced.rangedReads;
  summary.index = spliced.index;
  return summary;
}
