/**
 * The `json` job: a version's authorities map (`{"<id>": {…}, …}`, the document `/d.json`
 * is served from), byte for byte what `authoritiesMapChunks` streams out of D1, but spliced
 * (workers/exports/splice.ts): runs of authorities the previous JSON document holds
 * unchanged are copied from it with ranged reads, and only the others are read from D1
 * whole. An authority's text depends on its stored rows alone, so no fragment objects are
 * kept: its key (id and row hashes) finds its bytes in the previous document.
 */
import { authorityText } from '../data/dataset-stream';
import type { DatasetStore } from '../storage/dataset-store';
import { fragmentKey } from './fragments';
import type { R2StreamWriter } from './r2-writer';
import { readIndex, splice, type SpliceSummary, type SplicePiece } from './splice';

export interface JsonDocumentSummary extends SpliceSummary {
  authorities: number;
  /** Authorities read whole from D1. */
  read: number;
}

export async function exportJsonDocument(
  bucket: R2Bucket,
  store: DatasetStore,
  version: number,
  serverVersion: string,
  writer: R2StreamWriter,
): Promise<JsonDocumentSummary> {
  let authorities = 0;
  let read = 0;
  const encoder = new TextEncoder();
  async function* pieces(): AsyncGenerator<SplicePiece> {
    for await (const a of store.authoritiesAt(version, 2000, { withJson: false })) {
      authorities++;
      const key = await fragmentKey({ format: 'json', serverVersion, metaHash: '' }, a);
      yield {
        key,
        produce: async () => {
          const full = await store.authority(a.id, version);
          if (!full) throw new Error(`authority ${a.id} of version ${version} vanished while exporting`);
          read++;
          return encoder.encode(`${JSON.stringify(a.id)}: ${authorityText(full)}`);
        },
      };
    }
  }
  await writer.write('{');
  const spliced = await splice(bucket, await readIndex(bucket, 'json'), version, pieces(), writer, ', ');
  await writer.write('}');
  return { ...spliced, authorities, read };
}
