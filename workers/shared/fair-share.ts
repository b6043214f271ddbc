/**
 * Background jobs that read a whole version (the export consumer) give the event loop a
 * turn every few milliseconds. workerd looks for new connections only when no continuation
 * is ready to run; locally D1 and R2 answer inside the same process, so a job whose every
 * await is answered at once kept the thread to itself: a redirect with no I/O at all waited
 * 1.3 s behind a 10k-period export (docs/initial-load.md). On Cloudflare the same holds
 * for CPU between I/O in a shared isolate.
 */
// A timer tick costs workerd about 1.25 ms: a turn every 25 ms adds about 5% to a job.
export const TURN_MS = 25;

/** `items`, with a timer tick before the next one whenever TURN_MS have passed since the last. */
export async function* fairly<T>(items: AsyncIterable<T>): AsyncGenerator<T> {
  let last = Date.now();
  for await (const item of items) {
    if (Date.now() - last >= TURN_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      last = Date.now();
    }
    yield item;
  }
}
