import { vi } from 'vitest';

/**
 * Fakes the internet at the Worker's outbound boundary: the global `fetch` the proxy calls.
 * Every request the Worker sends is recorded (as the Request the network would have seen)
 * and answered by `answer`. Nothing of the Worker's own code is replaced.
 */
export function fakeUpstream(answer: (request: Request) => Response | Promise<Response> = () => new Response('upstream body')) {
  const requests: Request[] = [];
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init as RequestInit);
    requests.push(request);
    return answer(request);
  });
  return {
    requests,
    get calls() {
      return spy.mock.calls.length;
    },
    /** Hosts the Worker tried to reach. */
    get hosts() {
      return requests.map((r) => new URL(r.url).host);
    },
  };
}

/** An upstream that never answers; like a real fetch, it gives up when the request is aborted. */
export function neverAnswers(request: Request): Promise<Response> {
  return new Promise((_, reject) => {
    const fail = () => reject(request.signal.reason ?? new DOMException('aborted', 'AbortError'));
    if (request.signal.aborted) fail();
    request.signal.addEventListener('abort', fail);
  });
}

/** Reads a body to the end, counting bytes without keeping them. */
export async function countBytes(body: ReadableStream<Uint8Array> | null): Promise<number> {
  if (!body) return 0;
  let n = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return n;
    n += value.byteLength;
  }
}
