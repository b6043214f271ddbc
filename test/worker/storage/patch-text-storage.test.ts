/**
 * Large submitted patches are stored gzip-compressed (storage/blob-text.ts). Whatever the
 * storage, a patch request serves its patch byte for byte as it was submitted, merges from
 * it, and patches stored as plain text by earlier builds read as before.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { mintAuthorityId, mintPeriodId } from '../../../workers/domain/identifiers';
import { COMPRESSED_FROM_CHARS, GZIP_BASE64 } from '../../../workers/storage/blob-text';
import { ADMIN_TOKEN, adminLoad, ASSIGNED, get, json, loadTestData } from '../read-api/support';

type Json = Record<string, unknown>;

const CONTRIBUTOR = { orcid: '1234-5678-9101-112X', token: 'blob-text-contributor', permissions: ['submit-patch'] };
const EDITOR = { orcid: '1211-1098-7654-321X', token: 'blob-text-editor', permissions: ['submit-patch', 'accept-patch'] };
const bearer = (user: { token: string }) => ({ Authorization: `Bearer ${btoa(user.token)}`, 'Content-Type': 'application/json' });
/**
 * A patch adding an authority with `periods` new periods (skolem ids), as pretty-printed
 * text with labels outside ASCII, so byte identity is more than JSON equality.
 */
function authorityPatch(periods: number, tag: string): { id: string; text: string } {
  const id = mintAuthorityId();
  const map: Record<string, Json> = {};
  for (let i = 0; i < periods; i++) {
    let skolem = ASSIGNED + mintPeriodId(id);
    while (skolem in map) skolem = ASSIGNED + mintPeriodId(id);
    map[skolem] = {
      id: skolem,
      type: 'Period',
      label: `Jōmon ${tag} ${i} — 縄文時代 🏺`,
      language: 'jpn-latn',
      localizedLabels: { 'jpn-latn': [`Jōmon ${tag} ${i}`] },
      note: `Période ${i} : « ${'texte long '.repeat(20)}»`,
      start: { in: { year: String(-14000 + i) }, label: `${14001 - i} B.C.` },
      stop: { in: { year: String(-300 + i) }, label: `${301 - i} B.C.` },
    };
  }
  const value = { id: ASSIGNED + id, type: 'Authority', source: { label: `Compressed ${tag}` }, periods: map };
  const path = `/authorities/${(ASSIGNED + id).replace(/~/g, '~0').replace(/\//g, '~1')}`;
  return { id, text: JSON.stringify([{ op: 'add', path, value }], null, 2) };
}

async function chunks(patchRequest: number): Promise<{ data: string; encoding: string | null }[]> {
  const { results } = await env.DB.prepare('SELECT data, encoding FROM blob_chunks WHERE blob_id = ? ORDER BY seq')
    .bind(`patch/${patchRequest}/original`)
    .all<{ data: string; encoding: string | null }>();
  return results;
}

async function submit(text: string): Promise<number> {
  const response = await get('/d/', { method: 'PATCH', headers: bearer(CONTRIBUTOR), body: text });
  expect(response.status, await response.clone().text()).toBe(202);
  return Number(new URL(response.headers.get('Location')!).pathname.split('/')[2]);
}

async function periodsOf(authority: string): Promise<string[]> {
  const dataset = await json(await get('/d.json'));
  const found = (dataset.authorities as Record<string, Json>)[authority];
  return found ? Object.values(found.periods as Record<string, Json>).map((p) => p.label as string) : [];
}

