/**
 * A merge's rows travel to D1 as JSON arrays unpacked by `json_each` (merge-writer.ts), a
 * few statements for thousands of rows. A merge larger than one bulk parameter lands whole
 * and exactly, and closing rows in bulk leaves earlier versions as they were.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { mintAuthorityId, mintPeriodId } from '../../../workers/domain/identifiers';
import { BULK_PARAM_CHARS, bulkParams } from '../../../workers/storage/merge-writer';
import { adminLoad, get, json, load, loadTestData } from '../read-api/support';

type Json = Record<string, unknown>;

describe('bulkParams', () => {
  it('splits rows into JSON arrays no longer than the limit, in order, a row too large for it alone', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => [`id-${i}`, i, 'x'.repeat(i % 997)]);
    const huge = ['huge', 0, 'y'.repeat(BULK_PARAM_CHARS + 10)];
    const params = bulkParams([...rows.slice(0, 1500), huge, ...rows.slice(1500)]);
    expect(params.length).toBeGreaterThan(2);
    const back = params.flatMap((p) => JSON.parse(p) as unknown[][]);
    expect(back).toEqual([...rows.slice(0, 1500), huge, ...rows.slice(1500)]);
    for (const p of params) if (!p.includes('"huge"')) expect(p.length).toBeLessThanOrEqual(BULK_PARAM_CHARS);
    expect(params.filter((p) => p.includes('"huge"'))).toEqual([JSON.stringify([huge])]);
    expect(bulkParams([])).toEqual([]);
  });
});

const ASSIGNED = 'https://perio.do/.well-known/genid/assigned/';

/** An authority with `periods` periods, as served (ids) and as loaded (assigned skolem ids, as load-data sends). */
function bigAuthority(id: string, periods: number): { served: Json; loaded: Json } {
  const map: Record<string, Json> = {};
  for (let i = 0; i < periods; i++) {
    let pid = mintPeriodId(id);
    while (pid in map) pid = mintPeriodId(id);
    map[pid] = {
      id: pid,
      type: 'Period',
      label: `Bulk period ${i}`,
      language: 'eng-latn',
      localizedLabels: { 'eng-latn': [`Bulk period ${i}`] },
      note: `A note of period ${i}: ${'long text '.repeat(200)}`,
      start: { in: { year: String(-1000 + i) }, label: `${1001 - i} B.C.` },
      stop: { in: { year: String(-900 + i) }, label: `${901 - i} B.C.` },
    };
  }
  const served = { id, type: 'Authority', source: { label: 'A large authority' }, periods: map };
  const loaded = {
    ...served,
    id: ASSIGNED + id,
    periods: Object.fromEntries(Object.entries(map).map(([pid, p]) => [ASSIGNED + pid, { ...p, id: ASSIGNED + pid }])),
  };
  return { served, loaded };
}

async function count(sql: string, ...params: unknown[]): Promise<number> {
  const row = await env.DB.prepare(sql).bind(...params).first<{ n: number }>();
  return row!.n;
}

