/**
 * A merge queues exports of its own version; when merges come in a burst, the jobs of a
 * version already superseded are skipped (nobody asked for them) and a later request for
 * that version queues them again, so old versions stay available on demand.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExportJob } from '../../../workers/env';
import { claimExportJobs } from '../../../workers/storage/export-job-store';
import { database } from '../../../workers/storage/db';
import { get, headVersion, load, loadTestData } from '../read-api/support';
import { deliver as deliverBatch, EXPORT_QUEUE, exportNow, exportObject, forgetExport, jobRow } from './support';

const deliver = (body: ExportJob) => deliverBatch(EXPORT_QUEUE, [body]);

beforeAll(async () => {
  await loadTestData();
  await load([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'version 2' }]);
  expect(await headVersion()).toBe(2);
  await exportNow(2, 'ttl', 'merge');
});

describe('exports queued by a merge', () => {
  it('are skipped once a newer version exists, and requested again on demand', async () => {
    await forgetExport(1, 'ttl');
    await claimExportJobs(database(env.DB), 1, ['ttl']);
    const result = await deliver({ version: 1, format: 'ttl', trigger: 'merge' });
    expect(result.explicitAcks).toHaveLength(1);
    expect(await exportObject(1, 'ttl')).toBeNull();
    expect(await jobRow(1, 'ttl')).toBeNull();

    // Asked for, version 1 is queued again and then served.
    const first = await get('/dataset.ttl?version=1');
    expect(first.status).toBe(503);
    expect(first.headers.get('Retry-After')).toBe('30');
    expect(await jobRow(1, 'ttl')).toMatchObject({ state: 'queued' });
    await exportNow(1, 'ttl', 'request');
    const served = await get('/dataset.ttl?version=1');
    expect(served.status).toBe(200);
    expect(await served.text()).toContain('p0trgkv');
  });

  it('of the head version are not skipped', async () => {
    await forgetExport(2, 'csv');
    await claimExportJobs(database(env.DB), 2, ['csv']);
    const result = await deliver({ version: 2, format: 'csv', trigger: 'merge' });
    expect(result.explicitAcks).toHaveLength(1);
    expect(await exportObject(2, 'csv')).not.toBeNull();
  });
});
