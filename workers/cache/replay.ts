/**
 * Answers whose body the app can build again cheaply (the dataset document, streamed from
 * its R2 object): the edge cache does not tee such an answer when it is large, so the
 * reader gets the R2 stream untouched, and stores the entry afterwards from a fresh copy.
 */
const replays = new WeakMap<Response, () => Promise<Response | null>>();

/** Marks `response` as rebuildable by `replay` (a fresh response with the same headers and body). */
export function replayable(response: Response, replay: () => Promise<Response | null>): Response {
  replays.set(response, replay);
  return response;
}

export function replayOf(response: Response): (() => Promise<Response | null>) | undefined {
  return replays.get(response);
}
