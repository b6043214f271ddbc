/**
 * Bounded request bodies: every route that reads a body reads it through here, so no body
 * is held in memory beyond its documented limit (413 names the limit).
 */
import { HttpError, tooLarge } from './errors';
import { joinBytes } from './streams';

/**
 * The body as text, refused with 413 as soon as it is known to exceed `maxBytes`: from
 * its Content-Length before reading, or while reading (the rest is never read).
 * `Content-Encoding: gzip` is accepted (the operator CLI compresses large loads: a 3.7 MB
 * patch is sent as 0.4 MB); the limit then counts the bytes once decompressed, so a small
 * body that inflates past it is refused as soon as it does.
 */
export async function readBodyText(request: Request, maxBytes: number, what: string): Promise<string> {
  return (await readBodyStream(request.body, checkBodyHeaders(request, maxBytes, what), false)).text;
}

/** How a request's body is to be read, once its headers are checked: `what` names it in refusals. */
export interface BodyToRead {
  gzip: boolean;
  maxBytes: number;
  what: string;
}

/**
 * Refuses a body by its headers alone: an encoding other than gzip (415), a declared
 * length over `maxBytes` (413).
 */
export function checkBodyHeaders(request: Request, maxBytes: number, what: string): BodyToRead {
  const encoding = (request.headers.get('Content-Encoding') ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity' && encoding !== 'gzip') {
    const message = `${what} may be sent as it is or gzip-compressed (Content-Encoding: gzip); Content-Encoding "${encoding}" is not accepted.`;
    throw new HttpError(415, message, {}, { message });
  }
  const declared = request.headers.get('Content-Length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) throw tooLarge(what, maxBytes);
  return { gzip: encoding === 'gzip', maxBytes, what };
}

/**
 * The reading half of `readBodyText`, for a body whose headers were checked already (the
 * operator's load hands its body stream to the dataset coordinator, which reads it there).
 * With `keepSent`, a gzip-compressed body's bytes as they came (`gzip`, else null), so
 * that a patch stored compressed need not be compressed again (storage/blob-text.ts).
 * Those bytes count against `maxBytes` too, kept or not.
 */
export async function readBodyStream(
  stream: ReadableStream<Uint8Array> | null,
  { gzip, maxBytes, what }: BodyToRead,
  keepSent = true,
): Promise<{ text: string; gzip: Uint8Array | null }> {
  if (!stream) return { text: '', gzip: null };
  const raw: Uint8Array[] = [];
  let rawBytes = 0;
  const kept = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      rawBytes += chunk.byteLength;
      // Empty gzip blocks inflate to nothing: the bytes as sent are bounded as well.
      if (rawBytes > maxBytes) throw new Error('over the limit as sent');
      if (keepSent) raw.push(chunk);
      controller.enqueue(chunk);
    },
  });
  const body = gzip ? stream.pipeThrough(kept).pipeThrough(new DecompressionStream('gzip')) : stream;
  // Fatal: bytes that are not UTF-8 are refused, never stored as U+FFFD in their place.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  const parts: string[] = [];
  let bytes = 0;
  const decode = (chunk?: Uint8Array) => {
    try {
      parts.push(chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode());
    } catch {
      const message = `${what} must be UTF-8 text; the request body holds bytes that are not UTF-8 (within its first ${bytes} bytes).`;
      throw new HttpError(400, message, {}, { message });
    }
  };
  try {
    for await (const chunk of body) {
      bytes += chunk.byteLength;
      // Leaving the loop cancels the rest of the body.
      if (bytes > maxBytes) throw tooLarge(what, maxBytes);
      decode(chunk);
    }
  } catch (error) {
    if (error instanceof HttpError || !gzip) throw error;
    // The stream passes on the error as its own: the bound above is known by the count.
    if (rawBytes > maxBytes) throw tooLarge(what, maxBytes);
    const message = `${what} is declared gzip-compressed (Content-Encoding: gzip) but is not valid gzip data (${String((error as Error).message ?? error)}).`;
    throw new HttpError(400, message, {}, { message });
  }
  decode();
  return { text: parts.join(''), gzip: gzip && keepSent ? joinBytes(raw, rawBytes) : null };
}

/** The body parsed as JSON (plain values), or 400 saying it is not JSON. */
export async function readBodyJson(request: Request, maxBytes: number, what: string): Promise<unknown> {
  const text = await readBodyText(request, maxBytes, what);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Request data could not be parsed as JSON.', {}, { message: 'Request data could not be parsed as JSON.' });
  }
}
