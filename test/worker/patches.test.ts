/**
 * Contributions through the real Worker, D1 and the DatasetCoordinator: submit, update,
 * comment, merge, reject, the patch request list, the authorization matrix, concurrent
 * merges and a merge that fails mid-way. Ports the reference's test_patch.py and
 * test_authorization.py scenarios.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import addPeriod from '../fixtures/server/test-patch-add-period.json';
import addsItems from '../fixtures/server/test-patch-adds-items.json';
import replaceValues1 from '../fixtures/server/test-patch-replace-values-1.json';
import replaceValues2 from '../fixtures/server/test-patch-replace-values-2.json';
import removePeriod from '../fixtures/server/test-patch-remove-period.json';
import { checkIdentifier } from '../../workers/domain/identifiers';
import { ADMIN_TOKEN, get, H, headVersion, json, loadTestData } from './read-api/support';

const USERS = {
  contributor: { orcid: '1234-5678-9101-112X', token: 'this-token-has-normal-permissions', permissions: ['submit-patch', 'create-bag'] },
  editor: { orcid: '1211-1098-7654-321X', token: 'this-token-has-admin-permissions', permissions: ['submit-patch', 'create-bag', 'accept-patch', 'create-graph'] },
  nobody: { orcid: '0000-0000-0000-000X', token: 'this-token-has-no-permissions', permissions: [] as string[] },
  expired: { orcid: '0000-0002-1825-0097', token: 'this-token-has-expired', permissions: ['submit-patch', 'accept-patch'], expiresIn: -3600 },
};
type UserName = keyof typeof USERS;

/** Always applies, whatever earlier tests in this file did to the dataset. */
const noteOnAuthority = (note: string) => [{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: note }];

const bearer = (name: UserName) => ({ Authorization: `Bearer ${btoa(USERS[name].token)}` });

function send(method: string, path: string, as: UserName | null, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(as ? bearer(as) : {}) };
  return get(path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
}

async function submit(patch: unknown, as: UserName = 'contributor'): Promise<string> {
  const response = await send('PATCH', '/d/', as, patch);
  expect(response.status, await response.clone().text()).toBe(202);
  const location = response.headers.get('Location')!;
  expect(location).toMatch(new RegExp(`^${H}/patches/\\d+/$`));
  return new URL(location).pathname;
}

async function merge(patchPath: string, as: UserName = 'editor'): Promise<Response> {
  return send('POST', `${patchPath}merge`, as);
}

async function submitAndMerge(patch: unknown): Promise<string> {
  const path = await submit(patch);
  const response = await merge(path);
  expect(response.status, await response.clone().text()).toBe(204);
  return path;
}