describe('a merge larger than one bulk parameter', () => {
  beforeAll(async () => {
    await loadTestData();
  });

  it('lands every row, and closing half of them in bulk keeps the earlier version intact', async () => {
    const id = mintAuthorityId();
    const { served: authority, loaded } = bigAuthority(id, 1200);
    const patch = [{ op: 'add', path: `/authorities/${(ASSIGNED + id).replace(/~/g, '~0').replace(/\//g, '~1')}`, value: loaded }];
    // The period rows alone need more than two bulk parameters.
    expect(JSON.stringify(Object.values(authority.periods as Json)).length).toBeGreaterThan(2 * BULK_PARAM_CHARS);

    const first = await load(patch);
    expect(first.created).toHaveLength(1201);
    const v1 = first.version;
    expect(await count('SELECT count(*) AS n FROM periods WHERE authority_id = ? AND valid_to IS NULL AND valid_from = ?', id, v1)).toBe(1200);
    expect(await count('SELECT count(*) AS n FROM identifiers WHERE first_version = ?', v1)).toBe(1201);
    const served = await json(await get(`/d.json`));
    expect((served.authorities as Json)[id]).toEqual(authority);

    // Replacing the authority with half its periods closes the other half in bulk.
    const ids = Object.keys(authority.periods as Json);
    const kept = ids.slice(0, 600);
    const second = await load(ids.slice(600).map((pid) => ({ op: 'remove', path: `/authorities/${id}/periods/${pid}` })));
    expect(second.removed).toHaveLength(600);
    expect(await count('SELECT count(*) AS n FROM periods WHERE authority_id = ? AND valid_to IS NULL', id)).toBe(600);
    expect(Object.keys(((await json(await get('/d.json'))).authorities as Record<string, Json>)[id].periods as Json)).toEqual(kept);
    const before = await json(await get(`/d.json?version=${v1}`));
    expect((before.authorities as Json)[id]).toEqual(authority);
  });

  it('a patch whose blank-node ids are replaced keeps its applied text apart from what was submitted', async () => {
    const id = mintAuthorityId();
    const skolem = 'https://perio.do/.well-known/genid/bulk-new-period';
    const patch = [{ op: 'add', path: `/authorities/${id}`, value: { id, type: 'Authority', source: { label: 'Small' }, periods: {} } }];
    await load(patch);
    const value = { id: skolem, type: 'Period', label: 'New', language: 'eng-latn', localizedLabels: { 'eng-latn': ['New'] } };
    const response = await adminLoad([{ op: 'add', path: `/authorities/${id}/periods/${skolem.replace(/~/g, '~0').replace(/\//g, '~1')}`, value }]);
    expect(response.status).toBe(200);
    const result = (await response.json()) as { patchRequestId: number; identifierMap: Record<string, string> };
    const permanent = result.identifierMap[skolem];
    expect(permanent).toMatch(/^p0/);
    const applied = await (await get(`/patches/${result.patchRequestId}/patch.json`)).text();
    expect(applied).toBe(JSON.stringify([{ op: 'add', path: `/authorities/${id}/periods/${permanent}`, value: { ...value, id: permanent } }]));
    // Stored once, as submitted: the applied text is rebuilt from it and the identifier map.
    const row = await env.DB.prepare('SELECT applied_patch_blob AS blob, identifier_map AS map FROM patch_requests WHERE id = ?').bind(result.patchRequestId).first<{ blob: string | null; map: string }>();
    expect(row).toEqual({ blob: null, map: JSON.stringify({ [skolem]: permanent }) });
    const blobs = await env.DB.prepare('SELECT DISTINCT blob_id AS id FROM blob_chunks WHERE blob_id LIKE ?').bind(`patch/${result.patchRequestId}/%`).all<{ id: string }>();
    expect(blobs.results.map((b) => b.id)).toEqual([`patch/${result.patchRequestId}/original`]);
  });

  it('serves the patch as it was applied, not as the merge left its values (a period added to an authority the same patch adds)', async () => {
    const authority = `${ASSIGNED}${mintAuthorityId()}`;
    const aid = authority.slice(ASSIGNED.length);
    const period = `${ASSIGNED}${mintPeriodId(aid)}`;
    const pid = period.slice(ASSIGNED.length);
    const escaped = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
    const result = await load([
      { op: 'add', path: `/authorities/${escaped(authority)}`, value: { id: authority, type: 'Authority', source: { label: 'Two steps' }, periods: {} } },
      { op: 'add', path: `/authorities/${escaped(authority)}/periods/${escaped(period)}`, value: { id: period, type: 'Period', label: 'Second', language: 'eng-latn' } },
    ]);
    expect(result.identifierMap).toEqual({ [authority]: aid, [period]: pid });
    // Each operation as submitted, ids replaced: the first still adds an authority without periods.
    expect(await (await get(`/patches/${result.patchRequestId}/patch.json`)).text()).toBe(
      JSON.stringify([
        { op: 'add', path: `/authorities/${aid}`, value: { id: aid, type: 'Authority', source: { label: 'Two steps' }, periods: {} } },
        { op: 'add', path: `/authorities/${aid}/periods/${pid}`, value: { id: pid, type: 'Period', label: 'Second', language: 'eng-latn' } },
      ]),
    );
  });

  it('serves the applied text a merge made before 30 November 2026 stored, as stored', async () => {
    const id = mintAuthorityId();
    const result = await load([{ op: 'add', path: `/authorities/${id}`, value: { id, type: 'Authority', source: { label: 'Stored' }, periods: {} } }]);
    const blob = `patch/${result.patchRequestId}/applied`;
    const stored = '[{"op":"add","path":"/authorities/stored-by-an-earlier-build","value":{}}]';
    await env.DB.batch([
      env.DB.prepare('INSERT INTO blob_chunks (blob_id, seq, data) VALUES (?, 0, ?)').bind(blob, stored),
      env.DB.prepare('UPDATE patch_requests SET applied_patch_blob = ? WHERE id = ?').bind(blob, result.patchRequestId),
    ]);
    expect(await (await get(`/patches/${result.patchRequestId}/patch.json`)).text()).toBe(stored);
  });
});
