/**
 * Export jobs that fail: the consumer retries them, the queue dead-letters them after
 * `max_retries` (each delivery given to the consumer by the test, as the queue would make
 * it), the dead-letter consumer records them, and requests meanwhile answer 503
 * (never a 500, never a file). The failure is real data the converter cannot read: a
 * period row of version 1 is overwritten with broken JSON directly in D1.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExportJob } from '../../../workers/env';
import { claimExportJobs, FAILED_RETRY_MS, STALE_JOB_MS } from '../../../workers/storage/export-job-store';
import { database } from '../../../workers/storage/db';
import { get, loadTestData } from '../read-api/support';
import { DEAD_LETTER_QUEUE as DLQ, deliver as deliverBatch, EXPORT_QUEUE as QUEUE, exportNow, exportObject, forgetExport, jobRow } from './support';

/** wrangler.toml's max_retries for the export queue: one delivery and this many more. */
const MAX_RETRIES = 3;

const deliver = (queue: string, body: ExportJob, attempts = 1) => deliverBatch(queue, [body], attempts);
const messageId = (queue: string, body: ExportJob, attempts: number) => `m-${queue}-${body.version}-${body.format}-${attempts}-0`;

async function breakVersion1(): Promise<void> {
  await env.DB.prepare(`UPDATE periods SET json = '{"broken' WHERE id = 'p0trgkvwbjd'`).run();
}

beforeAll(async () => {
  await loadTestData();
  for (const format of ['ttl', 'nt', 'csv'] as const) await exportNow(1, format, 'merge');
  await breakVersion1();
});

describe('a failing export job', () => {
  it('is retried by the consumer, leaving nothing in R2', async () => {
    await forgetExport(1, 'ttl');
    const result = await deliver(QUEUE, { version: 1, format: 'ttl' }, 2);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual([messageId(QUEUE, { version: 1, format: 'ttl' }, 2)]);
    expect(result.explicitAcks).toEqual([]);
    const job = await jobRow(1, 'ttl');
    expect(job).toMatchObject({ state: 'queued', attempts: 2 });
    expect(job!.error).toMatch(/JSON/);
    expect(await exportObject(1, 'ttl')).toBeNull();
    expect((await env.EXPORTS.list({ prefix: 'exports/v1/periodo-dataset.ttl' })).objects).toEqual([]);
  });

  it('is recorded as failed when it reaches the dead-letter queue', async () => {
    const result = await deliver(DLQ, { version: 1, format: 'ttl' });
    expect(result.explicitAcks).toEqual([messageId(DLQ, { version: 1, format: 'ttl' }, 1)]);
    const job = await jobRow(1, 'ttl');
    expect(job!.state).toBe('failed');
    expect(job!.error).toMatch(/gave up after 2 attempts; last error: .*JSON/);
  });

  it('makes requests answer 503 saying so, never 500', async () => {
    const r = await get('/dataset.ttl?version=1');
    expect(r.status).toBe(503);
    expect(r.headers.get('Retry-After')).toBe('30');
    const body = (await r.json()) as { code: number; message: string };
    expect(body.code).toBe(503);
    expect(body.message).toMatch(/Turtle export of version 1 of the dataset could not be generated/);
  });

  it('is queued by a request, retried, dead-lettered and recorded; no file is ever served', async () => {
    await forgetExport(1, 'csv');
    const first = await get('/dataset.csv?version=1');
    expect(first.status).toBe(503);
    await first.body?.cancel();
    expect(await jobRow(1, 'csv')).toMatchObject({ state: 'queued', enqueued: 1 });
    const job: ExportJob = { version: 1, format: 'csv', trigger: 'request' };
    // Each delivery the queue would make: the first and MAX_RETRIES retries, each retried again.
    for (let attempts = 1; attempts <= MAX_RETRIES + 1; attempts++) {
      const result = await deliver(QUEUE, job, attempts);
      expect(result.retryMessages.map((m) => m.msgId), `attempt ${attempts}`).toEqual([messageId(QUEUE, job, attempts)]);
      expect(await jobRow(1, 'csv'), `after attempt ${attempts}`).toMatchObject({ state: 'queued', attempts, enqueued: 1 });
      const r = await get('/dataset.csv?version=1');
      expect(r.status, 'while the job fails').toBe(503);
      await r.body?.cancel();
    }
    // Then the queue hands it to the dead-letter queue's consumer.
    const dead = await deliver(DLQ, job, MAX_RETRIES + 1);
    expect(dead.explicitAcks).toHaveLength(1);
    const row = (await jobRow(1, 'csv'))!;
    expect(row.state).toBe('failed');
    expect(row.error).toMatch(/gave up after 4 attempts; last error: .*JSON/);
    expect(row.enqueued).toBe(1);
    expect(await exportObject(1, 'csv')).toBeNull();
    const after = await get('/dataset.csv?version=1');
    expect(after.status).toBe(503);
    expect(((await after.json()) as { message: string }).message).toMatch(/could not be generated/);
  });

  it('is not queued again at once, but after a pause', async () => {
    const db = database(env.DB);
    expect(await claimExportJobs(db, 1, ['csv'])).toEqual([]);
    expect(await claimExportJobs(db, 1, ['csv'], new Date(Date.now() + FAILED_RETRY_MS + 60_000))).toEqual(['csv']);
  });
});

describe('job bookkeeping', () => {
  it('queues a job once, and again only when it is stale or its file is missing', async () => {
    const db = database(env.DB);
    await env.DB.prepare('DELETE FROM export_jobs WHERE version = 7').run();
    expect(await claimExportJobs(db, 7, ['ttl', 'csv'])).toEqual(['ttl', 'csv']);
    expect(await claimExportJobs(db, 7, ['ttl', 'csv', 'nt'])).toEqual(['nt']);
    expect(await claimExportJobs(db, 7, ['ttl'], new Date(Date.now() + STALE_JOB_MS + 60_000))).toEqual(['ttl']);
    await env.DB.prepare(`UPDATE export_jobs SET state = 'done' WHERE version = 7 AND format = 'csv'`).run();
    expect(await claimExportJobs(db, 7, ['csv'])).toEqual(['csv']);
  });

  it('drops a malformed message with a log line', async () => {
    const result = await deliver(QUEUE, { version: -1, format: 'xml' } as unknown as ExportJob);
    expect(result.explicitAcks).toHaveLength(1);
  });
});