beforeAll(async () => {
  await loadTestData();
  for (const [, u] of Object.entries(USERS)) {
    const r = await get(`/admin/users/${u.orcid}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `User ${u.orcid}`, token: u.token, permissions: u.permissions, expiresIn: 'expiresIn' in u ? u.expiresIn : undefined }),
    });
    expect(r.status).toBe(200);
  }
});

describe('submitting a patch', () => {
  it('answers 202 with the absolute URL of the new patch request, which lists it as open', async () => {
    const path = await submit(replaceValues1);
    const list = await get('/patches/?open=true&merged=false');
    expect(list.status).toBe(200);
    expect(list.headers.get('Content-Type')).toBe('application/json');
    expect(list.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-patches.json"');
    const items = (await list.json()) as { url: string; open: boolean; merged: boolean; created_by: string }[];
    expect(items.map((i) => i.url)).toContain(`${H}${path}`);
    const item = items.find((i) => i.url === `${H}${path}`)!;
    expect(item).toMatchObject({ open: true, merged: false, created_by: `https://orcid.org/${USERS.contributor.orcid}` });
    const total = Number(list.headers.get('X-Total-Count'));
    expect(total).toBeGreaterThanOrEqual(2); // the initial load and this one

    const page = await json(await get(path));
    expect(page).toMatchObject({ open: true, merged: false, mergeable: true, comments: [], first_comment: null, applied_to: null });
    expect(page.created_from).toBe(`${H}/dataset/?version=${await headVersion()}`);
    expect(page.text).toBe(`${H}${path}patch.jsonpatch`);
    expect(page.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
  });

  it('is accepted on every dataset path, including the PATCH <base>d.jsonld the web client sends', async () => {
    for (const path of ['/dataset/', '/d.json', '/d.jsonld', '/dataset.jsonld']) {
      const response = await send('PATCH', path, 'contributor', replaceValues2);
      expect(response.status, path).toBe(202);
    }
  });

  it('records the entities it updates, computed at submission', async () => {
    const path = await submit(replaceValues1);
    const id = Number(path.split('/')[2]);
    const { results } = await env.DB.prepare('SELECT updated_entities, removed_entities FROM patch_requests WHERE id = ?').bind(id).all<{ updated_entities: string; removed_entities: string }>();
    expect(JSON.parse(results[0].updated_entities)).toEqual(['p0trgkv', 'p0trgkvwbjd']);
    expect(JSON.parse(results[0].removed_entities)).toEqual([]);
  });

  it('refuses bad patches with 400 and a message, and writes nothing', async () => {
    const count = async () => Number((await get('/patches/')).headers.get('X-Total-Count'));
    const before = await count();
    const cases: [string, RegExp][] = [
      ['{not json', /could not be parsed as JSON/],
      ['{"op": "add"}', /JSON array of operations/],
      ['[{"op": "frobnicate", "path": "/x"}]', /valid "op"/],
      [JSON.stringify([{ op: 'replace', path: '/authorities/p0trgkv/nope/deeper', value: 1 }]), /Could not apply JSON patch/],
    ];
    for (const [body, message] of cases) {
      const response = await send('PATCH', '/d/', 'contributor', body);
      expect(response.status, body).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(message);
    }
    expect(await count()).toBe(before);
  });
});

describe('the authorization matrix', () => {
  it('anonymous requests get 401 with the bare Bearer challenge', async () => {
    for (const [method, path] of [['PATCH', '/d/'], ['POST', '/patches/1/merge'], ['POST', '/patches/1/reject'], ['POST', '/patches/1/messages']]) {
      const response = await send(method, path, null, method === 'PATCH' ? replaceValues1 : { message: 'x' });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(response.headers.get('WWW-Authenticate')).toBe('Bearer realm="PeriodO"');
    }
  });

  it('an expired token gets 401 invalid_token "The access token expired"', async () => {
    const response = await send('PATCH', '/d/', 'expired', replaceValues1);
    expect(response.status).toBe(401);
    expect(response.headers.get('WWW-Authenticate')).toBe(
      'Bearer realm="PeriodO", error="invalid_token", error_description="The access token expired", error_uri="http://tools.ietf.org/html/rfc6750#section-6.2.2"',
    );
  });

  it('malformed and unknown tokens get 401 invalid_token', async () => {
    const malformed = await get('/d/', { method: 'PATCH', headers: { Authorization: 'Bearer not base64!' }, body: '[]' });
    expect(malformed.status).toBe(401);
    expect(malformed.headers.get('WWW-Authenticate')).toContain('error_description="The access token is malformed"');
    const unknown = await get('/d/', { method: 'PATCH', headers: { Authorization: `Bearer ${btoa('no-such-token')}` }, body: '[]' });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('WWW-Authenticate')).toContain('error_description="The access token is invalid"');
  });

  it('a user without permissions gets 403 insufficient_scope; a contributor cannot merge or reject', async () => {
    const insufficient =
      'Bearer realm="PeriodO", error="insufficient_scope", error_description="The access token does not provide sufficient privileges", error_uri="http://tools.ietf.org/html/rfc6750#section-6.2.3"';
    const nobody = await send('PATCH', '/d/', 'nobody', replaceValues1);
    expect(nobody.status).toBe(403);
    expect(nobody.headers.get('WWW-Authenticate')).toBe(insufficient);
    const path = await submit(replaceValues1);
    for (const action of ['merge', 'reject']) {
      const response = await send('POST', `${path}${action}`, 'contributor');
      expect(response.status, action).toBe(403);
      expect(response.headers.get('WWW-Authenticate')).toBe(insufficient);
    }
    expect(await json(await get(path))).toMatchObject({ open: true, merged: false });
  });

  it('only editors see the merge link, relative and without a space, as the reference client expects', async () => {
    const path = await submit(replaceValues1);
    expect((await get(path, { headers: bearer('contributor') })).headers.get('Link')).toBeNull();
    expect((await get(path)).headers.get('Link')).toBeNull();
    expect((await get(path, { headers: bearer('editor') })).headers.get('Link')).toBe(`<${path}merge>;rel="merge"`);
  });
});

