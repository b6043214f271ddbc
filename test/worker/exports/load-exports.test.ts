/**
 * An operator's load in several patches queues the exports of its last version only: every
 * earlier version is superseded at once, so exporting it would be work thrown away. A
 * request for such a version still queues its exports on demand.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, get, loadTestData } from '../read-api/support';

async function jobs(version: number): Promise<string[]> {
  const { results } = await env.DB.prepare('SELECT format FROM export_jobs WHERE version = ? ORDER BY format').bind(version).all<{ format: string }>();
  return results.map((r) => r.format);
}

function adminLoad(query: string, patch: unknown): Promise<Response> {
  return get(`/admin/load${query}`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(patch) });
}

describe('POST /admin/load', () => {
  it('queues the JSON document, the search index, Turtle, N-Triples and CSV of its version', async () => {
    await loadTestData();
    expect(await jobs(1)).toEqual(['csv', 'json', 'nt', 'search-index', 'ttl']);
  });

  it('with ?exports=later queues none, and a request for that version still queues its export', async () => {
    const r = await adminLoad('?exports=later', [{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'v2' }]);
    expect(r.status, await r.text()).toBe(200);
    expect(await jobs(2)).toEqual([]);
    const ttl = await get('/dataset.ttl?version=2');
    expect(ttl.status).toBe(503);
    await ttl.body?.cancel();
    expect(await jobs(2)).toEqual(['ttl']);
  });

  it('refuses any other value of exports with a message, and merges nothing', async () => {
    const r = await adminLoad('?exports=never', [{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'v3' }]);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toMatch(/exports takes only the value "later"/);
    const head = await env.DB.prepare('SELECT MAX(id) AS v FROM versions').first<{ v: number }>();
    expect(head!.v).toBe(2);
  });
});
