/** JSON error bodies: every refusal says what went wrong in words a person can act on. */
export function jsonError(status: number, message: string, extraHeaders: HeadersInit = {}): Response {
  const headers = new Headers(extraHeaders);
  headers.set('Content-Type', 'application/json');
  return new Response(JSON.stringify({ code: status, message }), { status, headers });
}

/** Raised by domain and storage code; HTTP plumbing turns it into a JSON error response. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
