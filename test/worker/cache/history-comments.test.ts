/**
 * A comment on an already merged change is part of the history (/h.nt) but makes no new
 * dataset version: the cached history must not hide it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, get, loadTestData } from '../read-api/support';
import { cacheStatus } from './support';

const editor = { orcid: '1211-1098-7654-321X', token: 'history-comments-editor' };
const auth = { Authorization: `Bearer ${btoa(editor.token)}`, 'Content-Type': 'application/json' };

beforeAll(async () => {
  await loadTestData();
  const r = await get(`/admin/users/${editor.orcid}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Editor', token: editor.token, permissions: ['submit-patch', 'accept-patch'] }),
  });
  expect(r.status).toBe(200);
});

describe('the cached history', () => {
  it('shows a comment posted on a merged change at once', async () => {
    const submitted = await get('/d/', { method: 'PATCH', headers: auth, body: JSON.stringify([{ op: 'add', path: '/authorities/p0trgkv/note', value: 'x' }]) });
    expect(submitted.status).toBe(202);
    const patch = new URL(submitted.headers.get('Location')!).pathname;
    expect((await get(`${patch}merge`, { method: 'POST', headers: auth })).status).toBe(204);

    const first = await get('/h.nt');
    await first.text();
    const second = await get('/h.nt');
    expect(cacheStatus(second)).toBe('HIT');
    expect(await second.text()).not.toContain('Said after the merge');

    const comment = await get(`${patch}messages`, { method: 'POST', headers: auth, body: JSON.stringify({ message: 'Said after the merge' }) });
    expect(comment.status).toBe(200);
    const after = await get('/h.nt');
    expect(cacheStatus(after)).toBe('MISS');
    expect(await after.text()).toContain('"Said after the merge"');
  });
});
