/**
 * The single writer interrupted: the DatasetCoordinator evicted between a submission and
 * its merge, reset while a merge waits to write its batch, reset after the batch committed
 * but before the purge and export queueing, and D1 batches that fail inside the
 * transaction. In every case: no partial version, no lost patch, no stale read after.
 */
import { env } from 'cloudflare:workers';
import { evictDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { get, headVersion, json, loadTestData } from '../read-api/support';
import { addPeriod, addUsers, merge, noteOnAuthority, rowCounts, submit } from '../support/editors';
import { waitFor } from '../support/wait';

const coordinator = () => env.COORDINATOR.getByName('dataset');

async function dataset(): Promise<{ text: string; version: number }> {
  const r = await get('/d.json');
  expect(r.status).toBe(200);
  return { text: await r.text(), version: Number(/version-(\d+)"$/.exec(r.headers.get('ETag') ?? '')?.[1]) };
}

/** Merges with the coordinator reset at `point`, as a crash or a redeploy would. */
async function mergeResetAt(path: string, point: 'before-merge-batch' | 'after-merge-batch'): Promise<Response> {
  expect(await coordinator().injectFailure(point, 'abort')).toBe(true);
  return merge(path);
}

async function expectInterrupted(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  expect(response.headers.get('Retry-After')).toBe('5');
  const body = (await response.json()) as { message: string };
  expect(body.message).toMatch(/interrupted .* applied whole or not at all/);
}

beforeAll(async () => {
  await loadTestData();
  await addUsers();
});

describe('the coordinator evicted between submission and merge', () => {
  it('merges the submitted patch afterwards as the next version, rebuilt from D1', async () => {
    // The object holds the head in memory: warm it, then drop it.
    await submit(noteOnAuthority('warm-up'));
    const path = await submit(addPeriod('p0trgkv', 'evicted-1', 'After an eviction'));
    const before = await headVersion();
    await evictDurableObject(coordinator());

    const r = await merge(path);
    expect(r.status, await r.text()).toBe(204);
    expect(await headVersion()).toBe(before + 1);
    const page = await json(await get(path));
    expect(page).toMatchObject({ merged: true, open: false });
    const permanent = Object.values(page.identifier_map as Record<string, string>)[0];
    const authority = await json(await get('/trgkv.json'));
    expect((authority.periods as Record<string, { label: string }>)[permanent].label).toBe('After an eviction');
    // The next merge after another eviction still gets the next version (no reuse of the head).
    await evictDurableObject(coordinator());
    expect((await merge(await submit(noteOnAuthority('after a second eviction')))).status).toBe(204);
    expect(await headVersion()).toBe(before + 2);
  });
});

describe('the coordinator reset in the middle of a merge', () => {
  it('before its batch: nothing is written, the patch stays open and merges later', async () => {
    const path = await submit(addPeriod('p0trgkv', 'reset-before', 'Reset before the batch'));
    const before = await dataset();
    const rows = await rowCounts();
    await expectInterrupted(await mergeResetAt(path, 'before-merge-batch'));

    expect(await headVersion()).toBe(before.version);
    expect(await rowCounts()).toEqual(rows);
    expect((await dataset()).text).toBe(before.text);
    expect(await json(await get(path))).toMatchObject({ open: true, merged: false, identifier_map: null });

    const again = await merge(path);
    expect(again.status, await again.text()).toBe(204);
    expect(await headVersion()).toBe(before.version + 1);
    expect((await dataset()).text).toContain('Reset before the batch');
  });

  it('after its batch: the version is whole, reads show it at once, a retry says it is merged, its exports still come', async () => {
    const path = await submit(addPeriod('p0trgkv', 'reset-after', 'Reset after the batch'));
    const before = await dataset();
    // Cache the old head, so a stale read would show.
    expect((await dataset()).version).toBe(before.version);
    await expectInterrupted(await mergeResetAt(path, 'after-merge-batch'));

    const after = await dataset();
    expect(after.version).toBe(before.version + 1);
    expect(after.text).toContain('Reset after the batch');
    expect(await json(await get(path))).toMatchObject({ open: false, merged: true });
    const retry = await merge(path);
    expect(retry.status).toBe(404);
    expect(((await retry.json()) as { message: string }).message).toBe('Patch is already merged.');
    // Its exports were never queued by the merge; the first request queues them, and
    // meanwhile answers 503 — never the previous version's file.
    const csv = await get('/dataset.csv');
    if (csv.status === 503) {
      expect(csv.headers.get('Retry-After')).toBe('30');
      await csv.body?.cancel();
      await waitFor('the csv export of the merged version', async () => {
        const r = await get('/dataset.csv');
        await r.body?.cancel();
        return r.status === 200;
      });
    } else {
      await csv.body?.cancel();
    }
    const served = await get('/dataset.csv');
    expect(served.status).toBe(200);
    expect(await served.text()).toContain('Reset after the batch');
    // And the coordinator, rebuilt from D1, carries on from the committed head.
    expect((await merge(await submit(noteOnAuthority('after the reset')))).status).toBe(204);
    expect(await headVersion()).toBe(before.version + 2);
  });
});

describe('D1 batches that fail inside the transaction', () => {
  it('a failing submission leaves no orphan patch text and no request', async () => {
    const rows = await rowCounts();
    await env.DB.prepare("CREATE TRIGGER fail_submission BEFORE INSERT ON patch_requests BEGIN SELECT RAISE(ABORT, 'injected'); END").run();
    try {
      const r = await get('/d/', {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${btoa('fault-contributor-token')}` },
        body: JSON.stringify(noteOnAuthority('never submitted')),
      });
      expect(r.status).toBe(503);
      expect(((await r.json()) as { message: string }).message).toMatch(/nothing was changed/);
    } finally {
      await env.DB.prepare('DROP TRIGGER fail_submission').run();
    }
    expect(await rowCounts()).toEqual(rows);
  });

  it('a merge whose period rows fail to insert leaves no version, no row and an open patch; the next merge is consecutive', async () => {
    const path = await submit(addPeriod('p0trgkv', 'failing-rows', 'Rows that fail'));
    const before = await dataset();
    const rows = await rowCounts();
    await env.DB.prepare("CREATE TRIGGER fail_periods BEFORE INSERT ON periods BEGIN SELECT RAISE(ABORT, 'injected'); END").run();
    try {
      const r = await merge(path);
      expect(r.status).toBe(503);
    } finally {
      await env.DB.prepare('DROP TRIGGER fail_periods').run();
    }
    expect(await rowCounts()).toEqual(rows);
    expect(await dataset()).toEqual(before);
    expect(await json(await get(path))).toMatchObject({ open: true, merged: false });
    // The coordinator forgot what it held and reloads it: the retry is version head + 1.
    expect((await merge(path)).status).toBe(204);
    expect(await headVersion()).toBe(before.version + 1);
    // Its content hash, kept incrementally, matches one recomputed from every row.
    const audit = await get(`/admin/audit?version=${before.version + 1}`, { headers: { Authorization: 'Bearer dev-admin-token' } });
    expect(await audit.json()).toMatchObject({ ok: true, alteredRows: [] });
  });
});
