/**
 * Readers hammering `/d.json` through the edge cache while 10 merges land: no reader ever
 * gets a version older than one it already saw, or older than a merge that had completed
 * when its request started, and every document is whole and exactly its version.
 */
import { describe, expect, it } from 'vitest';
import { get, load, loadTestData } from '../read-api/support';
import { addPeriodPatch, cacheStatus } from './support';

const MERGES = 10;
const READERS = 4;
const MARK = /"label": "RWM merge (\d+)"/g;

interface Seen {
  version: number;
  markers: number[];
  startedAfter: number;
  status: string | null;
}

describe('reading /d.json while merges land', () => {
  it('never serves an older version than one already seen, nor a torn document', async () => {
    await loadTestData();
    let committed = 1;
    let done = false;
    const versionOfMerge = new Map<number, number>();

    async function reader(): Promise<Seen[]> {
      const seen: Seen[] = [];
      let last = 0;
      // Reads go on a little after the last merge, so the final version is also read from the cache.
      let afterDone = 0;
      while (!done || seen.length < 5 || afterDone++ < 3) {
        const startedAfter = committed;
        const response = await get('/d.json');
        const text = await response.text();
        expect(response.status).toBe(200);
        let doc: Record<string, unknown>;
        try {
          doc = JSON.parse(text) as Record<string, unknown>;
        } catch {
          throw new Error(`torn document (${text.length} bytes, ${cacheStatus(response)}): …${text.slice(-80)}`);
        }
        expect(doc.authorities).toBeTruthy();
        const version = Number(/version-(\d+)"$/.exec(response.headers.get('ETag') ?? '')?.[1]);
        expect(version, 'never older than a version this reader saw').toBeGreaterThanOrEqual(last);
        expect(version, 'never older than a merge completed before the request').toBeGreaterThanOrEqual(startedAfter);
        last = version;
        seen.push({ version, markers: [...text.matchAll(MARK)].map((m) => Number(m[1])).sort((a, b) => a - b), startedAfter, status: cacheStatus(response) });
      }
      return seen;
    }

    async function writer(): Promise<void> {
      for (let i = 1; i <= MERGES; i++) {
        const result = await load(addPeriodPatch('p0trgkv', `RWM merge ${i}`));
        versionOfMerge.set(i, result.version);
        committed = result.version;
      }
      done = true;
    }

    const [, ...results] = await Promise.all([writer(), ...Array.from({ length: READERS }, reader)]);
    const all = results.flat();
    expect(all.length).toBeGreaterThan(READERS * 5);
    // Every document is exactly its version: the merges at or before it, none after.
    for (const s of all) {
      const expected = [...versionOfMerge].filter(([, v]) => v <= s.version).map(([i]) => i);
      expect(s.markers, `document of version ${s.version}`).toEqual(expected);
    }
    const statuses = new Set(all.map((s) => s.status));
    expect(statuses.has('HIT'), 'the readers were served from the cache').toBe(true);
    expect(statuses.has('MISS')).toBe(true);
    const versions = new Set(all.map((s) => s.version));
    expect(versions.size, 'the readers saw the versions change').toBeGreaterThan(2);
  });
});
