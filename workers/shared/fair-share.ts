/**
 * Background work that reads a whole version (the export consumer) or copies a large
 * answer into the edge cache gives the event loop a turn every few milliseconds. workerd
 * looks for I/O (new connections, sockets ready for more bytes) only when no continuation
 * is ready to run; locally D1, R2 and the cache answer inside the same process, so a job
 * whose every await is answered at once kept the thread to itself: a redirect with no I/O
 * at all waited 1.3 s behind a 10k-period export (docs/initial-load.md). On Cloudflare the
 * same holds for CPU between I/O in a shared isolate.
 */
import { joinBytes } from './streams';

// A timer tick costs workerd about 1.25 ms: a turn every 25 ms adds about 5% to a job.
export const TURN_MS = 25;

/** `items`, with a timer tick before the next one whenever TURN_MS have passed since the last. */
export async function* fairly<T>(items: AsyncIterable<T>): AsyncGenerator<T> {
  let last = Date.now();
  for await (const item of items) {
    if (Date.now() - last >= TURN_MS) {
      await tick();
      last = Date.now();
    }
    yield item;
  }
}

/** Between the turns of a background copy of bytes (fairBytes). */
export const COPY_TURN_MS = 5;
export const PIECE_BYTES = 256 * 1024;

/**
 * A pass-through for a background copy of bytes: pieces of 256 KiB, with a timer tick
 * whenever COPY_TURN_MS have passed since the last. The edge cache stores a large answer
 * from a second copy once the first is sent (workers/cache/middleware.ts); piped natively,
 * that copy kept the thread while the answer's last megabytes still waited to be written
 * to the client's socket (docs/dataset-reads.md, "The store that held up its own reader").
 */
export function fairBytes(): TransformStream<Uint8Array, Uint8Array> {
  let last = Date.now();
  let pending: Uint8Array[] = [];
  let filled = 0;
  const piece = (): Uint8Array => {
    const out = joinBytes(pending, filled);
    pending = [];
    filled = 0;
    return out;
  };
  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      pending.push(chunk);
      filled += chunk.byteLength;
      if (filled < PIECE_BYTES) return;
      if (Date.now() - last >= COPY_TURN_MS) {
        await tick();
        last = Date.now();
      }
      controller.enqueue(piece());
    },
    flush(controller) {
      if (filled) controller.enqueue(piece());
    },
  });
}

/** How long a delivered batch of background jobs waits before its first one (`afterForeground`). */
export const FOREGROUND_MS = 50;

/**
 * A pause before a batch of background jobs. The request that queued them (a merge, a
 * load) is usually still answering when the batch is delivered, and each of its last steps
 * (the coordinator's reply, the response's bytes) waits for a turn once a job holds the
 * thread: 100–120 ms of a 1,791-period load's 0.6 s, measured (docs/initial-load.md).
 * Given ~10 ms of the thread, that answer is out.
 */
export function afterForeground(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, FOREGROUND_MS));
}

/** One timer tick: the event loop looks for I/O before the caller goes on. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
