/**
 * A pull-driven byte stream over an async generator: the next chunk is produced only when
 * the reader takes one, so a long document (the dataset, the history) is never held whole.
 */
const encoder = new TextEncoder();

export function byteStream(chunks: AsyncGenerator<string | Uint8Array>, what = 'stream'): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : value);
      } catch (error) {
        console.error(`${what} failed:`, error);
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

/** `parts` as one array of bytes (`length`: their total, when the caller counted it already). */
export function joinBytes(parts: Uint8Array[], length = parts.reduce((n, p) => n + p.byteLength, 0)): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Joins small string chunks into pieces of at least `size` characters (fewer, larger writes). */
export async function* batched(chunks: AsyncIterable<string>, size = 64 * 1024): AsyncGenerator<string> {
  let buffer = '';
  for await (const chunk of chunks) {
    buffer += chunk;
    if (buffer.length >= size) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}
