/**
 * Text streamed into one R2 object without ever holding the whole of it: bytes are
 * gathered into parts of a fixed size (R2 wants every part but the last at least 5 MiB and
 * all of one size) and uploaded one by one as a multipart upload, which only becomes the
 * object — at its final key — when it is completed. A failure aborts the upload, so no
 * partial object is ever visible. Output smaller than one part is a single `put`.
 */
import type { TextSink } from './dataset-export';

export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;

export interface R2WriterOptions {
  partBytes?: number;
  httpMetadata?: R2HTTPMetadata;
  customMetadata?: Record<string, string>;
}

export class R2StreamWriter implements TextSink {
  private readonly bucket: R2Bucket;
  private readonly key: string;
  private readonly options: R2WriterOptions;
  private readonly encoder = new TextEncoder();
  private readonly part: Uint8Array;
  private filled = 0;
  private upload: R2MultipartUpload | null = null;
  private readonly parts: R2UploadedPart[] = [];
  private closed = false;
  /** Bytes written so far. */
  bytes = 0;

  constructor(bucket: R2Bucket, key: string, options: R2WriterOptions = {}) {
    const partBytes = options.partBytes ?? DEFAULT_PART_BYTES;
    if (partBytes < MIN_PART_BYTES) throw new RangeError(`R2 parts must be at least ${MIN_PART_BYTES} bytes`);
    this.bucket = bucket;
    this.key = key;
    this.options = options;
    this.part = new Uint8Array(partBytes);
  }

  /** The multipart upload under way, if the output outgrew one part. */
  get uploadId(): string | null {
    return this.upload?.uploadId ?? null;
  }

  /** Parts uploaded so far (0 while the output still fits in one part). */
  get partsUploaded(): number {
    return this.parts.length;
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
      throw error;
    }
  }

  /** Gives up: uploaded parts are discarded and nothing appears at the key. */
  async abort(): Promise<void> {
    this.closed = true;
    await this.abortUpload();
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
