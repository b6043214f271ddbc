/**
 * `GET /.well-known/health` through the real Worker: versions, store reachability, the
 * head version's exports, dead letters and stalled queue deliveries — and no secrets.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { get, json, loadTestData } from '../read-api/support';
import { forgetExport, exportNow } from '../exports/support';

type Json = Record<string, any>;

async function health(): Promise<{ status: number; body: Json; response: Response }> {
  const response = await get('/.well-known/health');
  return { status: response.status, body: await json(response), response };
}

describe('the health endpoint', () => {
  it('answers on an empty environment: every store reachable, version 0, nothing to export', async () => {
    const { status, body, response } = await health();
    expect(status).toBe(200);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(response.headers.get('X-PeriodO-Server-Version')).toBe(env.SERVER_VERSION);
    expect(body).toMatchObject({ status: 'ok', environment: 'development', serverVersion: env.SERVER_VERSION, datasetVersion: 0, lastMerge: null, deadLetteredExports: 0, warnings: [] });
    for (const name of ['d1', 'durableObject', 'r2', 'queue']) expect(body.checks[name], name).toMatchObject({ ok: true });
  });

  describe('with a dataset', () => {
    beforeAll(async () => {
      await loadTestData();
      await Promise.all((['ttl', 'nt', 'csv'] as const).map((f) => exportNow(1, f)));
    });

    it('reports the head version, its exports and the last merge finished', async () => {
      const { status, body } = await health();
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'ok', datasetVersion: 1, exports: { version: 1, missing: [], overdue: false }, lastMerge: { version: 1, exportsDone: true, overdue: false } });
      expect(body.exports.present.sort()).toEqual(['csv', 'nt', 'ttl']);
      // The coordinator answered its round trip; it holds the version it merged.
      expect(body.checks.durableObject).toMatchObject({ ok: true, heldVersion: 1 });
    });

    it('never shows a secret', async () => {
      const text = await (await get('/.well-known/health')).text();
      expect(text).not.toContain(env.ADMIN_TOKEN!);
      expect(text).not.toMatch(/token|secret|password/i);
    });

    it('says "degraded" when exports of the head are overdue or a job was dead-lettered', async () => {
      // Fresh exports missing right after a merge are normal …
      await forgetExport(1, 'csv');
      expect((await health()).body).toMatchObject({ status: 'ok', exports: { missing: ['csv'], overdue: false }, lastMerge: { exportsDone: false } });
      // … but not half an hour later.
      await env.DB.prepare("UPDATE versions SET created_at = '2020-01-01T00:00:00.000Z' WHERE id = 1").run();
      let { status, body } = await health();
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'degraded', exports: { missing: ['csv'], overdue: true }, lastMerge: { exportsDone: false, overdue: true } });
      expect(body.warnings).toEqual([expect.stringMatching(/^version 1 has no csv export \d+ minutes after its merge$/)]);

      await env.DB.prepare(
        "INSERT INTO export_jobs (version, format, state, enqueued, attempts, updated_at, error) VALUES (1, 'csv', 'failed', 1, 4, ?, 'gave up after 4 attempts')",
      )
        .bind(new Date().toISOString())
        .run();
      ({ status, body } = await health());
      expect(body).toMatchObject({ status: 'degraded', deadLetteredExports: 1 });
      expect(body.warnings).toContain('1 export job(s) were dead-lettered');
    });

    it('answers 503 "failing" when the export queue stopped delivering', async () => {
      await env.DB.prepare('DELETE FROM export_jobs').run();
      await env.DB.prepare(
        "INSERT INTO export_jobs (version, format, state, enqueued, attempts, updated_at) VALUES (1, 'csv', 'queued', 1, 0, '2020-01-01T00:00:00.000Z')",
      ).run();
      const { status, body } = await health();
      expect(status).toBe(503);
      expect(body.status).toBe('failing');
      expect(body.checks.queue).toMatchObject({ ok: false, error: '1 export job(s) queued over 15 minutes ago were never delivered' });
      expect(body.checks.d1.ok).toBe(true);
    });
  });
});
