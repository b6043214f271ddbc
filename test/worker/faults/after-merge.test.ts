/**
 * What follows a merge, failing: the zone purge API failing or hanging (merges are not
 * held up; each call times out), the export of the newest version failing until the
 * dead-letter queue (the API answers 503 with Retry-After, never the previous version's
 * file), and the queue delivering the same export job twice. The Cloudflare API is faked
 * at the outbound fetch; D1, the queue consumer and R2 are real.
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, createMessageBatch, evictDurableObject, getQueueResult, runInDurableObject } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import handler from '../../../workers/index';
import type { Env, ExportJob } from '../../../workers/env';
import { PURGE_CALL_TIMEOUT_MS } from '../../../workers/cache/purge';
import { runExportJob } from '../../../workers/exports/consumer';
import { get, headVersion, json, loadTestData } from '../read-api/support';
import { addPeriod, addUsers, merge, noteOnAuthority, submit } from '../support/editors';
import { neverAnswers } from '../support/fake-upstream';
import { bodyText, exportObject, jobRow } from '../exports/support';
import { waitFor, waitForExport } from '../support/wait';

const coordinator = () => env.COORDINATOR.getByName('dataset');
const DLQ = 'periodo-exports-dlq-dev';
const QUEUE = 'periodo-exports-dev';

/** The coordinator purges through the zone API from now on (until it is evicted). */
async function useZonePurger(): Promise<void> {
  await runInDurableObject(coordinator(), (instance) => {
    const self = instance as unknown as { env: Env };
    self.env = { ...self.env, CACHE_ZONE_ID: 'zone-fault', CACHE_PURGE_TOKEN: 'purge-token' };
  });
}

/** Answers every call to api.cloudflare.com with `answer`; everything else goes out as usual. */
function fakeCloudflareApi(answer: (request: Request) => Promise<Response>): Request[] {
  const calls: Request[] = [];
  const real = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init as RequestInit);
    if (!request.url.startsWith('https://api.cloudflare.com/')) return real(input, init);
    calls.push(request);
    return answer(request);
  });
  return calls;
}

