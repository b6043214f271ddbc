/**
 * Text streamed into R2 without ever holding the whole of it: bytes are gathered into parts
 * of a fixed size and stored one by one. Output smaller than one part is a single `put`.
 * Two layouts for what is larger:
 *
 * - `multipart`: the parts of a multipart upload (R2 wants every part but the last at least
 *   5 MiB and all of one size), which only becomes the object — at its final key — when it
 *   is completed. A failure aborts the upload, so no partial object is ever visible.
 * - `objects`: each part its own object (part-objects.ts), the first at the final key,
 *   written last, naming how many there are. Readers pipe plain objects one after another;
 *   the local R2 (Miniflare) reassembles a multipart object through a JavaScript
 *   TransformStream, about 7× the CPU of a plain object (docs/dataset-reads.md).
 */
import type { TextSink } from './dataset-export';
import { PARTS_METADATA, partKey } from './part-objects';

export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;

export interface R2WriterOptions {
  partBytes?: number;
  /** How output larger than a part is stored (default `multipart`). */
  layout?: 'multipart' | 'objects';
  httpMetadata?: R2HTTPMetadata;
  customMetadata?: Record<string, string>;
}

export class R2StreamWriter implements TextSink {
  private readonly bucket: R2Bucket;
  private readonly key: string;
  private readonly options: R2WriterOptions;
  private readonly encoder = new TextEncoder();
  private part: Uint8Array;
  private filled = 0;
  /** `objects` layout: the first part, held until every other part is stored. */
  private first: Uint8Array | null = null;
  private objectParts = 0;
  private upload: R2MultipartUpload | null = null;
  private readonly parts: R2UploadedPart[] = [];
  private closed = false;
  /** Bytes written so far. */
  bytes = 0;

  constructor(bucket: R2Bucket, key: string, options: R2WriterOptions = {}) {
    const partBytes = options.partBytes ?? DEFAULT_PART_BYTES;
    // Separate objects have no minimum size (tests use small parts); multipart parts do.
    if (options.layout !== 'objects' && partBytes < MIN_PART_BYTES) throw new RangeError(`R2 parts must be at least ${MIN_PART_BYTES} bytes`);
    if (!(partBytes > 0)) throw new RangeError('parts must hold at least one byte');
    this.bucket = bucket;
    this.key = key;
    this.options = options;
    this.part = new Uint8Array(partBytes);
  }

  /** The multipart upload under way, if the output outgrew one part. */
  get uploadId(): string | null {
    return this.upload?.uploadId ?? null;
  }

  /** Parts filled so far (0 while the output still fits in one part). */
  get partsUploaded(): number {
    return this.options.layout === 'objects' ? this.objectParts : this.parts.length;
  }

  async write(text: string): Promise<void> {
    if (this.closed) throw new Error(`${this.key}: write after finish or abort`);
    let bytes = this.encoder.encode(text);
    this.bytes += bytes.length;
    while (bytes.length > 0) {
      const n = Math.min(bytes.length, this.part.length - this.filled);
      this.part.set(bytes.subarray(0, n), this.filled);
      this.filled += n;
      bytes = bytes.subarray(n);
      if (this.filled === this.part.length) await this.flushPart();
    }
  }

  private async flushPart(): Promise<void> {
    if (this.options.layout === 'objects') {
      if (!this.first) {
        this.first = this.part;
        this.part = new Uint8Array(this.first.length);
      } else {
        await this.bucket.put(partKey(this.key, this.objectParts + 1), this.part.subarray(0, this.filled));
      }
      this.objectParts++;
      this.filled = 0;
      return;
    }
    this.upload ??= await this.bucket.createMultipartUpload(this.key, {
      httpMetadata: this.options.httpMetadata,
      customMetadata: this.options.customMetadata,
    });
    // The binding has read the bytes once the promise settles: the buffer is free again.
    this.parts.push(await this.upload.uploadPart(this.parts.length + 1, this.part.subarray(0, this.filled)));
    this.filled = 0;
  }

  /** Makes the object visible at its key. */
  async finish(): Promise<R2Object> {
    if (this.closed) throw new Error(`${this.key}: already finished or aborted`);
    this.closed = true;
    try {
      if (this.first) return await this.finishObjects();
      if (!this.upload) {
        return await this.bucket.put(this.key, this.part.subarray(0, this.filled), {
          httpMetadata: this.options.httpMetadata,
          customMetadata: this.options.customMetadata,
        });
      }
      if (this.filled > 0) await this.flushPart();
      return await this.upload.complete(this.parts);
    } catch (error) {
      await this.abortUpload();
      await this.deleteObjectParts();
      throw error;
    }
  }

  /** `objects` layout: the last part, then the first at the key, which makes the whole visible. */
  private async finishObjects(): Promise<R2Object> {
    const first = this.first!;
    if (this.filled > 0) await this.flushPart();
    return await this.bucket.put(this.key, first, {
      httpMetadata: this.options.httpMetadata,
      customMetadata: { ...this.options.customMetadata, [PARTS_METADATA]: `${this.objectParts} ${first.length} ${this.bytes}` },
    });
  }

  /** Gives up: uploaded parts are discarded and nothing appears at the key. */
  async abort(): Promise<void> {
    this.closed = true;
    await this.abortUpload();
    await this.deleteObjectParts();
  }

  private async deleteObjectParts(): Promise<void> {
    if (!this.first) return;
    this.first = null;
    // Parts 2… are stored as they fill; the one being stored when a failure came may exist too.
    const keys = Array.from({ length: this.objectParts }, (_, i) => partKey(this.key, i + 2));
    try {
      await this.bucket.delete(keys);
    } catch (error) {
      // Unreachable without the first part (readers start there); log and move on.
      console.error(`deleting the parts of ${this.key} failed: ${String(error)}`);
    }
  }

  private async abortUpload(): Promise<void> {
    const upload = this.upload;
    this.upload = null;
    if (!upload) return;
    try {
      await upload.abort();
    } catch (error) {
      // An upload never completed is discarded by R2 in time; log and move on.
      console.error(`aborting the multipart upload of ${this.key} failed: ${String(error)}`);
    }
  }
}
