/**
 * A delivered batch of export jobs lets the request that queued it answer first. Locally
 * (and in a shared isolate) the jobs run on the thread that is still sending that answer;
 * once a job holds it, each of the answer's last steps waits for a turn.
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import handler from '../../../workers/index';
import type { Env, ExportJob } from '../../../workers/env';
import { countedD1 } from '../support/d1-round-trips';
import { headVersion, loadTestData } from '../read-api/support';
import { EXPORT_QUEUE, exportObject, forgetExport } from './support';

beforeAll(async () => {
  await loadTestData();
});

describe('a batch of export jobs', () => {
  it('reads nothing until a request made as it was delivered has its answer, then does its job', async () => {
    const version = await headVersion();
    await forgetExport(version, 'csv');
    const counted = countedD1(env.DB);
    const batch = createMessageBatch<ExportJob>(EXPORT_QUEUE, [{ id: 'm-foreground', timestamp: new Date(), attempts: 1, body: { version, format: 'csv', trigger: 'merge' } }]);
    const ctx = createExecutionContext();
    const jobs = handler.queue(batch, { ...env, DB: counted.database } as Env, ctx);

    // The request that queued the jobs, still answering: a CORS preflight, no I/O of its own.
    const answer = await handler.fetch(new Request('http://localhost/d.json', { method: 'OPTIONS', headers: { Origin: 'https://example.org', 'Access-Control-Request-Method': 'GET' } }), env, createExecutionContext());
    expect(answer.status).toBe(200);
    expect(answer.headers.get('Access-Control-Allow-Origin')).toBe('*');
    await answer.arrayBuffer();
    expect(counted.trips, 'D1 reads of the job before the answer was out').toEqual([]);

    await jobs;
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ['m-foreground'], retryMessages: [] });
    expect(counted.trips.length).toBeGreaterThan(0);
    expect(await exportObject(version, 'csv')).not.toBeNull();
  });
});
