/** Keeps work after the answer alive where an execution context exists (not in a direct `app.fetch`). */
import type { Context } from 'hono';

export function waitUntil(c: Context, promise: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(promise);
  } catch {
    // No execution context: the promise still runs.
  }
}
