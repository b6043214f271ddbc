/**
 * The local Worker that benchmarks, browser tests and promotions start: its storage (over
 * 1 GB at 50k periods) must not pile up in the temp folder run after run.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startLocalWorker } from '../../scripts/lib/local-worker.ts';
import { removeScratchDir, scratchDir } from '../../scripts/lib/scratch-dir.ts';

describe('startLocalWorker', () => {
  it('removes the storage it made when disposed', async () => {
    const worker = await startLocalWorker();
    expect((await fetch(new URL('d.json', worker.url))).status).toBe(200);
    expect(existsSync(worker.persistDir)).toBe(true);
    await worker.dispose();
    expect(existsSync(worker.persistDir)).toBe(false);
  }, 120_000);

  it("keeps a storage folder given by the caller, with the Worker's data in it", async () => {
    const dir = scratchDir('periodo-kept-');
    try {
      const worker = await startLocalWorker({ persistDir: dir });
      await worker.dispose();
      expect(existsSync(`${dir}/v3/d1`)).toBe(true);
    } finally {
      removeScratchDir(dir);
    }
  }, 120_000);
});
