import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import testData from '../../../shared/data/server-fixtures/test-data.json';
import { datasetPatches } from '../../scripts/lib/load-patches';

const get = (path: string, init?: RequestInit) => exports.default.fetch(new Request(`http://localhost${path}`, init));

describe('smoke', () => {
  it('loads and serves', async () => {
    const patches = datasetPatches({}, testData as Record<string, unknown>, { maxPeriods: 5000, maxBytes: 1e9 });
    for (const p of patches) {
      const r = await get('/admin/load', { method: 'POST', body: JSON.stringify(p), headers: { Authorization: 'Bearer dev-admin-token' } });
      console.log(r.status, await r.text());
    }
    for (const path of ['/d.json', '/trgkv.json', '/trgkvwbjd.json', '/c', '/.well-known/void', '/', '/identifier-map/', '/export.sql', '/nope']) {
      const r = await get(path);
      console.log(path, r.status, [...r.headers].map(([k, v]) => `${k}: ${v}`).join(' | '));
      console.log((await r.text()).slice(0, 600));
    }
    expect(1).toBe(1);
  });
});