describe('the review workflow', () => {
  it('submit → update → comment → merge gives a new version with new permanent ids', async () => {
    const path = await submit(replaceValues1);
    // The creator replaces the patch with another one.
    const put = await send('PUT', `${path}patch.jsonpatch`, 'contributor', addsItems);
    expect(put.status).toBe(200);
    const text = await get(`${path}patch.jsonpatch`);
    expect(text.headers.get('Content-Type')).toBe('application/json');
    expect(await text.json()).toEqual(addsItems);

    const comment = await send('POST', `${path}messages`, 'contributor', { message: 'a comment' });
    expect(comment.status).toBe(200);
    expect(new URL(comment.headers.get('Location')!).pathname).toBe(path);
    const page = await json(await get(path));
    expect(page.first_comment).toBe('a comment');
    expect(page.comments).toHaveLength(1);
    expect((page.comments as { author: string }[])[0].author).toBe(`https://orcid.org/${USERS.contributor.orcid}`);

    const before = await headVersion();
    const merged = await merge(path);
    expect(merged.status).toBe(204);
    expect(await headVersion()).toBe(before + 1);

    const after = await json(await get(path));
    expect(after).toMatchObject({ open: false, merged: true, applied_to: `${H}/dataset/?version=${before}` });
    const map = after.identifier_map as Record<string, string>;
    const ids = Object.values(map);
    expect(ids).toHaveLength(4);
    const authorities = ids.filter((id) => /^p0[23456789bcdfghjkmnpqrstvwxz]{5}$/.test(id));
    expect(authorities).toHaveLength(1);
    for (const id of ids) {
      expect(() => checkIdentifier(id)).not.toThrow();
      if (id.length === 11) expect(id.startsWith('p0trgkv') || id.startsWith(authorities[0])).toBe(true);
    }
    // The applied patch (ids replaced) is served once merged.
    const applied = JSON.stringify(await (await get(`${path}patch.json`)).json());
    expect(applied).not.toContain('.well-known/genid');
    for (const id of ids) expect(applied).toContain(id);
    // The new entities are served at the new version.
    const newAuthority = await get(`/${authorities[0].slice(2)}.json`);
    expect(newAuthority.status).toBe(200);
    // A merged patch can no longer be changed (its creator's update permission covered
    // only the open request: 403 as the reference), merged or rejected.
    expect((await send('PUT', `${path}patch.jsonpatch`, 'contributor', replaceValues1)).status).toBe(403);
    const again = await merge(path);
    expect(again.status).toBe(404);
    expect(((await again.json()) as { message: string }).message).toBe('Patch is already merged.');
  });

  it('re-submitting a merged skolem patch is refused with 400 at submission, writing nothing', async () => {
    await submitAndMerge(addPeriod);
    const before = await headVersion();
    const beforeBody = await (await get('/d.json')).text();
    const requests = await env.DB.prepare('SELECT COUNT(*) AS n FROM patch_requests').first<{ n: number }>();
    const response = await send('PATCH', '/d/', 'contributor', addPeriod);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/not mergeable.*already mapped/i);
    expect(await headVersion()).toBe(before);
    expect(await (await get('/d.json')).text()).toBe(beforeBody);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM patch_requests').first<{ n: number }>()).toEqual(requests);
  });

  it('a patch that no longer applies shows mergeable: false and its merge is refused', async () => {
    const path = await submit(removePeriod);
    const competing = await submit(removePeriod);
    await merge(competing);
    expect(await json(await get(path))).toMatchObject({ mergeable: false });
    const response = await merge(path);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/not mergeable/i);
    // The removed period answers 410; older versions still serve it.
    expect((await get('/trgkvwbjd.json')).status).toBe(410);
    expect((await get('/trgkvwbjd.json?version=1')).status).toBe(200);
  });

  it('reject closes a patch; a closed patch cannot be merged; unknown patches are 404', async () => {
    const path = await submit(noteOnAuthority('to be rejected'));
    expect((await send('POST', `${path}reject`, 'editor')).status).toBe(204);
    expect(await json(await get(path))).toMatchObject({ open: false, merged: false });
    const response = await merge(path);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toBe('Closed patches cannot be merged.');
    expect((await merge('/patches/9999/')).status).toBe(404);
    expect((await send('POST', '/patches/9999/reject', 'editor')).status).toBe(404);
    expect((await send('POST', '/patches/9999/messages', 'contributor', { message: 'x' })).status).toBe(404);
    expect((await get('/patches/9999/')).status).toBe(404);
  });

  it('a comment needs a message; a patch may be changed only by its creator or an editor', async () => {
    const path = await submit(noteOnAuthority('first'));
    const empty = await send('POST', `${path}messages`, 'contributor', { note: 'x' });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { message: string }).message).toBe('No message present in request data.');
    expect((await send('POST', `${path}messages`, 'contributor', '{oops')).status).toBe(400);
    const other = await send('PUT', `${path}patch.jsonpatch`, 'nobody', noteOnAuthority('second'));
    expect(other.status).toBe(403);
    expect((await send('PUT', `${path}patch.jsonpatch`, 'editor', noteOnAuthority('second'))).status).toBe(200);
    const bad = await send('PUT', `${path}patch.jsonpatch`, 'contributor', '{bad');
    expect(bad.status).toBe(400);
    expect(await (await get(`${path}patch.jsonpatch`)).json()).toEqual(noteOnAuthority('second'));
  });
});

