/**
 * A whole-version job gives other requests their turn: workerd (like Node) runs every
 * ready continuation before it looks for new connections or timers, so a job whose awaits
 * all resolve at once holds the thread until it ends. `fairly` hands the event loop a timer
 * tick every TURN_MS.
 */
import { describe, expect, it } from 'vitest';
import { fairBytes, fairly, PIECE_BYTES, TURN_MS } from '../../workers/shared/fair-share';

/** Items that each take `ms` of CPU and resolve without I/O (as the local D1 and R2 answer). */
async function* busyItems(n: number, ms: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    const end = Date.now() + ms;
    while (Date.now() < end);
    await Promise.resolve();
    yield i;
  }
}

/** How many items had been taken when a timer set before the loop fired (null: only after it). */
async function timerFiredAfter(items: AsyncIterable<number>): Promise<{ firedAt: number | null; taken: number[] }> {
  const taken: number[] = [];
  let firedAt: number | null = null;
  setTimeout(() => (firedAt = taken.length), 0);
  for await (const item of items) taken.push(item);
  return { firedAt, taken };
}

describe('fairly', () => {
  it('without it, a timer (another request) waits for the whole job', async () => {
    const { firedAt } = await timerFiredAfter(busyItems(30, 2));
    expect(firedAt).toBeNull();
  });

  it('lets a timer run within the first TURN_MS of the job, and passes every item on in order', async () => {
    const { firedAt, taken } = await timerFiredAfter(fairly(busyItems(30, 2)));
    expect(firedAt).not.toBeNull();
    expect(firedAt!).toBeLessThanOrEqual(TURN_MS / 2);
    expect(taken).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });
});

/** A stream of `n` chunks of `bytes` bytes (byte i of chunk k is (k + i) % 251), each taking `ms` of CPU to produce. */
function busyStream(n: number, bytes: number, ms: number): ReadableStream<Uint8Array> {
  let k = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (k === n) return controller.close();
      const end = Date.now() + ms;
      while (Date.now() < end);
      controller.enqueue(Uint8Array.from({ length: bytes }, (_, i) => (k + i) % 251));
      k++;
    },
  });
}

async function copyWithTimer(stream: ReadableStream<Uint8Array>): Promise<{ firedAt: number | null; bytes: Uint8Array; pieces: number }> {
  const chunks: Uint8Array[] = [];
  let firedAt: number | null = null;
  setTimeout(() => (firedAt = chunks.reduce((n, c) => n + c.byteLength, 0)), 0);
  for await (const chunk of stream) chunks.push(chunk);
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { firedAt, bytes, pieces: chunks.length };
}

describe('fairBytes', () => {
  it('without it, a timer waits for the whole copy', async () => {
    const { firedAt } = await copyWithTimer(busyStream(200, 4096, 0.2));
    expect(firedAt).toBeNull();
  });

  it('lets a timer run early in the copy, and copies every byte in order in pieces of PIECE_BYTES', async () => {
    const { firedAt, bytes, pieces } = await copyWithTimer(busyStream(200, 4096, 0.2).pipeThrough(fairBytes()));
    const expected = await copyWithTimer(busyStream(200, 4096, 0));
    expect(firedAt).not.toBeNull();
    expect(firedAt!).toBeLessThan(bytes.byteLength / 2);
    expect(bytes).toEqual(expected.bytes);
    expect(pieces).toBe(Math.ceil((200 * 4096) / PIECE_BYTES));
  });
});
