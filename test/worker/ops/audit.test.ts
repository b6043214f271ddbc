/**
 * The audit of every version: a good history passes; one entity row edited directly in D1
 * fails it, naming the version and the entity — through the admin endpoint the CLI calls
 * and through the weekly cron, which alerts.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import worker from '../../../workers/index';
import { AUDIT_CRON } from '../../../workers/ops/weekly-audit';
import { addPeriodPatch } from '../cache/support';
import { ADMIN_TOKEN, get, json, load, loadTestData } from '../read-api/support';
import { fakeUpstream } from '../support/fake-upstream';

type Json = Record<string, any>;

const audit = async (): Promise<Json> => json(await get('/admin/audit?all', { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }));

let period = '';
let head = 0;
beforeAll(async () => {
  const first = await loadTestData();
  const authority = first.created.find((id) => id.length === 7)!;
  period = first.created.find((id) => id.length === 11)!;
  for (const label of ['Audit one', 'Audit two', 'Audit three']) head = (await load(addPeriodPatch(authority, label))).version;
});
afterEach(() => vi.restoreAllMocks());

async function weeklyAudit(extra: Partial<typeof env> = {}) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: AUDIT_CRON }), { ...env, ...extra }, ctx);
  await waitOnExecutionContext(ctx);
}

describe('the audit of every version', () => {
  it('passes a good history', async () => {
    const report = await audit();
    expect(report).toMatchObject({ ok: true, head, versionsChecked: head + 1, problems: [] });
    expect(report.rowsChecked).toBeGreaterThan(10);
  });

  it('fails when one entity row was edited in D1, naming the version and the entity', async () => {
    const original = await env.DB.prepare('SELECT json FROM periods WHERE id = ? AND valid_from = 1').bind(period).first<{ json: string }>();
    await env.DB.prepare('UPDATE periods SET json = ? WHERE id = ? AND valid_from = 1').bind(original!.json.replace(/"label": ?"[^"]*"/, '"label": "tampered"'), period).run();
    try {
      const report = await audit();
      expect(report.ok).toBe(false);
      expect(report.problems[0]).toMatchObject({ version: 1, entity: `period ${period}`, problem: 'the row valid from version 1 no longer matches its recorded hash' });
      // Every version the row is part of no longer adds up.
      const drifted = report.problems.filter((p: Json) => p.entity === null).map((p: Json) => p.version);
      expect(drifted).toEqual(Array.from({ length: head }, (_, i) => i + 1));

      // The weekly cron logs an error event and alerts.
      const webhook = fakeUpstream(() => new Response('ok'));
      const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      vi.spyOn(console, 'log').mockImplementation(() => undefined);
      await weeklyAudit({ ALERT_WEBHOOK: 'https://alerts.example/hooks/T0123/secret-path' });
      const event = errors.mock.calls.map((c) => JSON.parse(String(c[0]))).find((l) => l.event === 'audit');
      expect(event).toMatchObject({ ok: false, app: 'cron', head });
      expect(event.problems[0]).toMatchObject({ version: 1, entity: `period ${period}` });
      expect(webhook.requests).toHaveLength(1);
      const alert = webhook.requests[0];
      expect(alert.method).toBe('POST');
      expect(alert.url).toBe('https://alerts.example/hooks/T0123/secret-path');
      const body = (await alert.json()) as Json;
      expect(body.text).toContain(`PeriodO development: the weekly audit found`);
      expect(body.text).toContain(`version 1, period ${period}`);
    } finally {
      await env.DB.prepare('UPDATE periods SET json = ? WHERE id = ? AND valid_from = 1').bind(original!.json, period).run();
    }
    expect((await audit()).ok).toBe(true);
  });

  it('fails when a row was deleted, or a hash rewritten to match an edit', async () => {
    const row = await env.DB.prepare('SELECT * FROM periods WHERE id = ? AND valid_from = 1').bind(period).first<Json>();
    await env.DB.prepare('DELETE FROM periods WHERE id = ? AND valid_from = 1').bind(period).run();
    let report = await audit();
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ version: 1, entity: null });
    expect(report.problems[1].problem).toMatch(/periods, but .* recorded/);
    await env.DB.prepare('INSERT INTO periods (id, authority_id, valid_from, valid_to, authority_position, position, json, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .bind(row!.id, row!.authority_id, row!.valid_from, row!.valid_to, row!.authority_position, row!.position, '{"id": "forged"}', '0'.repeat(64))
      .run();
    report = await audit();
    expect(report.ok).toBe(false);
    await env.DB.prepare('UPDATE periods SET json = ?, hash = ? WHERE id = ? AND valid_from = 1').bind(row!.json, row!.hash, period).run();
    expect((await audit()).ok).toBe(true);
  });

  it('the weekly cron logs a passing audit without alerting', async () => {
    const webhook = fakeUpstream(() => new Response('ok'));
    const logs = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await weeklyAudit({ ALERT_WEBHOOK: 'https://alerts.example/hook' });
    const event = logs.mock.calls.map((c) => JSON.parse(String(c[0]))).find((l) => l.event === 'audit');
    expect(event).toMatchObject({ ok: true, head, versionsChecked: head + 1 });
    expect(webhook.requests).toHaveLength(0);
  });
});
