/**
 * Temporary folders for the scripts and tests that start a local Worker or write a dataset:
 * removed when the process exits, so a benchmark or a CI run does not leave its local
 * storage (over 1 GB at 50k periods) behind in the system's temp folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

function removeAll(): void {
  for (const dir of made) removeScratchDir(dir);
}

/** A new folder under the temp folder, named `<prefix>XXXXXX`, removed at exit at the latest. */
export function scratchDir(prefix: string): string {
  if (made.size === 0) process.once('exit', removeAll);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes a folder now (whether or not `scratchDir` made it); a missing one is not an error. */
export function removeScratchDir(dir: string): void {
  made.delete(dir);
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
