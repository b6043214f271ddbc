/**
 * Answers whose body the app can build again cheaply (the dataset document, streamed from
 * its R2 object): the edge cache does not tee such an answer when it is large, so the
 * reader gets the R2 stream untouched, and stores the entry afterwards from a fresh copy.
 */
import { joinBytes } from '../shared/streams';

const replays = new WeakMap<Response, () => Promise<Response | null>>();

/** Marks `response` as rebuildable by `replay` (a fresh response with the same headers and body). */
export function replayable(response: Response, replay: () => Promise<Response | null>): Response {
  replays.set(response, replay);
  return response;
}

export function replayOf(response: Response): (() => Promise<Response | null>) | undefined {
  return replays.get(response);
}

/**
 * An answer held whole in memory: `parts` joined, its Content-Length set, and marked so that
 * the edge cache stores it from these same bytes (no second read, no tee).
 */
export function bytesAnswer(parts: Uint8Array[], headers: Headers): Response {
  const bytes = joinBytes(parts);
  headers.set('Content-Length', String(bytes.byteLength));
  return replayable(new Response(bytes, { headers }), async () => new Response(bytes, { headers }));
}