async function latest(): Promise<{ text: string; version: number }> {
  const r = await get('/d.json');
  expect(r.status).toBe(200);
  return { text: await r.text(), version: Number(/version-(\d+)"$/.exec(r.headers.get('ETag') ?? '')?.[1]) };
}

async function deliver(queue: string, body: ExportJob, attempts = 1, id = `m-${queue}-${attempts}`) {
  const batch = createMessageBatch<ExportJob>(queue, [{ id, timestamp: new Date(), attempts, body }]);
  const ctx = createExecutionContext();
  await handler.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

beforeAll(async () => {
  await loadTestData();
  await addUsers();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await evictDurableObject(coordinator()).catch(() => undefined);
});

describe('a failing purge', () => {
  it('does not fail or hold up merges, and reads show each merge at once', async () => {
    const errors = vi.spyOn(console, 'error');
    const calls = fakeCloudflareApi(async () => Response.json({ success: false, errors: [{ message: 'boom' }] }, { status: 500 }));
    await useZonePurger();
    const before = await latest();
    for (const n of [1, 2]) {
      const r = await merge(await submit(noteOnAuthority(`purge fails ${n}`)));
      expect(r.status, await r.text()).toBe(204);
      const now = await latest();
      expect(now.version).toBe(before.version + n);
      expect(now.text).toContain(`purge fails ${n}`);
    }
    await waitFor('the purge to give up', async () => errors.mock.calls.some((c) => /purge after merge of version \d+ failed \(zone\)/.test(String(c[0]))));
    expect(calls.length).toBeGreaterThanOrEqual(3);
  });
});

describe('a hanging purge', () => {
  it('times out; merges go on meanwhile and every one is served at once', async () => {
    const errors = vi.spyOn(console, 'error');
    const calls = fakeCloudflareApi(neverAnswers);
    await useZonePurger();
    const before = await latest();
    // Without a bound, the first merge would never answer and the test would time out.
    for (const n of [1, 2]) {
      const r = await merge(await submit(addPeriod('p0trgkv', `hanging-purge-${n}`, `Hanging purge ${n}`)));
      expect(r.status, await r.text()).toBe(204);
      expect((await latest()).text).toContain(`Hanging purge ${n}`);
    }
    expect(await headVersion()).toBe(before.version + 2);
    expect(errors.mock.calls.some((c) => /the cache purge is still running after \d+ ms; the merge does not wait for it/.test(String(c[0])))).toBe(true);
    // Each purge call is abandoned after its timeout, then retried, then given up.
    await waitFor(
      'the hanging purge calls to time out',
      async () => calls.length >= 3 && calls.slice(0, 3).every((c) => c.signal.aborted),
      3 * PURGE_CALL_TIMEOUT_MS + 10_000,
    );
    await waitFor('the purge to be logged as failed', async () =>
      errors.mock.calls.some((c) => /purge after merge of version \d+ failed \(zone\).*(timeout|abort)/i.test(String(c[0]))),
    );
  });
});

describe('the export of the newest version failing', () => {
  it('answers 503 with Retry-After until it is generated — never the previous version’s file', async () => {
    // The previous version's exports exist.
    const previous = await headVersion();
    await Promise.all((['ttl', 'nt', 'csv'] as const).map((f) => waitForExport(previous, f)));

    // A merge whose exports are never queued (the coordinator is reset after its batch) …
    const path = await submit(addPeriod('p0trgkv', 'unexportable', 'Unexportable period'));
    expect(await coordinator().injectFailure('after-merge-batch', 'abort')).toBe(true);
    expect((await merge(path)).status).toBe(503);
    const version = previous + 1;
    expect(await headVersion()).toBe(version);
    const permanent = Object.values((await json(await get(path))).identifier_map as Record<string, string>)[0];
    // … and whose new period the converter cannot read.
    const good = (await env.DB.prepare('SELECT json FROM periods WHERE id = ? AND valid_from = ?').bind(permanent, version).first<{ json: string }>())!.json;
    await env.DB.prepare(`UPDATE periods SET json = '{"broken' WHERE id = ? AND valid_from = ?`).bind(permanent, version).run();

    const first = await get('/dataset.ttl');
    expect(first.status).toBe(503);
    expect(first.headers.get('Retry-After')).toBe('30');
    expect(((await first.json()) as { message: string }).message).toMatch(new RegExp(`Turtle export of version ${version} of the dataset is being generated`));

    // The consumer fails; the queue retries it, then dead-letters it.
    const retried = await deliver(QUEUE, { version, format: 'ttl' }, 2);
    expect(retried.retryMessages).toHaveLength(1);
    const dead = await deliver(DLQ, { version, format: 'ttl' });
    expect(dead.explicitAcks).toHaveLength(1);
    expect((await jobRow(version, 'ttl'))!.state).toBe('failed');
    const failed = await get('/dataset.ttl');
    expect(failed.status).toBe(503);
    expect(failed.headers.get('Retry-After')).toBe('30');
    expect(((await failed.json()) as { message: string }).message).toMatch(new RegExp(`version ${version} .*could not be generated`));
    expect(await exportObject(version, 'ttl')).toBeNull();

    // Repaired, the next attempt writes the new version's file, and that is what is served.
    await env.DB.prepare('UPDATE periods SET json = ? WHERE id = ? AND valid_from = ?').bind(good, permanent, version).run();
    await runExportJob(env, { version, format: 'ttl' });
    const served = await get('/dataset.ttl');
    expect(served.status).toBe(200);
    expect(await bodyText(served)).toContain('Unexportable period');
  });
});

describe('the queue delivering a job twice', () => {
  it('one after the other: the second delivery changes nothing', async () => {
    const version = await headVersion();
    // (This version's merge was reset before it queued its exports: a request queues them.)
    await (await get('/dataset.csv')).body?.cancel();
    const object = await waitForExport(version, 'csv');
    const again = await deliver(QUEUE, { version, format: 'csv' }, 1, 'dup-1');
    expect(again.explicitAcks).toEqual(['dup-1']);
    const after = await exportObject(version, 'csv');
    expect(after!.etag).toBe(object.etag);
    expect(after!.uploaded.getTime()).toBe(object.uploaded.getTime());
    expect((await jobRow(version, 'csv'))!.state).toBe('done');
  });

  it('at the same time: both are acknowledged and one whole file is served', async () => {
    const r = await merge(await submit(noteOnAuthority('exported twice at once')));
    expect(r.status).toBe(204);
    const version = await headVersion();
    // The merge's own job may already be running; two more deliveries race it.
    const results = await Promise.all(['twice-a', 'twice-b'].map((id) => deliver(QUEUE, { version, format: 'nt' }, 1, id)));
    expect(results.flatMap((x) => x.explicitAcks).sort()).toEqual(['twice-a', 'twice-b']);
    await waitForExport(version, 'nt');
    const served = await get('/dataset.nt');
    expect(served.status).toBe(200);
    const text = await bodyText(served);
    expect(text).toContain('exported twice at once');
    // Whole: every line is one N-Triples statement.
    for (const line of text.split('\n').filter(Boolean)) expect(line).toMatch(/ \.$/);
    expect((await jobRow(version, 'nt'))!.state).toBe('done');
  });

  it('a merge’s job for a version that is no longer the newest is skipped, not rendered', async () => {
    const old = (await headVersion()) - 1;
    await env.EXPORTS.delete(`exports/v${old}/periodo-dataset.csv`);
    const result = await deliver(QUEUE, { version: old, format: 'csv', trigger: 'merge' }, 1, 'stale-merge-job');
    expect(result.explicitAcks).toEqual(['stale-merge-job']);
    expect(await exportObject(old, 'csv')).toBeNull();
  });
});