describe('the patch request list', () => {
  it('pages with limit/from, Link prev/next and X-Total-Count, and validates its parameters', async () => {
    const total = Number((await get('/patches/')).headers.get('X-Total-Count'));
    expect(total).toBeGreaterThan(4);
    const first = await get('/patches/?limit=2');
    expect(((await first.json()) as unknown[]).length).toBe(2);
    expect(first.headers.get('Link')).toBe(`<${H}/patches/?limit=2&from=2>; rel="next"`);
    const second = await get('/patches/?limit=2&from=2');
    expect(second.headers.get('Link')).toBe(`<${H}/patches/?limit=2>; rel="prev", <${H}/patches/?limit=2&from=4>; rel="next"`);
    const all = (await (await get('/patches/?limit=250&sort=created_at&order=asc')).json()) as { url: string }[];
    expect(all).toHaveLength(total);
    const ids = all.map((p) => Number(p.url.split('/')[4]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const merged = (await (await get('/patches/?merged=true&limit=250')).json()) as { merged: boolean }[];
    expect(merged.every((p) => p.merged)).toBe(true);
    for (const bad of ['sort=name', 'order=up', 'open=maybe', 'limit=ten']) {
      expect((await get(`/patches/?${bad}`)).status, bad).toBe(422);
    }
    expect((await get('/patches')).status).toBe(308);
  });
});

describe('concurrency and failure', () => {
  it('20 concurrent merges of non-conflicting patches make 20 consecutive versions, none lost', async () => {
    const paths: string[] = [];
    for (let i = 0; i < 20; i++) {
      paths.push(
        await submit([
          {
            op: 'add',
            path: `/authorities/p0trgkv/periods/https:~1~1perio.do~1.well-known~1genid~1concurrent-${i}`,
            value: { id: `https://perio.do/.well-known/genid/concurrent-${i}`, label: `Concurrent ${i}`, type: 'Period' },
          },
        ]),
      );
    }
    const before = await headVersion();
    const responses = await Promise.all(paths.map((p) => merge(p)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(204));
    expect(await headVersion()).toBe(before + 20);
    const pages = await Promise.all(paths.map(async (p) => json(await get(p))));
    const resulted = pages.map((p) => Number(new URL(p.applied_to as string).searchParams.get('version')) + 1).sort((a, b) => a - b);
    expect(resulted).toEqual(Array.from({ length: 20 }, (_, i) => before + 1 + i));
    const authority = await json(await get('/trgkv.json'));
    const labels = Object.values(authority.periods as Record<string, { label: string }>).map((p) => p.label);
    for (let i = 0; i < 20; i++) expect(labels).toContain(`Concurrent ${i}`);
  });

  it('a merge that fails mid-way leaves the dataset and the patch request unchanged', async () => {
    const path = await submit(noteOnAuthority('after a failure'));
    const version = await headVersion();
    const dataset = await (await get('/d.json')).text();
    const stub = env.COORDINATOR.getByName('dataset');
    expect(await stub.injectFailure('before-merge-batch')).toBe(true);
    const failed = await merge(path);
    expect(failed.status).toBe(503);
    expect(((await failed.json()) as { message: string }).message).toMatch(/nothing was changed/);
    expect(await headVersion()).toBe(version);
    expect(await (await get('/d.json')).text()).toBe(dataset);
    expect(await json(await get(path))).toMatchObject({ open: true, merged: false, identifier_map: null });

    // A failure inside the batch itself (a constraint the database enforces) rolls it all back too.
    await env.DB.prepare("CREATE TRIGGER fail_merge BEFORE INSERT ON identifier_map BEGIN SELECT RAISE(ABORT, 'injected'); END").run();
    const skolemPath = await submit([
      {
        op: 'add',
        path: '/authorities/p0trgkv/periods/https:~1~1perio.do~1.well-known~1genid~1failing-1',
        value: { id: 'https://perio.do/.well-known/genid/failing-1', label: 'Never merged', type: 'Period' },
      },
    ]);
    const failedInBatch = await merge(skolemPath);
    expect(failedInBatch.status).toBe(503);
    await env.DB.prepare('DROP TRIGGER fail_merge').run();
    expect(await headVersion()).toBe(version);
    expect(await (await get('/d.json')).text()).toBe(dataset);
    const { results } = await env.DB.prepare('SELECT COUNT(*) AS n FROM periods WHERE valid_from > ?').bind(version).all<{ n: number }>();
    expect(results[0].n).toBe(0);

    // And the same patch merges once the failure is gone.
    expect((await merge(path)).status).toBe(204);
    expect(await headVersion()).toBe(version + 1);
  });
});

describe('storage limits', () => {
  it('refuses a period too large for one D1 value with 400 at submission, writing nothing', async () => {
    const before = await headVersion();
    const requests = await env.DB.prepare('SELECT COUNT(*) AS n FROM patch_requests').first<{ n: number }>();
    const response = await send('PATCH', '/d/', 'contributor', [
      {
        op: 'add',
        path: '/authorities/p0trgkv/periods/https:~1~1perio.do~1.well-known~1genid~1huge',
        value: { id: 'https://perio.do/.well-known/genid/huge', label: 'Huge', note: 'x'.repeat(1_200_000) },
      },
    ]);
    expect(response.status).toBe(400);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM patch_requests').first<{ n: number }>()).toEqual(requests);
    expect(((await response.json()) as { message: string }).message).toMatch(/larger than 1,000,000 bytes/);
    expect(await headVersion()).toBe(before);
  });
});
