/**
 * Bounded request bodies: every route that reads a body reads it through here, so no body
 * is held in memory beyond its documented limit (413 names the limit).
 */
import { HttpError, tooLarge } from './errors';

/**
 * The body as text, refused with 413 as soon as it is known to exceed `maxBytes`: from
 * its Content-Length before reading, or while reading (the rest is never read).
 */
export async function readBodyText(request: Request, maxBytes: number, what: string): Promise<string> {
  const declared = request.headers.get('Content-Length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) throw tooLarge(what, maxBytes);
  if (!request.body) return '';
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
  for await (const chunk of request.body) {
    bytes += chunk.byteLength;
    // Leaving the loop cancels the rest of the body.
    if (bytes > maxBytes) throw tooLarge(what, maxBytes);
    decode(chunk);
  }
  decode();
  return parts.join('');
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