beforeAll(async () => {
  await loadTestData();
  for (const user of [CONTRIBUTOR, EDITOR]) {
    const response = await get(`/admin/users/${user.orcid}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `User ${user.orcid}`, token: user.token, permissions: user.permissions }),
    });
    expect(response.status).toBe(200);
  }
});

describe('a large submitted patch', () => {
  it('is stored compressed, served back byte for byte, and merges', async () => {
    const { id, text } = authorityPatch(300, 'submitted');
    expect(text.length).toBeGreaterThan(2 * COMPRESSED_FROM_CHARS);
    const request = await submit(text);

    const stored = await chunks(request);
    expect(stored.every((c) => c.encoding === GZIP_BASE64)).toBe(true);
    expect(stored.map((c) => c.data).join('').length).toBeLessThan(text.length / 4);
    expect(await (await get(`/patches/${request}/patch.json`)).text()).toBe(text);
    expect((await json(await get(`/patches/${request}/`))).mergeable).toBe(true);

    const merged = await get(`/patches/${request}/merge`, { method: 'POST', headers: bearer(EDITOR) });
    expect(merged.status, await merged.clone().text()).toBe(204);
    const labels = await periodsOf(id);
    expect(labels).toHaveLength(300);
    expect(labels[299]).toBe('Jōmon submitted 299 — 縄文時代 🏺');
    // As applied: the submitted operation with its skolem ids replaced.
    const applied = (await (await get(`/patches/${request}/patch.json`)).json()) as { path: string; value: { periods: Record<string, Json> } }[];
    expect(applied.map((op) => op.path)).toEqual([`/authorities/${id}`]);
    const appliedPeriods = Object.entries(applied[0].value.periods);
    expect(appliedPeriods).toHaveLength(300);
    for (const [key, period] of appliedPeriods) {
      expect(key).toBe(period.id);
      expect(key).not.toContain('/.well-known/genid/');
    }
  });

  it('is stored plain once it is replaced by a small one, with no chunk of the large one left', async () => {
    const large = authorityPatch(200, 'replaced');
    const request = await submit(large.text);
    expect((await chunks(request)).length).toBeGreaterThanOrEqual(1);

    const small = JSON.stringify([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'Kleiner Patch, ersetzt' }]);
    const updated = await get(`/patches/${request}/patch.json`, { method: 'PUT', headers: bearer(CONTRIBUTOR), body: small });
    expect(updated.status, await updated.clone().text()).toBe(200);
    expect(await chunks(request)).toEqual([{ data: small, encoding: null }]);
    expect(await (await get(`/patches/${request}/patch.json`)).text()).toBe(small);

    // And back to a large one: compressed again, served as sent.
    const again = authorityPatch(150, 'again');
    const back = await get(`/patches/${request}/patch.json`, { method: 'PUT', headers: bearer(CONTRIBUTOR), body: again.text });
    expect(back.status, await back.clone().text()).toBe(200);
    expect((await chunks(request)).every((c) => c.encoding === GZIP_BASE64)).toBe(true);
    expect(await (await get(`/patches/${request}/patch.json`)).text()).toBe(again.text);
  });

  it('loaded by the operator (one batch with its patch request) is stored compressed and served as applied', async () => {
    const { id, text } = authorityPatch(250, 'loaded');
    const response = await adminLoad(JSON.parse(text));
    expect(response.status, await response.clone().text()).toBe(200);
    const result = (await response.json()) as { patchRequestId: number; identifierMap: Record<string, string> };
    expect((await chunks(result.patchRequestId)).every((c) => c.encoding === GZIP_BASE64)).toBe(true);
    expect(await periodsOf(id)).toHaveLength(250);
    const applied = await (await get(`/patches/${result.patchRequestId}/patch.json`)).text();
    const skolem = Object.keys(result.identifierMap).find((k) => k !== ASSIGNED + id)!;
    expect(applied).toContain(`"${result.identifierMap[skolem]}":{"id":"${result.identifierMap[skolem]}"`);
    expect(applied).not.toContain('/.well-known/genid/');
  });

  it('loaded gzip-compressed (as load-data sends it) is stored as the bytes sent, not compressed again', async () => {
    const { id, text } = authorityPatch(200, 'sent compressed');
    const compressed = new Uint8Array(await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
    // A file name in the gzip header (FLG.FNAME): the same text, bytes no compressor here would write.
    const name = new TextEncoder().encode('load-data.json\0');
    const sent = new Uint8Array([...compressed.subarray(0, 3), 0x08, ...compressed.subarray(4, 10), ...name, ...compressed.subarray(10)]);
    const response = await get('/admin/load', {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: sent,
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const { patchRequestId } = (await response.json()) as { patchRequestId: number };
    const stored = await chunks(patchRequestId);
    expect(stored.every((c) => c.encoding === GZIP_BASE64)).toBe(true);
    expect(Uint8Array.from(atob(stored.map((c) => c.data).join('')), (ch) => ch.charCodeAt(0))).toEqual(sent);
    expect(await periodsOf(id)).toHaveLength(200);
    const applied = (await (await get(`/patches/${patchRequestId}/patch.json`)).json()) as { path: string }[];
    expect(applied.map((op) => op.path)).toEqual([`/authorities/${id}`]);
  });
});

describe('a patch stored as plain text by an earlier build', () => {
  it('is served as stored and merges, across several chunks', async () => {
    const { id, text } = authorityPatch(300, 'earlier');
    const request = await submit(JSON.stringify([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'placeholder' }]));
    // As builds before compression wrote it: 256 K-character chunks of the text, no encoding.
    const pieces = [text.slice(0, 40_000), text.slice(40_000)];
    await env.DB.batch([
      env.DB.prepare('DELETE FROM blob_chunks WHERE blob_id = ?').bind(`patch/${request}/original`),
      ...pieces.map((piece, seq) => env.DB.prepare('INSERT INTO blob_chunks (blob_id, seq, data) VALUES (?, ?, ?)').bind(`patch/${request}/original`, seq, piece)),
    ]);
    expect(await (await get(`/patches/${request}/patch.json`)).text()).toBe(text);
    const merged = await get(`/patches/${request}/merge`, { method: 'POST', headers: bearer(EDITOR) });
    expect(merged.status, await merged.clone().text()).toBe(204);
    expect(await periodsOf(id)).toHaveLength(300);
  });
});
