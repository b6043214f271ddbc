/**
 * Polling for what the real queue consumer does in the background (tests outside
 * test/worker/exports run with the export queue consumed, as in production).
 */
import { exportObject, type Format } from '../exports/support';

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function waitForExport(version: number, format: Format): Promise<R2Object> {
  return waitFor(`the ${format} export of version ${version}`, () => exportObject(version, format));
}
