/**
 * One way to fail. Code that finds a problem throws an `HttpError` carrying the status,
 * headers and JSON message of its answer; each app's `onError` renders it (`renderError`).
 * Every refusal says what went wrong in words a person can act on.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** The JSON body when it is not the default `{"code": status, "message": …}`. */
    readonly body?: Record<string, unknown>,
  ) {
    super(message);
  }

  response(): Response {
    const headers = new Headers(this.headers);
    headers.set('Content-Type', 'application/json');
    const body = this.body ?? { code: this.status, message: this.message };
    return new Response(JSON.stringify(body), { status: this.status, headers });
  }
}

/** A JSON error response (for code that answers directly instead of throwing). */
export function jsonError(status: number, message: string, extraHeaders: HeadersInit = {}): Response {
  return new HttpError(status, message, Object.fromEntries(new Headers(extraHeaders))).response();
}

/** 413 for a body over its limit, naming the limit. */
export function tooLarge(what: string, maxBytes: number): HttpError {
  return new HttpError(413, `${what} may be at most ${formatBytes(maxBytes)}; this one is larger.`);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB (at most ${bytes} bytes)`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB (at most ${bytes} bytes)`;
  return `${bytes} bytes`;
}

/**
 * What an app's `onError` answers: the response an HttpError carries, otherwise a logged
 * 500 that says nothing about internals.
 */
export function renderError(error: unknown, request: Request): Response {
  if (error instanceof HttpError) return error.response();
  console.error(`${request.method} ${request.url} failed:`, error);
  return jsonError(500, 'The server failed to answer this request; the error has been logged.');
}
